//! The state file's format: per account, the last good lists as Cloudflare
//! sent them and the time they were read, under a format version. Pure
//! encoding and decoding; reading and writing the file belongs to
//! [`crate::refresh::state_file`].
//!
//! The file keeps the API's lists, not the inventory built from them: on
//! load the inventory is rebuilt by [`AccountInventory::build`], the one
//! path from Cloudflare's data to series, so a restored account shows
//! exactly what a refresh of the same data would, and the inventory's types
//! stay free to change without a new format version.
//!
//! ```json
//! {"version": 1, "accounts": {"<account id>": {
//!   "last_success_timestamp_seconds": 1767225600.5,
//!   "certificate_sets": [{"uid": "...", "updated_at": "...", "current_certificate": {...}}],
//!   "identity_providers": [{"id": "...", "name": "...", "type": "saml", "config": {...}}]}}}
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cloudflare::wire::{CertificateSet, IdentityProvider};
use crate::model::inventory::AccountInventory;

/// The format version this build writes and reads.
pub const FORMAT_VERSION: u64 = 1;

/// What the file keeps of one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountSnapshot {
    /// Unix time of the refresh that read these lists.
    pub last_success_timestamp_seconds: f64,
    /// The certificate sets, as listed.
    pub certificate_sets: Vec<CertificateSet>,
    /// The SAML identity providers, as listed (other types are left out:
    /// the inventory ignores them).
    pub identity_providers: Vec<IdentityProvider>,
}

impl AccountSnapshot {
    /// What a successful refresh at `last_success` read.
    pub fn new(last_success: f64, sets: &[CertificateSet], idps: &[IdentityProvider]) -> Self {
        Self {
            last_success_timestamp_seconds: last_success,
            certificate_sets: sets.to_vec(),
            identity_providers: idps.iter().filter(|i| i.is_saml()).cloned().collect(),
        }
    }

    /// The inventory these lists make, built as a refresh builds it.
    pub fn inventory(&self) -> AccountInventory {
        AccountInventory::build(self.certificate_sets.clone(), self.identity_providers.clone())
    }
}

/// Why a state file's content cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// Not JSON, or not an object with a numeric `version`.
    #[error("not a state file ({0})")]
    NotAStateFile(serde_json::Error),
    /// Written by a build with another format.
    #[error("format version {found}, this build reads version {FORMAT_VERSION}")]
    Version {
        /// The version in the file.
        found: u64,
    },
    /// The right version, but the content does not decode.
    #[error("corrupt version {FORMAT_VERSION} state file ({0})")]
    Corrupt(serde_json::Error),
}

#[derive(Serialize)]
struct Encoded<'a> {
    version: u64,
    accounts: &'a BTreeMap<String, AccountSnapshot>,
}

#[derive(Deserialize)]
struct VersionOnly {
    version: u64,
}

#[derive(Deserialize)]
struct Decoded {
    accounts: BTreeMap<String, AccountSnapshot>,
}

/// The file's bytes for `accounts`.
pub fn encode(accounts: &BTreeMap<String, AccountSnapshot>) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(&Encoded { version: FORMAT_VERSION, accounts })
        .expect("a map of strings, finite numbers and API lists always serializes");
    bytes.push(b'\n');
    bytes
}

/// The accounts in a state file's bytes. The version is read first, so that
/// a file of another version is reported as such rather than as corrupt.
pub fn decode(bytes: &[u8]) -> Result<BTreeMap<String, AccountSnapshot>, SnapshotError> {
    let VersionOnly { version } = serde_json::from_slice(bytes).map_err(SnapshotError::NotAStateFile)?;
    if version != FORMAT_VERSION {
        return Err(SnapshotError::Version { found: version });
    }
    let Decoded { accounts } = serde_json::from_slice(bytes).map_err(SnapshotError::Corrupt)?;
    Ok(accounts
        .into_iter()
        .filter(|(_, a)| {
            a.last_success_timestamp_seconds.is_finite() && a.last_success_timestamp_seconds >= 0.0
        })
        .collect())
}

#[cfg(test)]
mod tests {
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
        let signing = crate::fake::mint::mint_certificate(
            "signing",
            crate::fake::mint::KeyKind::P256,
            0,
            2_000_000_000,
        )
        .unwrap()
        .pem;
        let idps = serde_json::from_value(json!([
            {"id": "i1", "name": "Okta", "type": "saml", "saml_certificate_set_id": "s1",
             "config": {"enable_encryption": true, "issuer_url": "https://idp",
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
        let accounts =
            BTreeMap::from([("acc".to_owned(), AccountSnapshot::new(1_700_000_000.5, &sets, &idps))]);
        let bytes = encode(&accounts);
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded, accounts);
        let restored = decoded["acc"].inventory();
        assert_eq!(format!("{restored:?}"), format!("{direct:?}"), "the same inventory, warnings included");
        assert!(restored.sets[1].rotation_in_progress() && !restored.sets[0].rotation_in_progress());
        let signing = &restored.identity_providers[0].signing;
        assert_eq!(format!("{signing:?}"), format!("{:?}", direct.identity_providers[0].signing));
        assert!(
            format!("{signing:?}").contains("not_after"),
            "the signing certificate survives: {signing:?}"
        );
    }

    #[test]
    fn only_saml_idps_are_kept_and_no_other_config_is_written() {
        let (sets, idps) = lists();
        let text = String::from_utf8(encode(&BTreeMap::from([(
            "acc".to_owned(),
            AccountSnapshot::new(1.0, &sets, &idps),
        )])))
        .unwrap();
        assert!(!text.contains("Google") && !text.contains("hunter2"), "{text}");
        assert!(!text.contains("issuer_url"), "only the fields the exporter reads: {text}");
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["version"], 1);
        assert_eq!(value["accounts"]["acc"]["certificate_sets"][0]["previous_certificate"], json!({}));
    }

    #[test]
    fn another_version_is_refused_as_such() {
        let err = decode(br#"{"version": 2, "accounts": {"acc": "a shape this build does not know"}}"#)
            .unwrap_err();
        assert!(matches!(err, SnapshotError::Version { found: 2 }), "{err:?}");
        assert_eq!(err.to_string(), "format version 2, this build reads version 1");
    }

    #[test]
    fn garbage_and_broken_content_are_errors_not_panics() {
        for bytes in [&b""[..], b"\x00\xff", b"[]", b"{\"accounts\": {}}", b"{\"version\": \"1\"}"] {
            assert!(matches!(decode(bytes), Err(SnapshotError::NotAStateFile(_))), "{bytes:?}");
        }
        let truncated =
            &encode(&BTreeMap::from([("a".to_owned(), AccountSnapshot::new(1.0, &[], &[]))]))[..30];
        assert!(decode(truncated).is_err());
        let err = decode(br#"{"version": 1, "accounts": {"a": {"certificate_sets": 7}}}"#).unwrap_err();
        assert!(matches!(err, SnapshotError::Corrupt(_)), "{err:?}");
    }

    #[test]
    fn an_account_with_an_impossible_time_is_dropped() {
        let bytes = br#"{"version": 1, "accounts": {
            "bad": {"last_success_timestamp_seconds": -5, "certificate_sets": [], "identity_providers": []},
            "good": {"last_success_timestamp_seconds": 5, "certificate_sets": [], "identity_providers": []}}}"#;
        assert_eq!(decode(bytes).unwrap().keys().collect::<Vec<_>>(), ["good"]);
    }
}
