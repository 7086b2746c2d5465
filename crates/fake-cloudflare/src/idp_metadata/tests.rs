//! Unit tests of `idp_metadata`: each shape read back by namespace, as the
//! exporter reads it.

use super::*;
use crate::mint::{KeyKind, mint_certificate};
use crate::test_support::read_keys;

fn der(name: &str) -> Vec<u8> {
    mint_certificate(name, KeyKind::P256, 1_600_000_000, 1_900_000_000).expect("minted").der
}

fn document(style: MetadataStyle) -> (MetadataDocument, [Vec<u8>; 3]) {
    let certificates = [der("first"), der("second"), der("encryption")];
    let document = MetadataDocument {
        encryption_certificate: Some(certificates[2].clone()),
        single_sign_on_url: "https://idp.example.com/sso?tenant=a&app=b".to_owned(),
        style,
        ..MetadataDocument::new(
            "https://idp.example.com/saml?x=\"1\"&y=<2>",
            vec![certificates[0].clone(), certificates[1].clone()],
        )
    };
    (document, certificates)
}

#[test]
fn both_shapes_read_back_as_the_same_entity_and_keys() {
    for style in [MetadataStyle::Prefixed, MetadataStyle::Microsoft] {
        let (document, [first, second, encryption]) = document(style);
        let keys = read_keys(&document.render());
        assert_eq!(keys.entity_id, document.entity_id, "{style:?}: escaped and read back");
        assert_eq!(
            keys.signing,
            [first.clone(), second.clone()],
            "{style:?}: in order, RoleDescriptors not counted"
        );
        assert_eq!(keys.encryption, [encryption], "{style:?}");
    }
}

#[test]
fn the_prefixed_shape_is_lf_with_md_and_ds_prefixes_and_no_bom() {
    let (document, _) = document(MetadataStyle::Prefixed);
    let xml = document.render();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<md:EntityDescriptor "), "{xml}");
    assert!(!xml.contains('\r') && !xml.contains("RoleDescriptor"));
    assert_eq!(xml.matches("<md:KeyDescriptor use=\"signing\">").count(), 2);
    assert_eq!(xml.matches("<md:SingleSignOnService ").count(), 2);
    assert!(xml.contains("<ds:X509Certificate>"));
}

#[test]
fn the_microsoft_shape_has_a_bom_crlf_a_default_namespace_and_role_descriptors_first() {
    let (document, [first, ..]) = document(MetadataStyle::Microsoft);
    let xml = document.render();
    assert!(xml.starts_with("\u{feff}<?xml"), "a byte order mark");
    assert_eq!(xml.matches('\n').count(), xml.matches("\r\n").count(), "CRLF only");
    assert!(xml.contains(&format!("xmlns=\"{SAML_METADATA_NS}\">")));
    let role = xml.find("<RoleDescriptor ").expect("a RoleDescriptor");
    assert!(role < xml.find("<IDPSSODescriptor ").expect("an IDPSSODescriptor"));
    assert_eq!(xml.matches("<RoleDescriptor ").count(), 2);
    // Each RoleDescriptor lists the signing keys too, as Entra's do.
    let first_text = BASE64.encode(&first);
    assert_eq!(xml.matches(&first_text[..BASE64_COLUMNS]).count(), 3);
    assert_eq!(xml.matches("use=\"encryption\"").count(), 1, "only in the IDPSSODescriptor");
    assert_eq!(document.render(), xml, "the same document renders to the same bytes");
}

#[test]
fn certificates_are_wrapped_at_64_columns_and_indented() {
    for style in [MetadataStyle::Prefixed, MetadataStyle::Microsoft] {
        let (document, [first, ..]) = document(style);
        let xml = document.render();
        let encoded = BASE64.encode(&first);
        let lines: Vec<&str> =
            xml.lines().filter(|l| encoded.contains(l.trim()) && !l.trim().is_empty()).collect();
        // Microsoft's RoleDescriptors repeat each signing key twice.
        let copies = if style == MetadataStyle::Microsoft { 3 } else { 1 };
        assert_eq!(lines.len(), copies * encoded.len().div_ceil(64), "{style:?}");
        for line in lines {
            let indent = line.len() - line.trim_start().len();
            assert!(indent >= 10, "{style:?}: indented: {line:?}");
            assert!(line.trim().len() <= 64, "{style:?}: {line:?}");
        }
    }
}
