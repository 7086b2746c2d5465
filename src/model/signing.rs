//! The external identity providers' SAML *signing* certificates, as people
//! paste them into Cloudflare (`config.idp_public_certs`): PEM with LF or
//! CRLF, several PEM blocks in one entry, or the bare base64 of the DER with
//! or without line breaks. Each certificate found goes through the same
//! [`inspect_der`] as the encryption certificates. Pure code: no I/O, no clock.
//!
//! The armor is found by hand rather than with x509-parser's line-based PEM
//! reader, because pasted text is often indented or squeezed onto one line
//! (web forms turn line breaks into spaces), which that reader rejects.

use std::collections::HashSet;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::model::inspect::{CertificateFacts, inspect_der};

/// Why an entry of `idp_public_certs` did not yield a certificate; `reason()`
/// labels `cloudflare_access_saml_identity_provider_signing_certificate_parse_error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SigningParseError {
    /// A `-----BEGIN` block without its END line, or with a body that is not base64.
    #[error("malformed PEM block")]
    BadPem,
    /// Text without PEM armor that is not base64 either.
    #[error("neither PEM nor base64")]
    BadBase64,
    /// Decoded bytes that are not an X.509 certificate.
    #[error("decoded content is not a valid X.509 certificate")]
    BadDer,
    /// Empty text, or PEM without any CERTIFICATE block.
    #[error("no certificate in the entry")]
    NoCertificate,
}

impl SigningParseError {
    /// The stable metric label.
    pub fn reason(self) -> &'static str {
        match self {
            SigningParseError::BadPem => "bad_pem",
            SigningParseError::BadBase64 => "bad_base64",
            SigningParseError::BadDer => "bad_der",
            SigningParseError::NoCertificate => "no_certificate",
        }
    }
}

/// What one entry of `idp_public_certs` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedEntry {
    /// Every certificate read from the entry, in order.
    pub certificates: Vec<CertificateFacts>,
    /// Set when the entry yielded no certificate, or when one of its PEM
    /// blocks is broken beside readable ones: a truncated second block is
    /// typically the new certificate of a rollover, and must not go unnoticed.
    pub error: Option<SigningParseError>,
}

/// An entry of `idp_public_certs` that did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnreadableEntry {
    /// Its 0-based index in `idp_public_certs`.
    pub position: usize,
    /// Why.
    pub error: SigningParseError,
}

/// One SAML identity provider's signing certificates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SigningCertificates {
    /// Entries in `idp_public_certs`, readable or not.
    pub entries: usize,
    /// The distinct certificates (by SHA-256 fingerprint), first listed first.
    pub certificates: Vec<CertificateFacts>,
    /// The entries that did not (fully) parse.
    pub unreadable: Vec<UnreadableEntry>,
}

impl SigningCertificates {
    /// Reads every entry; `None` stands for an entry that is not a string.
    pub fn parse(entries: &[Option<String>]) -> Self {
        let mut seen = HashSet::new();
        let mut out = SigningCertificates { entries: entries.len(), ..Self::default() };
        for (position, entry) in entries.iter().enumerate() {
            let parsed = parse_entry(entry.as_deref().unwrap_or(""));
            if let Some(error) = parsed.error {
                out.unreadable.push(UnreadableEntry { position, error });
            }
            for facts in parsed.certificates {
                if seen.insert(facts.sha256_fingerprint.clone()) {
                    out.certificates.push(facts);
                }
            }
        }
        out
    }

    /// The latest expiry among the readable certificates: during a rollover
    /// the IdP keeps working as long as one of them is valid.
    pub fn latest_not_after(&self) -> Option<i64> {
        self.certificates.iter().map(|c| c.not_after).max()
    }
}

/// Reads one pasted entry: PEM blocks if it has any armor, else bare base64.
pub fn parse_entry(text: &str) -> ParsedEntry {
    if text.trim().is_empty() {
        return ParsedEntry { certificates: Vec::new(), error: Some(SigningParseError::NoCertificate) };
    }
    if text.contains(BEGIN) {
        return parse_pem(text);
    }
    let result = decode_base64(text).ok_or(SigningParseError::BadBase64).and_then(|der| inspect(&der));
    match result {
        Ok(facts) => ParsedEntry { certificates: vec![facts], error: None },
        Err(error) => ParsedEntry { certificates: Vec::new(), error: Some(error) },
    }
}

const BEGIN: &str = "-----BEGIN ";
const DASHES: &str = "-----";

/// Every armored block of `text`; blocks other than certificates (a public
/// key pasted along) are skipped, text between blocks is ignored.
fn parse_pem(text: &str) -> ParsedEntry {
    let mut certificates = Vec::new();
    let mut error = None;
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after_begin = &rest[start + BEGIN.len()..];
        let Some((label, body_and_more)) = after_begin.split_once(DASHES) else {
            error.get_or_insert(SigningParseError::BadPem);
            break;
        };
        let end_line = format!("-----END {label}-----");
        let Some(body_end) = body_and_more.find(&end_line) else {
            error.get_or_insert(SigningParseError::BadPem);
            break;
        };
        rest = &body_and_more[body_end + end_line.len()..];
        if !matches!(label, "CERTIFICATE" | "X509 CERTIFICATE") {
            continue;
        }
        match decode_base64(&body_and_more[..body_end]) {
            None => {
                error.get_or_insert(SigningParseError::BadPem);
            }
            Some(der) => match inspect(&der) {
                Ok(facts) => certificates.push(facts),
                Err(e) => {
                    error.get_or_insert(e);
                }
            },
        }
    }
    if certificates.is_empty() && error.is_none() {
        error = Some(SigningParseError::NoCertificate);
    }
    ParsedEntry { certificates, error }
}

fn inspect(der: &[u8]) -> Result<CertificateFacts, SigningParseError> {
    inspect_der(der).map_err(|_| SigningParseError::BadDer)
}

/// Standard base64 with any whitespace (line breaks of either kind,
/// indentation) removed and the padding optional, as IdP consoles differ.
pub(super) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return None;
    }
    LENIENT.decode(compact).ok()
}

#[cfg(test)]
mod tests;
