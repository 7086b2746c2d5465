//! Keeps the state file up to date without rewriting it per account: the
//! refresh records each account's last good lists here, and one task writes
//! them out, coalesced.
//!
//! Coalescing: the first change after a write opens a window of `window`;
//! everything recorded until it closes goes out in one write. So writes are
//! at least `window` apart, and a change is on disk at most `window` after
//! it was recorded (one window more if the write fails and is retried).
//! Stopping writes what is pending at once. Accounts no longer watched are
//! left out of the next write.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tracing::{debug, info, warn};

use crate::locks::lock;
use crate::model::snapshot::{self, AccountSnapshot};
use crate::model::state::ExporterState;
use crate::refresh::state_file::{StateFile, StateFileError};

/// The longest coalescing window; shorter refresh intervals shorten it.
pub const MAX_WINDOW: Duration = Duration::from_secs(30);

/// Where the coalesced bytes go: the state file, or a test's memory.
pub trait Persist: Send {
    /// Writes the whole file.
    fn persist(&mut self, bytes: Vec<u8>) -> impl Future<Output = Result<(), StateFileError>> + Send;
}

impl Persist for StateFile {
    async fn persist(&mut self, bytes: Vec<u8>) -> Result<(), StateFileError> {
        let file = self.clone();
        match tokio::task::spawn_blocking(move || file.replace(&bytes)).await {
            Ok(outcome) => outcome,
            Err(join) => Err(StateFileError::Io { path: self.path().to_owned(), source: join.into() }),
        }
    }
}

/// The refresh's handle for recording; cheap to clone.
#[derive(Debug, Clone)]
pub struct SnapshotWriter {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    pending: Mutex<Pending>,
    changed: Notify,
}

#[derive(Debug, Default)]
struct Pending {
    accounts: BTreeMap<String, AccountSnapshot>,
    dirty: bool,
}

impl SnapshotWriter {
    /// A writer that starts from `accounts` (those restored from the file),
    /// so that their entries survive until they are refreshed.
    pub fn new(accounts: BTreeMap<String, AccountSnapshot>) -> Self {
        let shared =
            Shared { pending: Mutex::new(Pending { accounts, dirty: false }), changed: Notify::new() };
        Self { shared: Arc::new(shared) }
    }

    /// Serves `accounts` (read from the state file) from `state` until their
    /// first refresh, and returns a writer that keeps those entries until
    /// they are refreshed. Accounts `state` does not watch are dropped.
    pub fn restore(state: &ExporterState, accounts: BTreeMap<String, AccountSnapshot>) -> Self {
        let in_file = accounts.len();
        let kept: BTreeMap<String, AccountSnapshot> = accounts
            .into_iter()
            .filter(|(id, entry)| {
                state.restore(id, || entry.inventory(), entry.last_success_timestamp_seconds)
            })
            .collect();
        // A name discovery has just given is newer than the file's.
        let names = kept
            .iter()
            .filter(|(id, _)| state.account_name(id).is_none())
            .filter_map(|(id, entry)| Some((id.clone(), entry.account_name.clone()?)));
        state.set_account_names(names);
        if in_file > 0 {
            info!(
                restored = kept.len(),
                dropped = in_file - kept.len(),
                "serving accounts from the state file until their first refresh"
            );
        }
        Self::new(kept)
    }

    /// Records an account's last good lists; written with the next batch.
    pub fn record(&self, account_id: &str, entry: AccountSnapshot) {
        {
            let mut pending = self.lock();
            pending.accounts.insert(account_id.to_owned(), entry);
            pending.dirty = true;
        }
        self.shared.changed.notify_one();
    }

    /// Writes changes, coalesced over `window`, until `stop` turns true;
    /// then writes what is still pending and returns. Only accounts `state`
    /// still watches are written.
    pub async fn run(
        self,
        mut sink: impl Persist,
        window: Duration,
        state: Arc<ExporterState>,
        mut stop: watch::Receiver<bool>,
    ) {
        loop {
            tokio::select! {
                biased;
                _ = crate::shutdown::stopped(&mut stop) => break,
                _ = self.shared.changed.notified() => {}
            }
            tokio::select! {
                biased;
                _ = crate::shutdown::stopped(&mut stop) => break,
                _ = tokio::time::sleep(window) => {}
            }
            self.flush(&mut sink, &state).await;
        }
        self.flush(&mut sink, &state).await;
        debug!("state file writer stopped");
    }

    async fn flush(&self, sink: &mut impl Persist, state: &ExporterState) {
        let Some((bytes, accounts)) = self.take(state) else { return };
        let size = bytes.len();
        match sink.persist(bytes).await {
            Ok(()) => debug!(accounts, bytes = size, "state file written"),
            Err(err) => {
                warn!(error = %err, "cannot write the state file; retrying with the next batch");
                self.lock().dirty = true;
                self.shared.changed.notify_one();
            }
        }
    }

    /// The file's new content and how many accounts it holds, if anything
    /// changed since the last write.
    fn take(&self, state: &ExporterState) -> Option<(Vec<u8>, usize)> {
        let watched = state.account_ids();
        let mut pending = self.lock();
        if !std::mem::take(&mut pending.dirty) {
            return None;
        }
        pending.accounts.retain(|id, _| watched.binary_search(id).is_ok());
        Some((snapshot::encode(&pending.accounts), pending.accounts.len()))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Pending> {
        lock(&self.shared.pending)
    }
}

/// The coalescing window for a refresh interval: one interval, at most
/// [`MAX_WINDOW`].
pub fn window_for(refresh_interval: Duration) -> Duration {
    refresh_interval.min(MAX_WINDOW)
}

#[cfg(test)]
mod tests;
