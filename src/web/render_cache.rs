//! Render once, serve many: a page made from the [`ExporterState`] kept as
//! one shared immutable render, made again only when the state's generation
//! moved or the render is older than [`MAX_AGE`] (pages show times and days
//! left), with at most one render in flight, on the blocking pool.
//!
//! Used by `/metrics` ([`super::exposition_cache`]), by the status page
//! `/` and `/status.json` ([`super::status_page`]) and by `/calendar.ics`
//! ([`super::calendar_page`]). Whatever a page reads
//! besides the state (the exporter's counters) is not in the generation:
//! it can be up to [`MAX_AGE`] behind.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use crate::locks::lock;
use crate::model::state::ExporterState;

/// How old a render may be before a request asks for a new one.
pub const MAX_AGE: Duration = Duration::from_secs(1);

/// While another request renders, a render of the current state this young
/// is still served rather than waited for.
const STILL_FRESH: Duration = Duration::from_secs(2);

/// What the cache needs to know about a render to judge its freshness.
pub trait Rendering: Send + Sync + 'static {
    /// The state generation it shows (at least): read before the state.
    fn generation(&self) -> u64;
    /// When it was made (tokio's clock, so tests can advance it).
    fn made_at(&self) -> Instant;
}

fn fresh(rendered: &impl Rendering, generation: u64, age_limit: Duration) -> bool {
    rendered.generation() >= generation && rendered.made_at().elapsed() < age_limit
}

/// Makes one render of the state as of now; runs on the blocking pool.
pub type Renderer<T> = Arc<dyn Fn() -> T + Send + Sync>;

/// The newest render of one page and the turn to make the next.
pub struct RenderCache<T> {
    state: Arc<ExporterState>,
    renderer: Renderer<T>,
    /// The newest render; a std mutex held only to clone or swap an `Arc`.
    latest: Arc<Mutex<Option<Arc<T>>>>,
    /// Held by the one request rendering; the others wait on it or serve
    /// the previous render. Refreshes never take it.
    rendering: tokio::sync::Mutex<()>,
    renders: Arc<AtomicU64>,
}

impl<T> fmt::Debug for RenderCache<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RenderCache").field("renders", &self.renders()).finish_non_exhaustive()
    }
}

impl<T> RenderCache<T> {
    /// How many renders were made so far.
    pub fn renders(&self) -> u64 {
        self.renders.load(Ordering::Relaxed)
    }
}

impl<T: Rendering> RenderCache<T> {
    /// An empty cache of what `renderer` makes of `state`; the first
    /// request renders.
    pub fn with_renderer(state: Arc<ExporterState>, renderer: Renderer<T>) -> Self {
        Self {
            state,
            renderer,
            latest: Arc::default(),
            rendering: tokio::sync::Mutex::new(()),
            renders: Arc::default(),
        }
    }

    /// The render as of now: the cached one while it is fresh, else a new
    /// one shared with every request that asks meanwhile.
    pub async fn current(&self) -> Arc<T> {
        let wanted = self.state.generation();
        let previous = self.latest();
        if let Some(previous) = &previous
            && fresh(previous.as_ref(), wanted, MAX_AGE)
        {
            return Arc::clone(previous);
        }
        let _turn = match self.rendering.try_lock() {
            Ok(turn) => turn,
            Err(_) => {
                if let Some(previous) = previous
                    && fresh(previous.as_ref(), wanted, STILL_FRESH)
                {
                    return previous;
                }
                self.rendering.lock().await
            }
        };
        // A render that finished meanwhile (the one we waited for, or one
        // that ended between our look and our turn) shows what we asked for.
        if let Some(done) = self.latest()
            && fresh(done.as_ref(), wanted, MAX_AGE)
        {
            return done;
        }
        self.render().await
    }

    fn latest(&self) -> Option<Arc<T>> {
        lock(&self.latest).clone()
    }

    /// Renders on the blocking pool (a large estate takes tens of
    /// milliseconds of CPU) and installs the result even if the request
    /// that asked for it has gone away.
    async fn render(&self) -> Arc<T> {
        let renderer = Arc::clone(&self.renderer);
        let (latest, renders) = (Arc::clone(&self.latest), Arc::clone(&self.renders));
        on_blocking_pool(move || {
            let rendered = Arc::new(renderer());
            renders.fetch_add(1, Ordering::Relaxed);
            let mut slot = lock(&latest);
            if slot.as_ref().is_none_or(|old| old.generation() <= rendered.generation()) {
                *slot = Some(Arc::clone(&rendered));
            }
            rendered
        })
        .await
    }
}

/// Runs `job` on the blocking pool and gives its result, or runs it here
/// when the runtime is shutting down; a panic in it goes on here.
pub async fn on_blocking_pool<T: Send + 'static>(job: impl Fn() -> T + Send + Sync + 'static) -> T {
    let job = Arc::new(job);
    let pooled = Arc::clone(&job);
    match tokio::task::spawn_blocking(move || pooled()).await {
        Ok(done) => done,
        Err(err) => match err.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(_) => job(),
        },
    }
}

#[cfg(test)]
mod tests;
