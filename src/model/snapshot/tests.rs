//! Unit tests of `snapshot`.

use super::*;
use serde_json::json;

fn lists() -> (Vec<CertificateSet>, Vec<IdentityProvider>) {
    let sets = serde_json::from_value(json!([
        {"uid": "s1", "updated_at": "2024-03-21T10:30:00Z",
         "current_certificate": {"uid": "c1", "public_certificate": "x", "not_after": "2027-03-21T12:00:00Z"},
         "previous_certificate": {}},
        {"uid": "s2", "current_certificate": {"uid": "c2", "not_after": "2026-01-01T00:00:00Z"},
         "previous_certificate": {"uid": "c3", "not_after": "2025-06-01T00:00:00Z"}}
    ]))
    .unwrap();
    let signing = fake_cloudflare::mint::mint_certificate(
        "signing",
        fake_cloudflare::mint::KeyKind::P256,
        0,
        2_000_000_000,
    )
    .unwrap()
    .pem;
    let idps = serde_json::from_value(json!([
        {"id": "i1", "name": "Okta", "type": "saml", "saml_certificate_set_id": "s1",
         "config": {"enable_encryption": true, "issuer_url": "https://idp",
                    "sso_target_url": "https://idp/sso",
                    "idp_public_certs": [signing, "not a certificate", null]}},
        {"name": "no id", "type": "saml", "config": {}},
        {"id": "g", "name": "Google", "type": "google", "config": {"client_secret": "hunter2"}}
    ]))
    .unwrap();
    (sets, idps)
}

#[test]
fn a_snapshot_round_trips_to_the_same_inventory() {
    let (sets, idps) = lists();
    let direct = AccountInventory::build(sets.clone(), idps.clone());
    let accounts = BTreeMap::from([(
        "acc00000000000000000000000000000".to_owned(),
        AccountSnapshot::new(1_700_000_000.5, &sets, &idps),
    )]);
    let bytes = encode(&accounts);
    let decoded = decode(&bytes).unwrap();
    assert_eq!(decoded, accounts);
    let restored = decoded["acc00000000000000000000000000000"].inventory();
    assert_eq!(format!("{restored:?}"), format!("{direct:?}"), "the same inventory, warnings included");
    assert!(restored.sets[1].rotation_in_progress() && !restored.sets[0].rotation_in_progress());
    let signing = &restored.identity_providers[0].signing;
    assert_eq!(format!("{signing:?}"), format!("{:?}", direct.identity_providers[0].signing));
    assert!(format!("{signing:?}").contains("not_after"), "the signing certificate survives: {signing:?}");
}

#[test]
fn only_saml_idps_are_kept_and_no_other_config_is_written() {
    let (sets, idps) = lists();
    let text = String::from_utf8(encode(&BTreeMap::from([(
        "acc00000000000000000000000000000".to_owned(),
        AccountSnapshot::new(1.0, &sets, &idps),
    )])))
    .unwrap();
    assert!(!text.contains("Google") && !text.contains("hunter2"), "{text}");
    assert!(!text.contains("sso_target_url"), "only the fields the exporter reads: {text}");
    // The entity ID that picks the IdP in its metadata, after a restart too.
    assert!(text.contains("\"issuer_url\":\"https://idp\""), "{text}");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["version"], 1);
    assert_eq!(
        value["accounts"]["acc00000000000000000000000000000"]["certificate_sets"][0]["previous_certificate"],
        json!({})
    );
}

#[test]
fn another_version_is_refused_as_such() {
    let err =
        decode(br#"{"version": 2, "accounts": {"acc00000000000000000000000000000": "a shape this build does not know"}}"#).unwrap_err();
    assert!(matches!(err, SnapshotError::Version { found: 2 }), "{err:?}");
    assert_eq!(err.to_string(), "format version 2, this build reads version 1");
}

#[test]
fn garbage_and_broken_content_are_errors_not_panics() {
    for bytes in [&b""[..], b"\x00\xff", b"[]", b"{\"accounts\": {}}", b"{\"version\": \"1\"}"] {
        assert!(matches!(decode(bytes), Err(SnapshotError::NotAStateFile(_))), "{bytes:?}");
    }
    let truncated = &encode(&BTreeMap::from([("a".to_owned(), AccountSnapshot::new(1.0, &[], &[]))]))[..30];
    assert!(decode(truncated).is_err());
    let err = decode(br#"{"version": 1, "accounts": {"a": {"certificate_sets": 7}}}"#).unwrap_err();
    assert!(matches!(err, SnapshotError::Corrupt(_)), "{err:?}");
}

#[test]
fn entries_that_cannot_be_trusted_are_dropped_or_clamped_and_each_is_named() {
    let (good, future, bad_time, not_an_id) = (
        "0123456789abcdef0123456789abcdef",
        "fedcba9876543210fedcba9876543210",
        "11111111111111111111111111111111",
        "../x",
    );
    let entry = |at: &str| {
        format!(
            r#"{{"last_success_timestamp_seconds": {at}, "certificate_sets": [], "identity_providers": []}}"#
        )
    };
    let text = format!(
        r#"{{"version": 1, "accounts": {{"{good}": {}, "{future}": {}, "{bad_time}": {}, "{not_an_id}": {}}}}}"#,
        entry("5"),
        entry("1e308"),
        entry("-5"),
        entry("5")
    );
    let (accounts, adjustments) = decode_checked(text.as_bytes(), 100.0).unwrap();
    assert_eq!(accounts.keys().collect::<Vec<_>>(), [good, future]);
    assert_eq!(accounts[future].last_success_timestamp_seconds, 100.0);
    assert_eq!(accounts[good].last_success_timestamp_seconds, 5.0);
    assert_eq!(
        adjustments,
        [
            Adjustment::Dropped {
                account_id: not_an_id.into(),
                why: "the key is not an account ID (32 lower-case hex digits)"
            },
            Adjustment::Dropped {
                account_id: bad_time.into(),
                why: "its last success time is negative or not a number"
            },
            Adjustment::Clamped { account_id: future.into(), from: 1e308, to: 100.0 },
        ]
    );
}
