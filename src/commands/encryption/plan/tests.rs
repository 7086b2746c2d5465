//! Unit tests of `plan`.

use super::*;
use crate::cloudflare::wire as api;
use serde_json::json;

const DAY: i64 = 86_400;

fn cert(uid: &str, not_after: i64) -> serde_json::Value {
    json!({"uid": uid, "public_certificate": "unparsed", "not_after": format_rfc3339(not_after)})
}

fn actions(now: i64) -> Vec<(String, Action)> {
    let sets: Vec<api::CertificateSet> = serde_json::from_value(json!([
        {"uid": "fine", "current_certificate": cert("c1", now + 300 * DAY), "previous_certificate": {}},
        {"uid": "stalled", "current_certificate": cert("c2", now + 20 * DAY)},
        {"uid": "expired", "current_certificate": cert("c3", now - 3 * DAY)},
        {"uid": "rotating", "current_certificate": cert("c4", now + 355 * DAY),
         "previous_certificate": cert("c5", now + 10 * DAY)},
        {"uid": "empty", "current_certificate": null, "previous_certificate": {}},
    ]))
    .unwrap();
    let idp = |id: &str, set: Option<&str>, on: bool| {
        json!({"id": id, "name": id, "type": "saml", "saml_certificate_set_id": set,
                   "config": {"enable_encryption": on}})
    };
    let idps: Vec<api::IdentityProvider> = serde_json::from_value(json!([
        idp("a-fine", Some("fine"), true),
        idp("b-stalled", Some("stalled"), true),
        idp("c-expired-off", Some("expired"), false),
        idp("d-rotating", Some("rotating"), true),
        idp("e-off", Some("fine"), false),
        idp("f-none", None, false),
        idp("g-dangling", Some("gone"), true),
        idp("h-rotating-off", Some("rotating"), false),
        idp("i-empty-set", Some("empty"), true),
    ]))
    .unwrap();
    let inventory = AccountInventory::build(sets, idps);
    let base = Url::parse("https://api.cloudflare.com/client/v4").unwrap();
    plan_account("acc00000000000000000000000000000", &inventory, now, &base)
        .into_iter()
        .map(|s| (s.identity_provider_id, s.action))
        .collect()
}

#[test]
fn each_state_gets_its_first_needed_step() {
    let got = actions(1_800_000_000);
    let want = [
        ("a-fine", Action::None),
        ("b-stalled", Action::Rotate),
        // Rotate before loading a certificate that is about to be replaced.
        ("c-expired-off", Action::Rotate),
        ("d-rotating", Action::HandOver),
        ("e-off", Action::EnableEncryption),
        ("f-none", Action::CreateSet),
        ("g-dangling", Action::CreateSet),
        // Turning encryption on loads the current certificate anyway.
        ("h-rotating-off", Action::EnableEncryption),
        ("i-empty-set", Action::Rotate),
    ];
    let want: Vec<(String, Action)> = want.iter().map(|(id, a)| ((*id).to_owned(), *a)).collect();
    assert_eq!(got, want);
}

#[test]
fn labels_are_the_documented_words() {
    let labels =
        [Action::CreateSet, Action::Rotate, Action::EnableEncryption, Action::HandOver, Action::None]
            .map(Action::label);
    assert_eq!(labels, ["create-set", "rotate", "enable-encryption", "hand-over", "none"]);
    assert_eq!(serde_json::to_value(Action::HandOver).unwrap(), "hand-over");
}
