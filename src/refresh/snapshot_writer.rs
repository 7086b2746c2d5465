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

use crate::model::snapshot::{self, AccountSnapshot};
use crate::model::state::ExporterState;
use crate::refresh::state_file::{StateFile, StateFileError};
use crate::sync::lock;

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
mod tests {
    use super::*;
    use tokio::time::Instant;

    type Writes = Arc<Mutex<Vec<(Instant, Vec<u8>)>>>;

    /// Remembers every write and when it happened; fails the first `failures`.
    #[derive(Debug, Clone, Default)]
    struct Memory {
        writes: Writes,
        failures: Arc<Mutex<u32>>,
    }

    impl Persist for Memory {
        async fn persist(&mut self, bytes: Vec<u8>) -> Result<(), StateFileError> {
            let mut failures = self.failures.lock().unwrap();
            if *failures > 0 {
                *failures -= 1;
                let source = std::io::Error::other("disk full");
                return Err(StateFileError::Io { path: "memory".into(), source });
            }
            self.writes.lock().unwrap().push((Instant::now(), bytes));
            Ok(())
        }
    }

    impl Memory {
        fn accounts_written(&self) -> Vec<(Duration, Vec<String>)> {
            let writes = self.writes.lock().unwrap();
            let start = writes.first().map(|w| w.0).unwrap_or_else(Instant::now);
            writes
                .iter()
                .map(|(at, bytes)| (*at - start, snapshot::decode(bytes).unwrap().into_keys().collect()))
                .collect()
        }
    }

    const WINDOW: Duration = Duration::from_secs(30);

    fn entry(at: f64) -> AccountSnapshot {
        AccountSnapshot::new(at, &[], &[])
    }

    fn start(
        accounts: &[&str],
    ) -> (SnapshotWriter, Memory, watch::Sender<bool>, tokio::task::JoinHandle<()>) {
        let state = Arc::new(ExporterState::default());
        state.set_accounts(&accounts.iter().map(|a| a.to_string()).collect::<Vec<_>>());
        let writer = SnapshotWriter::new(BTreeMap::new());
        let memory = Memory::default();
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(writer.clone().run(memory.clone(), WINDOW, state, stopped));
        (writer, memory, stop, task)
    }

    #[tokio::test(start_paused = true)]
    async fn a_thousand_accounts_over_seventy_seconds_are_three_writes_not_a_thousand() {
        let ids: Vec<String> = (0..1000).map(|i| format!("acc-{i:04}")).collect();
        let (writer, memory, stop, task) = start(&ids.iter().map(String::as_str).collect::<Vec<_>>());
        let started = Instant::now();
        for id in &ids {
            writer.record(id, entry(1.0));
            tokio::time::sleep(Duration::from_millis(70)).await;
        }
        // 70 s of records: the first opens a window that closes at 30 s; the
        // records during each window open the next (30 to 60 s, 60 to 90 s).
        tokio::time::sleep(WINDOW * 2).await;
        let writes = memory.writes.lock().unwrap().clone();
        let times: Vec<Duration> = writes.iter().map(|(at, _)| *at - started).collect();
        assert_eq!(times.len(), 3, "{times:?}");
        assert_eq!(times[0], WINDOW, "the first record opens the window");
        assert!(times.windows(2).all(|w| w[1] - w[0] >= WINDOW), "writes at least a window apart: {times:?}");
        let last = snapshot::decode(&writes[2].1).unwrap();
        assert_eq!(last.len(), 1000, "the last write holds every account");
        let _ = stop.send(true);
        task.await.unwrap();
        assert_eq!(memory.writes.lock().unwrap().len(), 3, "nothing pending at stop: no write");
    }

    #[tokio::test(start_paused = true)]
    async fn nothing_recorded_is_nothing_written_and_stop_flushes_at_once() {
        let (writer, memory, stop, task) = start(&["a"]);
        tokio::time::sleep(WINDOW * 10).await;
        assert!(memory.writes.lock().unwrap().is_empty());
        writer.record("a", entry(1.0));
        tokio::time::sleep(WINDOW / 3).await;
        let stopped_at = Instant::now();
        let _ = stop.send(true);
        task.await.unwrap();
        let writes = memory.writes.lock().unwrap().clone();
        assert_eq!(writes.len(), 1);
        assert_eq!(writes[0].0, stopped_at, "written at stop, not at the end of the window");
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_write_is_retried_one_window_later() {
        let (writer, memory, stop, task) = start(&["a"]);
        *memory.failures.lock().unwrap() = 1;
        let recorded_at = Instant::now();
        writer.record("a", entry(1.0));
        tokio::time::sleep(WINDOW * 3).await;
        let writes = memory.writes.lock().unwrap().clone();
        assert_eq!(writes.len(), 1, "one failure, one success, then nothing");
        assert_eq!(writes[0].0 - recorded_at, WINDOW * 2);
        assert_eq!(memory.accounts_written()[0].1, ["a"]);
        let _ = stop.send(true);
        task.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn accounts_no_longer_watched_are_left_out() {
        let state = Arc::new(ExporterState::default());
        state.set_accounts(&["kept".into()]);
        let restored = BTreeMap::from([("kept".to_owned(), entry(1.0)), ("dropped".to_owned(), entry(1.0))]);
        let writer = SnapshotWriter::new(restored);
        let memory = Memory::default();
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(writer.clone().run(memory.clone(), WINDOW, state, stopped));
        writer.record("kept", entry(2.0));
        tokio::time::sleep(WINDOW * 2).await;
        assert_eq!(memory.accounts_written(), [(Duration::ZERO, vec!["kept".to_owned()])]);
        let _ = stop.send(true);
        task.await.unwrap();
    }

    #[test]
    fn the_window_is_the_refresh_interval_capped_at_thirty_seconds() {
        assert_eq!(window_for(Duration::from_millis(300)), Duration::from_millis(300));
        assert_eq!(window_for(Duration::from_secs(300)), MAX_WINDOW);
    }
}
