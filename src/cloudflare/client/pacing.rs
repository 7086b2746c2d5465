//! How a client follows Cloudflare's rate-limit answers: the `Ratelimit`
//! header's quota and reset, and showing every wait it honours.

use tracing::info;

use crate::cloudflare::client::{CloudflareClient, RATE_LIMIT_RESERVE};
use crate::cloudflare::rate_limit_headers::{parse_ratelimit_remaining, parse_ratelimit_reset};

impl CloudflareClient {
    /// Follows Cloudflare's own figures: once the window's remaining quota
    /// is down to [`RATE_LIMIT_RESERVE`], this credential waits for the
    /// window to reset, so neither it nor the token's other clients draw a 429.
    pub(super) fn pace_by(&self, ratelimit: &str) {
        let Some(remaining) = parse_ratelimit_remaining(ratelimit) else { return };
        self.counters.set_rate_limit_remaining(&self.name, remaining);
        if remaining > RATE_LIMIT_RESERVE {
            return;
        }
        let Some(reset) = parse_ratelimit_reset(ratelimit) else { return };
        let newly_paused = self.budget.pause_for(reset);
        self.record_blocked_until();
        if newly_paused {
            info!(
                credential = %self.name,
                remaining,
                reserve = RATE_LIMIT_RESERVE,
                wait_s = reset.as_secs(),
                "Cloudflare's rate-limit window of this token is nearly used up (other clients may share it); waiting for it to reset"
            );
        }
    }

    /// Shows when this credential calls Cloudflare again, for the metric
    /// and the status page: a wait the exporter honours must be visible.
    pub(super) fn record_blocked_until(&self) {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let until = now + self.budget.resumes_in();
        self.counters.set_blocked_until(&self.name, until.as_secs_f64());
    }
}
