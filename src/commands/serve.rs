//! `serve`: the refresher and the web server, started from a validated
//! config; owns the shutdown order (stop accepting, stop refreshing, drain
//! connections).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::info;

use crate::commands::RunError;
use crate::commands::wiring::Wiring;
use crate::config::{CloudflareConfig, ServeConfig, WebConfig};
use crate::web::server::{WebApp, serve};

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
        let Wiring { metrics, state, refresher } = Wiring::connect(cloudflare).await?;
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
pub async fn run(config: ServeConfig, shutdown: impl Future<Output = ()>) -> Result<u8, RunError> {
    let exporter = RunningExporter::start(config.cloudflare, config.web, config.refresh_interval).await?;
    shutdown.await;
    exporter.stop().await;
    Ok(0)
}
