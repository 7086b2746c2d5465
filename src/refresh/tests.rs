//! The scheduler in virtual time (`start_paused`): thousands of accounts over
//! hours of budget in milliseconds, against a stand-in credential whose
//! reads cost two turns of a real [`RequestBudget`] and 50 ms of talking.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use super::schedule::cycle;
use super::shard::Shard;
use super::{AccountSelection, Lane, Refresher};
use crate::cloudflare::budget::{WINDOW, time_for_turns};
use crate::cloudflare::error::ApiError;
use crate::counters::ExporterCounters;
use crate::model::state::ExporterState;

mod stand_in;

use stand_in::BudgetOnly;

const LATENCY: Duration = Duration::from_millis(50);
const INTERVAL: Duration = Duration::from_secs(300);

fn ids(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i:0width$}", width = 32 - prefix.len())).collect()
}

struct Harness {
    source: Arc<BudgetOnly>,
    state: Arc<ExporterState>,
    counters: Arc<ExporterCounters>,
    refresher: Refresher<BudgetOnly>,
}

async fn harness(accounts: usize, per_5m: u32, refresh_timeout: Duration) -> Harness {
    let source = Arc::new(BudgetOnly::new("tenant", per_5m, vec![]));
    let state = Arc::new(ExporterState::default());
    let counters = Arc::new(ExporterCounters::new());
    let lane = Lane {
        source: Arc::clone(&source),
        selection: AccountSelection::Fixed(ids("acc", accounts)),
        applications: false,
    };
    let refresher =
        Refresher::new(vec![lane], Arc::clone(&state), Arc::clone(&counters), refresh_timeout, Shard::ALL);
    refresher.resolve_accounts().await.unwrap();
    Harness { source, state, counters, refresher }
}

impl Harness {
    /// Runs the refresher for `how_long` of virtual time.
    async fn run_for(&self, how_long: Duration) {
        let (stop, stopped) = watch::channel(false);
        let running = tokio::spawn(self.refresher.clone().run(INTERVAL, stopped));
        tokio::time::sleep(how_long).await;
        stop.send(true).unwrap();
        running.await.unwrap();
    }

    /// `account reason count` of every failed refresh counted.
    fn errors_counted(&self) -> Vec<String> {
        let errors = self.counters.refresh_errors();
        let counted = errors.iter().flat_map(|(account, by_reason)| {
            by_reason
                .iter()
                .filter(|(_, count)| **count > 0)
                .map(move |(reason, count)| format!("{account} {reason} {count}"))
        });
        counted.collect()
    }

    fn all_up(&self) -> bool {
        self.state.accounts().iter().all(|(_, s)| s.up)
    }
}

/// Fails if any five minutes hold more than `per_5m` turns.
fn assert_within_budget(turns: &[Instant], per_5m: usize) {
    for (first, later) in turns.iter().zip(&turns[per_5m..]) {
        assert!(*later - *first >= WINDOW, "{} turns within {:?}", per_5m + 1, *later - *first);
    }
}

#[tokio::test(start_paused = true)]
async fn a_thousand_accounts_over_hours_stay_within_the_budget_and_none_fails() {
    let h = harness(1000, 300, Duration::from_secs(60)).await;
    let start = Instant::now();
    h.run_for(Duration::from_secs(4 * 3600)).await;
    let expected = cycle(1000, false, 1, false, NonZeroU32::new(300).unwrap(), INTERVAL);
    assert_eq!(expected, Duration::from_secs(2000), "600 * accounts / budget");
    assert_eq!(h.counters.refresh_cycle("tenant"), Some(2000.0));
    assert_within_budget(&h.source.turns.lock().unwrap(), 300);
    assert!(h.errors_counted().is_empty(), "{:?}", h.errors_counted());
    assert!(h.all_up());
    let reads = h.source.reads();
    for id in ids("acc", 1000) {
        let mut times: Vec<Instant> = reads.iter().filter(|(a, _)| *a == id).map(|(_, t)| *t).collect();
        times.insert(0, start);
        assert!(times.len() >= 7, "{id} read {} times in 4 hours", times.len() - 1);
        let longest = times.windows(2).map(|w| w[1] - w[0]).max().unwrap();
        // The budget's burst (a fifth of each window at once, then an idle
        // fifth) shifts a read by up to that fifth from one pass to the next.
        let tolerance = WINDOW / 5 + Duration::from_secs(1);
        assert!(longest <= expected + tolerance, "{id} waited {longest:?} between reads");
    }
}

