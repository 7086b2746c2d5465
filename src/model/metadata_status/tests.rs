//! Resolving an entry's IdP, recording attempts and the drift against the
//! latest inventory.

use std::sync::Arc;

use super::*;
use crate::model::idp_metadata::MetadataCertificate;
use crate::model::inspect::CertificateFacts;
use crate::model::signing::SigningCertificates;

fn facts(fingerprint: &str) -> CertificateFacts {
    CertificateFacts {
        not_before: 0,
        not_after: 2_000_000_000,
        key_algorithm: "rsa".into(),
        key_bits: Some(2048),
        signature_algorithm: "sha256WithRSAEncryption".into(),
        subject: format!("CN={fingerprint}"),
        issuer: "CN=issuer".into(),
        serial: "01".into(),
        sha256_fingerprint: fingerprint.into(),
    }
}

fn idp(id: &str, name: &str, pasted: &[&str]) -> SamlIdentityProvider {
    SamlIdentityProvider {
        id: id.into(),
        name: name.into(),
        encryption_enabled: false,
        certificate_set_uid: None,
        dangling: false,
        signing: SigningCertificates {
            entries: pasted.len(),
            certificates: pasted.iter().map(|f| facts(f)).collect(),
            unreadable: Vec::new(),
        },
        issuer_url: None,
    }
}

fn inventory(idps: Vec<SamlIdentityProvider>) -> AccountInventory {
    AccountInventory { identity_providers: idps, ..AccountInventory::default() }
}

fn published(fingerprints: &[&str]) -> Arc<MetadataCertificates> {
    Arc::new(MetadataCertificates {
        entity_id: "https://idp.example/".into(),
        certificates: fingerprints
            .iter()
            .map(|f| MetadataCertificate { pem: String::new(), facts: facts(f) })
            .collect(),
    })
}

#[test]
fn an_entry_names_its_idp_by_id_first_then_by_a_unique_exact_name() {
    let account =
        inventory(vec![idp("id-1", "Okta", &[]), idp("id-2", "AD FS", &[]), idp("id-3", "AD FS", &[])]);
    assert_eq!(resolve(&account, "id-2").map(|i| i.id.as_str()), Ok("id-2"));
    assert_eq!(resolve(&account, "Okta").map(|i| i.id.as_str()), Ok("id-1"));
    assert_eq!(resolve(&account, "AD FS").err(), Some("identity_provider_ambiguous"));
    assert_eq!(resolve(&account, "okta").err(), Some("identity_provider_not_found"), "names are exact");
}

#[test]
fn a_failure_keeps_the_last_good_certificates_and_the_drift_follows_cloudflare() {
    let mut status = MetadataStatus::new("acc", "Okta");
    assert_eq!(status.label(), "Okta");
    status.record(MetadataOutcome::Read {
        identity_provider_id: "id-1".into(),
        published: published(&["aa", "bb"]),
        at: 100.0,
    });
    assert!(status.up);
    assert_eq!(status.label(), "id-1");
    status.record(MetadataOutcome::Failed { identity_provider_id: None, reason: "timeout" });
    assert!(!status.up);
    assert_eq!(status.last_error, Some("timeout"));
    assert_eq!(status.last_success, Some(100.0));
    assert_eq!(status.label(), "id-1", "a failure without an ID keeps the one resolved");
    let before = inventory(vec![idp("id-1", "Okta", &["aa"])]);
    let drift = status.drift(&before).expect("read once");
    assert_eq!(drift.state, crate::model::drift::DriftState::RolloverPending);
    let pasted = inventory(vec![idp("id-1", "Okta", &["aa", "bb"])]);
    assert_eq!(status.drift(&pasted).map(|d| d.state), Some(crate::model::drift::DriftState::InSync));
    assert!(status.drift(&inventory(Vec::new())).is_none(), "the IdP is gone from Cloudflare");
    assert!(MetadataStatus::new("acc", "x").drift(&pasted).is_none(), "never read");
}
