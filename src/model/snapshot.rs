//! The state file's format: per account, the last good lists as Cloudflare
//! sent them and the time they were read, under a format version. Pure
//! encoding and decoding; reading and writing the file belongs to the
//! refresh's `state_file`.
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

use crate::cloudflare::account_id::is_account_id;
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
    /// The SAML identity providers, as listed; other types only by ID and
    /// type (an application open to every IdP has a fallback only if the
    /// account has another one).
    pub identity_providers: Vec<IdentityProvider>,
    /// The account's display name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
}

impl AccountSnapshot {
    /// What a successful refresh at `last_success` read.
    pub fn new(last_success: f64, sets: &[CertificateSet], idps: &[IdentityProvider]) -> Self {
        Self {
            last_success_timestamp_seconds: last_success,
            certificate_sets: sets.to_vec(),
            identity_providers: idps
                .iter()
                .map(|idp| if idp.is_saml() { idp.clone() } else { idp.id_and_type() })
                .collect(),
            account_name: None,
        }
    }

    /// The same, with the account's display name.
    pub fn with_name(mut self, name: Option<String>) -> Self {
        self.account_name = name;
        self
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

/// What [`decode_checked`] did to an entry it could not take as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Adjustment {
    /// Left out: its key is not an account ID, or its time is not a time.
    Dropped {
        /// The entry's key, as written (escaped when logged).
        account_id: String,
        /// Why.
        why: &'static str,
    },
    /// Its last success lay after `newest`: moved back to it, so a planted
    /// future time cannot silence the staleness alert for years.
    Clamped {
        /// The account.
        account_id: String,
        /// The time in the file.
        from: f64,
        /// The time used.
        to: f64,
    },
}

/// The accounts a state file gives, with what was left out or changed.
pub type Checked = (BTreeMap<String, AccountSnapshot>, Vec<Adjustment>);

/// The accounts in a state file's bytes, every entry as written (for tests
/// and tools; the exporter uses [`decode_checked`]).
pub fn decode(bytes: &[u8]) -> Result<BTreeMap<String, AccountSnapshot>, SnapshotError> {
    decode_checked(bytes, f64::MAX).map(|(accounts, _)| accounts)
}

/// The accounts in a state file's bytes that can be trusted, with what was
/// left out or changed: keys that are not account IDs and times that are
/// negative or not finite are dropped; a last success after `newest` (the
/// file's own modification time, at most now) is clamped to it. The version
/// is read first, so that a file of another version is reported as such
/// rather than as corrupt.
pub fn decode_checked(bytes: &[u8], newest: f64) -> Result<Checked, SnapshotError> {
    let VersionOnly { version } = serde_json::from_slice(bytes).map_err(SnapshotError::NotAStateFile)?;
    if version != FORMAT_VERSION {
        return Err(SnapshotError::Version { found: version });
    }
    let Decoded { accounts } = serde_json::from_slice(bytes).map_err(SnapshotError::Corrupt)?;
    let mut adjustments = Vec::new();
    let mut kept = BTreeMap::new();
    for (account_id, mut account) in accounts {
        let at = account.last_success_timestamp_seconds;
        let why = if !is_account_id(&account_id) {
            Some("the key is not an account ID (32 lower-case hex digits)")
        } else if !at.is_finite() || at < 0.0 {
            Some("its last success time is negative or not a number")
        } else {
            None
        };
        if let Some(why) = why {
            adjustments.push(Adjustment::Dropped { account_id, why });
            continue;
        }
        if at > newest {
            adjustments.push(Adjustment::Clamped { account_id: account_id.clone(), from: at, to: newest });
            account.last_success_timestamp_seconds = newest;
        }
        kept.insert(account_id, account);
    }
    Ok((kept, adjustments))
}

#[cfg(test)]
mod tests;
