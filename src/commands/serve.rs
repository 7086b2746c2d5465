//! `serve`: the refresher, the web server, the identity providers'
//! metadata loop and, with `--state.file`, the state file's writer,
//! started from a validated config; owns the start
//! order (the listener first, so `/-/healthy` answers while the accounts
//! are discovered and restored from the state file; `/-/ready` only once
//! they are read or restored) and the shutdown order (stop refreshing,
//! write the state file, drain connections).

use std::collections::BTreeMap;
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
use crate::config::{CloudflareConfig, IdpMetadataConfig, ServeConfig, WebConfig};
use crate::idp::fetch::MetadataFetcher;
use crate::idp::watch::MetadataWatch;
use crate::model::snapshot::AccountSnapshot;
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
    metadata: Option<JoinHandle<()>>,
    state_file_writer: Option<(watch::Sender<bool>, JoinHandle<()>)>,
}

impl RunningExporter {
    /// Starts serving and refreshing; returns once the accounts are
    /// settled. The listener opens first: `/-/healthy` answers during
    /// account discovery.
    pub async fn start(
        cloudflare: CloudflareConfig,
        web: WebConfig,
        refresh_interval: Duration,
    ) -> Result<Self, RunError> {
        Self::start_with_state_file(cloudflare, web, refresh_interval, None).await
    }

    /// [`RunningExporter::start`], also comparing the identity providers'
    /// metadata of `idp_metadata` with Cloudflare.
    pub async fn start_with_idp_metadata(
        cloudflare: CloudflareConfig,
        web: WebConfig,
        refresh_interval: Duration,
        idp_metadata: IdpMetadataConfig,
    ) -> Result<Self, RunError> {
        let listening = Listening::open(cloudflare, web, None).await?.with_idp_metadata(idp_metadata)?;
        if let Err(err) = listening.settle().await {
            listening.stop().await;
            return Err(err);
        }
        Ok(listening.refresh(refresh_interval))
    }

    /// [`RunningExporter::start`] with an optional state file: its accounts
    /// still watched are served from it once the accounts are settled, and
    /// it is rewritten (coalesced) after successful refreshes.
    pub async fn start_with_state_file(
        cloudflare: CloudflareConfig,
        web: WebConfig,
        refresh_interval: Duration,
        state_file: Option<PathBuf>,
    ) -> Result<Self, RunError> {
        let listening = Listening::open(cloudflare, web, state_file).await?;
        if let Err(err) = listening.settle().await {
            listening.stop().await;
            return Err(err);
        }
        Ok(listening.refresh(refresh_interval))
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
        if let Some(metadata) = self.metadata {
            let _ = metadata.await;
        }
        // After the refresher, so that its last results are in the file.
        if let Some((stop, task)) = self.state_file_writer {
            let _ = stop.send(true);
            let _ = task.await;
        }
        let _ = self.server.await;
        info!("stopped");
    }
}

/// An exporter whose listener is open but whose accounts are not settled
/// yet: `/-/healthy` answers 200, `/-/ready` 503 (the state knows no
/// account), and nothing is refreshed.
#[derive(Debug)]
pub struct Listening {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    server: JoinHandle<()>,
    wiring: Wiring,
    /// The state file and the accounts it held at start.
    state_file: Option<(StateFile, BTreeMap<String, AccountSnapshot>)>,
    /// The identity providers' metadata loop and its interval, when any
    /// source is configured.
    metadata: Option<(MetadataWatch, Duration)>,
}

