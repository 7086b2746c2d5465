//! The time one account's refresh may spend talking to Cloudflare
//! (`--cloudflare.timeout`), carrying the bytes it may read
//! ([`ByteAllowance`]). Only time with a request in flight counts:
//! waiting for the request budget, a pause or a retry delay does not, so an
//! account is never failed for the exporter's own pacing.

use std::future::Future;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::cloudflare::byte_allowance::ByteAllowance;
use crate::locks::lock;
use tokio::time::Instant;

/// Talking time left to one account's requests. Requests in flight at the
/// same time share the clock: it runs while at least one is in flight.
#[derive(Debug)]
pub struct TalkTime {
    limit: Duration,
    talking: Mutex<Talking>,
    bytes: ByteAllowance,
}

#[derive(Debug, Default)]
struct Talking {
    /// Talking time of the stretches already over.
    spent: Duration,
    in_flight: usize,
    /// Start of the current stretch (while `in_flight > 0`).
    since: Option<Instant>,
}

/// The talking time ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfTime;

impl TalkTime {
    /// `limit` of talking time.
    pub fn new(limit: Duration) -> Self {
        Self::with_bytes(limit, ByteAllowance::unlimited())
    }

    /// `limit` of talking time, reading at most `bytes`.
    pub fn with_bytes(limit: Duration, bytes: ByteAllowance) -> Self {
        Self { limit, talking: Mutex::new(Talking::default()), bytes }
    }

    /// The bytes the account's requests may still read.
    pub fn bytes(&self) -> &ByteAllowance {
        &self.bytes
    }

    /// No limit beyond each request's own timeout.
    pub fn unlimited() -> Self {
        Self::new(Duration::MAX)
    }

    /// The limit it was made with.
    pub fn limit(&self) -> Duration {
        self.limit
    }

    /// Runs `request` on the clock: `Err` when the talking time runs out
    /// before it finishes (it is then dropped).
    pub async fn talk<F: Future>(&self, request: F) -> Result<F::Output, OutOfTime> {
        let left = self.start();
        let _stop = StopOnDrop(self);
        if left.is_zero() {
            return Err(OutOfTime);
        }
        tokio::time::timeout(left, request).await.map_err(|_| OutOfTime)
    }

    /// Starts a request's stretch; answers the talking time left.
    fn start(&self) -> Duration {
        let now = Instant::now();
        let mut talking = self.lock();
        let running = talking.since.map_or(Duration::ZERO, |since| now - since);
        let left = self.limit.saturating_sub(talking.spent + running);
        if talking.in_flight == 0 {
            talking.since = Some(now);
        }
        talking.in_flight += 1;
        left
    }

    fn stop(&self) {
        let mut talking = self.lock();
        talking.in_flight = talking.in_flight.saturating_sub(1);
        if talking.in_flight == 0
            && let Some(since) = talking.since.take()
        {
            talking.spent = talking.spent.saturating_add(since.elapsed());
        }
    }

    fn lock(&self) -> MutexGuard<'_, Talking> {
        lock(&self.talking)
    }
}

/// Ends a request's stretch however its future ends (finished or dropped).
struct StopOnDrop<'a>(&'a TalkTime);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

#[cfg(test)]
mod tests;