#[tokio::test(start_paused = true)]
async fn a_hundred_accounts_are_all_read_within_the_budgets_lower_bound_then_spread() {
    let h = harness(100, 300, Duration::from_secs(60)).await;
    let start = Instant::now();
    h.run_for(Duration::from_secs(700)).await;
    let lower_bound = time_for_turns(200, NonZeroU32::new(300).unwrap());
    assert_eq!(lower_bound, Duration::from_secs(140));
    let reads = h.source.reads();
    let first_pass = &reads[..100];
    let mut first_ids: Vec<&str> = first_pass.iter().map(|(a, _)| a.as_str()).collect();
    first_ids.sort();
    first_ids.dedup();
    assert_eq!(first_ids.len(), 100, "every account once in the first pass");
    // An account is read once both its lists are: the last set list may
    // come in after the last IdP list.
    let last_set_list = h.source.set_reads.lock().unwrap()[..100].iter().map(|(_, t)| *t).max().unwrap();
    let all_read = first_pass.last().unwrap().1.max(last_set_list) - start;
    assert!(
        all_read >= lower_bound && all_read <= lower_bound + LATENCY + Duration::from_millis(10),
        "all read after {all_read:?}; the budget allows no less than {lower_bound:?}"
    );
    assert_eq!(h.counters.refresh_cycle("tenant"), Some(300.0), "everything fits: the interval");
    // The next interval reads each account once, at its slot: no herd.
    let second: Vec<_> =
        reads.iter().filter(|(_, t)| *t - start >= INTERVAL && *t - start < 2 * INTERVAL).collect();
    assert_eq!(second.len(), 100, "each account once in the second interval");
    for window_start in (300..600).step_by(10) {
        let from = start + Duration::from_secs(window_start);
        let in_window =
            second.iter().filter(|(_, t)| *t >= from && *t < from + Duration::from_secs(10)).count();
        assert!(in_window <= 12, "{in_window} reads in the 10 s from {window_start}s: a herd");
    }
    for (id, t) in &second {
        let slot = INTERVAL.mul_f64(super::shard::slot_of(id));
        let late = (*t - start - INTERVAL).saturating_sub(slot);
        assert!(late <= Duration::from_secs(2), "{id} read {late:?} after its slot");
    }
    assert!(h.errors_counted().is_empty());
}

#[tokio::test(start_paused = true)]
async fn waiting_for_the_budget_never_counts_against_the_timeout() {
    // One second of talking time each, while the last account of the first
    // pass waits over two minutes for its budget.
    let h = harness(100, 300, Duration::from_secs(1)).await;
    let failures = h.refresher.refresh_all().await;
    assert!(failures.is_empty(), "{failures:?}");
    assert!(h.all_up() && h.errors_counted().is_empty());
    assert!(h.source.reads().len() == 100);
}

#[tokio::test(start_paused = true)]
async fn talking_longer_than_the_timeout_still_fails() {
    let h = harness(2, 300, LATENCY / 2).await;
    let failures = h.refresher.refresh_all().await;
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(failures.iter().all(|(_, e)| matches!(e, ApiError::RefreshTimeout { .. })));
}

#[tokio::test(start_paused = true)]
async fn a_stretched_first_pass_is_ready_after_one_interval() {
    let h = harness(1000, 300, Duration::from_secs(60)).await;
    assert!(!h.state.is_ready());
    h.run_for(INTERVAL - Duration::from_secs(1)).await;
    assert!(!h.state.is_ready(), "not every account was attempted yet");
    let h = harness(1000, 300, Duration::from_secs(60)).await;
    h.run_for(INTERVAL + Duration::from_secs(1)).await;
    assert!(h.state.is_ready(), "the first pass is overdue");
    assert!(h.state.accounts().iter().any(|(_, s)| !s.attempted), "while accounts still wait their turn");
}

#[tokio::test(start_paused = true)]
async fn a_429_holds_the_scheduler_instead_of_failing_accounts() {
    let h = harness(20, 300, Duration::from_secs(60)).await;
    h.source.budget.block_for(Duration::from_secs(100));
    let start = Instant::now();
    let failures = h.refresher.refresh_all().await;
    assert!(failures.is_empty(), "{failures:?}");
    assert!(h.source.reads().iter().all(|(_, t)| *t - start >= Duration::from_secs(100)));
}

#[tokio::test(start_paused = true)]
async fn shards_split_fixed_and_discovered_accounts_and_credentials_never_share_one() {
    let all = ids("ad", 300);
    let mut seen = Vec::new();
    for ordinal in 0..3 {
        let fixed = Arc::new(BudgetOnly::new("fixed", 300, vec![]));
        let discovered = Arc::new(BudgetOnly::new("discovered", 300, all.clone()));
        let lanes = vec![
            Lane {
                source: fixed,
                selection: AccountSelection::Fixed(all[..150].to_vec()),
                applications: false,
            },
            Lane { source: discovered, selection: AccountSelection::Discover, applications: false },
        ];
        let state = Arc::new(ExporterState::default());
        let shard = Shard::new(ordinal, 3).unwrap();
        let refresher =
            Refresher::new(lanes, Arc::clone(&state), Arc::new(ExporterCounters::new()), INTERVAL, shard);
        refresher.resolve_accounts().await.unwrap();
        let mine = state.account_ids();
        assert!(mine.iter().all(|id| shard.owns(id)));
        let fixed_lane = refresher.lane_accounts("fixed");
        let discovered_lane = refresher.lane_accounts("discovered");
        assert!(
            fixed_lane.iter().all(|id| !discovered_lane.contains(id)),
            "an account under two credentials"
        );
        assert_eq!(fixed_lane.len() + discovered_lane.len(), mine.len());
        seen.extend(mine);
    }
    seen.sort();
    assert_eq!(seen, all, "each account on exactly one shard");
}

