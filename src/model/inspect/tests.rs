//! Unit tests of `inspect`.

use super::*;

#[test]
fn bit_length_ignores_leading_zero_bytes() {
    assert_eq!(unsigned_bits(&[0x00, 0x80, 0x00]), 16);
    assert_eq!(unsigned_bits(&[0x7f, 0xff]), 15);
    assert_eq!(unsigned_bits(&[0x00]), 0);
}

/// A self-signed P-256 certificate with the given serial, as DER.
fn der_with_serial(serial: &[u8]) -> Vec<u8> {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.serial_number = Some(rcgen::SerialNumber::from_slice(serial));
    params.self_signed(&key).unwrap().der().to_vec()
}

#[test]
fn serial_and_fingerprint_are_lower_case_hex_without_separators() {
    // A zero high nibble is kept; DER's sign byte before 0x80 is not.
    for (serial, expected) in [(&[0x0a, 0xbc, 0xde][..], "0abcde"), (&[0x80, 0x01, 0xff][..], "8001ff")] {
        let der = der_with_serial(serial);
        let facts = inspect_der(&der).unwrap();
        assert_eq!(facts.serial, expected);
        let digest = Sha256::digest(&der);
        let expected_fingerprint: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(facts.sha256_fingerprint, expected_fingerprint);
    }
}

#[test]
fn broken_pem_gets_a_stable_reason() {
    assert_eq!(inspect_pem("").unwrap_err(), InspectError::Missing);
    assert_eq!(inspect_pem("hello").unwrap_err(), InspectError::NoCertificate);
    // The documentation's own example abbreviates the body with `...`.
    let abbreviated = "-----BEGIN CERTIFICATE-----\nMIIGAjCCA+qgAwIBAgIJAI7kymlF7CWT...\n...certificate content...\n-----END CERTIFICATE-----\n";
    assert_eq!(inspect_pem(abbreviated).unwrap_err(), InspectError::BadPem);
    let not_der = "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n";
    assert_eq!(inspect_pem(not_der).unwrap_err(), InspectError::BadDer);
    let key_only = "-----BEGIN PUBLIC KEY-----\naGVsbG8=\n-----END PUBLIC KEY-----\n";
    assert_eq!(inspect_pem(key_only).unwrap_err(), InspectError::NoCertificate);
    let unterminated = "-----BEGIN CERTIFICATE-----\naGVsbG8=\n";
    assert_eq!(inspect_pem(unterminated).unwrap_err(), InspectError::BadPem);
}
