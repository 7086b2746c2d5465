//! Log lines that cannot flood the log: each kind ([`LOG_KINDS`]) may log
//! [`LINES_PER_MINUTE`] lines a minute; the rest are counted in
//! `cloudflare_access_saml_exporter_log_messages_suppressed_total{kind}`,
//! and the next line of that kind says how many were left out. An API that
//! answers with a different malformed value on every refresh then costs a
//! bounded log, not megabytes a minute.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;
use tracing::warn;

use crate::counters::{ExporterCounters, LOG_KINDS};
use crate::locks::lock;

/// Lines each kind may log per minute.
pub const LINES_PER_MINUTE: u32 = 100;
const WINDOW: Duration = Duration::from_secs(60);

/// The share of log lines each kind has left this minute.
#[derive(Debug, Default)]
pub struct LogLimit {
    kinds: Mutex<HashMap<&'static str, Share>>,
}

#[derive(Debug, Clone, Copy)]
struct Share {
    since: Instant,
    logged: u32,
    left_out: u64,
}

impl LogLimit {
    /// Whether a line of `kind` may be logged now; when not, it is counted
    /// in `counters`. The first line of a new minute that follows left-out
    /// lines is preceded by a line saying how many.
    pub fn admit(&self, kind: &'static str, counters: &ExporterCounters) -> bool {
        debug_assert!(LOG_KINDS.contains(&kind), "{kind} is not in LOG_KINDS");
        let now = Instant::now();
        let mut kinds = lock(&self.kinds);
        let share = kinds.entry(kind).or_insert(Share { since: now, logged: 0, left_out: 0 });
        if now.duration_since(share.since) >= WINDOW {
            if share.left_out > 0 {
                warn!(
                    kind,
                    left_out = share.left_out,
                    "left out log lines of this kind in the last minute; see cloudflare_access_saml_exporter_log_messages_suppressed_total"
                );
            }
            *share = Share { since: now, logged: 0, left_out: 0 };
        }
        if share.logged < LINES_PER_MINUTE {
            share.logged += 1;
            return true;
        }
        share.left_out += 1;
        counters.record_log_suppressed(kind);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn each_kind_logs_its_share_a_minute_and_counts_the_rest() {
        let (limit, counters) = (LogLimit::default(), ExporterCounters::new());
        let admitted = (0..250).filter(|_| limit.admit("inventory_warning", &counters)).count();
        assert_eq!(admitted, LINES_PER_MINUTE as usize);
        assert!(limit.admit("refresh_failed", &counters), "another kind has its own share");
        assert_eq!(counters.log_suppressed()["inventory_warning"], 150);
        assert_eq!(counters.log_suppressed()["refresh_failed"], 0);
        tokio::time::advance(Duration::from_secs(59)).await;
        assert!(!limit.admit("inventory_warning", &counters));
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(limit.admit("inventory_warning", &counters), "a new minute, a new share");
        assert_eq!(counters.log_suppressed()["inventory_warning"], 151);
    }
}
