//! State and counters in, `/metrics` text out, in the Prometheus text
//! format 0.0.4, cut into runs that can be rendered apart.
//!
//! Families are served sorted by name. Neighbouring families that change
//! for the same reason ([`Changes`]) form a [`Run`]: the runs that change
//! only with the state can be rendered once per state generation and
//! reused, while the few that change with the clock (`days_until_expiry`)
//! or the counters are rendered for every exposition. Put back in layout
//! order ([`interleave`]), the runs are byte for byte the whole text.
//! Each run is written to its own sink as it is rendered, a family at a
//! time, so a sink that compresses never needs the whole text in memory.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::LazyLock;

use prometheus::proto::MetricFamily;
use prometheus::{Encoder, TextEncoder};

use crate::counters::ExporterCounters;
use crate::exposition::definitions::{ALL, Changes, Source};
use crate::exposition::families::Families;
use crate::exposition::{metadata_series, own_series, state_series};
use crate::model::state::{ExporterState, StateSnapshot};

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
/// change always (each in layout order, as [`render_runs`] writes them) back
/// in served order.
pub fn interleave<'a, T>(with_state: &'a [T], always: &'a [T]) -> impl Iterator<Item = &'a T> {
    let (mut with_state, mut always) = (with_state.iter(), always.iter());
    layout().iter().filter_map(move |run| match run.changes {
        Changes::WithState => with_state.next(),
        Changes::Always => always.next(),
    })
}

/// Writes every run that changes with `changes`, in layout order, each into
/// a sink from `sink` (a run without samples writes nothing), for the
/// accounts of one read of the state and the exporter's `counters` as of
/// `now` (Unix seconds; it feeds only [`Changes::Always`]). Families are
/// written one at a time, each from its own walk over the accounts, so no
/// sink ever waits for the whole text.
pub fn render_runs<W: Write>(
    state: &StateSnapshot,
    counters: &ExporterCounters,
    now: f64,
    changes: Changes,
    mut sink: impl FnMut() -> W,
) -> Vec<W> {
    let mut counted: HashMap<String, MetricFamily> = HashMap::new();
    if changes == Changes::Always {
        for family in own_series::counter_families(counters) {
            if !layout().iter().any(|run| run.names.contains(&family.name())) {
                tracing::error!(family = %family.name(), "family missing from the definitions; not served");
            } else if !family.get_metric().is_empty() {
                counted.insert(family.name().to_owned(), family);
            }
        }
    }
    let runs = layout().iter().filter(|run| run.changes == changes);
    runs.map(|run| {
        let mut out = sink();
        for name in &run.names {
            let written = match counted.get(*name) {
                Some(family) => TextEncoder::new().encode(std::slice::from_ref(family), &mut out),
                None => gauge_family(name, counters, state, now, &mut out).map_err(Into::into),
            };
            // Writing only fails for a bad name or a full sink, neither expected.
            if let Err(err) = written {
                tracing::error!(family = %name, error = %err, "writing metrics failed");
            }
        }
        out
    })
    .collect()
}

/// Writes the samples of the gauge family `name` from the accounts, and
/// from the counters for a family that changes always.
fn gauge_family(
    name: &str,
    counters: &ExporterCounters,
    state: &StateSnapshot,
    now: f64,
    out: &mut impl Write,
) -> io::Result<()> {
    let def = *ALL.iter().find(|def| def.name == name).expect("the layout is made of the definitions");
    let mut family = Families::of(def);
    if def.source == Source::Metadata {
        for status in &state.metadata {
            metadata_series::source(&mut family, status, state.inventory(&status.account_id));
            family.write_to(out)?;
        }
    } else {
        for (account_id, status) in &state.accounts {
            state_series::account(&mut family, account_id, status, now);
            family.write_to(out)?;
        }
    }
    if def.changes == Changes::Always {
        own_series::gauges(&mut family, counters);
    }
    family.write_to(out)
}

/// Renders `/metrics` whole: the series of `state` and of the exporter's
/// own `counters` as of `now` (Unix seconds), sorted by name. A pure
/// function of the three.
pub fn render(state: &ExporterState, counters: &ExporterCounters, now: f64) -> Vec<u8> {
    let snapshot = state.snapshot();
    let with_state = render_runs(&snapshot, counters, now, Changes::WithState, Vec::new);
    let always = render_runs(&snapshot, counters, now, Changes::Always, Vec::new);
    interleave(&with_state, &always).flatten().copied().collect()
}

#[cfg(test)]
mod tests;
