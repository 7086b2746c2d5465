//! The `/metrics` text and its gzip as one cached render ([`RenderCache`]):
//! made again only when the state changed or the render is older than
//! [`MAX_AGE`] (`days_until_expiry` depends on the time).
//!
//! A render is made of the exposition's runs ([`layout`]). The runs that
//! change only with the state, nearly all of the text, are rendered and
//! deflated once per state generation and reused; the clock-driven
//! `days_until_expiry` and the exporter's own counters are rendered anew.
//! The body is the runs' bytes one after another and the gzip is stitched
//! from their deflated parts ([`stitched_gzip`]), so a render of an
//! unchanged state costs a fraction of the whole text.
//!
//! The exporter's own counters (Cloudflare requests, refresh errors, rate
//! limit) are part of the cached render: they can be up to [`MAX_AGE`]
//! behind, far below any scrape interval (see the README's Performance
//! section). Serving never copies the body: every response holds clones
//! of the same [`Bytes`].
//!
//! [`MAX_AGE`]: crate::web::render_cache::MAX_AGE
//! [`layout`]: crate::exposition::metrics::layout
//! [`stitched_gzip`]: crate::web::stitched_gzip

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tokio::time::Instant;

use crate::clock::unix_now;
use crate::counters::ExporterCounters;
use crate::exposition::metrics::{Changes, interleave, render_runs};
use crate::locks::lock;
use crate::model::state::ExporterState;
use crate::web::render_cache::{RenderCache, Rendering};
use crate::web::stitched_gzip::{DeflatedPart, deflate_part, stitch};

/// One render of `/metrics`: the text and its gzip, each in parts that are
/// served one after another, and what it was made of.
#[derive(Debug)]
pub struct Rendered {
    /// The state generation it shows (at least).
    pub generation: u64,
    /// The Unix time `days_until_expiry` was computed for.
    pub unix_time: f64,
    /// When it was made (tokio's clock, so tests can advance it).
    pub made_at: Instant,
    /// The exposition text, in parts.
    pub plain: Vec<Bytes>,
    /// The same text as one gzip stream, in parts.
    pub gzip: Vec<Bytes>,
}

impl Rendering for Rendered {
    fn generation(&self) -> u64 {
        self.generation
    }

    fn made_at(&self) -> Instant {
        self.made_at
    }
}

/// The text of one run and its deflate.
#[derive(Debug)]
struct Part {
    text: Bytes,
    deflated: DeflatedPart,
}

impl Part {
    fn of(text: Vec<u8>) -> Self {
        let deflated = deflate_part(&text);
        Self { text: Bytes::from(text), deflated }
    }
}

/// The runs that change only with the state, as of one generation.
#[derive(Debug)]
struct StateRuns {
    generation: u64,
    parts: Arc<[Part]>,
}

/// Where renders keep the state's runs for the next render.
#[derive(Debug, Default)]
pub struct StateRunCache(Mutex<Option<StateRuns>>);

/// The cached exposition of one state and its counters.
pub type ExpositionCache = RenderCache<Rendered>;

/// An empty exposition cache of `state` and `counters`; the first scrape renders.
pub fn exposition_cache(state: Arc<ExporterState>, counters: Arc<ExporterCounters>) -> ExpositionCache {
    let source = Arc::clone(&state);
    let runs = StateRunCache::default();
    RenderCache::with_renderer(state, Arc::new(move || render(&source, &counters, unix_now(), &runs)))
}

/// One render of `state` and `counters` as of `unix_time`, with its gzip,
/// reusing the state's runs from `runs` when the state has not changed.
pub fn render(
    state: &ExporterState,
    counters: &ExporterCounters,
    unix_time: f64,
    runs: &StateRunCache,
) -> Rendered {
    // The generation is read before the state: the text is at least as new.
    let generation = state.generation();
    let accounts = state.accounts();
    let started = std::time::Instant::now();
    let with_state = {
        let mut cached = lock(&runs.0);
        match cached.as_ref() {
            // Unchanged since the cached runs were rendered: no write came
            // between reading the generation and their read of the accounts, or this one.
            Some(kept) if kept.generation == generation => Arc::clone(&kept.parts),
            _ => {
                let texts = render_runs(&accounts, counters, unix_time, Changes::WithState);
                let parts: Arc<[Part]> = texts.into_iter().map(Part::of).collect();
                *cached = Some(StateRuns { generation, parts: Arc::clone(&parts) });
                parts
            }
        }
    };
    let always: Vec<Part> =
        render_runs(&accounts, counters, unix_time, Changes::Always).into_iter().map(Part::of).collect();
    let plain: Vec<Bytes> = interleave(&with_state, &always).map(|part| part.text.clone()).collect();
    let gzip = stitch(interleave(&with_state, &always).map(|part| &part.deflated));
    tracing::debug!(
        bytes = plain.iter().map(Bytes::len).sum::<usize>(),
        gzip_bytes = gzip.iter().map(Bytes::len).sum::<usize>(),
        render_ms = started.elapsed().as_secs_f64() * 1e3,
        "rendered /metrics"
    );
    Rendered { generation, unix_time, made_at: Instant::now(), plain, gzip }
}

#[cfg(test)]
mod tests;
