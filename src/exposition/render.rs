//! State and counters in, `/metrics` text out, in the Prometheus text
//! format 0.0.4, cut into runs that can be rendered apart.
//!
//! Families are served sorted by name. Neighbouring families that change
//! for the same reason ([`Changes`]) form a [`Run`]: the runs that change
//! only with the state can be rendered once per state generation and
//! reused, while the few that change with the clock (`days_until_expiry`)
//! or the counters are rendered for every exposition. Put back in layout
//! order ([`interleave`]), the runs are byte for byte the whole text.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use prometheus::proto::MetricFamily;
use prometheus::{Encoder, TextEncoder};

use crate::counters::ExporterCounters;
use crate::exposition::definitions::{ALL, Changes};
use crate::exposition::families::Families;
use crate::exposition::{own_series, state_series};
use crate::model::state::{AccountStatus, ExporterState};

/// The text format's content type, exactly as Prometheus 3 requires it.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Neighbouring families, in served order, that change for the same reason.
#[derive(Debug)]
pub struct Run {
    /// What makes the run's text change.
    pub changes: Changes,
    names: Vec<&'static str>,
}

/// Every family cut into runs, in served order; runs alternate their
/// [`Changes`].
pub fn layout() -> &'static [Run] {
    static LAYOUT: LazyLock<Vec<Run>> = LazyLock::new(|| {
        let mut defs = ALL.to_vec();
        defs.sort_by_key(|def| def.name);
        let mut runs: Vec<Run> = Vec::new();
        for def in defs {
            match runs.last_mut() {
                Some(run) if run.changes == def.changes => run.names.push(def.name),
                _ => runs.push(Run { changes: def.changes, names: vec![def.name] }),
            }
        }
        runs
    });
    &LAYOUT
}

/// Puts the texts of the runs that change with the state and of those that
/// change always (each in layout order, as [`render_runs`] gives them) back
/// in served order.
pub fn interleave<'a, T>(with_state: &'a [T], always: &'a [T]) -> impl Iterator<Item = &'a T> {
    let (mut with_state, mut always) = (with_state.iter(), always.iter());
    layout().iter().filter_map(move |run| match run.changes {
        Changes::WithState => with_state.next(),
        Changes::Always => always.next(),
    })
}

/// The text of every run that changes with `changes`, in layout order (an
/// empty text for a run without samples), for the accounts of one read of the
/// state and the exporter's `counters` as of `now` (Unix seconds; it feeds
/// only [`Changes::Always`]).
pub fn render_runs(
    accounts: &[(String, AccountStatus)],
    counters: &ExporterCounters,
    now: f64,
    changes: Changes,
) -> Vec<Vec<u8>> {
    let mut gauges = Families::of(changes);
    for (account_id, status) in accounts {
        state_series::account(&mut gauges, account_id, status, now);
    }
    let mut families: BTreeMap<String, MetricFamily> =
        gauges.into_families().map(|f| (f.name().to_owned(), f)).collect();
    if changes == Changes::Always {
        let mut own = Families::of(changes);
        own_series::gauges(&mut own, counters);
        let own = own.into_families().chain(own_series::counter_families(counters));
        families.extend(own.map(|f| (f.name().to_owned(), f)));
    }
    let runs: Vec<&Run> = layout().iter().filter(|run| run.changes == changes).collect();
    let run_of: HashMap<&str, usize> =
        runs.iter().enumerate().flat_map(|(i, run)| run.names.iter().map(move |name| (*name, i))).collect();
    let mut by_run: Vec<Vec<MetricFamily>> = runs.iter().map(|_| Vec::new()).collect();
    for (name, family) in families {
        match run_of.get(name.as_str()) {
            Some(&run) if !family.get_metric().is_empty() => by_run[run].push(family),
            Some(_) => {}
            None => tracing::error!(family = %name, "family missing from the definitions; not served"),
        }
    }
    by_run.iter().map(|families| encode(families)).collect()
}

/// Renders `/metrics` whole: the series of `state` and of the exporter's
/// own `counters` as of `now` (Unix seconds), sorted by name. A pure
/// function of the three.
pub fn render(state: &ExporterState, counters: &ExporterCounters, now: f64) -> Vec<u8> {
    let accounts = state.accounts();
    let with_state = render_runs(&accounts, counters, now, Changes::WithState);
    let always = render_runs(&accounts, counters, now, Changes::Always);
    interleave(&with_state, &always).flatten().copied().collect()
}

fn encode(families: &[MetricFamily]) -> Vec<u8> {
    let mut out = Vec::new();
    // Encoding only fails for empty families or bad names, both excluded.
    if let Err(err) = TextEncoder::new().encode(families, &mut out) {
        tracing::error!(error = %err, "encoding metrics failed");
    }
    out
}

#[cfg(test)]
mod tests;
