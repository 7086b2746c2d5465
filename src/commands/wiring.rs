//! One builder of what every command needs to read Cloudflare: the
//! exporter's counters, the shared state, the client and the refresher, with
//! the account list settled. `serve`, `demo` and `check` all start here.

use std::sync::Arc;

use tracing::warn;

use crate::cloudflare::client::CloudflareClient;
use crate::commands::RunError;
use crate::config::CloudflareConfig;
use crate::exposition::metrics::Metrics;
use crate::model::state::ExporterState;
use crate::refresh::Refresher;

/// The parts that read Cloudflare and remember what it said.
#[derive(Debug)]
pub struct Wiring {
    /// The exporter's own counters.
    pub metrics: Arc<Metrics>,
    /// What the refresh has learned.
    pub state: Arc<ExporterState>,
    /// Reads accounts into `state`.
    pub refresher: Refresher,
}

impl Wiring {
    /// Builds the client and refresher and settles the accounts (discovery,
    /// when no account was named, happens here).
    pub async fn connect(cloudflare: CloudflareConfig) -> Result<Self, RunError> {
        Self::connect_or_fall_back(cloudflare, &[]).await
    }

    /// Like [`Wiring::connect`], but when discovery fails and `fallback`
    /// (the state file's accounts) is not empty, watches those instead: a
    /// restart during a Cloudflare outage still serves the last good data,
    /// and the refresh rounds keep trying discovery.
    pub async fn connect_or_fall_back(
        cloudflare: CloudflareConfig,
        fallback: &[String],
    ) -> Result<Self, RunError> {
        let metrics = Arc::new(Metrics::new());
        let state = Arc::new(ExporterState::default());
        let client =
            Arc::new(CloudflareClient::new(cloudflare.client, cloudflare.credentials, Arc::clone(&metrics))?);
        let refresher = Refresher::new(
            client,
            Arc::clone(&state),
            Arc::clone(&metrics),
            cloudflare.accounts,
            cloudflare.refresh_timeout,
        );
        match refresher.resolve_accounts().await {
            Ok(_) => {}
            Err(err) if !fallback.is_empty() => {
                warn!(
                    error = %err,
                    reason = err.reason().label(),
                    accounts = fallback.len(),
                    "account discovery failed; watching the state file's accounts until it succeeds"
                );
                refresher.adopt_accounts(fallback);
            }
            Err(err) => return Err(RunError::Discovery(err)),
        }
        Ok(Self { metrics, state, refresher })
    }
}
