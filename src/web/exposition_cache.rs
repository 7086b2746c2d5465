//! The `/metrics` gzip as one cached render ([`RenderCache`]), and the
//! plain text made from it for the scrapes that ask for it: made again
//! only when the state changed or the render is older than [`MAX_AGE`]
//! (`days_until_expiry` depends on the time).
//!
//! A render is made of the exposition's runs ([`layout`]), each deflated as
//! it is written ([`PartWriter`]), so the whole text is never in memory. The
//! runs that change only with the state, nearly all of the text, are
//! rendered and deflated once per state generation and reused; the
//! clock-driven `days_until_expiry` and the exporter's own counters are
//! rendered anew. The gzip is stitched from the runs' deflated parts
//! ([`stitched_gzip`]), so a render of an unchanged state costs a fraction
//! of the whole text.
//!
//! Prometheus always asks for gzip, so the cache keeps only the deflated
//! runs (a twentieth of the text). A plain scrape gets each run inflated
//! again, once, and shared with every plain scrape that comes while a body
//! still holds any of it; when the last such body is sent, the text is
//! freed. It is inflated in small pieces, which the allocator gives back
//! when they are freed (see [`PIECE`](crate::web::stitched_gzip::PIECE)).
//!
//! The exporter's own counters (Cloudflare requests, refresh errors, rate
//! limit) are part of the cached render: they can be up to [`MAX_AGE`]
//! behind, far below any scrape interval (see the README's Performance
//! section). Serving never copies a body: every response holds clones of
//! the same [`Bytes`].
//!
//! [`MAX_AGE`]: crate::web::render_cache::MAX_AGE
//! [`layout`]: crate::exposition::metrics::layout
//! [`stitched_gzip`]: crate::web::stitched_gzip

use std::sync::{Arc, Mutex, Weak};

use bytes::Bytes;
use tokio::time::Instant;

use crate::clock::unix_now;
use crate::counters::ExporterCounters;
use crate::exposition::metrics::{Changes, interleave, render_runs};
use crate::locks::lock;
use crate::model::state::ExporterState;
use crate::web::render_cache::{RenderCache, Rendering, on_blocking_pool};
use crate::web::stitched_gzip::{DeflatedPart, PartWriter, stitch};

/// One render of `/metrics`: its gzip, served as is, and its runs, which
/// give the plain text, and what it was made of.
#[derive(Debug)]
pub struct Rendered {
    /// The state generation it shows (at least).
    pub generation: u64,
    /// The Unix time `days_until_expiry` was computed for.
    pub unix_time: f64,
    /// When it was made (tokio's clock, so tests can advance it).
    pub made_at: Instant,
    /// The text as one gzip stream, in parts.
    pub gzip: Vec<Bytes>,
    /// The runs in served order.
    runs: Vec<Arc<Part>>,
    /// Held by the one request inflating runs for a plain scrape.
    inflating: tokio::sync::Mutex<()>,
}

impl Rendering for Rendered {
    fn generation(&self) -> u64 {
        self.generation
    }

    fn made_at(&self) -> Instant {
        self.made_at
    }
}

impl Rendered {
    /// The exposition text, in pieces: each run's text shared while a body
    /// holds it, else inflated here (blocking for tens of milliseconds).
    pub fn plain(&self) -> Vec<Bytes> {
        self.runs.iter().flat_map(|run| shared(&run.text())).collect()
    }

    /// The text for a plain scrape: as [`plain`](Self::plain), inflating
    /// on the blocking pool and for one request at a time, so that
    /// scrapes that come together share one inflate.
    pub async fn plain_shared(self: &Arc<Self>) -> Vec<Bytes> {
        if let Some(kept) = self.kept() {
            return kept;
        }
        let _turn = self.inflating.lock().await;
        if let Some(kept) = self.kept() {
            return kept;
        }
        let rendered = Arc::clone(self);
        on_blocking_pool(move || rendered.plain()).await
    }

