//! Unit tests of `inventory`.

use super::*;
use serde_json::json;

fn sets(value: serde_json::Value) -> Vec<api::CertificateSet> {
    serde_json::from_value(value).unwrap()
}

fn idps(value: serde_json::Value) -> Vec<api::IdentityProvider> {
    serde_json::from_value(value).unwrap()
}

#[test]
fn empty_object_null_and_missing_previous_all_mean_no_rotation() {
    let inv = AccountInventory::build(
        sets(json!([
            {"uid": "a", "created_at": "", "updated_at": "2024-03-21T10:30:00Z",
             "current_certificate": {"uid": "c1", "public_certificate": "x", "not_after": "2027-03-21T12:00:00Z"},
             "previous_certificate": {}},
            {"uid": "b", "updated_at": "2024-03-21T10:30:00Z",
             "current_certificate": {"uid": "c2", "public_certificate": "x"}, "previous_certificate": null},
            {"uid": "c", "updated_at": "2024-03-21T10:30:00Z",
             "current_certificate": {"uid": "c3", "public_certificate": "x"}},
            {"uid": "d", "updated_at": "2024-03-21T10:30:00Z",
             "current_certificate": {"uid": "c4"}, "previous_certificate": {"uid": "c5", "not_after": "2026-01-01T00:00:00Z"}}
        ])),
        Vec::new(),
    );
    let rotating: Vec<bool> = inv.sets.iter().map(CertificateSetRecord::rotation_in_progress).collect();
    assert_eq!(rotating, [false, false, false, true]);
    assert_eq!(inv.sets[0].updated_at, Some(1_711_017_000));
    // An unreadable PEM still has the API's expiry.
    assert_eq!(inv.sets[0].certificates[0].not_after(), Some(1_805_630_400));
    assert_eq!(inv.sets[0].certificates[0].inspection.as_ref().unwrap_err().reason(), "no_certificate");
}

#[test]
fn coverage_counts_only_saml_identity_providers() {
    let inv = AccountInventory::build(
        sets(json!([{"uid": "set-1", "updated_at": "2024-03-21T10:30:00Z"}])),
        idps(json!([
            {"id": "1", "name": "uses set", "type": "saml", "saml_certificate_set_id": "set-1",
             "config": {"enable_encryption": true}},
            {"id": "2", "name": "no set", "type": "saml", "config": {}},
            {"id": "3", "name": "dangling", "type": "saml", "saml_certificate_set_id": "gone",
             "config": {"enable_encryption": true}},
            {"id": "4", "name": "okta", "type": "okta", "config": {"client_id": "x"}}
        ])),
    );
    assert_eq!(inv.identity_providers.len(), 3);
    assert_eq!(inv.identity_providers_without_set(), 1);
    assert_eq!(inv.sets[0].identity_providers, ["uses set"]);
    let dangling = &inv.identity_providers[2];
    assert!(dangling.dangling && dangling.encryption_enabled);
    assert!(!inv.identity_providers[0].dangling);
}

#[test]
fn a_set_assigned_before_encryption_is_on_is_found_through_the_embedded_set() {
    // After `create-set`, Cloudflare embeds the set; the id field is only
    // promised once encryption is configured.
    let inv = AccountInventory::build(
        sets(json!([{"uid": "set-1", "updated_at": "2024-03-21T10:30:00Z"}])),
        idps(json!([
            {"id": "1", "name": "fresh", "type": "saml", "saml_certificate_set": {"uid": "set-1"},
             "config": {"enable_encryption": false}}
        ])),
    );
    assert_eq!(inv.identity_providers[0].certificate_set_uid.as_deref(), Some("set-1"));
    assert!(!inv.identity_providers[0].dangling);
    assert_eq!(inv.identity_providers_without_set(), 0);
    assert_eq!(inv.sets[0].identity_providers, ["fresh"]);
}

#[test]
fn a_saml_identity_provider_without_id_is_skipped_with_a_warning() {
    let inv = AccountInventory::build(
        sets(json!([{"uid": "set-1", "updated_at": "2024-03-21T10:30:00Z"}])),
        idps(json!([
            {"name": "no id", "type": "saml", "saml_certificate_set_id": "set-1", "config": {}},
            {"id": "", "name": "empty id", "type": "saml", "config": {}},
            {"name": "google without id", "type": "google", "config": {}},
            {"id": "1", "name": "kept", "type": "saml", "saml_certificate_set_id": "set-1", "config": {}}
        ])),
    );
    let ids: Vec<&str> = inv.identity_providers.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["1"]);
    assert_eq!(inv.sets[0].identity_providers, ["kept"]);
    assert_eq!(inv.warnings.len(), 2, "{:?}", inv.warnings);
    assert!(inv.warnings[0].contains("\"no id\" has no id; skipped"), "{:?}", inv.warnings);
}

