//! The Microsoft shape of a metadata document (Entra ID, AD FS): a UTF-8
//! byte order mark, CRLF, the metadata namespace as the default one, and
//! WS-Federation `RoleDescriptor`s before the `IDPSSODescriptor`, each with
//! its own copy of the signing keys, which a SAML reader must not count.

use super::{
    HTTP_POST, HTTP_REDIRECT, Lines, MetadataDocument, SAML_METADATA_NS, SAML_PROTOCOL_SUPPORT, XMLDSIG_NS,
    escape,
};

const WS_FEDERATION_NS: &str = "http://docs.oasis-open.org/wsfed/federation/200706";
const XML_SCHEMA_INSTANCE_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
const WS_ADDRESSING_NS: &str = "http://www.w3.org/2005/08/addressing";
const WS_AUTHORIZATION_NS: &str = "http://docs.oasis-open.org/wsfed/authorization/200706";

/// The claim types the security token service offers: (URI, display name).
const CLAIMS_OFFERED: [(&str, &str); 3] = [
    ("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "Name"),
    ("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "Email"),
    ("http://schemas.microsoft.com/ws/2008/06/identity/claims/groups", "Groups"),
];

/// `document` in the Microsoft shape.
pub(super) fn render(document: &MetadataDocument) -> String {
    let mut xml = Lines::new("\r\n");
    xml.text.push('\u{feff}');
    xml.line(0, r#"<?xml version="1.0" encoding="utf-8"?>"#);
    xml.line(
        0,
        &format!(
            r#"<EntityDescriptor ID="_{}" entityID="{}" xmlns="{SAML_METADATA_NS}">"#,
            document_id(&document.entity_id),
            escape(&document.entity_id)
        ),
    );
    let endpoint = escape(&document.single_sign_on_url);
    role_descriptor(&mut xml, document, "fed:SecurityTokenServiceType", |xml| {
        xml.line(2, "<fed:ClaimTypesOffered>");
        for (uri, name) in CLAIMS_OFFERED {
            xml.line(3, &format!(r#"<auth:ClaimType Uri="{uri}" xmlns:auth="{WS_AUTHORIZATION_NS}">"#));
            xml.line(4, &format!("<auth:DisplayName>{name}</auth:DisplayName>"));
            xml.line(3, "</auth:ClaimType>");
        }
        xml.line(2, "</fed:ClaimTypesOffered>");
        endpoint_reference(xml, "fed:SecurityTokenServiceEndpoint", &endpoint);
        endpoint_reference(xml, "fed:PassiveRequestorEndpoint", &endpoint);
    });
    role_descriptor(&mut xml, document, "fed:ApplicationServiceType", |xml| {
        endpoint_reference(xml, "fed:TargetScopes", &endpoint);
        endpoint_reference(xml, "fed:ApplicationServiceEndpoint", &endpoint);
        endpoint_reference(xml, "fed:PassiveRequestorEndpoint", &endpoint);
    });
    xml.line(1, &format!("<IDPSSODescriptor {SAML_PROTOCOL_SUPPORT}>"));
    key_descriptors(&mut xml, document, true);
    xml.line(2, &format!(r#"<SingleLogoutService Binding="{HTTP_REDIRECT}" Location="{endpoint}"/>"#));
    for binding in [HTTP_REDIRECT, HTTP_POST] {
        xml.line(2, &format!(r#"<SingleSignOnService Binding="{binding}" Location="{endpoint}"/>"#));
    }
    xml.line(1, "</IDPSSODescriptor>");
    xml.line(0, "</EntityDescriptor>");
    xml.text
}

/// A WS-Federation `RoleDescriptor` of `xsi:type` `role`: the signing keys,
/// then what `body` writes.
fn role_descriptor(xml: &mut Lines, document: &MetadataDocument, role: &str, body: impl FnOnce(&mut Lines)) {
    xml.line(
        1,
        &format!(
            concat!(
                r#"<RoleDescriptor xsi:type="{role}" protocolSupportEnumeration="{fed}""#,
                r#" xmlns:xsi="{xsi}" xmlns:fed="{fed}">"#
            ),
            role = role,
            fed = WS_FEDERATION_NS,
            xsi = XML_SCHEMA_INSTANCE_NS,
        ),
    );
    key_descriptors(xml, document, false);
    body(xml);
    xml.line(1, "</RoleDescriptor>");
}

/// One `KeyDescriptor use="signing"` per signing certificate, and the
/// encryption certificate's when `with_encryption`; `KeyInfo` rebinds the
/// default namespace to XML-Signature, as Microsoft writes it.
fn key_descriptors(xml: &mut Lines, document: &MetadataDocument, with_encryption: bool) {
    let signing = document.signing_certificates.iter().map(|der| ("signing", der));
    let encryption =
        document.encryption_certificate.iter().filter(|_| with_encryption).map(|der| ("encryption", der));
    for (key_use, der) in signing.chain(encryption) {
        xml.line(2, &format!(r#"<KeyDescriptor use="{key_use}">"#));
        xml.line(3, &format!(r#"<KeyInfo xmlns="{XMLDSIG_NS}">"#));
        xml.line(4, "<X509Data>");
        xml.certificate(5, "X509Certificate", der);
        xml.line(4, "</X509Data>");
        xml.line(3, "</KeyInfo>");
        xml.line(2, "</KeyDescriptor>");
    }
}

/// `<element>` holding a WS-Addressing endpoint reference to `address`
/// (already escaped).
fn endpoint_reference(xml: &mut Lines, element: &str, address: &str) {
    xml.line(2, &format!("<{element}>"));
    xml.line(3, &format!(r#"<wsa:EndpointReference xmlns:wsa="{WS_ADDRESSING_NS}">"#));
    xml.line(4, &format!("<wsa:Address>{address}</wsa:Address>"));
    xml.line(3, "</wsa:EndpointReference>");
    xml.line(2, &format!("</{element}>"));
}

/// A document `ID` (an XML name after its `_`) that stays the same for the
/// same entity, so the same document renders to the same bytes and ETag.
fn document_id(entity_id: &str) -> String {
    let hash = crate::fnv::fnv1a_64(entity_id.as_bytes());
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        hash >> 32,
        (hash >> 16) & 0xffff,
        hash & 0xfff,
        (hash >> 4) & 0xfff,
        hash & 0xffff_ffff_ffff
    )
}
