//! Unit tests of `plan`: each state's row, its next step and the exit code
//! the rows make.

use std::path::PathBuf;

use reqwest::Url;

use super::*;
use crate::commands::signing::testing::mint;
use crate::model::idp_metadata::MetadataCertificate;
use crate::model::signing::SigningCertificates;

fn source() -> MetadataSource {
    MetadataSource {
        account_id: "0123456789abcdef0123456789abcdef".into(),
        identity_provider: "Okta".into(),
        url: Url::parse("https://okta.example.com/metadata").unwrap(),
        entity_id: None,
    }
}

fn idp(pasted: &[&MetadataCertificate]) -> SamlIdentityProvider {
    let entries: Vec<Option<String>> = pasted.iter().map(|c| Some(c.pem.clone())).collect();
    SamlIdentityProvider {
        id: "idp-1".into(),
        name: "Okta".into(),
        encryption_enabled: false,
        certificate_set_uid: None,
        dangling: false,
        signing: SigningCertificates::parse(&entries),
        issuer_url: Some("http://www.okta.com/exk1".into()),
    }
}

fn published(certificates: &[&MetadataCertificate]) -> MetadataCertificates {
    MetadataCertificates {
        entity_id: "http://www.okta.com/exk1".into(),
        certificates: certificates.iter().map(|c| (*c).clone()).collect(),
    }
}

fn suggestions() -> Suggestions {
    Suggestions {
        base_url: Url::parse("http://127.0.0.1:9/client/v4").unwrap(),
        config_file: PathBuf::from("/etc/cse/config.yml"),
        ca_file: None,
    }
}

fn row_of(pasted: &[&MetadataCertificate], publishes: &[&MetadataCertificate]) -> Row {
    row(&source(), Ok(&idp(pasted)), Ok(&published(publishes)), &suggestions())
}

#[test]
fn each_state_has_its_certificates_and_next_step() {
    let (old, current, next) = (mint("old"), mint("current"), mint("next"));

    let in_sync = row_of(&[&current], &[&current]);
    assert_eq!((in_sync.state, in_sync.next.as_deref()), (State::InSync, None));
    assert_eq!(in_sync.entity_id.as_deref(), Some("http://www.okta.com/exk1"), "the issuer_url");

    let retirable = row_of(&[&old, &current], &[&current]);
    assert_eq!(retirable.state, State::InSync, "a certificate to retire is not pending");
    assert!(!retirable.state.pending());
    assert_eq!(retirable.to_retire, [CertificateLine::new(&old.facts)]);
    assert!(retirable.next.as_deref().unwrap().contains("--prune --apply"));

    let rollover = row_of(&[&current], &[&current, &next]);
    assert_eq!(rollover.state, State::RolloverPending);
    assert_eq!(rollover.to_add, [CertificateLine::new(&next.facts)]);
    let command = rollover.next.unwrap();
    assert!(
        command.contains(
            "cloudflare-saml-exporter signing sync --account-id 0123456789abcdef0123456789abcdef \
             --identity-provider idp-1 --apply --config.file /etc/cse/config.yml \
             --api-base-url http://127.0.0.1:9/client/v4"
        ),
        "{command}"
    );

    let mismatch = row_of(&[&old], &[&next]);
    assert_eq!(mismatch.state, State::Mismatch);
    assert!(mismatch.state.pending());
    let next_step = mismatch.next.unwrap();
    assert!(next_step.contains(&next.facts.sha256_fingerprint) && next_step.contains("--force --apply"));
}

#[test]
fn unreadable_says_why_and_the_entry_decides_the_entity() {
    let current = mint("current");
    let failed =
        Unreadable { reason: "http_status", error: "https://okta.example.com/metadata: HTTP 500".into() };
    let row = row(&source(), Ok(&idp(&[&current])), Err(&failed), &suggestions());
    assert_eq!((row.state, row.reason), (State::Unreadable, Some("http_status")));
    assert!(row.error.as_deref().unwrap().contains("HTTP 500"));
    assert!(row.to_add.is_empty() && row.identity_provider_id.as_deref() == Some("idp-1"));
    let account = Unreadable { reason: "forbidden", error: "403".into() };
    let row = super::row(&source(), Err(&account), Err(&failed), &suggestions());
    assert_eq!((row.reason, row.identity_provider_id), (Some("forbidden"), None), "Cloudflare's error first");
    let named = MetadataSource { entity_id: Some("urn:chosen".into()), ..source() };
    assert_eq!(entity_id(&named, Some(&idp(&[]))).as_deref(), Some("urn:chosen"));
}

#[test]
fn the_table_lists_each_identity_provider_and_details_what_is_pending() {
    let (current, next) = (mint("current"), mint("next"));
    let rows = vec![row_of(&[&current], &[&current]), row_of(&[&current], &[&current, &next])];
    let report = PlanReport { exit_code: 1, pending: 1, unreadable: 0, identity_providers: rows };
    let text = text(&report);
    assert!(text.starts_with("ACCOUNT"), "{text}");
    assert!(text.contains("in_sync") && text.contains("rollover_pending"), "{text}");
    assert!(text.contains(&format!("CN=next  expires {}", report.identity_providers[1].to_add[0].not_after)));
    assert!(text.contains(&next.facts.sha256_fingerprint));
    assert!(text.contains("pending: 1 of 2 identity providers, 0 unreadable (exit 1)"), "{text}");
}