impl Listening {
    /// Reads the state file, builds the clients and opens the listener; a
    /// listen address that cannot be bound fails here, before any request
    /// to Cloudflare.
    pub async fn open(
        cloudflare: CloudflareConfig,
        web: WebConfig,
        state_file: Option<PathBuf>,
    ) -> Result<Self, RunError> {
        let state_file = state_file.map(StateFile::new).map(|file| {
            let saved = file.load_at_start();
            (file, saved)
        });
        let wiring = Wiring::unsettled(cloudflare)?;
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
        let app = WebApp::new(
            Arc::clone(&wiring.state),
            Arc::clone(&wiring.counters),
            web.telemetry_path,
            web.security,
            web.max_requests,
        )
        .with_write_timeout(web.write_timeout)
        // Calendar apps need absolute links: none without --web.external-url.
        .with_runbook_base(web.external_url.map(|url| format!("{url}/runbook")).unwrap_or_default());
        let server = tokio::spawn(serve(listener, Arc::new(app), stopped));
        Ok(Self { addr, stop, server, wiring, state_file, metadata: None })
    }

    /// Compares the identity providers' metadata of `config` with
    /// Cloudflare once refreshing starts; nothing without sources.
    pub fn with_idp_metadata(mut self, config: IdpMetadataConfig) -> Result<Self, RunError> {
        if config.sources.is_empty() {
            return Ok(self);
        }
        let fetcher = MetadataFetcher::new(&config.fetch).map_err(RunError::IdpMetadata)?;
        let watch = MetadataWatch::new(
            config.sources,
            fetcher,
            Arc::clone(&self.wiring.state),
            Arc::clone(&self.wiring.counters),
        );
        self.metadata = Some((watch, config.refresh_interval));
        Ok(self)
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Settles the accounts: discovery, or the state file's accounts when
    /// it fails. A discovery that fails with nothing to fall back on is
    /// returned; then only [`Listening::stop`] is left to do.
    pub async fn settle(&self) -> Result<(), RunError> {
        let fallback: Vec<String> =
            self.state_file.as_ref().map(|(_, saved)| saved.keys().cloned().collect()).unwrap_or_default();
        self.wiring.settle(&fallback).await
    }

    /// Serves the state file's accounts at once and starts refreshing every
    /// `refresh_interval` (and writing the state file), once
    /// [`Listening::settle`] succeeded.
    pub fn refresh(self, refresh_interval: Duration) -> RunningExporter {
        let Wiring { state, mut refresher, .. } = self.wiring;
        let mut state_file_writer = None;
        if let Some((file, saved)) = self.state_file {
            let writer = SnapshotWriter::restore(&state, saved);
            refresher = refresher.with_snapshot(writer.clone());
            let (stop, stopped) = watch::channel(false);
            let window = window_for(refresh_interval);
            state_file_writer =
                Some((stop, tokio::spawn(writer.run(file, window, Arc::clone(&state), stopped))));
        }
        let refresher = tokio::spawn(refresher.run(refresh_interval, self.stop.subscribe()));
        let metadata =
            self.metadata.map(|(watch, interval)| tokio::spawn(watch.run(interval, self.stop.subscribe())));
        RunningExporter {
            addr: self.addr,
            stop: self.stop,
            server: self.server,
            refresher,
            metadata,
            state_file_writer,
        }
    }

    /// Stops serving before the accounts were settled (a signal during
    /// discovery, or a discovery that failed), draining connections within
    /// the grace period.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.server.await;
        info!("stopped");
    }
}

/// Runs `serve` until `shutdown` resolves; a signal during account
/// discovery stops it cleanly too.
pub async fn run(config: ServeConfig, shutdown: impl Future<Output = ()>) -> Result<u8, RunError> {
    let listening = Listening::open(config.cloudflare, config.web, config.state_file)
        .await?
        .with_idp_metadata(config.idp_metadata)?;
    let mut shutdown = std::pin::pin!(shutdown);
    let settled = tokio::select! {
        settled = listening.settle() => Some(settled),
        () = &mut shutdown => None,
    };
    match settled {
        None => {
            listening.stop().await;
            return Ok(0);
        }
        Some(Err(err)) => {
            listening.stop().await;
            return Err(err);
        }
        Some(Ok(())) => {}
    }
    let exporter = listening.refresh(config.refresh_interval);
    shutdown.await;
    exporter.stop().await;
    Ok(0)
}
