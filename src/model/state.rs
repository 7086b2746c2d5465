//! What the background refresh has learned, shared with the scrape handler:
//! per account, the last good inventory and the health of the last refresh.
//! A failed refresh never removes data; only a successful one replaces it.
//! Every write bumps a generation number, so readers that cache something
//! derived from the state (the rendered `/metrics`) know when it went stale.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use crate::locks;
use crate::model::applications::{ApplicationInventory, Impact};
use crate::model::idp_metadata::MetadataCertificates;
use crate::model::inventory::AccountInventory;
use crate::model::metadata_status::{MetadataOutcome, MetadataStatus};

/// The refresh status of one account.
#[derive(Debug, Clone, Default)]
pub struct AccountStatus {
    /// The inventory of the last successful refresh.
    pub inventory: Option<Arc<AccountInventory>>,
    /// The last refresh succeeded.
    pub up: bool,
    /// Unix time of the last successful refresh.
    pub last_success: Option<f64>,
    /// Duration of the last refresh, in seconds.
    pub last_duration: Option<f64>,
    /// At least one refresh has finished (either way).
    pub attempted: bool,
    /// What the applications collector learned; `None` until it has read
    /// the account once (and always with the collector off).
    pub applications: Option<ApplicationsStatus>,
    /// The account's display name, once learned (discovery, a daily
    /// `GET /accounts/{id}`, or the state file).
    pub name: Option<String>,
}

/// The applications collector's view of one account.
#[derive(Debug, Clone, Default)]
pub struct ApplicationsStatus {
    /// The applications of the last successful read; a failed read keeps them.
    pub inventory: Option<Arc<ApplicationInventory>>,
    /// The last read succeeded.
    pub up: bool,
    /// Unix time of the last successful read.
    pub last_success: Option<f64>,
    /// The reason the last read failed (an API error reason label).
    pub error: Option<&'static str>,
}

impl AccountStatus {
    /// The inventory and `last_success` came from the state file, and no
    /// refresh of this run has finished yet: only [`ExporterState::restore`]
    /// gives an account an inventory before a refresh has finished.
    pub fn restored(&self) -> bool {
        self.inventory.is_some() && !self.attempted
    }

    /// Who signs in through `identity_provider`, once the applications
    /// collector has read the account's applications.
    pub fn impact(&self, identity_provider: &str) -> Option<Impact<'_>> {
        let applications = self.applications.as_ref()?.inventory.as_deref()?;
        let all = self.inventory.as_deref().map_or(&[][..], |i| &i.all_identity_providers[..]);
        Some(applications.impact(identity_provider, all))
    }
}

/// One consistent read of the whole state: every account and every
/// identity provider metadata source.
#[derive(Debug, Clone, Default)]
pub struct StateSnapshot {
    /// Every account's status, ordered by ID.
    pub accounts: Vec<(String, AccountStatus)>,
    /// Every metadata source's status, in configured order.
    pub metadata: Vec<MetadataStatus>,
}

impl StateSnapshot {
    /// The inventory of `account_id`, when it has one.
    pub fn inventory(&self, account_id: &str) -> Option<&AccountInventory> {
        self.account(account_id)?.inventory.as_deref()
    }

    /// The status of `account_id`, when it is watched.
    pub fn account(&self, account_id: &str) -> Option<&AccountStatus> {
        let at = self.accounts.binary_search_by(|(id, _)| id.as_str().cmp(account_id)).ok()?;
        Some(&self.accounts[at].1)
    }
}

/// Shared, cheaply readable exporter state.
#[derive(Debug, Default)]
pub struct ExporterState {
    inner: RwLock<Inner>,
    generation: AtomicU64,
}

#[derive(Debug, Default)]
struct Inner {
    accounts: BTreeMap<String, AccountStatus>,
    accounts_known: bool,
    /// The first pass has run for a whole refresh interval.
    first_pass_overdue: bool,
    /// The identity providers' metadata, in configured order.
    metadata: Vec<MetadataStatus>,
}

impl ExporterState {
    /// Sets the accounts to watch. Accounts no longer listed are dropped,
    /// new ones start with no data and no `up` until their first refresh ends.
    pub fn set_accounts(&self, ids: &[String]) {
        let mut inner = self.write();
        inner.accounts.retain(|id, _| ids.contains(id));
        for id in ids {
            inner.accounts.entry(id.clone()).or_default();
        }
        inner.accounts_known = true;
    }

    /// The accounts being watched.
    pub fn account_ids(&self) -> Vec<String> {
        self.read().accounts.keys().cloned().collect()
    }

    /// Serves an account from the state file until its first refresh of this
    /// run ends: its inventory and last success time, but no `up`. Only an
    /// account still watched and not yet refreshed takes it; returns whether
    /// this one did. `inventory` builds its inventory (parsing every PEM)
    /// only for an account that takes it.
    pub fn restore(
        &self,
        account_id: &str,
        inventory: impl FnOnce() -> AccountInventory,
        last_success: f64,
    ) -> bool {
        let takes = |status: &AccountStatus| !status.attempted && status.inventory.is_none();
        // Built outside the write lock, and only for an account that takes it.
        if !self.read().accounts.get(account_id).is_some_and(takes) {
            return false;
        }
        let inventory = inventory();
        let mut inner = self.write();
        let Some(status) = inner.accounts.get_mut(account_id).filter(|status| takes(status)) else {
            return false;
        };
        status.inventory = Some(Arc::new(inventory));
        status.last_success = Some(last_success);
        true
    }

