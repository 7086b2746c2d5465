//! Whole-number flags and their allowed ranges. A value that does not
//! parse, overflows its type or is out of range is a usage error that
//! names the range (clap adds the flag), never a panic or a silent
//! misbehaviour later. Only syntax and range: no I/O.

use std::fmt::Display;
use std::num::NonZeroU32;
use std::str::FromStr;

/// Most concurrent scrapes `--web.max-requests` allows (0 is no limit):
/// beyond this, file descriptors run out long before the limit matters,
/// and tokio's semaphore cannot hold 2^61 permits at all.
pub const MAX_CONCURRENT_SCRAPES: usize = 100_000;

/// Largest `--cloudflare.max-body-bytes`: 1 GiB. A body is held in memory
/// whole; Cloudflare's pages are kilobytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024 * 1024;

/// Smallest `--cloudflare.max-body-bytes`: no error body fits in less.
pub const MIN_BODY_BYTES: usize = 1024;
/// `--cloudflare.max-account-bytes` bounds: below a megabyte a real account
/// would not fit; above 16 GiB it bounds nothing.
pub const MIN_ACCOUNT_BYTES: usize = 1 << 20;
/// See [`MIN_ACCOUNT_BYTES`].
pub const MAX_ACCOUNT_BYTES: usize = 1 << 34;

/// Largest budget per 5 minutes, for `--cloudflare.max-requests-per-5m` and
/// `max_requests_per_5m` in `--config.file`: one request every 300 µs,
/// past which a budget no longer paces anything (Cloudflare allows 1200).
pub const MAX_REQUESTS_PER_5M: u32 = 1_000_000;

/// Most replicas `--total-shards` allows; `--shard` is below it.
pub const MAX_SHARDS: u64 = 10_000;

/// A clap value parser for a whole number from `min` to `max`, inclusive.
pub(crate) fn whole_number<T>(min: T, max: T) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync
where
    T: FromStr + PartialOrd + Display + Copy + Send + Sync,
{
    move |text: &str| {
        let why = || format!("expected a whole number from {min} to {max}");
        let value: T = text.trim().parse().map_err(|_| why())?;
        if value < min || value > max {
            return Err(why());
        }
        Ok(value)
    }
}

/// [`whole_number`] for a budget, which is never zero.
pub(crate) fn budget(text: &str) -> Result<NonZeroU32, String> {
    let value = whole_number(1, MAX_REQUESTS_PER_5M)(text)?;
    NonZeroU32::new(value).ok_or_else(|| format!("expected a whole number from 1 to {MAX_REQUESTS_PER_5M}"))
}
