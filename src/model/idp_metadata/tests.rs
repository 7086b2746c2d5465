//! Unit tests of `idp_metadata`: the documents each IdP product publishes
//! (templates under `tests/fixtures/idp-metadata/`, filled with certificates
//! minted per run), namespace and text quirks, the fuzz seeds; the refusals
//! and properties are in `tests/refusals.rs`.

mod refusals;

use std::collections::BTreeSet;

use base64::Engine as _;

use super::*;
use crate::model::inspect::inspect_pem;

const ENTRA: &str = include_str!("../../../tests/fixtures/idp-metadata/entra.xml");
const ADFS: &str = include_str!("../../../tests/fixtures/idp-metadata/adfs.xml");
const OKTA: &str = include_str!("../../../tests/fixtures/idp-metadata/okta.xml");
const KEYCLOAK: &str = include_str!("../../../tests/fixtures/idp-metadata/keycloak.xml");
const KEYCLOAK_LEGACY: &str = include_str!("../../../tests/fixtures/idp-metadata/keycloak-legacy.xml");
const SHIBBOLETH: &str = include_str!("../../../tests/fixtures/idp-metadata/shibboleth.xml");
const GOOGLE: &str = include_str!("../../../tests/fixtures/idp-metadata/google.xml");
const ONELOGIN: &str = include_str!("../../../tests/fixtures/idp-metadata/onelogin.xml");
const PINGONE: &str = include_str!("../../../tests/fixtures/idp-metadata/pingone.xml");
const JUMPCLOUD: &str = include_str!("../../../tests/fixtures/idp-metadata/jumpcloud.xml");
const AGGREGATE: &str = include_str!("../../../tests/fixtures/idp-metadata/aggregate.xml");

const BOM: &str = "\u{feff}";

/// A freshly minted self-signed P-256 certificate, as DER.
fn mint(name: &str) -> Vec<u8> {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, name);
    params.self_signed(&key).unwrap().der().to_vec()
}

fn fingerprint(der: &[u8]) -> String {
    inspect_der(der).unwrap().sha256_fingerprint
}

