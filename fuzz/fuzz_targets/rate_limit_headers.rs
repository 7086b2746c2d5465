//! Fuzzes the parsers of Cloudflare's rate-limit headers (`Retry-After` and
//! `Ratelimit`) with arbitrary header text: they must never panic, and a
//! `Retry-After` is never honoured for more than a day.

#![no_main]

use std::time::Duration;

use cloudflare_saml_exporter::cloudflare::rate_limit_headers::{parse_ratelimit_remaining, parse_retry_after};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(wait) = parse_retry_after(&text) {
        assert!(wait <= Duration::from_secs(24 * 3600), "Retry-After capped at a day, got {wait:?}");
    }
    let _ = parse_ratelimit_remaining(&text);
});
