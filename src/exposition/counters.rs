//! The exporter's own counters and gauges: requests made to Cloudflare,
//! failed refreshes by reason, and per credential the rate-limit quota left
//! and the refresh cycle. The counters live in a private registry;
//! everything else is rebuilt from the state per scrape.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::locks::lock;

use prometheus::proto::MetricFamily;
use prometheus::{IntCounterVec, Opts, Registry};

use crate::cloudflare::error::Reason;
use crate::exposition::definitions::{API_REQUESTS, Changes, MetricDef, REFRESH_ERRORS};
use crate::exposition::render;
use crate::model::state::{AccountStatus, ExporterState};

/// The exporter's own counters and gauges, and the entry point of the
/// `/metrics` rendering.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    api_requests: IntCounterVec,
    refresh_errors: IntCounterVec,
    /// Per credential, once a `Ratelimit` header has been seen.
    rate_limit_remaining: Mutex<BTreeMap<String, u64>>,
    /// Per credential, once its scheduler has computed it.
    refresh_cycle: Mutex<BTreeMap<String, f64>>,
    /// `--shard` and `--total-shards`, once the refresher is wired.
    shard: Mutex<Option<(u64, u64)>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh set of counters in a private registry.
    pub fn new() -> Self {
        let registry = Registry::new();
        let api_requests = counter_vec(&registry, &API_REQUESTS, &["endpoint", "code"]);
        let refresh_errors = counter_vec(&registry, &REFRESH_ERRORS, &["account_id", "reason"]);
        Self {
            registry,
            api_requests,
            refresh_errors,
            rate_limit_remaining: Mutex::default(),
            refresh_cycle: Mutex::default(),
            shard: Mutex::default(),
        }
    }

    /// Counts one request to Cloudflare.
    pub fn record_api_request(&self, endpoint: &str, code: &str) {
        self.api_requests.with_label_values(&[endpoint, code]).inc();
    }

    /// Creates the error counters of an account at 0, so `increase()` sees
    /// the first error.
    pub fn init_account(&self, account_id: &str) {
        for reason in Reason::ALL {
            self.refresh_errors.with_label_values(&[account_id, reason.label()]);
        }
    }

    /// Counts a failed refresh of an account.
    pub fn record_refresh_error(&self, account_id: &str, reason: Reason) {
        self.refresh_errors.with_label_values(&[account_id, reason.label()]).inc();
    }

    /// Failed refreshes of an account so far, every reason together.
    pub fn refresh_errors_of(&self, account_id: &str) -> u64 {
        let count = |reason: Reason| {
            self.refresh_errors.get_metric_with_label_values(&[account_id, reason.label()]).ok()
        };
        Reason::ALL.into_iter().filter_map(count).map(|c| c.get()).sum()
    }

    /// Remembers a credential's remaining quota from Cloudflare's `Ratelimit` header.
    pub fn set_rate_limit_remaining(&self, credential: &str, remaining: u64) {
        lock(&self.rate_limit_remaining).insert(credential.to_owned(), remaining);
    }

    /// Remembers the time a credential's scheduler needs to read each of its
    /// accounts once.
    pub fn set_refresh_cycle(&self, credential: &str, cycle_seconds: f64) {
        lock(&self.refresh_cycle).insert(credential.to_owned(), cycle_seconds);
    }

    /// Remembers which shard of how many this replica reads.
    pub fn set_shard(&self, ordinal: u64, total: u64) {
        *lock(&self.shard) = Some((ordinal, total));
    }

    /// `(ordinal, total)`, once set.
    pub(super) fn shard(&self) -> Option<(u64, u64)> {
        *lock(&self.shard)
    }

    /// The refresh cycle of a credential, once computed.
    pub fn refresh_cycle(&self, credential: &str) -> Option<f64> {
        lock(&self.refresh_cycle).get(credential).copied()
    }

    /// Renders `/metrics` for the state as of `now` (Unix seconds): a pure
    /// function of the state, these counters and `now`.
    pub fn render(&self, state: &ExporterState, now: f64) -> Vec<u8> {
        render::render(self, state, now)
    }

    /// Writes each run of families that change with `changes`, in layout
    /// order (see [`render::layout`]), into a sink of its own from `sink`
    /// (`Vec::new` for the text), for one read of the state as of `now`
    /// (Unix seconds).
    pub fn render_runs<W: std::io::Write>(
        &self,
        accounts: &[(String, AccountStatus)],
        now: f64,
        changes: Changes,
        sink: impl FnMut() -> W,
    ) -> Vec<W> {
        render::render_runs(self, accounts, now, changes, sink)
    }

    /// The counter families, as the registry gathers them.
    pub(super) fn counter_families(&self) -> Vec<MetricFamily> {
        self.registry.gather()
    }

    /// Per credential, the quota from its last `Ratelimit` header.
    pub(super) fn rate_limit_remaining(&self) -> BTreeMap<String, u64> {
        lock(&self.rate_limit_remaining).clone()
    }

    /// Per credential, its refresh cycle in seconds.
    pub(super) fn refresh_cycles(&self) -> BTreeMap<String, f64> {
        lock(&self.refresh_cycle).clone()
    }
}

fn counter_vec(registry: &Registry, def: &MetricDef, labels: &[&str]) -> IntCounterVec {
    let counter =
        IntCounterVec::new(Opts::new(def.name, def.served_help()), labels).expect("static metric definition");
    registry.register(Box::new(counter.clone())).expect("registered once");
    counter
}
