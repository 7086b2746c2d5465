//! Unit tests of `idp_metadata`'s refusals: each error reason, hostile input
//! (DTDs, billion laughs, size, node count, deep nesting, huge values that
//! must not be echoed) and the property that no input panics.

use std::time::{Duration, Instant};

use base64::Engine as _;
use proptest::prelude::*;

use super::*;

fn reason(document: &[u8], entity_id: Option<&str>) -> &'static str {
    signing_certificates(document, entity_id).unwrap_err().reason()
}

/// A single-entity document whose IDPSSODescriptor holds `keys`.
fn idp_with_keys(keys: &str) -> String {
    format!(
        "<EntityDescriptor xmlns=\"{SAML_METADATA_NS}\" xmlns:ds=\"{XMLDSIG_NS}\" entityID=\"https://idp.example\">\
         <IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">{keys}</IDPSSODescriptor>\
         </EntityDescriptor>"
    )
}

fn key(usage: &str, text: &str) -> String {
    format!(
        "<KeyDescriptor{usage}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{text}</ds:X509Certificate>\
         </ds:X509Data></ds:KeyInfo></KeyDescriptor>"
    )
}

fn base64_of(der: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(der)
}

#[test]
fn what_is_not_xml_is_not_xml() {
    for document in
        [&b""[..], b"{\"errors\":[]}", b"<html><body>login", b"<a></b>", b"\xff\xfe<\x00a\x00/\x00>\x00"]
    {
        assert_eq!(reason(document, None), "not_xml", "{}", String::from_utf8_lossy(document));
    }
    let error = signing_certificates(b"<a>\xc3\x28</a>", None).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the metadata is not well-formed XML: not UTF-8 (invalid byte at offset 3)"
    );
}

#[test]
fn well_formed_xml_that_is_not_metadata_says_what_its_root_is() {
    let error = signing_certificates(b"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>", None)
        .unwrap_err();
    assert_eq!(error.reason(), "not_metadata");
    assert!(error.to_string().contains("html in namespace http://www.w3.org/1999/xhtml"), "{error}");
    // The right name in no namespace (or SAML 1's) is not SAML 2.0 metadata.
    assert_eq!(reason(b"<EntityDescriptor entityID=\"x\"/>", None), "not_metadata");
}

#[test]
fn any_dtd_is_refused_and_billion_laughs_fails_at_once() {
    let with_doctype = format!("<?xml version=\"1.0\"?>\n<!DOCTYPE EntityDescriptor>\n{}", idp_with_keys(""));
    assert_eq!(reason(with_doctype.as_bytes(), None), "dtd");
    let mut laughs = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for level in 1..=9 {
        let previous = if level == 1 { "lol".to_owned() } else { format!("lol{}", level - 1) };
        laughs.push_str(&format!("<!ENTITY lol{level} \"{}\">\n", format!("&{previous};").repeat(10)));
    }
    laughs.push_str("]>\n<lolz>&lol9;</lolz>\n");
    let started = Instant::now();
    let error = signing_certificates(laughs.as_bytes(), None).unwrap_err();
    assert_eq!(error, MetadataError::Dtd);
    assert!(started.elapsed() < Duration::from_secs(1));
    // Without a DTD an entity reference is only an unknown entity.
    assert_eq!(reason(b"<lolz>&lol9;</lolz>", None), "not_xml");
}

#[test]
fn oversized_documents_and_node_floods_are_too_large() {
    assert!(check_size(MAX_METADATA_BYTES as u64).is_ok());
    let error = check_size(MAX_METADATA_BYTES as u64 + 1).unwrap_err();
    assert_eq!(error.reason(), "too_large");
    assert_eq!(
        error.to_string(),
        format!("the metadata is 10485761 bytes, over the limit of {MAX_METADATA_BYTES}")
    );
    let huge = vec![b' '; MAX_METADATA_BYTES + 1];
    assert_eq!(reason(&huge, None), "too_large");
    let flood = idp_with_keys(&"<a/>".repeat(MAX_METADATA_NODES as usize));
    assert!(flood.len() < MAX_METADATA_BYTES);
    assert_eq!(signing_certificates(flood.as_bytes(), None).unwrap_err(), MetadataError::TooManyNodes);
}

