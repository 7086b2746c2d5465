//! The client-side request budget shared by every account: a GCRA limiter
//! that keeps to at most N requests in any five minutes, and the pause after
//! Cloudflare answered 429. It knows nothing of endpoints or HTTP; the client
//! asks it for a turn before every request.
//!
//! Time is tokio's, so both halves follow `tokio::time::pause` in tests.

use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use tokio::time::Instant;

/// The window Cloudflare's limit is counted over, and so the budget's.
const WINDOW: Duration = Duration::from_secs(300);

/// A turn refused because Cloudflare's 429 is still being honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not calling Cloudflare for another {}s after a rate-limit answer", .remaining.as_secs().max(1))]
pub struct Blocked {
    /// Time left before turns are given again.
    pub remaining: Duration,
}

/// Paces requests to Cloudflare: at most `max_requests_per_5m` in any
/// 5-minute window, and none at all while a 429 is being honoured.
#[derive(Debug)]
pub struct RequestBudget {
    limiter: RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<Duration>>,
    blocked_until: Mutex<Option<Instant>>,
}

impl RequestBudget {
    /// A full budget of `max_requests_per_5m`: a fifth of it may go at once,
    /// the rest is spread evenly over the window.
    pub fn new(max_requests_per_5m: NonZeroU32) -> Self {
        let clock = TokioClock { origin: Instant::now() };
        Self {
            limiter: RateLimiter::direct_with_clock(quota(max_requests_per_5m), clock),
            blocked_until: Mutex::new(None),
        }
    }

    /// Waits until the budget allows one more request and takes it. Refused
    /// at once while blocked, and also when a block arrived during the wait.
    pub async fn wait_for_turn(&self) -> Result<(), Blocked> {
        self.refuse_while_blocked()?;
        while let Err(not_until) = self.limiter.check() {
            tokio::time::sleep(not_until.wait_time_from(self.limiter.clock().now())).await;
        }
        // A 429 may have arrived while this request queued for the budget.
        self.refuse_while_blocked()
    }

    /// `Err` while a block from [`RequestBudget::block_for`] lasts.
    pub fn refuse_while_blocked(&self) -> Result<(), Blocked> {
        let blocked_until = *self.blocked_until.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        match blocked_until {
            Some(until) if until > now => Err(Blocked { remaining: until - now }),
            _ => Ok(()),
        }
    }

    /// Refuses every turn for `pause` from now, replacing any earlier block:
    /// the latest answer from Cloudflare is the one that counts.
    pub fn block_for(&self, pause: Duration) {
        *self.blocked_until.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now() + pause);
    }
}

/// A GCRA quota that never allows more than `per_5m` requests in any
/// 5-minute window: a burst of a fifth, the rest spread evenly.
fn quota(per_5m: NonZeroU32) -> Quota {
    let total = per_5m.get();
    let burst = (total / 5).max(1);
    let spread = (total - burst).max(1);
    let period = WINDOW / spread;
    Quota::with_period(period.max(Duration::from_millis(1)))
        .expect("a positive period")
        .allow_burst(NonZeroU32::new(burst).expect("at least 1"))
}

/// governor's view of tokio's clock: time since the budget was made.
#[derive(Debug, Clone)]
struct TokioClock {
    origin: Instant,
}

impl Clock for TokioClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        self.origin.elapsed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(per_5m: u32) -> RequestBudget {
        RequestBudget::new(NonZeroU32::new(per_5m).unwrap())
    }

    /// When each of `n` turns was given, as time since `start`.
    async fn turn_times(budget: &RequestBudget, n: usize) -> Vec<Duration> {
        let start = Instant::now();
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            budget.wait_for_turn().await.unwrap();
            times.push(start.elapsed());
        }
        times
    }

    #[tokio::test(start_paused = true)]
    async fn a_fifth_goes_at_once_and_the_rest_is_spread() {
        // 300 per 5 minutes: a burst of 60, then one every 300s / 240.
        let times = turn_times(&budget(300), 62).await;
        assert!(times[..60].iter().all(|t| t.is_zero()), "{:?}", &times[..60]);
        assert_eq!(times[60], Duration::from_millis(1250));
        assert_eq!(times[61], Duration::from_millis(2500));
    }

    #[tokio::test(start_paused = true)]
    async fn no_five_minute_window_holds_more_than_the_budget() {
        let per_5m = 20;
        let times = turn_times(&budget(per_5m), 3 * per_5m as usize).await;
        for (first, later) in times.iter().zip(&times[per_5m as usize..]) {
            assert!(*later - *first >= WINDOW, "{} turns within {:?}", per_5m + 1, *later - *first);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_budget_of_one_still_gives_a_turn() {
        let times = turn_times(&budget(1), 2).await;
        assert_eq!(times, [Duration::ZERO, WINDOW]);
    }

    #[tokio::test(start_paused = true)]
    async fn turns_are_refused_while_blocked_and_given_after() {
        let budget = budget(300);
        budget.block_for(Duration::from_secs(30));
        assert_eq!(budget.wait_for_turn().await, Err(Blocked { remaining: Duration::from_secs(30) }));
        tokio::time::advance(Duration::from_secs(29)).await;
        assert_eq!(budget.refuse_while_blocked(), Err(Blocked { remaining: Duration::from_secs(1) }));
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(budget.wait_for_turn().await, Ok(()));
    }

    #[tokio::test(start_paused = true)]
    async fn a_later_block_replaces_an_earlier_one() {
        let budget = budget(300);
        budget.block_for(Duration::from_secs(300));
        budget.block_for(Duration::from_secs(5));
        assert_eq!(budget.refuse_while_blocked(), Err(Blocked { remaining: Duration::from_secs(5) }));
    }

    #[tokio::test(start_paused = true)]
    async fn a_block_that_arrives_while_queued_refuses_the_turn() {
        let budget = budget(5); // a burst of one, then one turn every 75s
        budget.wait_for_turn().await.unwrap();
        let queued = budget.wait_for_turn();
        tokio::pin!(queued);
        // Still queued after half the wait; the 429 arrives meanwhile.
        assert!(tokio::time::timeout(Duration::from_secs(30), &mut queued).await.is_err());
        budget.block_for(Duration::from_secs(600));
        let started = Instant::now();
        let refused = queued.await.unwrap_err();
        assert_eq!(started.elapsed(), Duration::from_secs(45), "waited for its turn, then refused");
        assert_eq!(refused.remaining, Duration::from_secs(555));
        assert_eq!(refused.to_string(), "not calling Cloudflare for another 555s after a rate-limit answer");
    }
}
