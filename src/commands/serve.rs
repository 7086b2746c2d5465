//! Wiring: builds the client, state, refresher and web server from a
//! validated config, runs them, and owns the shutdown order (stop accepting,
//! stop refreshing, drain connections).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::info;

use crate::cloudflare::client::CloudflareClient;
use crate::cloudflare::error::ApiError;
use crate::config::{CloudflareConfig, ServeConfig, WebConfig};
use crate::exposition::metrics::Metrics;
use crate::model::state::ExporterState;
use crate::refresh::Refresher;
use crate::web::server::{WebApp, serve};

/// Why the exporter could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The listen address is taken or not allowed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The HTTP client could not be built (TLS set-up).
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
    /// The demo's fake API could not start.
    #[error("cannot start the fake Cloudflare API: {0}")]
    FakeApi(#[from] crate::fake::FakeError),
    /// `GET /accounts` failed and no account was named.
    #[error(
        "cannot list the token's accounts ({0}); account-owned tokens cannot (Cloudflare code 1001): \
         pass --account-id ID (repeatable) or set CLOUDFLARE_ACCOUNT_ID"
    )]
    Discovery(ApiError),
}

/// A running exporter: the web server and the refresh loop.
#[derive(Debug)]
pub struct RunningExporter {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    server: JoinHandle<()>,
    refresher: JoinHandle<()>,
}

impl RunningExporter {
    /// Starts serving and refreshing. Account discovery, when needed,
    /// happens before the listener opens.
    pub async fn start(
        cloudflare: CloudflareConfig,
        web: WebConfig,
        refresh_interval: Duration,
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
        refresher.resolve_accounts().await.map_err(RunError::Discovery)?;
        let listener = TcpListener::bind(web.listen)
            .await
            .map_err(|source| RunError::Bind { addr: web.listen, source })?;
        let addr = listener.local_addr().map_err(|source| RunError::Bind { addr: web.listen, source })?;
        info!(
            address = %addr,
            telemetry_path = %web.telemetry_path,
            tls = web.security.tls.is_some(),
            basic_auth = web.security.basic_auth.is_some(),
            "listening"
        );
        let (stop, stopped) = watch::channel(false);
        let app = Arc::new(WebApp::new(state, metrics, web.telemetry_path, web.security, web.max_requests));
        let server = tokio::spawn(serve(listener, app, stopped.clone()));
        let refresher = tokio::spawn(refresher.run(refresh_interval, stopped));
        Ok(Self { addr, stop, server, refresher })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops refreshing and serving, waiting for in-flight requests within
    /// the grace period.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.refresher.await;
        let _ = self.server.await;
        info!("stopped");
    }
}

/// Runs `serve` until `shutdown` resolves.
pub async fn run_serve(config: ServeConfig, shutdown: impl Future<Output = ()>) -> Result<(), RunError> {
    let exporter = RunningExporter::start(config.cloudflare, config.web, config.refresh_interval).await?;
    shutdown.await;
    exporter.stop().await;
    Ok(())
}