#[test]
fn deep_nesting_neither_overflows_the_stack_nor_panics() {
    let depth = 100_000;
    let elements = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    assert_eq!(reason(idp_with_keys(&elements).as_bytes(), None), "no_signing_certificate");
    let groups = format!(
        "<EntitiesDescriptor xmlns=\"{SAML_METADATA_NS}\">{}{}</EntitiesDescriptor>",
        "<EntitiesDescriptor>".repeat(depth),
        "</EntitiesDescriptor>".repeat(depth)
    );
    let error = signing_certificates(groups.as_bytes(), None).unwrap_err();
    assert_eq!(error, MetadataError::EntityNotFound { wanted: None, entities: 0 });
}

#[test]
fn an_idp_without_signing_keys_or_an_sp_has_no_signing_certificate() {
    let der = fake_der();
    let encryption_only = idp_with_keys(&key(" use=\"encryption\"", &base64_of(&der)));
    let error = signing_certificates(encryption_only.as_bytes(), None).unwrap_err();
    assert_eq!(
        error,
        MetadataError::NoSigningCertificate { entity_id: "https://idp.example".into(), idp_descriptors: 1 }
    );
    assert_eq!(error.to_string(), "the IDPSSODescriptor of https://idp.example lists no signing certificate");
    assert_eq!(reason(idp_with_keys("").as_bytes(), None), "no_signing_certificate");
    let sp = format!(
        "<md:EntityDescriptor xmlns:md=\"{SAML_METADATA_NS}\" entityID=\"https://sp.example\"><md:SPSSODescriptor>{}\
         </md:SPSSODescriptor></md:EntityDescriptor>",
        key(" use=\"signing\"", &base64_of(&der))
            .replace("KeyDescriptor", "md:KeyDescriptor")
            .replace("<ds:KeyInfo>", &format!("<ds:KeyInfo xmlns:ds=\"{XMLDSIG_NS}\">"))
    );
    let error = signing_certificates(sp.as_bytes(), Some("https://sp.example")).unwrap_err();
    assert_eq!(
        error,
        MetadataError::NoSigningCertificate { entity_id: "https://sp.example".into(), idp_descriptors: 0 }
    );
    assert!(error.to_string().contains("not a SAML identity provider"));
}

/// A certificate, minted the way the product tests do.
fn fake_der() -> Vec<u8> {
    super::mint("refusals")
}

#[test]
fn a_certificate_that_does_not_decode_fails_the_document_naming_its_position() {
    let good = key(" use=\"signing\"", &base64_of(&fake_der()));
    let cases = [
        ("not base64 at all!", "is not base64"),
        ("aGVsbG8gd29ybGQ=", "is not an X.509 certificate"),
        ("  \n  ", "is empty"),
    ];
    for (text, problem) in cases {
        let document = idp_with_keys(&format!("{good}{}", key("", text)));
        let error = signing_certificates(document.as_bytes(), None).unwrap_err();
        assert_eq!(error.reason(), "bad_certificate");
        assert_eq!(
            error,
            MetadataError::BadCertificate { entity_id: "https://idp.example".into(), position: 2, problem }
        );
        assert_eq!(error.to_string(), format!("signing certificate 2 of https://idp.example {problem}"));
    }
    // An unreadable encryption key is not looked at.
    let document = idp_with_keys(&format!("{good}{}", key(" use=\"encryption\"", "garbage")));
    assert!(signing_certificates(document.as_bytes(), None).is_ok());
}

