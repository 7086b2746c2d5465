//! Unit tests of `edit`: which entries are kept, pruned and added, and a
//! body that differs from the read only in `config.idp_public_certs`.

use serde_json::json;

use super::*;
use crate::commands::signing::testing::mint;
use crate::model::drift::DriftState;

/// `cert` as someone pasted it: CRLF line ends and indentation, so that
/// "kept byte for byte" means something.
fn pasted(cert: &MetadataCertificate) -> Value {
    Value::String(cert.pem.lines().map(|l| format!("  {l}\r\n")).collect())
}

fn fates(edit: &Edit) -> Vec<(usize, bool)> {
    edit.entries.iter().map(|e| (e.position, e.removed)).collect()
}

#[test]
fn a_published_certificate_cloudflare_lacks_is_appended_and_every_entry_is_kept_as_read() {
    let (old, new) = (mint("old"), mint("new"));
    let read = vec![pasted(&old), json!("not a certificate"), json!(42), json!(null)];
    let edit = plan_edit(&read, &[old.clone(), new.clone()], false);
    assert_eq!(edit.drift.state, DriftState::RolloverPending);
    assert_eq!(edit.added, std::slice::from_ref(&new));
    assert!(edit.changes());
    assert_eq!(fates(&edit), [(0, false), (1, false), (2, false), (3, false)]);
    assert!(edit.entries[0].published && edit.entries[0].error.is_none());
    assert!(edit.entries[1..].iter().all(|e| e.error.is_some()), "unreadable entries are marked");
    let after = edit.certificates_after(&read);
    assert_eq!(after[..4], read[..], "kept byte for byte, unreadable ones and non-strings too");
    assert_eq!(after[4], Value::String(new.pem.clone()), "the new one appended as PEM");
    assert_eq!(after.len(), 5);
}

#[test]
fn prune_removes_only_readable_entries_no_longer_published() {
    let (retired, kept, new) = (mint("retired"), mint("kept"), mint("new"));
    let read = vec![pasted(&retired), pasted(&kept), json!("-----BEGIN CERTIFICATE-----\nAAAA")];
    let without = plan_edit(&read, &[kept.clone(), new.clone()], false);
    assert_eq!(fates(&without), [(0, false), (1, false), (2, false)], "nothing removed without --prune");
    assert_eq!(without.drift.to_retire.len(), 1, "but it is listed to retire");
    let edit = plan_edit(&read, &[kept.clone(), new.clone()], true);
    assert_eq!(fates(&edit), [(0, true), (1, false), (2, false)], "the broken entry stays");
    assert_eq!(edit.certificates_after(&read), [read[1].clone(), read[2].clone(), Value::String(new.pem)]);
}

#[test]
fn an_entry_holding_a_published_certificate_is_never_pruned() {
    let (old, current) = (mint("old"), mint("current"));
    // One entry, two PEM blocks: the old and the current one.
    let both = Value::String(format!("{}{}", old.pem, current.pem));
    let edit = plan_edit(std::slice::from_ref(&both), std::slice::from_ref(&current), true);
    assert_eq!(edit.drift.state, DriftState::InSync);
    assert_eq!(fates(&edit), [(0, false)]);
    assert!(!edit.changes(), "nothing to add and nothing removable");
}

#[test]
fn in_sync_changes_nothing_and_prune_then_only_retires() {
    let (current, extra) = (mint("current"), mint("extra"));
    let read = vec![pasted(&current)];
    let edit = plan_edit(&read, std::slice::from_ref(&current), true);
    assert!(!edit.changes());
    assert_eq!(edit.certificates_after(&read), read);
    let read = vec![pasted(&extra), pasted(&current)];
    let edit = plan_edit(&read, std::slice::from_ref(&current), true);
    assert!(edit.changes() && edit.added.is_empty());
    assert_eq!(edit.certificates_after(&read), [read[1].clone()]);
}

#[test]
fn a_mismatch_pruned_ends_with_the_published_certificates_never_empty() {
    let (old, new) = (mint("old"), mint("new"));
    let read = vec![pasted(&old)];
    let edit = plan_edit(&read, std::slice::from_ref(&new), true);
    assert_eq!(edit.drift.state, DriftState::Mismatch);
    assert_eq!(edit.certificates_after(&read), [Value::String(new.pem.clone())]);
    // Nothing published (which a parsed document never is): nothing pruned.
    let edit = plan_edit(&read, &[], true);
    assert_eq!(fates(&edit), [(0, false)]);
    assert_eq!(edit.certificates_after(&read), read);
    // Nothing in Cloudflare at all: the published ones are added.
    let edit = plan_edit(&[], std::slice::from_ref(&new), true);
    assert_eq!(edit.certificates_after(&[]), [Value::String(new.pem)]);
}

#[test]
fn the_body_differs_from_the_read_only_in_idp_public_certs() {
    let read = json!({
        "id": "idp-1", "name": "Okta", "type": "saml",
        "config": {"issuer_url": "https://okta.example.com", "idp_public_certs": ["a"], "sign_request": true,
                   "a_field_from_next_year": {"nested": [1, 2]}},
        "scim_config": {"enabled": true, "user_deprovision": true},
        "saml_certificate_set": {"uid": "set-1"}
    });
    assert_eq!(certificates_read(&read), [json!("a")]);
    let updated = with_certificates(&read, vec![json!("a"), json!("b")]);
    assert_eq!(updated["config"]["idp_public_certs"], json!(["a", "b"]));
    let without = |mut v: Value| {
        v["config"].as_object_mut().unwrap().remove("idp_public_certs");
        v
    };
    assert_eq!(without(updated), without(read), "every other field as read");
    let bare = json!({"id": "idp-2", "type": "saml"});
    assert!(certificates_read(&bare).is_empty());
    assert_eq!(with_certificates(&bare, vec![json!("b")])["config"], json!({"idp_public_certs": ["b"]}));
}
