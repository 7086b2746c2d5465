//! SAML 2.0 metadata documents as identity providers publish them: one
//! `EntityDescriptor` whose `IDPSSODescriptor` lists its signing certificates
//! (and optionally an encryption certificate), in one of the shapes real
//! IdPs use ([`MetadataStyle`]). The documents are written here from the
//! SAML 2.0 metadata schema, not copied from any IdP.
//!
//! Certificates are given as DER and written as base64 wrapped at 64 columns
//! and indented, as many IdPs do; a reader has to strip the whitespace.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

mod microsoft;

/// The SAML 2.0 metadata namespace.
pub const SAML_METADATA_NS: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
/// The XML-Signature namespace (`KeyInfo`, `X509Data`, `X509Certificate`).
pub const XMLDSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The media type of SAML metadata (registered by the SAML 2.0 metadata
/// specification).
pub const METADATA_CONTENT_TYPE: &str = "application/samlmetadata+xml";

/// The attribute saying an `IDPSSODescriptor` speaks SAML 2.0.
const SAML_PROTOCOL_SUPPORT: &str = r#"protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol""#;
const HTTP_REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const HTTP_POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
/// Columns of certificate base64 per line.
const BASE64_COLUMNS: usize = 64;

/// The shape a document takes; every shape holds the same facts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MetadataStyle {
    /// Okta's and Shibboleth's: an XML declaration, LF line ends, the `md:`
    /// prefix for metadata and `ds:` for XML-Signature.
    #[default]
    Prefixed,
    /// Entra ID's and AD FS's: a UTF-8 byte order mark, CRLF line ends, the
    /// metadata namespace as the default one (rebound to XML-Signature inside
    /// each `KeyInfo`), and WS-Federation `RoleDescriptor`s listing the same
    /// signing certificates before the `IDPSSODescriptor`.
    Microsoft,
}

/// One IdP's metadata document, before it is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataDocument {
    /// The `entityID` (what Cloudflare calls the issuer URL).
    pub entity_id: String,
    /// The signing certificates (DER), one `KeyDescriptor use="signing"`
    /// each, in this order.
    pub signing_certificates: Vec<Vec<u8>>,
    /// An encryption certificate (DER) for a `KeyDescriptor
    /// use="encryption"`, which a reader of signing keys must skip.
    pub encryption_certificate: Option<Vec<u8>>,
    /// The `SingleSignOnService` location (both the Redirect and the POST
    /// binding); also the WS-Federation endpoints in the Microsoft shape.
    pub single_sign_on_url: String,
    /// The shape.
    pub style: MetadataStyle,
}

impl MetadataDocument {
    /// A [`MetadataStyle::Prefixed`] document for `entity_id` with these
    /// signing certificates, no encryption certificate, and a single sign-on
    /// URL of `https://idp.example.com/sso`.
    pub fn new(entity_id: impl Into<String>, signing_certificates: Vec<Vec<u8>>) -> Self {
        Self {
            entity_id: entity_id.into(),
            signing_certificates,
            encryption_certificate: None,
            single_sign_on_url: "https://idp.example.com/sso".to_owned(),
            style: MetadataStyle::Prefixed,
        }
    }

    /// The document as served, BOM and line ends included.
    pub fn render(&self) -> String {
        match self.style {
            MetadataStyle::Prefixed => self.render_prefixed(),
            MetadataStyle::Microsoft => microsoft::render(self),
        }
    }

    fn render_prefixed(&self) -> String {
        let mut xml = Lines::new("\n");
        xml.line(0, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
        xml.line(
            0,
            &format!(
                r#"<md:EntityDescriptor xmlns:md="{SAML_METADATA_NS}" entityID="{}">"#,
                escape(&self.entity_id)
            ),
        );
        xml.line(
            1,
            &format!(r#"<md:IDPSSODescriptor WantAuthnRequestsSigned="false" {SAML_PROTOCOL_SUPPORT}>"#),
        );
        let keys = self.signing_certificates.iter().map(|der| ("signing", der));
        for (key_use, der) in keys.chain(self.encryption_certificate.iter().map(|der| ("encryption", der))) {
            xml.line(2, &format!(r#"<md:KeyDescriptor use="{key_use}">"#));
            xml.line(3, &format!(r#"<ds:KeyInfo xmlns:ds="{XMLDSIG_NS}">"#));
            xml.line(4, "<ds:X509Data>");
            xml.certificate(5, "ds:X509Certificate", der);
            xml.line(4, "</ds:X509Data>");
            xml.line(3, "</ds:KeyInfo>");
            xml.line(2, "</md:KeyDescriptor>");
        }
        xml.line(
            2,
            "<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>",
        );
        for binding in [HTTP_POST, HTTP_REDIRECT] {
            xml.line(
                2,
                &format!(
                    r#"<md:SingleSignOnService Binding="{binding}" Location="{}"/>"#,
                    escape(&self.single_sign_on_url)
                ),
            );
        }
        xml.line(1, "</md:IDPSSODescriptor>");
        xml.line(0, "</md:EntityDescriptor>");
        xml.text
    }
}

/// A document built line by line, two spaces per level of indentation.
struct Lines {
    text: String,
    line_end: &'static str,
}

impl Lines {
    fn new(line_end: &'static str) -> Self {
        Self { text: String::new(), line_end }
    }

    fn line(&mut self, level: usize, content: &str) {
        for _ in 0..level {
            self.text.push_str("  ");
        }
        self.text.push_str(content);
        self.text.push_str(self.line_end);
    }

    /// `<element>`, the certificate's base64 wrapped at 64 columns one level
    /// deeper, `</element>`.
    fn certificate(&mut self, level: usize, element: &str, der: &[u8]) {
        self.line(level, &format!("<{element}>"));
        let encoded = BASE64.encode(der);
        // Base64 is ASCII, so every chunk boundary is a char boundary.
        for chunk in encoded.as_bytes().chunks(BASE64_COLUMNS) {
            self.line(level + 1, &String::from_utf8_lossy(chunk));
        }
        self.line(level, &format!("</{element}>"));
    }
}

/// `text` safe inside a double-quoted attribute or as element text.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests;
