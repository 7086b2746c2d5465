//! Watching the credential's own token: at a lane's start and then hourly,
//! ask Cloudflare for the token's status and expiry and keep them in the
//! counters (`..._exporter_token_*`), so the exporter warns before its token
//! expires instead of going blind. A failed check keeps the last answer.
//! `check` asks once ([`Refresher::check_tokens`]) for its calendar.

use std::time::Duration;

use tracing::{debug, warn};

use crate::clock::parse_rfc3339;
use crate::counters::TokenState;
use crate::refresh::source::AccountSource;
use crate::refresh::{Lane, Refresher};

/// How often each credential's token is checked.
pub const TOKEN_CHECK_EVERY: Duration = Duration::from_secs(3600);

impl<S: AccountSource> Refresher<S> {
    /// Checks every credential's token once, one after the other (one
    /// request each): for `check`, whose calendar has the token's expiry
    /// as the exporter's does.
    pub async fn check_tokens(&self) {
        for lane in &self.lanes {
            let hint = self.lane_accounts(lane.source.name()).first().cloned();
            self.check_token(lane, hint.as_deref()).await;
        }
    }

    /// Checks the lane's token once and records what Cloudflare says.
    pub(super) async fn check_token(&self, lane: &Lane<S>, account_id: Option<&str>) {
        let credential = lane.source.name();
        match lane.source.verify_token(account_id).await {
            Ok(Some(verification)) => {
                let expires_at = verification.expires_on.as_deref().and_then(parse_rfc3339).map(|t| t as f64);
                let token = TokenState::new(&verification.status, expires_at);
                if token.status != "active" {
                    warn!(credential, status = %verification.status, "Cloudflare says this credential's API token is not active");
                }
                debug!(credential, status = token.status, expires_at, "token checked");
                self.shared.counters.set_token(credential, token);
            }
            Ok(None) => {}
            Err(err) => {
                warn!(credential, error = %err, reason = err.reason().label(), "could not check the API token's status and expiry; keeping the last answer");
            }
        }
    }
}
