//! The exporter's own counters and gauges: requests made to Cloudflare,
//! failed refreshes by reason, and the rate-limit quota left. They live in a
//! private registry; everything else is rebuilt from the state per scrape.

use std::sync::atomic::{AtomicI64, Ordering};

use prometheus::proto::MetricFamily;
use prometheus::{IntCounterVec, Opts, Registry};

use crate::cloudflare::error::Reason;
use crate::exposition::definitions::{API_REQUESTS, MetricDef, REFRESH_ERRORS};
use crate::exposition::render;
use crate::model::state::ExporterState;

/// The exporter's own counters and gauges, and the entry point of the
/// `/metrics` rendering.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    api_requests: IntCounterVec,
    refresh_errors: IntCounterVec,
    /// -1 until a `Ratelimit` header has been seen.
    rate_limit_remaining: AtomicI64,
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
        Self { registry, api_requests, refresh_errors, rate_limit_remaining: AtomicI64::new(-1) }
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

    /// Remembers the remaining quota from Cloudflare's `Ratelimit` header.
    pub fn set_rate_limit_remaining(&self, remaining: u64) {
        self.rate_limit_remaining.store(remaining.min(i64::MAX as u64) as i64, Ordering::Relaxed);
    }

    /// Renders `/metrics` for the state as of `now` (Unix seconds): a pure
    /// function of the state, these counters and `now`.
    pub fn render(&self, state: &ExporterState, now: f64) -> Vec<u8> {
        render::render(self, state, now)
    }

    /// The counter families, as the registry gathers them.
    pub(super) fn counter_families(&self) -> Vec<MetricFamily> {
        self.registry.gather()
    }

    /// The quota from the last `Ratelimit` header, if one was seen.
    pub(super) fn rate_limit_remaining(&self) -> Option<u64> {
        u64::try_from(self.rate_limit_remaining.load(Ordering::Relaxed)).ok()
    }
}

fn counter_vec(registry: &Registry, def: &MetricDef, labels: &[&str]) -> IntCounterVec {
    let counter =
        IntCounterVec::new(Opts::new(def.name, def.served_help()), labels).expect("static metric definition");
    registry.register(Box::new(counter.clone())).expect("registered once");
    counter
}
