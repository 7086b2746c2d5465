//! The time one account's refresh may spend talking to Cloudflare
//! (`--cloudflare.timeout`). Only time with a request in flight counts:
//! waiting for the request budget, a pause or a retry delay does not, so an
//! account is never failed for the exporter's own pacing.

use std::future::Future;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::sync::lock;
use tokio::time::Instant;

/// Talking time left to one account's requests. Requests in flight at the
/// same time share the clock: it runs while at least one is in flight.
#[derive(Debug)]
pub struct TalkTime {
    limit: Duration,
    talking: Mutex<Talking>,
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
        Self { limit, talking: Mutex::new(Talking::default()) }
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
mod tests {
    use super::*;

    fn request(takes: u64) -> impl Future<Output = ()> {
        tokio::time::sleep(Duration::from_secs(takes))
    }

    #[tokio::test(start_paused = true)]
    async fn only_time_in_flight_counts() {
        let talk = TalkTime::new(Duration::from_secs(10));
        talk.talk(request(6)).await.unwrap();
        // A long wait between requests (the budget's) costs nothing.
        tokio::time::sleep(Duration::from_secs(600)).await;
        talk.talk(request(3)).await.unwrap();
        let started = Instant::now();
        assert_eq!(talk.talk(request(5)).await, Err(OutOfTime));
        assert_eq!(started.elapsed(), Duration::from_secs(1), "one second was left");
        assert_eq!(talk.talk(request(0)).await, Err(OutOfTime), "none left");
    }

    #[tokio::test(start_paused = true)]
    async fn overlapping_requests_share_the_clock() {
        let talk = TalkTime::new(Duration::from_secs(10));
        // Two requests of 8 s side by side spend 8 s, not 16.
        let (a, b) = tokio::join!(talk.talk(request(8)), talk.talk(request(8)));
        assert_eq!((a, b), (Ok(()), Ok(())));
        let started = Instant::now();
        assert_eq!(talk.talk(request(3)).await, Err(OutOfTime));
        assert_eq!(started.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn unlimited_never_runs_out() {
        let talk = TalkTime::unlimited();
        talk.talk(request(86_400)).await.unwrap();
        talk.talk(request(86_400)).await.unwrap();
    }
}
