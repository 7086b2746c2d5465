//! What the crate's tests share: reading a metadata document's keys the way
//! the exporter does (by namespace, with roxmltree).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::idp_metadata::{SAML_METADATA_NS, XMLDSIG_NS};

/// The keys of a metadata document's `IDPSSODescriptor`.
#[derive(Debug, Default)]
pub(crate) struct PublishedKeys {
    /// The root `EntityDescriptor`'s `entityID`.
    pub(crate) entity_id: String,
    /// DER of each `KeyDescriptor use="signing"` (or without `use`).
    pub(crate) signing: Vec<Vec<u8>>,
    /// DER of each `KeyDescriptor use="encryption"`.
    pub(crate) encryption: Vec<Vec<u8>>,
}

/// The keys of `xml`, a single-entity metadata document; panics (a test
/// failure) when it is not one.
pub(crate) fn read_keys(xml: &str) -> PublishedKeys {
    let document = roxmltree::Document::parse(xml).expect("well-formed XML");
    let root = document.root_element();
    assert_eq!(root.tag_name().namespace(), Some(SAML_METADATA_NS));
    assert_eq!(root.tag_name().name(), "EntityDescriptor");
    let mut keys = PublishedKeys {
        entity_id: root.attribute("entityID").expect("an entityID").to_owned(),
        ..PublishedKeys::default()
    };
    let is = |node: &roxmltree::Node<'_, '_>, namespace: &str, name: &str| {
        node.is_element() && node.tag_name().namespace() == Some(namespace) && node.tag_name().name() == name
    };
    for descriptor in root.children().filter(|n| is(n, SAML_METADATA_NS, "IDPSSODescriptor")) {
        for key in descriptor.children().filter(|n| is(n, SAML_METADATA_NS, "KeyDescriptor")) {
            let certificates = key.descendants().filter(|n| is(n, XMLDSIG_NS, "X509Certificate"));
            let ders: Vec<Vec<u8>> = certificates.map(|c| decode_base64(c.text().unwrap_or(""))).collect();
            match key.attribute("use") {
                Some("encryption") => keys.encryption.extend(ders),
                _ => keys.signing.extend(ders),
            }
        }
    }
    keys
}

/// Base64 with any whitespace in it; panics when it is not base64.
fn decode_base64(text: &str) -> Vec<u8> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    BASE64.decode(compact).expect("base64")
}
