//! Parsers for Cloudflare's rate-limit headers. Pure functions over header
//! text: they never panic and answer `None` for anything they do not
//! understand.

use std::time::Duration;

/// The longest wait a header may ask for; more is taken as this.
/// Cloudflare's rate limit counts requests over 5 minutes and blocks for 5
/// minutes past it, so no honest answer asks for longer; a header asking
/// for a day would blind the exporter for that day.
pub const MAX_WAIT: Duration = Duration::from_secs(300);

/// `Retry-After` as Cloudflare sends it: whole seconds. (The HTTP-date form
/// is not used by Cloudflare and is answered with `None`.)
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    Some(Duration::from_secs(value.trim().parse().ok()?).min(MAX_WAIT))
}

/// The remaining quota `r` of `Ratelimit: "default";r=50;t=30`.
pub fn parse_ratelimit_remaining(value: &str) -> Option<u64> {
    ratelimit_parameter(value, "r=")
}

/// The seconds until the window resets, `t` of `Ratelimit: "default";r=50;t=30`.
pub fn parse_ratelimit_reset(value: &str) -> Option<Duration> {
    Some(Duration::from_secs(ratelimit_parameter(value, "t=")?).min(MAX_WAIT))
}

/// The whole-number parameter `name` (e.g. `r=`) of a `Ratelimit` header.
fn ratelimit_parameter(value: &str, name: &str) -> Option<u64> {
    value
        .split([';', ','])
        .filter_map(|part| part.trim().strip_prefix(name))
        .find_map(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests;
