//! The `/metrics` text and its gzip as one cached render ([`RenderCache`]):
//! made again only when the state changed or the render is older than
//! [`MAX_AGE`] (`days_until_expiry` depends on the time).
//!
//! The exporter's own counters (Cloudflare requests, refresh errors, rate
//! limit) are part of the cached render: they can be up to [`MAX_AGE`]
//! behind, far below any scrape interval (see the README's Performance
//! section). Serving never copies the body: every response holds a clone
//! of the same [`Bytes`].
//!
//! [`MAX_AGE`]: crate::web::render_cache::MAX_AGE

use std::io::Write as _;
use std::sync::Arc;

use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;
use tokio::time::Instant;

use crate::clock::unix_now;
use crate::exposition::metrics::Metrics;
use crate::model::state::ExporterState;
use crate::web::render_cache::{RenderCache, Rendering};

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

impl Rendering for Rendered {
    fn generation(&self) -> u64 {
        self.generation
    }

    fn made_at(&self) -> Instant {
        self.made_at
    }
}

/// The cached exposition of one state and its counters.
pub type ExpositionCache = RenderCache<Rendered>;

/// An empty exposition cache of `state` and `metrics`; the first scrape renders.
pub fn exposition_cache(state: Arc<ExporterState>, metrics: Arc<Metrics>) -> ExpositionCache {
    let source = Arc::clone(&state);
    RenderCache::with_renderer(state, Arc::new(move || render(&source, &metrics, unix_now())))
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
