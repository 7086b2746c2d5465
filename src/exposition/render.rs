//! State and counters in, `/metrics` text out, in the Prometheus text
//! format 0.0.4.
//!
//! Rendering is a pure function of the state, the counters and `now`, and
//! `now` feeds only `days_until_expiry`: a cached exposition stays exact as
//! long as neither the state nor the counters changed and that family is fresh.

use prometheus::{Encoder, TextEncoder};

use crate::exposition::counters::Metrics;
use crate::exposition::definitions::{
    BUILD_INFO, RATE_LIMIT_REMAINING, REFRESH_CYCLE, SHARD_ORDINAL, TOTAL_SHARDS,
};
use crate::exposition::families::Families;
use crate::exposition::state_series;
use crate::model::state::ExporterState;

/// The text format's content type, exactly as Prometheus 3 requires it.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Renders every family: the state's series as of `now` (Unix seconds),
/// then the exporter's own, sorted by name.
pub(super) fn render(counters: &Metrics, state: &ExporterState, now: f64) -> Vec<u8> {
    let mut gauges = Families::default();
    for (account_id, status) in state.snapshot() {
        state_series::account(&mut gauges, &account_id, &status, now);
    }
    exporter_series(&mut gauges, counters);

    let mut families = counters.counter_families();
    families.extend(gauges.into_families());
    families.retain(|f| !f.get_metric().is_empty());
    families.sort_by(|a, b| a.name().cmp(b.name()));
    let mut out = Vec::with_capacity(16 * 1024);
    // Encoding only fails for empty families or bad names, both excluded above.
    if let Err(err) = TextEncoder::new().encode(&families, &mut out) {
        tracing::error!(error = %err, "encoding metrics failed");
    }
    out
}

/// The exporter's own gauges: per credential the rate-limit quota once
/// known and the refresh cycle, the shard, and build info.
fn exporter_series(out: &mut Families, counters: &Metrics) {
    for (credential, remaining) in counters.rate_limit_remaining() {
        out.gauge(&RATE_LIMIT_REMAINING, &[("credential", &credential)], remaining as f64);
    }
    for (credential, cycle) in counters.refresh_cycles() {
        out.gauge(&REFRESH_CYCLE, &[("credential", &credential)], cycle);
    }
    if let Some((ordinal, total)) = counters.shard() {
        out.gauge(&SHARD_ORDINAL, &[("shard", &ordinal.to_string())], ordinal as f64);
        out.gauge(&TOTAL_SHARDS, &[], total as f64);
    }
    let version = ("version", env!("CARGO_PKG_VERSION"));
    match crate::REVISION {
        Some(revision) => out.gauge(&BUILD_INFO, &[version, ("revision", revision)], 1.0),
        None => out.gauge(&BUILD_INFO, &[version], 1.0),
    }
}
