//! Cloudflare's per-token rate limit as the fake enforces it: a quota per
//! window counted per credential (1200 per 300 s by default), part of which
//! "other clients" may already have spent; past it, 429 with `Retry-After`
//! and a block (5 minutes by default). Every answer to a known credential
//! carries `Ratelimit` and `Ratelimit-Policy`.

use std::collections::HashMap;
use std::time::Duration;

use hyper::header::{HeaderValue, RETRY_AFTER};
use tokio::time::Instant;

use crate::responses::Answer;

/// The limit's settings (a knob).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window and credential.
    pub quota: u32,
    /// The window; each credential's windows start at its first request.
    pub window: Duration,
    /// How long a credential is refused after going over.
    pub block: Duration,
    /// Requests of each window already spent by the credential's other
    /// clients (the dashboard, Terraform, ...).
    pub others_spent: u32,
}

impl Default for RateLimit {
    /// Cloudflare's: 1200 per 300 s, a 5-minute block, nobody else.
    fn default() -> Self {
        Self {
            quota: 1200,
            window: Duration::from_secs(300),
            block: Duration::from_secs(300),
            others_spent: 0,
        }
    }
}

/// What the limit says to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Served; this much of the window is left after it.
    Allowed {
        /// Requests left in the window.
        remaining: u32,
        /// Time until the window resets.
        reset: Duration,
    },
    /// Refused with 429.
    Refused {
        /// Time until the block ends.
        retry_after: Duration,
        /// Time until the window resets.
        reset: Duration,
    },
}

/// Every credential's window, and how many requests were refused.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    windows: HashMap<String, TokenWindow>,
    refused: u64,
}

#[derive(Debug)]
struct TokenWindow {
    start: Instant,
    used: u32,
    blocked_until: Option<Instant>,
}

impl RateLimiter {
    /// Counts one request of `credential` at `now`.
    pub(crate) fn admit(&mut self, credential: &str, limit: &RateLimit, now: Instant) -> Verdict {
        let window = limit.window.max(Duration::from_millis(1));
        let w = self.windows.entry(credential.to_owned()).or_insert(TokenWindow {
            start: now,
            used: 0,
            blocked_until: None,
        });
        let windows_past = ((now - w.start).as_nanos() / window.as_nanos()) as u32;
        if windows_past > 0 {
            w.start += window * windows_past;
            w.used = 0;
        }
        let reset = w.start + window - now;
        if let Some(until) = w.blocked_until.filter(|until| *until > now) {
            self.refused += 1;
            return Verdict::Refused { retry_after: until - now, reset };
        }
        if w.used.saturating_add(limit.others_spent) >= limit.quota {
            w.blocked_until = Some(now + limit.block);
            self.refused += 1;
            return Verdict::Refused { retry_after: limit.block, reset };
        }
        w.used += 1;
        Verdict::Allowed { remaining: limit.quota - limit.others_spent - w.used, reset }
    }

    /// Requests answered 429 so far.
    pub(crate) fn refused(&self) -> u64 {
        self.refused
    }
}

/// Adds the rate-limit headers of `verdict` to `response`, except those a
/// fault already set (a test's own `Ratelimit` wins).
pub(crate) fn add_headers(response: &mut Answer, verdict: Verdict, limit: &RateLimit) {
    let seconds = |d: Duration| d.as_secs() + u64::from(d.subsec_nanos() > 0);
    let (remaining, reset) = match verdict {
        Verdict::Allowed { remaining, reset } => (remaining, reset),
        Verdict::Refused { retry_after, reset } => {
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(seconds(retry_after)));
            (0, reset)
        }
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&format!("\"default\";r={remaining};t={}", seconds(reset))) {
        headers.entry("ratelimit").or_insert(value);
    }
    let policy = format!("\"burst\";q={};w={}", limit.quota, seconds(limit.window));
    if let Ok(value) = HeaderValue::from_str(&policy) {
        headers.insert("ratelimit-policy", value);
    }
}

#[cfg(test)]
mod tests;
