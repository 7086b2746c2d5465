//! Wrong logins seen lately, so that a wrong password sent again is
//! refused without another bcrypt check: a short-lived, bounded set of
//! SHA-256 digests of (user, password), oldest evicted first. It never
//! holds a password, and a guesser cannot grow it past its bound.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

/// A login's digest (see `BasicAuth::check`).
pub type LoginKey = [u8; 32];

/// Recent failed logins, each for at most `ttl`, at most `capacity`.
#[derive(Debug)]
pub struct RecentFailures {
    /// When each failed (the latest time, if it failed twice).
    failed_at: HashMap<LoginKey, Instant>,
    /// The same, oldest first; a key failed twice is here twice.
    order: VecDeque<(LoginKey, Instant)>,
    ttl: Duration,
    capacity: usize,
}

impl RecentFailures {
    /// An empty set keeping each failure for `ttl`, at most `capacity` of them.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self { failed_at: HashMap::new(), order: VecDeque::new(), ttl, capacity: capacity.max(1) }
    }

    /// Whether `key` failed within the last `ttl`.
    pub fn contains(&mut self, key: &LoginKey) -> bool {
        self.expire(Instant::now());
        self.failed_at.contains_key(key)
    }

    /// Records that `key` failed now, evicting the oldest failure when full.
    pub fn insert(&mut self, key: LoginKey) {
        let now = Instant::now();
        self.expire(now);
        while self.order.len() >= self.capacity {
            self.pop_oldest();
        }
        self.failed_at.insert(key, now);
        self.order.push_back((key, now));
    }

    /// How many failures are remembered.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.failed_at.len()
    }

    /// Whether none is.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.failed_at.is_empty()
    }

    fn expire(&mut self, now: Instant) {
        while self.order.front().is_some_and(|(_, at)| now.duration_since(*at) >= self.ttl) {
            self.pop_oldest();
        }
    }

    fn pop_oldest(&mut self) {
        if let Some((key, at)) = self.order.pop_front() {
            // A later failure of the same key keeps it.
            if self.failed_at.get(&key) == Some(&at) {
                self.failed_at.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests;
