//! When each account of one credential is read. The first pass reads every
//! account as fast as the credential's budget allows. After it, when a pass
//! fits the budget, each account is read once per interval at its stable
//! slot (a fraction of the interval from the hash of its ID), so reads spread
//! evenly and no herd gathers at the top of the interval. When a pass needs
//! more than the budget gives in one interval, the cycle stretches: accounts
//! are read round-robin, as fast as the budget allows, and one warning says
//! so with the numbers and the remedies.
//!
//! No wait here or in the budget counts against `--cloudflare.timeout`; at
//! most [`concurrent_reads`] accounts of a credential are read at once.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::Instant;
use tracing::{debug, warn};

use crate::cloudflare::budget::WINDOW;
use crate::cloudflare::endpoint::Endpoint;
use crate::cloudflare::error::ApiError;
use crate::refresh::shard::slot_of;
use crate::refresh::source::AccountSource;
use crate::refresh::token_check::TOKEN_CHECK_EVERY;
use crate::refresh::{AccountSelection, Lane, Refresher};

/// The most accounts of one credential read at the same time.
pub const MAX_CONCURRENT_READS: usize = 16;

/// Accounts of one credential read at the same time: enough to keep the
/// budget's burst (a fifth of `per_5m`) busy at network speed, each account
/// having at most two requests in flight, and never more than
/// [`MAX_CONCURRENT_READS`]. The budget still paces every request: this
/// bounds only what waits on the network at once.
pub fn concurrent_reads(per_5m: NonZeroU32) -> usize {
    let burst = (per_5m.get() / 5).max(1) as usize;
    (burst / 2).clamp(1, MAX_CONCURRENT_READS)
}

/// Requests one pass over `accounts` costs at the least, on average: one
/// page of IdPs per account, one page of sets per account in one pass of
/// `set_list_every` ([`super::set_list`]), as many pages of applications
/// with the applications collector (same cadence), plus the pages of
/// `GET /accounts` when discovering: `N (1 + 1/k)`, or `N (1 + 2/k)` with
/// the collector.
pub fn pass_requests(accounts: usize, discover: bool, set_list_every: u32, applications: bool) -> u64 {
    let listing =
        if discover { (accounts as u64).div_ceil(Endpoint::Accounts.max_per_page()).max(1) } else { 0 };
    let set_lists = (accounts as u64).div_ceil(u64::from(set_list_every.max(1)));
    let application_lists = if applications { set_lists } else { 0 };
    accounts as u64 + set_lists + application_lists + listing
}

/// The time needed to read every account once at `per_5m` requests per five
/// minutes, and never less than `interval`: `300 * requests / per_5m`
/// seconds, `requests` being [`pass_requests`], when that is longer.
pub fn cycle(
    accounts: usize,
    discover: bool,
    set_list_every: u32,
    applications: bool,
    per_5m: NonZeroU32,
    interval: Duration,
) -> Duration {
    let requests = pass_requests(accounts, discover, set_list_every, applications) as f64;
    let needed = Duration::from_secs_f64(WINDOW.as_secs_f64() * requests / f64::from(per_5m.get()));
    needed.max(interval)
}

/// When in a pass each account is started.
#[derive(Debug, Clone, Copy)]
pub(super) enum Pace {
    /// One after the other, as fast as the budget allows.
    AsFastAsBudget,
    /// Each at its slot of the interval that starts at `start`.
    Slots {
        /// Start of the interval.
        start: Instant,
        /// Its length.
        interval: Duration,
    },
}