    /// Records a successful refresh: its inventory replaces the old one.
    pub fn record_success(&self, account_id: &str, inventory: AccountInventory, duration: f64, now: f64) {
        let mut inner = self.write();
        let status = inner.accounts.entry(account_id.to_owned()).or_default();
        status.inventory = Some(Arc::new(inventory));
        status.up = true;
        status.last_success = Some(now);
        status.last_duration = Some(duration);
        status.attempted = true;
    }

    /// The account's display name, when known.
    pub fn account_name(&self, account_id: &str) -> Option<String> {
        self.read().accounts.get(account_id)?.name.clone()
    }

    /// Records accounts' display names (of watched accounts only; others
    /// are ignored). Only a changed name is a write, so an unchanged
    /// discovery does not re-render every page.
    pub fn set_account_names(&self, names: impl IntoIterator<Item = (String, String)>) {
        let names: Vec<(String, String)> = names.into_iter().collect();
        let changed = {
            let inner = self.read();
            names.iter().any(|(id, name)| {
                inner.accounts.get(id).is_some_and(|status| status.name.as_deref() != Some(name.as_str()))
            })
        };
        if !changed {
            return;
        }
        let mut inner = self.write();
        for (id, name) in names {
            if let Some(status) = inner.accounts.get_mut(&id) {
                status.name = Some(name);
            }
        }
    }

    /// Records a read of the account's applications list: a success
    /// replaces the applications, a failure (its reason label) keeps the
    /// last good ones.
    pub fn record_applications(
        &self,
        account_id: &str,
        outcome: Result<ApplicationInventory, &'static str>,
        now: f64,
    ) {
        let mut inner = self.write();
        let Some(status) = inner.accounts.get_mut(account_id) else {
            return;
        };
        let applications = status.applications.get_or_insert_with(ApplicationsStatus::default);
        match outcome {
            Ok(inventory) => {
                applications.inventory = Some(Arc::new(inventory));
                applications.up = true;
                applications.last_success = Some(now);
                applications.error = None;
            }
            Err(reason) => {
                applications.up = false;
                applications.error = Some(reason);
            }
        }
    }

    /// Records a failed refresh: the last good inventory stays.
    pub fn record_failure(&self, account_id: &str, duration: f64) {
        let mut inner = self.write();
        let status = inner.accounts.entry(account_id.to_owned()).or_default();
        status.up = false;
        status.last_duration = Some(duration);
        status.attempted = true;
    }

    /// Ready despite a first pass still running: it has run for a whole
    /// refresh interval (a stretched pass must not keep a replica out of
    /// its Service for the whole cycle).
    pub fn mark_first_pass_overdue(&self) {
        self.write().first_pass_overdue = true;
    }

    /// True once the accounts are known and each has finished a refresh or
    /// was restored from the state file, or the first pass is overdue.
    pub fn is_ready(&self) -> bool {
        let inner = self.read();
        inner.accounts_known
            && (inner.first_pass_overdue || inner.accounts.values().all(|a| a.attempted || a.restored()))
    }

    /// A consistent copy of every account's status (inventories are shared).
    pub fn accounts(&self) -> Vec<(String, AccountStatus)> {
        self.read().accounts.iter().map(|(id, s)| (id.clone(), s.clone())).collect()
    }

    /// Sets the identity provider metadata sources, each an account and an
    /// IdP reference, in order; each starts with nothing known.
    pub fn set_metadata_sources<'a>(&self, sources: impl IntoIterator<Item = (&'a str, &'a str)>) {
        self.write().metadata =
            sources.into_iter().map(|(account, idp)| MetadataStatus::new(account, idp)).collect();
    }

    /// Records an attempt at source `index` (ignored for an unknown index).
    pub fn record_metadata(&self, index: usize, outcome: MetadataOutcome) {
        if let Some(status) = self.write().metadata.get_mut(index) {
            status.record(outcome);
        }
    }

    /// A consistent copy of the whole state (inventories are shared).
    pub fn snapshot(&self) -> StateSnapshot {
        let inner = self.read();
        StateSnapshot {
            accounts: inner.accounts.iter().map(|(id, s)| (id.clone(), s.clone())).collect(),
            metadata: inner.metadata.clone(),
        }
    }

    /// The last good certificates of metadata source `index`, if any.
    pub fn metadata_published(&self, index: usize) -> Option<Arc<MetadataCertificates>> {
        self.read().metadata.get(index).and_then(|status| status.published.clone())
    }

    /// A copy of every metadata source's status, in configured order.
    pub fn metadata(&self) -> Vec<MetadataStatus> {
        self.read().metadata.clone()
    }

    /// The account's status, when it is watched.
    pub fn account(&self, account_id: &str) -> Option<AccountStatus> {
        self.read().accounts.get(account_id).cloned()
    }

    /// The watched accounts are known (discovery, if any, has answered).
    pub fn accounts_known(&self) -> bool {
        self.read().accounts_known
    }

    /// A number that changes with every write. Read it *before* taking a
    /// copy of the [`accounts`](Self::accounts): what is derived from that copy is
    /// then at least as new as the number says.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        locks::read(&self.inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        let guard = locks::write(&self.inner);
        // Bumped under the lock: a reader that sees the new number can only
        // read the accounts after this write is done.
        self.generation.fetch_add(1, Ordering::AcqRel);
        guard
    }
}

#[cfg(test)]
mod tests;
