//! What the unit tests of `signing` share: certificates minted per run, as
//! a metadata document would publish them.

use crate::model::idp_metadata::MetadataCertificate;
use crate::model::inspect::inspect_pem;

/// A freshly minted self-signed P-256 certificate with common name `name`.
pub fn mint(name: &str) -> MetadataCertificate {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, name);
    let pem = params.self_signed(&key).unwrap().pem();
    MetadataCertificate { facts: inspect_pem(&pem).unwrap(), pem }
}