impl<S: AccountSource> Refresher<S> {
    /// Reads the lane's accounts for ever, pass after pass.
    pub(super) async fn run_lane(&self, lane: Arc<Lane<S>>, interval: Duration) {
        let mut next_start = Instant::now();
        let mut first = true;
        let mut was_stretched = false;
        let mut token_checked: Option<Instant> = None;
        loop {
            tokio::time::sleep_until(next_start).await;
            let pass_start = Instant::now();
            // The first pass follows `resolve_accounts`, which has just
            // loaded the credentials and listed the accounts.
            if !first {
                lane.source.prepare();
                self.relist(&lane).await;
            }
            let accounts = self.lane_accounts(lane.source.name());
            let check_token = token_checked.is_none_or(|at| at.elapsed() >= TOKEN_CHECK_EVERY);
            if check_token {
                token_checked = Some(pass_start);
            }
            let hint = accounts.first().cloned();
            let discover = lane.selection == AccountSelection::Discover;
            let every = self.set_list_every();
            let per_5m = lane.source.max_requests_per_5m();
            let cycle = cycle(accounts.len(), discover, every, lane.applications, per_5m, interval);
            self.shared.counters.set_refresh_cycle(lane.source.name(), cycle.as_secs_f64());
            let stretched = cycle > interval;
            if stretched && !was_stretched {
                warn_stretched(
                    lane.source.name(),
                    pass_requests(accounts.len(), discover, every, lane.applications),
                    accounts.len(),
                    lane.source.max_requests_per_5m(),
                    interval,
                    cycle,
                );
            }
            was_stretched = stretched;
            let pace = if first || stretched {
                Pace::AsFastAsBudget
            } else {
                Pace::Slots { start: pass_start, interval }
            };
            // Beside the pass, not before it: the check costs a turn of the
            // budget, never a round trip of the first pass.
            let token = async {
                if check_token {
                    self.check_token(&lane, hint.as_deref()).await;
                }
            };
            tokio::join!(token, self.pass(&lane, accounts, pace));
            debug!(credential = %lane.source.name(), took_s = pass_start.elapsed().as_secs_f64(), "pass done");
            first = false;
            next_start = if stretched { Instant::now() } else { pass_start + interval };
        }
    }

    /// Reads `accounts` (in slot order) once, paced by `pace`; returns the
    /// failures.
    pub(super) async fn pass(
        &self,
        lane: &Arc<Lane<S>>,
        accounts: Vec<String>,
        pace: Pace,
    ) -> Vec<(String, ApiError)> {
        let mut reads = JoinSet::new();
        let mut failures = Vec::new();
        let concurrency = concurrent_reads(lane.source.max_requests_per_5m());
        for account_id in accounts {
            if let Pace::Slots { start, interval } = pace {
                tokio::time::sleep_until(start + interval.mul_f64(slot_of(&account_id))).await;
            }
            // A 429 stops the whole credential: starting an account now
            // could only fail it.
            lane.source.until_unblocked().await;
            while reads.len() >= concurrency {
                if let Some(done) = reads.join_next().await {
                    collect(done, &mut failures);
                }
            }
            let (this, lane) = (self.clone(), Arc::clone(lane));
            reads.spawn(async move {
                let outcome = this.refresh_account(&lane, &account_id).await;
                (account_id, outcome)
            });
            while let Some(done) = reads.try_join_next() {
                collect(done, &mut failures);
            }
        }
        while let Some(done) = reads.join_next().await {
            collect(done, &mut failures);
        }
        failures
    }
}

fn collect(
    done: Result<(String, Result<(), ApiError>), tokio::task::JoinError>,
    failures: &mut Vec<(String, ApiError)>,
) {
    if let Ok((account_id, Err(err))) = done {
        failures.push((account_id, err));
    }
}

fn warn_stretched(
    credential: &str,
    requests_per_pass: u64,
    accounts: usize,
    per_5m: NonZeroU32,
    interval: Duration,
    cycle: Duration,
) {
    let per_account = requests_per_pass as f64 / accounts.max(1) as f64;
    let fits = (f64::from(per_5m.get()) * interval.as_secs_f64() / WINDOW.as_secs_f64() / per_account) as u64;
    warn!(
        credential,
        accounts,
        requests_per_pass,
        max_requests_per_5m = per_5m.get(),
        refresh_interval_s = interval.as_secs(),
        cycle_s = cycle.as_secs(),
        accounts_that_fit = fits,
        "this credential's budget cannot read every account once per --refresh-interval: each account is \
         read every cycle_s seconds instead (no account is failed for it). Remedies: a larger budget \
         (--cloudflare.max-requests-per-5m or max_requests_per_5m in --config.file; Cloudflare allows 1200 \
         per 5 minutes per token, shared with its other clients), more credentials (--config.file), or \
         shards (--shard/--total-shards)"
    );
}
