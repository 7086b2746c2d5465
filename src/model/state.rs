//! What the background refresh has learned, shared with the scrape handler:
//! per account, the last good inventory and the health of the last refresh.
//! A failed refresh never removes data; only a successful one replaces it.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use crate::model::inventory::AccountInventory;

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
}

/// Shared, cheaply readable exporter state.
#[derive(Debug, Default)]
pub struct ExporterState {
    inner: RwLock<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    accounts: BTreeMap<String, AccountStatus>,
    accounts_known: bool,
    /// The first pass has run for a whole refresh interval.
    first_pass_overdue: bool,
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

    /// True once the accounts are known and either each has finished a
    /// refresh or the first pass is overdue.
    pub fn is_ready(&self) -> bool {
        let inner = self.read();
        // Further reasons to be ready before every account was attempted
        // (e.g. accounts loaded from a snapshot) join `first_pass_overdue` here.
        inner.accounts_known && (inner.first_pass_overdue || inner.accounts.values().all(|a| a.attempted))
    }

    /// A consistent copy of every account's status (inventories are shared).
    pub fn snapshot(&self) -> Vec<(String, AccountStatus)> {
        self.read().accounts.iter().map(|(id, s)| (id.clone(), s.clone())).collect()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_keeps_the_last_good_inventory() {
        let state = ExporterState::default();
        state.set_accounts(&["a".into()]);
        assert!(!state.is_ready());
        state.record_success("a", AccountInventory::default(), 0.5, 100.0);
        state.record_failure("a", 0.7);
        let (_, status) = &state.snapshot()[0];
        assert!(status.inventory.is_some() && !status.up);
        assert_eq!(status.last_success, Some(100.0));
        assert_eq!(status.last_duration, Some(0.7));
        assert!(state.is_ready());
    }

    #[test]
    fn an_overdue_first_pass_is_ready_but_unknown_accounts_are_not() {
        let state = ExporterState::default();
        state.mark_first_pass_overdue();
        assert!(!state.is_ready(), "accounts not settled yet");
        state.set_accounts(&["a".into(), "b".into()]);
        state.record_success("a", AccountInventory::default(), 0.5, 100.0);
        assert!(state.is_ready(), "b is still waiting for its turn, but the pass is overdue");
    }
}