/// Certificates by placeholder name, minted once per test.
struct Certs(Vec<(&'static str, Vec<u8>)>);

impl Certs {
    /// One certificate for each of `names`.
    fn mint(names: &[&'static str]) -> Self {
        Certs(names.iter().map(|name| (*name, mint(name))).collect())
    }

    fn der(&self, name: &str) -> &[u8] {
        &self.0.iter().find(|(n, _)| *n == name).unwrap().1
    }

    /// The fingerprints of `names`.
    fn fingerprints(&self, names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|name| fingerprint(self.der(name))).collect()
    }
}

/// `template` with each `{{NAME}}` replaced by the base64 DER of that
/// certificate, wrapped at `width` columns if given. A placeholder alone on
/// its line gets every wrapped line indented like it (Shibboleth's style);
/// one inside a line gets its continuation lines at column 0 (Java's).
fn fill(template: &str, certs: &Certs, width: Option<usize>) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    for line in template.split_inclusive('\n') {
        let mut line = line.to_owned();
        for (name, der) in &certs.0 {
            let placeholder = format!("{{{{{name}}}}}");
            if !line.contains(&placeholder) {
                continue;
            }
            let indent: String = if line.trim() == placeholder {
                line.chars().take_while(|c| *c == ' ' || *c == '\t').collect()
            } else {
                String::new()
            };
            let body = base64::engine::general_purpose::STANDARD.encode(der);
            let wrapped = match width {
                None => body,
                Some(width) => body
                    .as_bytes()
                    .chunks(width)
                    .map(|chunk| std::str::from_utf8(chunk).unwrap())
                    .collect::<Vec<_>>()
                    .join(&format!("\n{indent}")),
            };
            line = line.replace(&placeholder, &wrapped);
        }
        out.push_str(&line);
    }
    assert!(!out.contains("{{"), "a placeholder was left unfilled");
    out
}

fn crlf(text: &str) -> String {
    text.replace('\n', "\r\n")
}

/// The fingerprints read from `document` for `entity_id`.
fn read(document: &str, entity_id: Option<&str>) -> BTreeSet<String> {
    let found = signing_certificates(document.as_bytes(), entity_id).unwrap();
    found.certificates.iter().map(|c| c.facts.sha256_fingerprint.clone()).collect()
}

#[test]
fn entra_counts_its_idp_keys_not_the_ws_fed_roles_nor_the_signature() {
    let certs = Certs::mint(&["CERT_A", "CERT_B", "CERT_WSFED", "CERT_SIGNATURE"]);
    // Entra's document starts with a UTF-8 BOM.
    let document = format!("{BOM}{}", fill(ENTRA, &certs, None));
    let entity = "https://sts.windows.net/00000000-1111-2222-3333-444444444444/";
    assert_eq!(read(&document, None), certs.fingerprints(&["CERT_A", "CERT_B"]));
    let found = signing_certificates(document.as_bytes(), Some(entity)).unwrap();
    assert_eq!(found.entity_id, entity);
    assert_eq!(found.certificates.len(), 2);
}

#[test]
fn adfs_during_rollover_lists_two_signing_keys_and_an_encryption_key_that_does_not_count() {
    let certs =
        Certs::mint(&["CERT_A", "CERT_B", "CERT_ENCRYPTION", "CERT_WSFED", "CERT_SP", "CERT_SIGNATURE"]);
    let document = crlf(&fill(ADFS, &certs, None));
    assert!(document.contains("\r\n"));
    let entity = Some("http://adfs.corp.example.com/adfs/services/trust");
    assert_eq!(read(&document, entity), certs.fingerprints(&["CERT_A", "CERT_B"]));
}

#[test]
fn okta_lists_its_one_active_key() {
    let certs = Certs::mint(&["CERT_A"]);
    let document = fill(OKTA, &certs, Some(64));
    assert_eq!(
        read(&document, Some("http://www.okta.com/exk1a2b3c4d5e6f7g8h9")),
        certs.fingerprints(&["CERT_A"])
    );
}

#[test]
fn keycloak_binds_both_the_default_namespace_and_md_and_may_stage_a_second_key() {
    let certs = Certs::mint(&["CERT_A", "CERT_B"]);
    let document = fill(KEYCLOAK, &certs, None);
    assert_eq!(
        read(&document, Some("https://sso.example.net/realms/staff")),
        certs.fingerprints(&["CERT_A", "CERT_B"])
    );
}

#[test]
fn older_keycloak_wraps_its_one_entity_in_an_entities_descriptor() {
    let certs = Certs::mint(&["CERT_A"]);
    let document = fill(KEYCLOAK_LEGACY, &certs, None);
    assert_eq!(read(&document, None), certs.fingerprints(&["CERT_A"]));
    let found = signing_certificates(document.as_bytes(), None).unwrap();
    assert_eq!(found.entity_id, "https://sso.example.net/auth/realms/legacy");
}

#[test]
fn shibboleth_counts_back_and_front_channel_keys_but_not_encryption_nor_attribute_authority() {
    let certs = Certs::mint(&["CERT_A", "CERT_B", "CERT_ENCRYPTION", "CERT_ATTRIBUTE_AUTHORITY"]);
    let document = fill(SHIBBOLETH, &certs, Some(64));
    assert!(document.contains("\n                            MII"), "wrapped and indented");
    let entity = Some("https://idp.uni.example.edu/idp/shibboleth");
    assert_eq!(read(&document, entity), certs.fingerprints(&["CERT_A", "CERT_B"]));
}

#[test]
fn google_writes_crlf_and_wraps_at_64_columns() {
    let certs = Certs::mint(&["CERT_A"]);
    let document = crlf(&fill(GOOGLE, &certs, Some(64)));
    let entity = Some("https://accounts.google.com/o/saml2?idpid=C01abc2de");
    assert_eq!(read(&document, entity), certs.fingerprints(&["CERT_A"]));
}

#[test]
fn onelogin_pingone_and_jumpcloud_each_list_one_key() {
    let certs = Certs::mint(&["CERT_A"]);
    let expected = certs.fingerprints(&["CERT_A"]);
    // PingOne's KeyDescriptor has no `use`: it is for signing and encryption.
    for (template, width) in [(ONELOGIN, None), (PINGONE, None), (JUMPCLOUD, Some(76))] {
        assert_eq!(read(&fill(template, &certs, width), None), expected);
    }
}

#[test]
fn an_aggregate_is_read_for_the_entity_named_at_any_depth() {
    let names = ["CERT_A", "CERT_B", "CERT_C", "CERT_D", "CERT_SP", "CERT_ENCRYPTION", "CERT_SIGNATURE"];
    let certs = Certs::mint(&names);
    let document = fill(AGGREGATE, &certs, Some(64));
    let cases: [(&str, &[&str]); 3] = [
        ("https://idp.first.example.ac/idp/shibboleth", &["CERT_A"]),
        ("https://login.second.example.ac/idp", &["CERT_B", "CERT_C"]),
        ("https://idp.third.example-nren.net/saml2/idp/metadata.php", &["CERT_D"]),
    ];
    for (entity, expected) in cases {
        assert_eq!(read(&document, Some(entity)), certs.fingerprints(expected), "{entity}");
        // Surrounding whitespace in the asked-for entityID is not significant.
        assert_eq!(read(&document, Some(&format!(" {entity}\n"))), certs.fingerprints(expected));
    }
}

#[test]
fn certificates_come_back_as_pem_with_their_facts_in_document_order_without_duplicates() {
    let certs = Certs::mint(&["CERT_A", "CERT_B", "CERT_WSFED", "CERT_SIGNATURE"]);
    let same = Certs(vec![
        ("CERT_A", certs.der("CERT_A").to_vec()),
        ("CERT_B", certs.der("CERT_A").to_vec()),
        ("CERT_WSFED", certs.der("CERT_WSFED").to_vec()),
        ("CERT_SIGNATURE", certs.der("CERT_SIGNATURE").to_vec()),
    ]);
    let found = signing_certificates(fill(ENTRA, &same, None).as_bytes(), None).unwrap();
    assert_eq!(found.certificates.len(), 1, "the same certificate twice is one");
    let found = signing_certificates(fill(ENTRA, &certs, None).as_bytes(), None).unwrap();
    let order: Vec<&str> = found.certificates.iter().map(|c| c.facts.sha256_fingerprint.as_str()).collect();
    assert_eq!(order, [fingerprint(certs.der("CERT_A")), fingerprint(certs.der("CERT_B"))]);
    for certificate in &found.certificates {
        assert!(certificate.pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(certificate.pem.lines().all(|line| line.len() <= 64));
        assert_eq!(inspect_pem(&certificate.pem).unwrap(), certificate.facts);
    }
    assert_eq!(found.certificates[0].facts.subject, "CN=CERT_A");
}

#[test]
fn any_prefixes_read_alike_and_only_namespace_uris_count() {
    let der = mint("prefixed");
    let body = base64::engine::general_purpose::STANDARD.encode(&der);
    let other = base64::engine::general_purpose::STANDARD.encode(mint("not xmldsig"));
    let document = format!(
        "{BOM}<!-- generated -->\r\n<m:EntityDescriptor xmlns:m=\"{SAML_METADATA_NS}\" entityID=\"e\">\r\n\
         <m:IDPSSODescriptor><m:KeyDescriptor use=\" signing \"><sig:KeyInfo xmlns:sig=\"{XMLDSIG_NS}\">\
         <sig:X509Data><sig:X509Certificate>\r\n  {}<!-- split -->\r\n  <![CDATA[{}]]>\r\n</sig:X509Certificate>\
         </sig:X509Data></sig:KeyInfo></m:KeyDescriptor>\
         <m:KeyDescriptor><KeyInfo xmlns=\"urn:not-xmldsig\"><X509Data><X509Certificate>{other}</X509Certificate>\
         </X509Data></KeyInfo></m:KeyDescriptor>\
         </m:IDPSSODescriptor></m:EntityDescriptor>\r\n",
        &body[..40],
        &body[40..],
    );
    assert_eq!(read(&document, Some("e")), BTreeSet::from([fingerprint(&der)]));
}

#[test]
fn the_fuzz_seeds_are_metadata_this_module_reads() {
    let entity = Some("https://idp.example.org/idp/shibboleth");
    for seed in [
        &include_bytes!("../../../fuzz/seeds/idp_metadata/single-entity.xml")[..],
        include_bytes!("../../../fuzz/seeds/idp_metadata/aggregate-bom-crlf.xml"),
    ] {
        assert_eq!(signing_certificates(seed, entity).unwrap().certificates.len(), 1);
    }
}
