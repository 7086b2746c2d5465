//! Certificate inspection: PEM text in, facts out. Pure code: no I/O, no
//! clock, no metrics.
//!
//! Key sizes are computed here rather than taken from x509-parser's
//! `key_size()`, which is off for some keys (an RSA modulus of 2047 bits reads
//! as 2040, P-521 as 528).

use data_encoding::HEXLOWER;
use sha2::{Digest, Sha256};
use x509_parser::der_parser::oid::Oid;
use x509_parser::oid_registry;
use x509_parser::pem::Pem;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

/// What a parsed certificate says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateFacts {
    /// Start of validity, Unix seconds.
    pub not_before: i64,
    /// End of validity, Unix seconds.
    pub not_after: i64,
    /// `rsa`, `ecdsa`, `ed25519`, `ed448`, `dsa`, `rsa_pss`, or the OID.
    pub key_algorithm: String,
    /// Exact key size in bits, when the algorithm has a known size.
    pub key_bits: Option<u32>,
    /// e.g. `sha256WithRSAEncryption`, `ecdsa-with-SHA256`, or the OID.
    pub signature_algorithm: String,
    /// The subject DN (RFC 4514 style).
    pub subject: String,
    /// The issuer DN (RFC 4514 style).
    pub issuer: String,
    /// Serial number, lower-case hex without separators.
    pub serial: String,
    /// SHA-256 of the DER, lower-case hex.
    pub sha256_fingerprint: String,
}

/// Why a PEM did not yield a certificate; `reason()` labels
/// `cloudflare_access_saml_certificate_parse_error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InspectError {
    /// No PEM text at all.
    #[error("no PEM text")]
    Missing,
    /// Text without a `CERTIFICATE` block.
    #[error("no CERTIFICATE block in the PEM text")]
    NoCertificate,
    /// A block that is not valid PEM (bad base64, no END line, ...).
    #[error("malformed PEM block")]
    BadPem,
    /// Valid PEM whose content is not an X.509 certificate.
    #[error("PEM content is not a valid X.509 certificate")]
    BadDer,
    /// The API sent a value that is not a certificate object (`[]`, `""`,
    /// `true`, ...) where a certificate belongs.
    #[error("the API sent a value that is not a certificate object")]
    NotAnObject,
}

impl InspectError {
    /// The stable metric label.
    pub fn reason(self) -> &'static str {
        match self {
            InspectError::Missing => "missing",
            InspectError::NoCertificate => "no_certificate",
            InspectError::BadPem => "bad_pem",
            InspectError::BadDer => "bad_der",
            InspectError::NotAnObject => "not_an_object",
        }
    }
}

/// Inspects the first `CERTIFICATE` block of `pem`.
pub fn inspect_pem(pem: &str) -> Result<CertificateFacts, InspectError> {
    if pem.trim().is_empty() {
        return Err(InspectError::Missing);
    }
    for block in Pem::iter_from_buffer(pem.as_bytes()) {
        let block = block.map_err(|_| InspectError::BadPem)?;
        if block.label == "CERTIFICATE" {
            return inspect_der(&block.contents);
        }
    }
    Err(InspectError::NoCertificate)
}

/// Inspects a DER-encoded certificate.
pub fn inspect_der(der: &[u8]) -> Result<CertificateFacts, InspectError> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|_| InspectError::BadDer)?;
    let validity = cert.validity();
    let spki = cert.public_key();
    let key_oid = &spki.algorithm.algorithm;
    let key_bits = if *key_oid == oid_registry::OID_KEY_TYPE_EC_PUBLIC_KEY {
        spki.algorithm.parameters.as_ref().and_then(|p| p.as_oid().ok()).and_then(|curve| curve_bits(&curve))
    } else {
        match spki.parsed() {
            Ok(PublicKey::RSA(rsa)) => Some(unsigned_bits(rsa.modulus)),
            Ok(PublicKey::DSA(p)) => Some(unsigned_bits(p)),
            _ => fixed_key_bits(key_oid),
        }
    };
    Ok(CertificateFacts {
        not_before: validity.not_before.timestamp(),
        not_after: validity.not_after.timestamp(),
        key_algorithm: key_algorithm(key_oid),
        key_bits,
        signature_algorithm: oid_name(&cert.signature_algorithm.algorithm),
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        serial: HEXLOWER.encode(without_leading_zeros(cert.raw_serial())),
        sha256_fingerprint: HEXLOWER.encode(&Sha256::digest(der)),
    })
}

fn key_algorithm(oid: &Oid<'_>) -> String {
    let name = match oid.to_id_string().as_str() {
        "1.2.840.113549.1.1.1" => "rsa",
        "1.2.840.113549.1.1.10" => "rsa_pss",
        "1.2.840.10045.2.1" => "ecdsa",
        "1.3.101.112" => "ed25519",
        "1.3.101.113" => "ed448",
        "1.2.840.10040.4.1" => "dsa",
        other => return other.to_owned(),
    };
    name.to_owned()
}

fn curve_bits(curve: &Oid<'_>) -> Option<u32> {
    Some(match curve.to_id_string().as_str() {
        "1.2.840.10045.3.1.7" | "1.3.132.0.10" | "1.3.36.3.3.2.8.1.1.7" => 256,
        "1.3.132.0.34" | "1.3.36.3.3.2.8.1.1.11" => 384,
        "1.3.132.0.35" => 521,
        "1.3.36.3.3.2.8.1.1.13" => 512,
        "1.2.840.10045.3.1.1" => 192,
        "1.3.132.0.33" => 224,
        _ => return None,
    })
}

fn fixed_key_bits(oid: &Oid<'_>) -> Option<u32> {
    match oid.to_id_string().as_str() {
        "1.3.101.112" => Some(256),
        "1.3.101.113" => Some(456),
        _ => None,
    }
}

/// Bit length of a big-endian unsigned integer (leading zero bytes ignored).
fn unsigned_bits(bytes: &[u8]) -> u32 {
    let significant = without_leading_zeros(bytes);
    match significant.first() {
        Some(first) => 8 * significant.len() as u32 - first.leading_zeros(),
        None => 0,
    }
}

/// A big-endian unsigned integer without its leading zero bytes (DER adds
/// one to keep a high bit from reading as a sign).
fn without_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first_significant = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first_significant..]
}

fn oid_name(oid: &Oid<'_>) -> String {
    x509_parser::objects::oid2sn(oid, x509_parser::objects::oid_registry())
        .map(str::to_owned)
        .unwrap_or_else(|_| oid.to_id_string())
}

#[cfg(test)]
mod tests;