#[test]
fn a_bad_date_is_a_warning_not_a_failure() {
    let inv = AccountInventory::build(
        sets(json!([{"uid": "s", "updated_at": "yesterday",
                         "current_certificate": {"uid": "c", "not_after": "soon"}}])),
        Vec::new(),
    );
    assert_eq!(inv.sets[0].updated_at, None);
    assert_eq!(inv.sets[0].certificates[0].not_after(), None);
    assert_eq!(inv.warnings.len(), 2, "{:?}", inv.warnings);
}

#[test]
fn odd_idp_public_certs_decode_and_only_saml_providers_count() {
    let inv = AccountInventory::build(
        Vec::new(),
        idps(json!([
            {"id": "a", "type": "saml", "config": {"idp_public_certs": null}},
            {"id": "b", "type": "saml", "config": {"idp_public_certs": "%%%"}},
            {"id": "c", "type": "saml", "config": {"idp_public_certs": [42, "", "aGVsbG8="]}},
            {"id": "d", "type": "saml"},
            {"id": "e", "type": "okta", "config": {"idp_public_certs": ["%%%"]}}
        ])),
    );
    let seen: Vec<(&str, usize, Vec<&str>)> = inv
        .identity_providers
        .iter()
        .map(|i| {
            let reasons = i.signing.unreadable.iter().map(|u| u.error.reason()).collect();
            (i.id.as_str(), i.signing.entries, reasons)
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("a", 0, vec![]),
            ("b", 1, vec!["bad_base64"]),
            ("c", 3, vec!["no_certificate", "no_certificate", "bad_der"]),
            ("d", 0, vec![]),
        ]
    );
}

#[test]
fn a_previous_certificate_that_is_not_an_object_is_reported_on_its_set_only() {
    // Cloudflare's schema leaves previous_certificate untyped.
    let page = br#"{"success": true, "errors": [], "result": [
        {"uid": "array", "current_certificate": {"uid": "c1"}, "previous_certificate": []},
        {"uid": "string", "current_certificate": {"uid": "c2"}, "previous_certificate": ""},
        {"uid": "true", "current_certificate": {"uid": "c3"}, "previous_certificate": true},
        {"uid": "typed-wrong", "current_certificate": {"uid": "c4"}, "previous_certificate": {"uid": 7}},
        {"uid": "fine", "current_certificate": {"uid": "c5"}, "previous_certificate": {}}
    ]}"#;
    let list = api::decode_list::<api::CertificateSet>(page).expect("the page decodes").result.unwrap();
    let inv = AccountInventory::build(list, Vec::new());
    let previous: Vec<(&str, Option<&str>)> = inv
        .sets
        .iter()
        .map(|s| {
            (
                s.uid.as_str(),
                s.certificate(Slot::Previous).map(|c| c.inspection.as_ref().unwrap_err().reason()),
            )
        })
        .collect();
    assert_eq!(
        previous,
        [
            ("array", Some("not_an_object")),
            ("fine", None),
            ("string", Some("not_an_object")),
            ("true", Some("not_an_object")),
            ("typed-wrong", Some("not_an_object")),
        ]
    );
    assert!(inv.sets.iter().all(|s| !s.rotation_in_progress()), "a malformed value is no rotation");
    assert_eq!(inv.warnings.len(), 4, "{:?}", inv.warnings);
    assert!(inv.warnings[0].contains("JSON array instead of a certificate object"), "{:?}", inv.warnings);
}

#[test]
fn is_current_contradicting_the_slot_is_flagged_not_trusted() {
    let inv = AccountInventory::build(
        sets(json!([
            {"uid": "agrees", "current_certificate": {"uid": "c1", "is_current": true},
             "previous_certificate": {"uid": "p1", "is_current": false}},
            {"uid": "swapped", "current_certificate": {"uid": "c2", "is_current": false},
             "previous_certificate": {"uid": "p2", "is_current": true}},
            {"uid": "silent", "current_certificate": {"uid": "c3"}}
        ])),
        Vec::new(),
    );
    let flags: Vec<Vec<Option<bool>>> = inv
        .sets
        .iter()
        .map(|s| s.certificates.iter().map(CertificateRecord::is_current_mismatch).collect())
        .collect();
    assert_eq!(flags, [vec![Some(false), Some(false)], vec![None], vec![Some(true), Some(true)]]);
    assert_eq!(inv.sets[2].certificates[0].slot, Slot::Current, "the slot stays the field it came in");
    assert_eq!(inv.warnings.len(), 2, "{:?}", inv.warnings);
}