#[test]
fn an_entity_that_is_not_there_is_not_found_and_the_count_is_named() {
    let one = idp_with_keys(&key("", &base64_of(&fake_der())));
    let error = signing_certificates(one.as_bytes(), Some("https://other.example")).unwrap_err();
    assert_eq!(error.reason(), "entity_not_found");
    assert_eq!(
        error.to_string(),
        "the metadata's only EntityDescriptor is not entityID https://other.example"
    );
    let entity = |id: &str| {
        one.replace("https://idp.example", id).replace(&format!(" xmlns=\"{SAML_METADATA_NS}\""), "")
    };
    let aggregate = format!(
        "<EntitiesDescriptor xmlns=\"{SAML_METADATA_NS}\">{}<EntitiesDescriptor>{}{}</EntitiesDescriptor></EntitiesDescriptor>",
        entity("https://a.example"),
        entity("https://b.example"),
        entity("https://c.example"),
    );
    let error = signing_certificates(aggregate.as_bytes(), None).unwrap_err();
    assert_eq!(error, MetadataError::EntityNotFound { wanted: None, entities: 3 });
    assert_eq!(error.to_string(), "the metadata holds 3 EntityDescriptors: name the entityID to read");
    let error = signing_certificates(aggregate.as_bytes(), Some("https://d.example")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "none of the metadata's 3 EntityDescriptors has entityID https://d.example"
    );
    assert!(signing_certificates(aggregate.as_bytes(), Some("https://c.example")).is_ok());
    let empty = format!("<EntitiesDescriptor xmlns=\"{SAML_METADATA_NS}\"/>");
    assert_eq!(
        signing_certificates(empty.as_bytes(), None).unwrap_err().to_string(),
        "the metadata holds no EntityDescriptor"
    );
}

#[test]
fn errors_never_echo_large_input_nor_bidi_controls() {
    // A right-to-left override (allowed in XML, unlike C0 controls).
    let long = format!("\u{202e}{}", "x".repeat(100_000));
    let documents = [
        idp_with_keys("").replace("https://idp.example", &long),
        format!("<{} xmlns=\"urn:{long}\"/>", "y".repeat(100_000)),
        format!("<a><{}></a>", "z".repeat(100_000)),
        idp_with_keys(&key("", "%%%")).replace("https://idp.example", &long),
    ];
    for document in &documents {
        for wanted in [None, Some(long.as_str())] {
            let message = signing_certificates(document.as_bytes(), wanted).unwrap_err().to_string();
            assert!(message.len() < 1_000, "{} bytes: {}", message.len(), &message[..200]);
            assert!(!message.contains('\u{202e}'), "{message}");
        }
    }
}

#[test]
fn every_reason_is_listed_once() {
    let errors = [
        MetadataError::TooLarge { bytes: 1 },
        MetadataError::TooManyNodes,
        MetadataError::NotXml { detail: String::new() },
        MetadataError::Dtd,
        MetadataError::NotMetadata { root: String::new() },
        MetadataError::EntityNotFound { wanted: None, entities: 0 },
        MetadataError::NoSigningCertificate { entity_id: String::new(), idp_descriptors: 0 },
        MetadataError::BadCertificate { entity_id: String::new(), position: 1, problem: "is empty" },
    ];
    let used: BTreeSet<&str> = errors.iter().map(MetadataError::reason).collect();
    let listed: BTreeSet<&str> = REASONS.into_iter().collect();
    assert_eq!(listed.len(), REASONS.len(), "no reason twice");
    assert_eq!(used, listed);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Err(error) = signing_certificates(&bytes, None) {
            prop_assert!(REASONS.contains(&error.reason()));
        }
    }

    #[test]
    fn a_corrupted_document_never_panics_and_never_returns_nothing(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = TEMPLATE_DOCUMENT.with(|d| d.clone());
        for (at, byte) in edits {
            let at = at.index(bytes.len());
            bytes[at] = byte;
        }
        match signing_certificates(&bytes, None) {
            Ok(found) => prop_assert!(!found.certificates.is_empty()),
            Err(error) => prop_assert!(REASONS.contains(&error.reason())),
        }
    }
}

thread_local! {
    /// A valid document for the corruption property, minted once per thread.
    static TEMPLATE_DOCUMENT: Vec<u8> = {
        let certs = Certs::mint(&["CERT_A", "CERT_B", "CERT_ENCRYPTION", "CERT_ATTRIBUTE_AUTHORITY"]);
        fill(SHIBBOLETH, &certs, Some(64)).into_bytes()
    };
}
