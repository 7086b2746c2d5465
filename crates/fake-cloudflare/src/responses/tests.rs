//! Unit tests of `responses`.

use super::*;
use crate::demo_data::demo;

fn set(uid: &str) -> FakeSet {
    FakeSet {
        uid: uid.to_owned(),
        created_at: "2024-01-01T00:00:00Z".into(),
        updated_at: "2024-01-01T00:00:00Z".into(),
        current: None,
        previous: None,
    }
}

#[test]
fn an_absent_previous_certificate_comes_as_null_missing_or_empty_by_set() {
    let shapes: Vec<Option<Value>> =
        ["a", "b", "c"].iter().map(|uid| set_json(&set(uid)).get("previous_certificate").cloned()).collect();
    assert_eq!(shapes, [Some(Value::Null), None, Some(json!({}))]);
}

#[test]
fn the_demo_data_shows_every_shape_of_an_absent_previous_certificate() {
    let data = demo(1_700_000_000).unwrap();
    let shapes: std::collections::HashSet<_> = data
        .accounts
        .iter()
        .flat_map(|a| &a.sets)
        .filter(|s| s.previous.is_none())
        .map(|s| AbsentPrevious::for_set(&s.uid))
        .collect();
    assert_eq!(shapes.len(), 3, "{shapes:?}");
}

#[test]
fn a_saml_idp_embeds_its_set_and_carries_scim_config_and_read_only() {
    let sets = [set("set-1")];
    let idp = |id: &str, set: Option<&str>| FakeIdentityProvider {
        id: id.to_owned(),
        name: "n".into(),
        kind: "saml".into(),
        enable_encryption: true,
        certificate_set_id: set.map(str::to_owned),
        signing_certificates: Vec::new(),
        issuer_url: "https://idp.example.com/saml".to_owned(),
    };
    let with_set = idp_json(&idp("i1", Some("set-1")), &sets);
    assert_eq!(with_set["saml_certificate_set"], set_json(&sets[0]));
    assert_eq!(with_set["saml_certificate_set_id"], "set-1");
    assert_eq!(with_set["read_only"], false);
    assert!(with_set["scim_config"].is_object());
    let switched_off = FakeIdentityProvider { enable_encryption: false, ..idp("i1", Some("set-1")) };
    let switched_off = idp_json(&switched_off, &sets);
    assert!(switched_off.get("saml_certificate_set_id").is_none(), "promised only with encryption on");
    assert_eq!(switched_off["saml_certificate_set"]["uid"], "set-1");
    let dangling = idp_json(&idp("i2", Some("gone")), &sets);
    assert!(dangling.get("saml_certificate_set").is_none(), "{dangling}");
    let without_id = idp_json(&idp("", None), &sets);
    assert!(without_id.get("id").is_none() && without_id.get("saml_certificate_set").is_none());
}

#[test]
fn accounts_carry_their_type() {
    let data = demo(1_700_000_000).unwrap();
    let types: Vec<Value> = data.accounts.iter().map(|a| account_json(a)["type"].clone()).collect();
    assert_eq!(types, [json!("enterprise"), json!("standard")]);
}

#[test]
fn each_demo_saml_idp_serves_its_own_issuer_url() {
    let data = demo(1_700_000_000).unwrap();
    let mut issuers = std::collections::HashSet::new();
    for account in &data.accounts {
        for idp in account.identity_providers.iter().filter(|i| i.kind == "saml" && !i.id.is_empty()) {
            let served = idp_json(idp, &account.sets);
            assert_eq!(served["config"]["issuer_url"], idp.issuer_url.as_str(), "{}", idp.name);
            assert!(issuers.insert(idp.issuer_url.clone()), "{} shares its issuer", idp.name);
        }
    }
    assert_eq!(issuers.len(), 9);
}
