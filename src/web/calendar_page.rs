//! `/calendar.ics`: every deadline that needs a person, as an RFC 5545
//! calendar people subscribe to ([`crate::model::calendar`] makes the
//! text), with the token expiries the counters know. Rendered from one read
//! of the state and cached like the status page, so calendar clients
//! polling it cost one render per state change (or per [`MAX_AGE`]).
//!
//! [`MAX_AGE`]: crate::web::render_cache::MAX_AGE

use std::sync::Arc;

use bytes::Bytes;
use tokio::time::Instant;

use crate::clock::unix_now;
use crate::counters::ExporterCounters;
use crate::model::calendar::{CalendarContext, render};
use crate::model::state::ExporterState;
use crate::web::render_cache::{RenderCache, Renderer, Rendering};

/// The media type of `/calendar.ics` (RFC 5545 §8.1).
pub const CONTENT_TYPE: &str = "text/calendar; charset=utf-8";

/// One render of `/calendar.ics`.
#[derive(Debug)]
pub struct CalendarPage {
    /// The state generation it shows (at least).
    pub generation: u64,
    /// When it was made (tokio's clock, so tests can advance it).
    pub made_at: Instant,
    /// The calendar.
    pub body: Bytes,
}

impl CalendarPage {
    /// The calendar of `state` and the token expiries of `counters` as of
    /// `now`, linking to sections of the runbook at `runbook_base` (none
    /// when empty).
    pub fn render(state: &ExporterState, counters: &ExporterCounters, runbook_base: &str, now: f64) -> Self {
        // The generation is read before the state: the page is at least as new.
        let generation = state.generation();
        let tokens = counters.token_expiries();
        let context = CalendarContext { now: now as i64, runbook_base, tokens: &tokens };
        let body = Bytes::from(render(&state.snapshot(), &context));
        Self { generation, made_at: Instant::now(), body }
    }
}

impl Rendering for CalendarPage {
    fn generation(&self) -> u64 {
        self.generation
    }

    fn made_at(&self) -> Instant {
        self.made_at
    }
}

/// The cached calendar of one state and its counters.
pub type CalendarCache = RenderCache<CalendarPage>;

/// An empty calendar cache; the first request renders.
pub fn calendar_cache(
    state: Arc<ExporterState>,
    counters: Arc<ExporterCounters>,
    runbook_base: String,
) -> CalendarCache {
    let source = Arc::clone(&state);
    let renderer: Renderer<CalendarPage> =
        Arc::new(move || CalendarPage::render(&source, &counters, &runbook_base, unix_now()));
    RenderCache::with_renderer(state, renderer)
}
