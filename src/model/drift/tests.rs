//! Unit tests of `drift`.

use super::*;

fn cert(fingerprint: &str) -> CertificateFacts {
    CertificateFacts {
        not_before: 0,
        not_after: 1,
        key_algorithm: "rsa".into(),
        key_bits: Some(2048),
        signature_algorithm: "sha256WithRSAEncryption".into(),
        subject: format!("CN={fingerprint}"),
        issuer: format!("CN={fingerprint}"),
        serial: "01".into(),
        sha256_fingerprint: fingerprint.into(),
    }
}

fn fingerprints(list: &[CertificateFacts]) -> Vec<&str> {
    list.iter().map(|c| c.sha256_fingerprint.as_str()).collect()
}

#[test]
fn published_within_cloudflare_is_in_sync_and_extras_are_to_retire() {
    let drift = compare(&[cert("a")], &[cert("old"), cert("a")]);
    assert_eq!(drift.state, DriftState::InSync);
    assert!(drift.to_add.is_empty());
    assert_eq!(fingerprints(&drift.to_retire), ["old"]);
    assert_eq!(fingerprints(&drift.shared), ["a"]);
}

#[test]
fn a_published_certificate_cloudflare_lacks_beside_a_shared_one_is_a_pending_rollover() {
    // AD FS publishes its next certificate days before it signs with it.
    let drift = compare(&[cert("current"), cert("next")], &[cert("current")]);
    assert_eq!(drift.state, DriftState::RolloverPending);
    assert_eq!(fingerprints(&drift.to_add), ["next"]);
    assert!(drift.to_retire.is_empty());
}

#[test]
fn nothing_shared_is_a_mismatch_even_when_cloudflare_holds_nothing_readable() {
    let drift = compare(&[cert("new")], &[cert("old")]);
    assert_eq!(drift.state, DriftState::Mismatch);
    assert_eq!((fingerprints(&drift.to_add), fingerprints(&drift.to_retire)), (vec!["new"], vec!["old"]));
    assert_eq!(compare(&[cert("new")], &[]).state, DriftState::Mismatch);
}

#[test]
fn repeats_count_once_and_labels_are_stable() {
    let drift = compare(&[cert("a"), cert("a"), cert("b")], &[cert("a"), cert("a")]);
    assert_eq!(fingerprints(&drift.to_add), ["b"]);
    assert_eq!(fingerprints(&drift.shared), ["a"]);
    assert_eq!(DriftState::ALL.map(DriftState::label), ["in_sync", "rollover_pending", "mismatch"]);
}
