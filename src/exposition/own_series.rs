//! The exporter's own series, read from the [`ExporterCounters`]: the
//! request and refresh-error counters, per credential the rate-limit quota,
//! the refresh cycle and its token's expiry and status, the shard, and
//! build info. All of them change
//! without a state write ([`Changes::Always`]).
//!
//! [`Changes::Always`]: crate::exposition::definitions::Changes::Always

use prometheus::proto::{Counter, LabelPair, Metric, MetricFamily, MetricType};

use crate::counters::{ExporterCounters, TOKEN_STATUSES};
use crate::exposition::definitions::{
    API_BLOCKED_UNTIL, API_REQUESTS, APPLICATION_ERRORS, BUILD_INFO, LOG_SUPPRESSED, METADATA_ERRORS,
    MetricDef, RATE_LIMIT_REMAINING, REFRESH_CYCLE, REFRESH_ERRORS, SHARD_ORDINAL, TOKEN_EXPIRY,
    TOKEN_STATUS, TOTAL_SHARDS,
};
use crate::exposition::families::Families;

/// The exporter's own gauges: per credential the rate-limit quota once
/// known and the refresh cycle, the shard, and build info.
pub(super) fn gauges(out: &mut Families, counters: &ExporterCounters) {
    for (credential, remaining) in counters.rate_limit_remaining() {
        out.gauge(&RATE_LIMIT_REMAINING, &[("credential", &credential)], remaining as f64);
    }
    for (credential, until) in counters.blocked_until() {
        out.gauge(&API_BLOCKED_UNTIL, &[("credential", &credential)], until);
    }
    for (credential, cycle) in counters.refresh_cycles() {
        out.gauge(&REFRESH_CYCLE, &[("credential", &credential)], cycle);
    }
    for (credential, token) in counters.tokens() {
        if let Some(expires_at) = token.expires_at {
            out.gauge(&TOKEN_EXPIRY, &[("credential", &credential)], expires_at);
        }
        let unknown = (!TOKEN_STATUSES.contains(&token.status)).then_some("unknown");
        for status in TOKEN_STATUSES.into_iter().chain(unknown) {
            out.flag(
                &TOKEN_STATUS,
                &[("credential", &credential), ("status", status)],
                status == token.status,
            );
        }
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

/// The counter families that have samples: requests by code and endpoint,
/// failed refreshes by account and reason, failed metadata reads by
/// account, identity provider and reason, failed applications reads by
/// account and reason, log lines left out by kind. Labels come in name order and
/// samples in label-value order, as a Prometheus registry gathers them,
/// and every label is kept, empty or not.
pub(super) fn counter_families(counters: &ExporterCounters) -> impl Iterator<Item = MetricFamily> {
    let mut requests: Vec<_> = counters.api_requests().into_iter().collect();
    requests.sort_by(|((endpoint_a, code_a), _), ((endpoint_b, code_b), _)| {
        (code_a, endpoint_a).cmp(&(code_b, endpoint_b))
    });
    let requests = requests
        .iter()
        .map(|((endpoint, code), count)| counter(&[("code", code), ("endpoint", endpoint)], *count))
        .collect();
    let errors = counters
        .refresh_errors()
        .iter()
        .flat_map(|(account_id, by_reason)| {
            by_reason.iter().map(move |(reason, count)| {
                counter(&[("account_id", account_id), ("reason", reason)], *count)
            })
        })
        .collect();
    let metadata_errors = counters
        .metadata_errors()
        .iter()
        .flat_map(|((account_id, identity_provider_id), by_reason)| {
            by_reason.iter().map(move |(reason, count)| {
                let labels = [
                    ("account_id", account_id.as_str()),
                    ("identity_provider_id", identity_provider_id),
                    ("reason", reason),
                ];
                counter(&labels, *count)
            })
        })
        .collect();
    let application_errors = counters
        .application_errors()
        .iter()
        .flat_map(|(account_id, by_reason)| {
            by_reason.iter().map(move |(reason, count)| {
                counter(&[("account_id", account_id), ("reason", reason)], *count)
            })
        })
        .collect();
    let suppressed = counters
        .log_suppressed()
        .into_iter()
        .map(|(kind, count)| counter(&[("kind", kind)], count))
        .collect();
    [
        family(&API_REQUESTS, requests),
        family(&REFRESH_ERRORS, errors),
        family(&METADATA_ERRORS, metadata_errors),
        family(&APPLICATION_ERRORS, application_errors),
        family(&LOG_SUPPRESSED, suppressed),
    ]
    .into_iter()
    .flatten()
}

/// The counter family of `def` holding `samples`; none without samples.
fn family(def: &MetricDef, samples: Vec<Metric>) -> Option<MetricFamily> {
    if samples.is_empty() {
        return None;
    }
    let mut family = new_family(def, MetricType::COUNTER);
    family.set_metric(samples);
    Some(family)
}

fn counter(labels: &[(&str, &str)], count: u64) -> Metric {
    let mut value = Counter::default();
    value.set_value(count as f64);
    let mut metric = Metric::from_label(label_pairs(labels.iter().copied()));
    metric.set_counter(value);
    metric
}

/// The label pairs of `labels`, in the order given.
fn label_pairs<'a>(labels: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<LabelPair> {
    let pair = |(name, value): (&str, &str)| {
        let mut pair = LabelPair::default();
        pair.set_name(name.to_owned());
        pair.set_value(value.to_owned());
        pair
    };
    labels.map(pair).collect()
}

/// An empty family of `def` with its served help, of type `kind`.
fn new_family(def: &MetricDef, kind: MetricType) -> MetricFamily {
    let mut family = MetricFamily::default();
    family.set_name(def.name.to_owned());
    family.set_help(def.served_help());
    family.set_field_type(kind);
    family
}
