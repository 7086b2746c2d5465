//! Unit tests of `snapshot_writer`.

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

fn start(accounts: &[&str]) -> (SnapshotWriter, Memory, watch::Sender<bool>, tokio::task::JoinHandle<()>) {
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
    let ids: Vec<String> = (0..1000).map(|i| format!("acc{i:029}")).collect();
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
    let (writer, memory, stop, task) = start(&["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]);
    tokio::time::sleep(WINDOW * 10).await;
    assert!(memory.writes.lock().unwrap().is_empty());
    writer.record("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", entry(1.0));
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
    let (writer, memory, stop, task) = start(&["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]);
    *memory.failures.lock().unwrap() = 1;
    let recorded_at = Instant::now();
    writer.record("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", entry(1.0));
    tokio::time::sleep(WINDOW * 3).await;
    let writes = memory.writes.lock().unwrap().clone();
    assert_eq!(writes.len(), 1, "one failure, one success, then nothing");
    assert_eq!(writes[0].0 - recorded_at, WINDOW * 2);
    assert_eq!(memory.accounts_written()[0].1, ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]);
    let _ = stop.send(true);
    task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn accounts_no_longer_watched_are_left_out() {
    let state = Arc::new(ExporterState::default());
    state.set_accounts(&["cccccccccccccccccccccccccccccccc".into()]);
    let restored = BTreeMap::from([
        ("cccccccccccccccccccccccccccccccc".to_owned(), entry(1.0)),
        ("dddddddddddddddddddddddddddddddd".to_owned(), entry(1.0)),
    ]);
    let writer = SnapshotWriter::new(restored);
    let memory = Memory::default();
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(writer.clone().run(memory.clone(), WINDOW, state, stopped));
    writer.record("cccccccccccccccccccccccccccccccc", entry(2.0));
    tokio::time::sleep(WINDOW * 2).await;
    assert_eq!(
        memory.accounts_written(),
        [(Duration::ZERO, vec!["cccccccccccccccccccccccccccccccc".to_owned()])]
    );
    let _ = stop.send(true);
    task.await.unwrap();
}

#[test]
fn the_window_is_the_refresh_interval_capped_at_thirty_seconds() {
    assert_eq!(window_for(Duration::from_millis(300)), Duration::from_millis(300));
    assert_eq!(window_for(Duration::from_secs(300)), MAX_WINDOW);
}
