//! Inspection of real certificates of every key type the issue names, and of
//! broken PEM text.

use cloudflare_saml_exporter::fake::mint::{KeyKind, mint_certificate};
use cloudflare_saml_exporter::model::inspect::{InspectError, inspect_pem};
use sha2::{Digest, Sha256};

const NOT_BEFORE: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
const NOT_AFTER: i64 = 1_798_761_601; // 2027-01-01T00:00:01Z

fn inspect(kind: KeyKind) -> (cloudflare_saml_exporter::model::inspect::CertificateFacts, Vec<u8>) {
    let minted = mint_certificate("inspection test", kind, NOT_BEFORE, NOT_AFTER).expect("mint");
    (inspect_pem(&minted.pem).expect("a real certificate parses"), minted.der)
}

#[test]
fn every_key_type_reports_exact_size_algorithm_and_validity() {
    let cases = [
        (KeyKind::Rsa(2048), "rsa", 2048, "sha256WithRSAEncryption"),
        (KeyKind::Rsa(3072), "rsa", 3072, "sha256WithRSAEncryption"),
        (KeyKind::Rsa(4096), "rsa", 4096, "sha256WithRSAEncryption"),
        (KeyKind::P256, "ecdsa", 256, "ecdsa-with-SHA256"),
        (KeyKind::P384, "ecdsa", 384, "ecdsa-with-SHA384"),
        // x509-parser's own key_size() says 528 here.
        (KeyKind::P521, "ecdsa", 521, "ecdsa-with-SHA512"),
        (KeyKind::Ed25519, "ed25519", 256, "ed25519"),
    ];
    for (kind, algorithm, bits, signature) in cases {
        let (facts, der) = inspect(kind);
        assert_eq!(facts.key_algorithm, algorithm, "{kind:?}");
        assert_eq!(facts.key_bits, Some(bits), "{kind:?}");
        assert_eq!(facts.signature_algorithm, signature, "{kind:?}");
        assert_eq!(facts.not_before, NOT_BEFORE, "{kind:?}");
        assert_eq!(facts.not_after, NOT_AFTER, "{kind:?}");
        assert_eq!(facts.sha256_fingerprint, format!("{:x}", Sha256::digest(&der)), "{kind:?}");
        assert_eq!(facts.subject, "CN=inspection test, O=Cloudflare Access (fake)", "{kind:?}");
        assert_eq!(facts.issuer, facts.subject, "self-signed");
        assert!(
            facts.serial.len() >= 2
                && facts.serial.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
            "serial {:?}",
            facts.serial
        );
    }
}

#[test]
fn a_certificate_after_other_blocks_is_found() {
    let minted = mint_certificate("second", KeyKind::P256, NOT_BEFORE, NOT_AFTER).unwrap();
    let text = format!("-----BEGIN PUBLIC KEY-----\naGVsbG8=\n-----END PUBLIC KEY-----\n{}", minted.pem);
    assert_eq!(inspect_pem(&text).unwrap().not_after, NOT_AFTER);
}

#[test]
fn broken_pems_get_their_reason() {
    let minted = mint_certificate("broken", KeyKind::P256, NOT_BEFORE, NOT_AFTER).unwrap();
    let truncated_der = {
        let body: String = minted.pem.lines().filter(|l| !l.starts_with("-----")).collect();
        format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            &body[..body.len() / 2 / 4 * 4]
        )
    };
    let cases = [
        ("", InspectError::Missing),
        ("   \n", InspectError::Missing),
        ("not a pem at all", InspectError::NoCertificate),
        ("-----BEGIN CERTIFICATE-----\nMIIG...\n-----END CERTIFICATE-----\n", InspectError::BadPem),
        ("-----BEGIN CERTIFICATE-----\nMIIGAjCC\n", InspectError::BadPem),
        (truncated_der.as_str(), InspectError::BadDer),
    ];
    for (pem, reason) in cases {
        assert_eq!(inspect_pem(pem).unwrap_err(), reason, "{pem:?}");
    }
}
