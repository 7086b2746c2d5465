//! `serve`: the refresher, the web server and, with `--state.file`, the
//! state file's writer, started from a validated config; owns the start
//! order (restore from the state file before serving) and the shutdown
//! order (stop refreshing, write the state file, drain connections).

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::info;

use crate::commands::RunError;
use crate::commands::wiring::Wiring;
use crate::config::{CloudflareConfig, ServeConfig, WebConfig};
use crate::refresh::snapshot_writer::{SnapshotWriter, window_for};
use crate::refresh::state_file::StateFile;
use crate::web::server::{WebApp, serve};

/// A running exporter: the web server and the refresh loop.
#[derive(Debug)]
pub struct RunningExporter {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    server: JoinHandle<()>,
    refresher: JoinHandle<()>,
    state_file_writer: Option<(watch::Sender<bool>, JoinHandle<()>)>,
}

impl RunningExporter {
    /// Starts serving and refreshing. Account discovery, when needed,
    /// happens before the listener opens.
    pub async fn start(
        cloudflare: CloudflareConfig,
        web: WebConfig,
        refresh_interval: Duration,
    ) -> Result<Self, RunError> {
        Self::start_with_state_file(cloudflare, web, refresh_interval, None).await
    }

    /// [`RunningExporter::start`] with an optional state file: its accounts
    /// still watched are served from it before the listener opens, and it
    /// is rewritten (coalesced) after successful refreshes.
    pub async fn start_with_state_file(
        cloudflare: CloudflareConfig,
        web: WebConfig,
        refresh_interval: Duration,
        state_file: Option<PathBuf>,
    ) -> Result<Self, RunError> {
        let state_file = state_file.map(StateFile::new);
        let saved = state_file.as_ref().map(StateFile::load_at_start).unwrap_or_default();
        let fallback: Vec<String> = saved.keys().cloned().collect();
        let Wiring { counters, state, mut refresher } =
            Wiring::connect_or_fall_back(cloudflare, &fallback).await?;
        let mut state_file_writer = None;
        if let Some(file) = state_file {
            let writer = SnapshotWriter::restore(&state, saved);
            refresher = refresher.with_snapshot(writer.clone());
            let (stop, stopped) = watch::channel(false);
            let window = window_for(refresh_interval);
            state_file_writer =
                Some((stop, tokio::spawn(writer.run(file, window, Arc::clone(&state), stopped))));
        }
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
        let app = Arc::new(WebApp::new(state, counters, web.telemetry_path, web.security, web.max_requests));
        let server = tokio::spawn(serve(listener, app, stopped.clone()));
        let refresher = tokio::spawn(refresher.run(refresh_interval, stopped));
        Ok(Self { addr, stop, server, refresher, state_file_writer })
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
        // After the refresher, so that its last results are in the file.
        if let Some((stop, task)) = self.state_file_writer {
            let _ = stop.send(true);
            let _ = task.await;
        }
        let _ = self.server.await;
        info!("stopped");
    }
}

/// Runs `serve` until `shutdown` resolves.
pub async fn run(config: ServeConfig, shutdown: impl Future<Output = ()>) -> Result<u8, RunError> {
    let exporter = RunningExporter::start_with_state_file(
        config.cloudflare,
        config.web,
        config.refresh_interval,
        config.state_file,
    )
    .await?;
    shutdown.await;
    exporter.stop().await;
    Ok(0)
}
