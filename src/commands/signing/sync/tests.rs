//! Unit tests of `sync`: the before and after lists a dry run shows, and
//! what it says when there is nothing to send.

use serde_json::{Value, json};

use super::*;
use crate::commands::signing::testing::mint;

fn report(edit: &Edit, request: Option<RequestView>) -> Report {
    Report {
        command: "sync",
        dry_run: true,
        account_id: "0123456789abcdef0123456789abcdef".into(),
        identity_provider_id: "idp-1".into(),
        identity_provider_name: "Okta".into(),
        metadata_url: "https://okta.example.com/metadata".into(),
        state: edit.drift.state.label(),
        changed: edit.changes(),
        before: before(edit),
        after: after(edit),
        request,
        next_steps: Vec::new(),
    }
}

#[test]
fn a_dry_run_shows_each_entry_before_and_after_and_the_request_but_no_pem() {
    let (old, current, new) = (mint("old"), mint("current"), mint("new"));
    let read: Vec<Value> = vec![json!(old.pem), json!("garbage"), json!(current.pem)];
    let edit = plan_edit(&read, &[current.clone(), new.clone()], true);
    let put = RequestView { method: "PUT", url: "https://api/x/identity_providers/idp-1".into() };
    let text = text(&report(&edit, Some(put)));
    assert!(text.starts_with("Dry run: nothing was sent."), "{text}");
    assert!(text.contains("PUT https://api/x/identity_providers/idp-1"), "{text}");
    assert!(text.contains("before (3 entries):\n  [0] removed  CN=old"), "{text}");
    assert!(text.contains("  [1] kept     unreadable (bad_base64)"), "{text}");
    assert!(text.contains("after (3 entries):\n  [0] kept     unreadable (bad_base64)"), "{text}");
    assert!(
        text.contains(&format!(
            "  [2] added    CN=new  expires {}",
            CertificateLine::new(&new.facts).not_after
        ))
    );
    assert!(text.contains(&new.facts.sha256_fingerprint));
    assert!(!text.contains("BEGIN CERTIFICATE"), "no PEM is printed: {text}");
}

#[test]
fn nothing_to_change_says_so_and_shows_no_request() {
    let current = mint("current");
    let edit = plan_edit(&[json!(current.pem)], std::slice::from_ref(&current), false);
    let report = report(&edit, None);
    assert!(!report.changed);
    let text = text(&report);
    assert!(text.contains("Okta (idp-1) hold every certificate its metadata publishes: nothing to send"));
    assert!(!text.contains("PUT"), "{text}");
}
