//! Inspection of real certificates of every key type the issue names, of
//! broken PEM text, and of signing certificates in every form people paste.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use cloudflare_saml_exporter::model::inspect::{InspectError, inspect_der, inspect_pem};
use cloudflare_saml_exporter::model::signing::{SigningCertificates, SigningParseError, parse_entry};
use fake_cloudflare::mint::{KeyKind, MintedCertificate, mint_certificate};
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

// === Signing certificates as pasted into `config.idp_public_certs` ===

fn signing_pair() -> (MintedCertificate, MintedCertificate) {
    let old = mint_certificate("old signing", KeyKind::P256, NOT_BEFORE, NOT_AFTER).unwrap();
    let new = mint_certificate("new signing", KeyKind::Ed25519, NOT_BEFORE, NOT_AFTER + 86_400).unwrap();
    (old, new)
}

fn wrapped(der: &[u8], width: usize, line_end: &str) -> String {
    let text = BASE64.encode(der);
    text.as_bytes().chunks(width).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(line_end)
}

#[test]
fn every_pasted_form_yields_the_certificate_inspect_der_sees() {
    let (old, new) = signing_pair();
    let expected = inspect_der(&old.der).unwrap();
    let forms = [
        ("PEM", old.pem.clone()),
        ("CRLF PEM", old.pem.replace('\n', "\r\n")),
        ("indented PEM", old.pem.lines().map(|l| format!("    {l}\n")).collect()),
        ("PEM on one line", old.pem.replace('\n', " ")),
        ("bare base64", BASE64.encode(&old.der)),
        ("bare base64 at 64 columns", wrapped(&old.der, 64, "\n")),
        ("bare base64 at 76 columns, CRLF", wrapped(&old.der, 76, "\r\n")),
        ("bare base64 without padding", BASE64.encode(&old.der).trim_end_matches('=').to_owned()),
    ];
    for (form, text) in forms {
        let parsed = parse_entry(&text);
        assert_eq!(parsed.error, None, "{form}");
        assert_eq!(parsed.certificates, std::slice::from_ref(&expected), "{form}");
    }
    // Several blocks in one entry, with text around them: each block is a certificate.
    let both = format!("Old:\r\n{}\r\nNew:\r\n{}", old.pem.replace('\n', "\r\n"), new.pem);
    let parsed = parse_entry(&both);
    assert_eq!(parsed.error, None);
    let fingerprints: Vec<&str> = parsed.certificates.iter().map(|c| c.sha256_fingerprint.as_str()).collect();
    assert_eq!(
        fingerprints,
        [expected.sha256_fingerprint.as_str(), &inspect_der(&new.der).unwrap().sha256_fingerprint]
    );
}

#[test]
fn unreadable_entries_get_their_reason_and_broken_blocks_beside_good_ones_are_reported() {
    let (old, new) = signing_pair();
    let base64 = BASE64.encode(&old.der);
    let cases = [
        ("".to_owned(), "no_certificate"),
        (
            "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQ==\n-----END PUBLIC KEY-----\n".to_owned(),
            "no_certificate",
        ),
        (
            "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIQ...\n-----END CERTIFICATE-----\n".to_owned(),
            "bad_pem",
        ),
        (old.pem.replace("-----END CERTIFICATE-----", ""), "bad_pem"),
        (format!("<ds:X509Certificate>{base64}</ds:X509Certificate>"), "bad_base64"),
        ("garbage, not a certificate".to_owned(), "bad_base64"),
        (base64[..base64.len() / 2 / 4 * 4].to_owned(), "bad_der"),
    ];
    for (text, reason) in &cases {
        let parsed = parse_entry(text);
        assert!(parsed.certificates.is_empty(), "{text:?}");
        assert_eq!(parsed.error.map(SigningParseError::reason), Some(*reason), "{text:?}");
    }
    // A truncated new certificate after a good old one: the old one counts,
    // and the entry is reported.
    let body: String = new.pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let truncated = format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", &body[..40]);
    let parsed = parse_entry(&format!("{}{truncated}", old.pem));
    assert_eq!(parsed.certificates.len(), 1);
    assert_eq!(parsed.error.map(SigningParseError::reason), Some("bad_der"));
}

#[test]
fn a_certificate_listed_twice_counts_once_and_the_latest_expiry_wins() {
    let (old, new) = signing_pair();
    let entries = [
        Some(old.pem.clone()),
        Some(new.pem.clone()),
        Some(BASE64.encode(&new.der)),
        Some("not base64!".to_owned()),
        None,
    ];
    let parsed = SigningCertificates::parse(&entries);
    assert_eq!(parsed.entries, 5);
    let expiries: Vec<i64> = parsed.certificates.iter().map(|c| c.not_after).collect();
    assert_eq!(expiries, [NOT_AFTER, NOT_AFTER + 86_400], "distinct, first listed first");
    assert_eq!(parsed.latest_not_after(), Some(NOT_AFTER + 86_400));
    let unreadable: Vec<(usize, &str)> =
        parsed.unreadable.iter().map(|u| (u.position, u.error.reason())).collect();
    assert_eq!(unreadable, [(3, "bad_base64"), (4, "no_certificate")]);
    assert_eq!(SigningCertificates::parse(&[]).latest_not_after(), None);
}
