//! One builder of what every command needs to read Cloudflare: the
//! exporter's counters, the shared state, the client and the refresher, with
//! the account list settled. `serve`, `demo` and `check` all start here.

use std::sync::Arc;

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
        refresher.resolve_accounts().await.map_err(RunError::Discovery)?;
        Ok(Self { metrics, state, refresher })
    }
}
