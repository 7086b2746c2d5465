//! The fake's clock: the current Unix time, and times written the way the
//! API writes them (RFC 3339, whole seconds, UTC).

use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Now, in whole Unix seconds (0 if the system clock is before 1970).
pub(crate) fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// `unix` (seconds) as RFC 3339, e.g. `2024-01-01T00:00:00Z`; empty when
/// out of range.
pub fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix).ok().and_then(|t| t.format(&Rfc3339).ok()).unwrap_or_default()
}
