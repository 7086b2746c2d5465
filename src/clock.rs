//! Wall-clock time as the exposition and the inventory need it: Unix seconds,
//! the days left until a certificate expires, and RFC 3339 times as the API writes them.
//! Kept in one place so every layer reads the same clock.
//!
//! May use: nothing of the crate.

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

/// Parses an RFC 3339 time to Unix seconds (fractions dropped).
pub fn parse_rfc3339(value: &str) -> Option<i64> {
    time::OffsetDateTime::parse(value.trim(), &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// Formats Unix seconds as RFC 3339, as the API writes times.
pub fn format_rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}
