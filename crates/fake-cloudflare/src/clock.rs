//! The fake's clock: the current Unix time, times written the way the API
//! writes them (RFC 3339, whole seconds, UTC), and HTTP dates
//! (`Last-Modified`, `If-Modified-Since`).

use std::time::{SystemTime, UNIX_EPOCH};

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// Now, in whole Unix seconds (0 if the system clock is before 1970).
pub(crate) fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// `unix` (seconds) as RFC 3339, e.g. `2024-01-01T00:00:00Z`; empty when
/// out of range.
pub fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix).ok().and_then(|t| t.format(&Rfc3339).ok()).unwrap_or_default()
}

/// RFC 9110's preferred HTTP date (IMF-fixdate), always in GMT.
const IMF_FIXDATE: &[time::format_description::BorrowedFormatItem<'_>] =
    format_description!("[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT");

/// `unix` (seconds) as an HTTP date, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`;
/// empty when out of range.
pub(crate) fn http_date(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(IMF_FIXDATE).ok())
        .unwrap_or_default()
}

/// An HTTP date in IMF-fixdate form as Unix seconds; `None` for anything
/// else (RFC 9110 lets a server ignore an `If-Modified-Since` it cannot read).
pub(crate) fn parse_http_date(text: &str) -> Option<i64> {
    PrimitiveDateTime::parse(text.trim(), IMF_FIXDATE).ok().map(|t| t.assume_utc().unix_timestamp())
}

#[cfg(test)]
mod tests;
