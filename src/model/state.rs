//! What the background refresh has learned, shared with the scrape handler:
//! per account, the last good inventory and the health of the last refresh.
//! A failed refresh never removes data; only a successful one replaces it.
//! Every write bumps a generation number, so readers that cache something
//! derived from the state (the rendered `/metrics`) know when it went stale.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
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
    generation: AtomicU64,
}

#[derive(Debug, Default)]
struct Inner {
    accounts: BTreeMap<String, AccountStatus>,
    accounts_known: bool,
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

    /// True once the accounts are known and each has finished a refresh.
    pub fn is_ready(&self) -> bool {
        let inner = self.read();
        inner.accounts_known && inner.accounts.values().all(|a| a.attempted)
    }

    /// A consistent copy of every account's status (inventories are shared).
    pub fn snapshot(&self) -> Vec<(String, AccountStatus)> {
        self.read().accounts.iter().map(|(id, s)| (id.clone(), s.clone())).collect()
    }

    /// A number that changes with every write. Read it *before* taking a
    /// [`snapshot`](Self::snapshot): what is derived from that snapshot is
    /// then at least as new as the number says.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        let guard = self.inner.write().unwrap_or_else(|p| p.into_inner());
        // Bumped under the lock: a reader that sees the new number can only
        // snapshot after this write is done.
        self.generation.fetch_add(1, Ordering::AcqRel);
        guard
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
    fn every_write_changes_the_generation_and_reads_do_not() {
        let state = ExporterState::default();
        let mut seen = vec![state.generation()];
        state.set_accounts(&["a".into()]);
        seen.push(state.generation());
        state.record_success("a", AccountInventory::default(), 0.5, 100.0);
        seen.push(state.generation());
        state.record_failure("a", 0.7);
        seen.push(state.generation());
        let _ = (state.snapshot(), state.is_ready(), state.account_ids());
        assert_eq!(state.generation(), seen[3], "reads leave it alone");
        seen.dedup();
        assert_eq!(seen.len(), 4, "each write gave a new number: {seen:?}");
    }
}
