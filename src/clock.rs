//! Wall-clock time as the exposition and the inventory need it: Unix seconds,
//! and the days left until a certificate expires.
//! Kept in one place so every layer reads the same clock.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch (0 if the system clock is before 1970).
pub fn unix_now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

/// Seconds in a day.
pub const DAY_SECONDS: f64 = 86_400.0;

/// Days from `now` until `unix_time` (both Unix seconds); negative once passed.
pub fn days_until(unix_time: f64, now: f64) -> f64 {
    (unix_time - now) / DAY_SECONDS
}