#[tokio::test(start_paused = true)]
async fn a_first_pass_that_fits_the_burst_runs_at_network_speed() {
    // 1,200 requests per five minutes: the burst of 240 holds all 200.
    let per_5m = NonZeroU32::new(1200).unwrap();
    assert_eq!(super::schedule::concurrent_reads(per_5m), 16);
    let h = harness(100, per_5m.get(), Duration::from_secs(60)).await;
    let start = Instant::now();
    h.run_for(Duration::from_secs(5)).await;
    let reads = h.source.reads();
    assert_eq!(reads.len(), 100, "one pass, every account");
    let all_read = reads.last().unwrap().1 - start;
    // Sixteen accounts at a time, each 50 ms (its two lists at once): seven
    // rounds. Read one after the other, the 200 requests take 10 s.
    let sequential = LATENCY * 200;
    assert!(all_read <= LATENCY * 7 + Duration::from_millis(5), "all read after {all_read:?}");
    assert!(sequential.as_secs_f64() / all_read.as_secs_f64() >= 20.0, "{all_read:?} against {sequential:?}");
    assert!(h.errors_counted().is_empty() && h.all_up());
}

#[test]
fn concurrency_follows_the_burst_between_one_and_sixteen() {
    let reads = |per_5m| super::schedule::concurrent_reads(NonZeroU32::new(per_5m).unwrap());
    assert_eq!([reads(1), reads(10), reads(100), reads(300), reads(1200)], [1, 1, 10, 16, 16]);
}

#[tokio::test(start_paused = true)]
async fn with_hourly_set_lists_a_thousand_accounts_need_a_cycle_of_at_most_1200_s() {
    let mut h = harness(1000, 300, Duration::from_secs(60)).await;
    h.refresher = h.refresher.with_set_list_interval(Duration::from_secs(3600));
    h.run_for(Duration::from_secs(3 * 3600)).await;
    assert_eq!(super::set_list_every(Duration::from_secs(3600), INTERVAL), 12);
    let expected = cycle(1000, false, 12, false, NonZeroU32::new(300).unwrap(), INTERVAL);
    assert_eq!(expected, Duration::from_secs(1084), "300 * (1000 + 1000 / 12) / budget");
    assert_eq!(h.counters.refresh_cycle("tenant"), Some(1084.0));
    assert_within_budget(&h.source.turns.lock().unwrap(), 300);
    assert!(h.errors_counted().is_empty() && h.all_up());
    // After the first pass (both lists), about 1.08 requests per account.
    let turns = h.source.turns.lock().unwrap().clone();
    let reads = h.source.reads().len();
    let later_turns = turns.len() - 2000;
    let later_reads = reads - 1000;
    let per_read = later_turns as f64 / later_reads as f64;
    assert!(per_read <= 1.1, "{later_turns} requests for {later_reads} account reads after the first pass");
}

#[tokio::test(start_paused = true)]
async fn the_token_is_checked_at_start_and_then_hourly_within_the_budget() {
    let source = Arc::new(BudgetOnly { has_token: true, ..BudgetOnly::new("tenant", 300, vec![]) });
    let counters = Arc::new(ExporterCounters::new());
    let lane = Lane {
        source: Arc::clone(&source),
        selection: AccountSelection::Fixed(ids("acc", 10)),
        applications: false,
    };
    let refresher = Refresher::new(
        vec![lane],
        Arc::new(ExporterState::default()),
        Arc::clone(&counters),
        Duration::from_secs(60),
        Shard::ALL,
    );
    refresher.resolve_accounts().await.unwrap();
    let h = Harness { source, state: Arc::new(ExporterState::default()), counters, refresher };
    let start = Instant::now();
    h.run_for(Duration::from_secs(3600 + 900)).await;
    let checks: Vec<Duration> = h.source.token_checks.lock().unwrap().iter().map(|t| *t - start).collect();
    assert_eq!(checks.len(), 2, "at start and an hour later: {checks:?}");
    assert!(checks[0] < Duration::from_secs(1), "{checks:?}");
    assert!(
        checks[1] >= Duration::from_secs(3600) && checks[1] < Duration::from_secs(3600 + 301),
        "{checks:?}"
    );
    let token = h.counters.tokens().remove("tenant").expect("the token state");
    assert_eq!((token.status, token.expires_at), ("active", Some(1_798_761_600.0)));
    assert_within_budget(&h.source.turns.lock().unwrap(), 300);
}

#[test]
fn the_applications_collector_adds_one_list_per_set_listing_to_the_cycle() {
    use super::schedule::pass_requests;
    // 1,000 named accounts, the set list (and so the applications) one pass in 12.
    assert_eq!(pass_requests(1000, false, 12, false), 1000 + 84);
    assert_eq!(pass_requests(1000, false, 12, true), 1000 + 84 + 84);
    let budget = NonZeroU32::new(300).unwrap();
    assert_eq!(cycle(1000, false, 12, true, budget, INTERVAL), Duration::from_secs(1168));
    assert_eq!(cycle(1000, false, 12, false, budget, INTERVAL), Duration::from_secs(1084));
}