    /// The text when every run's is still held by a body.
    fn kept(&self) -> Option<Vec<Bytes>> {
        let texts: Option<Vec<Arc<Text>>> = self.runs.iter().map(|run| run.kept_text()).collect();
        Some(texts?.iter().flat_map(shared).collect())
    }
}

/// A run's text, inflated in pieces ([`PIECE`](crate::web::stitched_gzip::PIECE)).
type Text = Vec<Vec<u8>>;

/// A run deflated, and its text while a body holds any of it.
#[derive(Debug)]
struct Part {
    deflated: DeflatedPart,
    text: Mutex<Weak<Text>>,
}

impl Part {
    fn of(written: PartWriter) -> Arc<Self> {
        Arc::new(Self { deflated: written.finish(), text: Mutex::default() })
    }

    /// The text, shared if a body holds it, else inflated.
    fn text(&self) -> Arc<Text> {
        let mut kept = lock(&self.text);
        kept.upgrade().unwrap_or_else(|| {
            let text = Arc::new(self.deflated.inflate());
            *kept = Arc::downgrade(&text);
            text
        })
    }

    /// The text if it needs no inflating.
    fn kept_text(&self) -> Option<Arc<Text>> {
        if self.deflated.text_len() == 0 {
            return Some(Arc::default());
        }
        lock(&self.text).upgrade()
    }
}

/// One piece of a run's text as the owner of the [`Bytes`] that show it:
/// while any piece is in a body, the whole text stays shared.
struct Piece {
    text: Arc<Text>,
    index: usize,
}

impl AsRef<[u8]> for Piece {
    fn as_ref(&self) -> &[u8] {
        &self.text[self.index]
    }
}

/// Each piece of `text`, holding a share of all of it.
fn shared(text: &Arc<Text>) -> impl Iterator<Item = Bytes> + use<> {
    let text = Arc::clone(text);
    (0..text.len()).map(move |index| Bytes::from_owner(Piece { text: Arc::clone(&text), index }))
}

/// The runs that change only with the state, as of one generation.
#[derive(Debug)]
struct StateRuns {
    generation: u64,
    parts: Vec<Arc<Part>>,
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

/// One render of `state` and `counters` as of `unix_time`, as gzip,
/// reusing the state's runs from `runs` when the state has not changed.
pub fn render(
    state: &ExporterState,
    counters: &ExporterCounters,
    unix_time: f64,
    runs: &StateRunCache,
) -> Rendered {
    // The generation is read before the state: the text is at least as new.
    let generation = state.generation();
    let snapshot = state.snapshot();
    let started = std::time::Instant::now();
    let with_state = {
        let mut cached = lock(&runs.0);
        match cached.as_ref() {
            // Unchanged since the cached runs were rendered: no write came
            // between reading the generation and their read of the accounts, or this one.
            Some(kept) if kept.generation == generation => kept.parts.clone(),
            _ => {
                let written =
                    render_runs(&snapshot, counters, unix_time, Changes::WithState, PartWriter::new);
                let parts: Vec<Arc<Part>> = written.into_iter().map(Part::of).collect();
                *cached = Some(StateRuns { generation, parts: parts.clone() });
                parts
            }
        }
    };
    let always: Vec<Arc<Part>> =
        render_runs(&snapshot, counters, unix_time, Changes::Always, PartWriter::new)
            .into_iter()
            .map(Part::of)
            .collect();
    let runs: Vec<Arc<Part>> = interleave(&with_state, &always).cloned().collect();
    let gzip = stitch(runs.iter().map(|run| &run.deflated));
    tracing::debug!(
        bytes = runs.iter().map(|run| run.deflated.text_len()).sum::<u64>(),
        gzip_bytes = gzip.iter().map(Bytes::len).sum::<usize>(),
        render_ms = started.elapsed().as_secs_f64() * 1e3,
        "rendered /metrics"
    );
    Rendered { generation, unix_time, made_at: Instant::now(), gzip, runs, inflating: Default::default() }
}

#[cfg(test)]
mod tests;
