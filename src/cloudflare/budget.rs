//! The client-side request budget of one credential: at most N requests in
//! any five minutes (a sliding window over the turns given, on top of a GCRA
//! whose steady rate is exactly N per five minutes and whose burst is a fifth
//! of N), the pause Cloudflare's own `Ratelimit` figures ask for, and the
//! block after Cloudflare answered 429. It knows nothing of endpoints or
//! HTTP; the client asks it for a turn before every request.
//!
//! Time is tokio's, so every part follows `tokio::time::pause` in tests.

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::Mutex;

use crate::locks::lock;
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use tokio::time::Instant;

/// The window Cloudflare's limit is counted over, and so the budget's.
pub const WINDOW: Duration = Duration::from_secs(300);

/// A turn refused because Cloudflare's 429 is still being honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not calling Cloudflare for another {}s after a rate-limit answer", .remaining.as_secs().max(1))]
pub struct Blocked {
    /// Time left before turns are given again.
    pub remaining: Duration,
}

/// Paces requests to Cloudflare: at most `max_requests_per_5m` in any
/// 5-minute window, none during a pause, and none at all while a 429 is
/// being honoured.
#[derive(Debug)]
pub struct RequestBudget {
    limiter: RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<Duration>>,
    per_window: NonZeroU32,
    /// When the turns of the last [`WINDOW`] were given, oldest first.
    recent: Mutex<VecDeque<Instant>>,
    paused_until: Mutex<Option<Instant>>,
    blocked_until: Mutex<Option<Instant>>,
}

impl RequestBudget {
    /// The most requests any five minutes may hold.
    pub fn max_requests_per_5m(&self) -> NonZeroU32 {
        self.per_window
    }

    /// A full budget of `max_requests_per_5m`: a fifth of it may go at once,
    /// the rest follows at the steady rate of `max_requests_per_5m` per five
    /// minutes, and no five minutes ever hold more.
    pub fn new(max_requests_per_5m: NonZeroU32) -> Self {
        let clock = TokioClock { origin: Instant::now() };
        Self {
            limiter: RateLimiter::direct_with_clock(quota(max_requests_per_5m), clock),
            per_window: max_requests_per_5m,
            recent: Mutex::new(VecDeque::new()),
            paused_until: Mutex::new(None),
            blocked_until: Mutex::new(None),
        }
    }

    /// Waits until the budget allows one more request and takes it. Refused
    /// at once while blocked, and also when a block arrived during the wait.
    /// The wait is never part of any timeout: it happens before the request.
    pub async fn wait_for_turn(&self) -> Result<(), Blocked> {
        self.refuse_while_blocked()?;
        while let Some(wait) = self.try_take_turn(Instant::now()) {
            tokio::time::sleep(wait).await;
        }
        // A 429 may have arrived while this request queued for the budget.
        self.refuse_while_blocked()
    }

    /// Takes a turn if one is free now (`None`), else says how long to wait
    /// before asking again.
    fn try_take_turn(&self, now: Instant) -> Option<Duration> {
        if let Some(until) = *lock(&self.paused_until)
            && until > now
        {
            return Some(until - now);
        }
        let mut recent = lock(&self.recent);
        while recent.front().is_some_and(|given| *given + WINDOW <= now) {
            recent.pop_front();
        }
        if recent.len() >= self.per_window.get() as usize {
            return recent.front().map(|oldest| *oldest + WINDOW - now);
        }
        match self.limiter.check() {
            Ok(()) => {
                recent.push_back(now);
                None
            }
            Err(not_until) => Some(not_until.wait_time_from(self.limiter.clock().now())),
        }
    }

    /// `Err` while a block from [`RequestBudget::block_for`] lasts.
    pub fn refuse_while_blocked(&self) -> Result<(), Blocked> {
        let blocked_until = *lock(&self.blocked_until);
        let now = Instant::now();
        match blocked_until {
            Some(until) if until > now => Err(Blocked { remaining: until - now }),
            _ => Ok(()),
        }
    }

    /// Resolves once no block is in force (at once when none is).
    pub async fn until_unblocked(&self) {
        while let Err(blocked) = self.refuse_while_blocked() {
            tokio::time::sleep(blocked.remaining).await;
        }
    }

    /// How long until turns are neither refused nor held (zero when they
    /// are not).
    pub fn resumes_in(&self) -> Duration {
        let now = Instant::now();
        let left = |until: Option<Instant>| {
            until.map_or(Duration::ZERO, |until| until.saturating_duration_since(now))
        };
        left(*lock(&self.blocked_until)).max(left(*lock(&self.paused_until)))
    }

    /// Refuses every turn for `pause` from now, replacing any earlier block:
    /// the latest answer from Cloudflare is the one that counts.
    pub fn block_for(&self, pause: Duration) {
        *lock(&self.blocked_until) = Some(Instant::now() + pause);
    }

    /// Holds every turn (they wait, they are not refused) for `pause` from
    /// now, or longer if an earlier pause lasts longer. Returns true when no
    /// pause was in force before, so the caller can say so once.
    pub fn pause_for(&self, pause: Duration) -> bool {
        let now = Instant::now();
        let mut paused_until = lock(&self.paused_until);
        let was_paused = paused_until.is_some_and(|until| until > now);
        let until = now + pause;
        if paused_until.is_none_or(|earlier| earlier < until) {
            *paused_until = Some(until);
        }
        !was_paused
    }
}

/// A GCRA quota whose steady rate is `per_5m` per five minutes, with a
/// burst of a fifth; the sliding window keeps any five minutes within
/// `per_5m` despite the burst.
fn quota(per_5m: NonZeroU32) -> Quota {
    let burst = (per_5m.get() / 5).max(1);
    let period = WINDOW / per_5m.get();
    Quota::with_period(period.max(Duration::from_micros(1)))
        .expect("a positive period")
        .allow_burst(NonZeroU32::new(burst).expect("at least 1"))
}

/// How long a fresh budget of `per_5m` takes to give `turns` turns: the
/// lower bound of any pass that needs that many requests.
pub fn time_for_turns(turns: u64, per_5m: NonZeroU32) -> Duration {
    let per_5m_n = u64::from(per_5m.get());
    if turns == 0 {
        return Duration::ZERO;
    }
    let burst = (per_5m_n / 5).max(1);
    // Full windows before the last one, each giving `per_5m` turns, then
    // the burst and the steady rate within the last.
    let full_windows = (turns - 1) / per_5m_n;
    let in_last = turns - full_windows * per_5m_n;
    let period = WINDOW.as_secs_f64() / per_5m_n as f64;
    Duration::from_secs_f64(
        WINDOW.as_secs_f64() * full_windows as f64 + period * in_last.saturating_sub(burst) as f64,
    )
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
mod tests;
