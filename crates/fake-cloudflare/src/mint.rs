//! Real X.509 certificates for the fake API, made with rcgen, each with the
//! validity its scenario needs.

use rcgen::{
    CertificateParams, DistinguishedName, DnType, KeyPair, RsaKeySize, SerialNumber, SignatureAlgorithm,
};
use std::sync::Mutex;

use time::OffsetDateTime;

use crate::locks::lock;

/// Key types the fake can mint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA with this many bits (2048, 3072 or 4096).
    Rsa(u32),
    /// ECDSA P-256.
    P256,
    /// ECDSA P-384.
    P384,
    /// ECDSA P-521.
    P521,
    /// Ed25519.
    Ed25519,
}

/// A freshly minted certificate.
#[derive(Debug, Clone)]
pub struct MintedCertificate {
    /// PEM text.
    pub pem: String,
    /// DER bytes.
    pub der: Vec<u8>,
    /// Expiry, whole Unix seconds (what the certificate encodes).
    pub not_after: i64,
    /// Start of validity, whole Unix seconds.
    pub not_before: i64,
}

/// Minting failed (an unsupported key size, or a crypto back-end error).
#[derive(Debug, thiserror::Error)]
#[error("cannot mint a test certificate: {0}")]
pub struct MintError(String);

/// Mints a self-signed certificate valid from `not_before` to `not_after`
/// (Unix seconds, truncated to whole seconds as X.509 stores them).
pub fn mint_certificate(
    common_name: &str,
    key: KeyKind,
    not_before: i64,
    not_after: i64,
) -> Result<MintedCertificate, MintError> {
    let err = |e: rcgen::Error| MintError(e.to_string());
    let key_pair = key_pair(key)?;
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    name.push(DnType::OrganizationName, "Cloudflare Access (fake)");
    params.distinguished_name = name;
    params.not_before = datetime(not_before)?;
    params.not_after = datetime(not_after)?;
    let serial: [u8; 16] =
        std::array::from_fn(|i| if i == 0 { 0x40 | fastrand::u8(..0x3f) } else { fastrand::u8(..) });
    params.serial_number = Some(SerialNumber::from_slice(&serial));
    let cert = params.self_signed(&key_pair).map_err(err)?;
    Ok(MintedCertificate { pem: cert.pem(), der: cert.der().to_vec(), not_after, not_before })
}

/// A key pair of `kind`, the same one for every certificate of that kind
/// in this process: an RSA key takes tens of milliseconds to generate, the
/// demo alone mints over a dozen, and nothing reads a certificate's key
/// beyond its type and size. Each certificate still differs by serial and
/// validity, and so by fingerprint.
fn key_pair(kind: KeyKind) -> Result<KeyPair, MintError> {
    static KEYS: Mutex<Vec<(KeyKind, String)>> = Mutex::new(Vec::new());
    let err = |e: rcgen::Error| MintError(e.to_string());
    let mut keys = lock(&KEYS);
    if let Some((_, pem)) = keys.iter().find(|(known, _)| *known == kind) {
        return KeyPair::from_pem_and_sign_algo(pem, signature_algorithm(kind)).map_err(err);
    }
    let generated = match kind {
        KeyKind::Rsa(bits) => {
            let size = match bits {
                2048 => RsaKeySize::_2048,
                3072 => RsaKeySize::_3072,
                4096 => RsaKeySize::_4096,
                other => return Err(MintError(format!("unsupported RSA size {other}"))),
            };
            KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, size).map_err(err)?
        }
        other => KeyPair::generate_for(signature_algorithm(other)).map_err(err)?,
    };
    keys.push((kind, generated.serialize_pem()));
    Ok(generated)
}

fn signature_algorithm(key: KeyKind) -> &'static SignatureAlgorithm {
    match key {
        KeyKind::P256 => &rcgen::PKCS_ECDSA_P256_SHA256,
        KeyKind::P384 => &rcgen::PKCS_ECDSA_P384_SHA384,
        KeyKind::P521 => &rcgen::PKCS_ECDSA_P521_SHA512,
        KeyKind::Ed25519 => &rcgen::PKCS_ED25519,
        KeyKind::Rsa(_) => &rcgen::PKCS_RSA_SHA256,
    }
}

fn datetime(unix: i64) -> Result<OffsetDateTime, MintError> {
    OffsetDateTime::from_unix_timestamp(unix).map_err(|e| MintError(e.to_string()))
}
