//! Render once, serve many: the `/metrics` text and its gzip kept as shared
//! immutable bytes, rendered again only when the state changed or the
//! render is older than [`MAX_AGE`] (`days_until_expiry` depends on the
//! time), with at most one render in flight.
//!
//! The exporter's own counters (Cloudflare requests, refresh errors, rate
//! limit) are part of the cached render: they can be up to [`MAX_AGE`]
//! behind, far below any scrape interval (see the README's Performance
//! section). Serving never copies the body: every response holds a clone
//! of the same [`Bytes`].

use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;
use tokio::time::Instant;

use crate::clock::unix_now;
use crate::exposition::metrics::Metrics;
use crate::model::state::ExporterState;

/// How old a render may be before a scrape asks for a new one.
pub const MAX_AGE: Duration = Duration::from_secs(1);

/// While another scrape renders, a render of the current state this young is
/// still served rather than waited for.
const STILL_FRESH: Duration = Duration::from_secs(2);

/// One render of `/metrics`: the text and its gzip, and what it was made of.
#[derive(Debug)]
pub struct Rendered {
    /// The state generation it shows (at least).
    pub generation: u64,
    /// The Unix time `days_until_expiry` was computed for.
    pub unix_time: f64,
    /// When it was made (tokio's clock, so tests can advance it).
    pub made_at: Instant,
    /// The exposition text.
    pub plain: Bytes,
    /// The same text, gzip-compressed.
    pub gzip: Bytes,
}

impl Rendered {
    fn fresh(&self, generation: u64, age_limit: Duration) -> bool {
        self.generation >= generation && self.made_at.elapsed() < age_limit
    }
}

/// The cached exposition of one state and its counters.
#[derive(Debug)]
pub struct ExpositionCache {
    state: Arc<ExporterState>,
    metrics: Arc<Metrics>,
    /// The newest render; a std mutex held only to clone or swap an `Arc`.
    latest: Arc<Mutex<Option<Arc<Rendered>>>>,
    /// Held by the one scrape rendering; the others wait on it or serve
    /// the previous render. Refreshes never take it.
    rendering: tokio::sync::Mutex<()>,
    renders: Arc<std::sync::atomic::AtomicU64>,
}

impl ExpositionCache {
    /// An empty cache of `state` and `metrics`; the first scrape renders.
    pub fn new(state: Arc<ExporterState>, metrics: Arc<Metrics>) -> Self {
        Self {
            state,
            metrics,
            latest: Arc::default(),
            rendering: tokio::sync::Mutex::new(()),
            renders: Arc::default(),
        }
    }

    /// How many renders were made so far.
    pub fn renders(&self) -> u64 {
        self.renders.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The exposition as of now: the cached one while it is fresh, else a
    /// new render shared with every scrape that asks meanwhile.
    pub async fn current(&self) -> Arc<Rendered> {
        let wanted = self.state.generation();
        let previous = self.latest();
        if let Some(previous) = &previous
            && previous.fresh(wanted, MAX_AGE)
        {
            return Arc::clone(previous);
        }
        let _turn = match self.rendering.try_lock() {
            Ok(turn) => turn,
            Err(_) => {
                if let Some(previous) = previous
                    && previous.fresh(wanted, STILL_FRESH)
                {
                    return previous;
                }
                let turn = self.rendering.lock().await;
                // The render we waited for shows at least what we asked for.
                if let Some(done) = self.latest()
                    && done.fresh(wanted, MAX_AGE)
                {
                    return done;
                }
                turn
            }
        };
        if let Some(done) = self.latest()
            && done.fresh(wanted, MAX_AGE)
        {
            return done;
        }
        self.render().await
    }

    fn latest(&self) -> Option<Arc<Rendered>> {
        self.latest.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Renders on the blocking pool (a large exposition takes tens of
    /// milliseconds of CPU) and installs the result even if the scrape that
    /// asked for it has gone away.
    async fn render(&self) -> Arc<Rendered> {
        let (state, metrics) = (Arc::clone(&self.state), Arc::clone(&self.metrics));
        let (latest, renders) = (Arc::clone(&self.latest), Arc::clone(&self.renders));
        let job = tokio::task::spawn_blocking(move || {
            let rendered = Arc::new(render(&state, &metrics, unix_now()));
            renders.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let mut slot = latest.lock().unwrap_or_else(|p| p.into_inner());
            if slot.as_ref().is_none_or(|old| old.generation <= rendered.generation) {
                *slot = Some(Arc::clone(&rendered));
            }
            rendered
        });
        match job.await {
            Ok(rendered) => rendered,
            Err(err) => match err.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                // The runtime is shutting down: render here instead.
                Err(_) => Arc::new(render(&self.state, &self.metrics, unix_now())),
            },
        }
    }
}

/// One render of `state` and `metrics` as of `unix_time`, with its gzip.
pub fn render(state: &ExporterState, metrics: &Metrics, unix_time: f64) -> Rendered {
    // The generation is read before the state: the text is at least as new.
    let generation = state.generation();
    let started = std::time::Instant::now();
    let mut text = metrics.render(state, unix_time);
    // The buffer grew by doubling: do not keep up to twice the text alive.
    text.shrink_to_fit();
    let plain = Bytes::from(text);
    let rendered_in = started.elapsed();
    let gzip = gzip(&plain);
    tracing::debug!(
        bytes = plain.len(),
        gzip_bytes = gzip.len(),
        render_ms = rendered_in.as_secs_f64() * 1e3,
        gzip_ms = (started.elapsed() - rendered_in).as_secs_f64() * 1e3,
        "rendered /metrics"
    );
    Rendered { generation, unix_time, made_at: Instant::now(), gzip, plain }
}

/// Gzip at the fastest level: the text is so repetitive that it still
/// shrinks more than tenfold, and every render pays for it.
fn gzip(plain: &[u8]) -> Bytes {
    let mut encoder = GzEncoder::new(Vec::with_capacity(plain.len() / 8), Compression::fast());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(plain);
    Bytes::from(encoder.finish().unwrap_or_default())
}

#[cfg(test)]
#[path = "exposition_cache_tests.rs"]
mod tests;
