//! The background refresh: reads every account from Cloudflare on an
//! interval and records the outcome in [`ExporterState`]. Scrapes never wait
//! for it; rounds never overlap; accounts within a round run concurrently.
//! With `--state.file`, each success is also handed to the
//! [`snapshot_writer`], which keeps the [`state_file`] up to date.

pub mod snapshot_writer;
pub mod state_file;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::clock::unix_now;

use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::{debug, info, warn};

use crate::cloudflare::client::CloudflareClient;
use crate::cloudflare::error::ApiError;
use crate::cloudflare::wire::{CertificateSet, IdentityProvider};
use crate::exposition::metrics::Metrics;
use crate::model::inventory::AccountInventory;
use crate::model::snapshot::AccountSnapshot;
use crate::model::state::ExporterState;
use crate::refresh::snapshot_writer::SnapshotWriter;

/// Which accounts to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountSelection {
    /// The accounts the user named.
    Fixed(Vec<String>),
    /// Every account `GET /accounts` lists, re-listed each round.
    Discover,
}

/// Reads accounts and records what it finds.
#[derive(Debug, Clone)]
pub struct Refresher {
    client: Arc<CloudflareClient>,
    state: Arc<ExporterState>,
    metrics: Arc<Metrics>,
    selection: AccountSelection,
    refresh_timeout: Duration,
    snapshot: Option<SnapshotWriter>,
}

impl Refresher {
    /// A refresher writing into `state`; each account's refresh is bounded by
    /// `refresh_timeout`.
    pub fn new(
        client: Arc<CloudflareClient>,
        state: Arc<ExporterState>,
        metrics: Arc<Metrics>,
        selection: AccountSelection,
        refresh_timeout: Duration,
    ) -> Self {
        Self { client, state, metrics, selection, refresh_timeout, snapshot: None }
    }

    /// Hands every successful refresh to `writer` too, for the state file.
    pub fn with_snapshot(mut self, writer: SnapshotWriter) -> Self {
        self.snapshot = Some(writer);
        self
    }

    /// Settles the account list before the first round. With discovery, a
    /// failure here is returned: the caller should tell the user to pass
    /// account IDs.
    pub async fn resolve_accounts(&self) -> Result<Vec<String>, ApiError> {
        if let Err(err) = self.client.reload_credentials() {
            warn!(error = %err, "could not load credentials");
        }
        let ids = match &self.selection {
            AccountSelection::Fixed(ids) => ids.clone(),
            AccountSelection::Discover => {
                let mut ids: Vec<String> =
                    self.client.list_accounts().await?.into_iter().map(|a| a.id).collect();
                ids.sort();
                info!(accounts = ids.len(), "discovered accounts");
                ids
            }
        };
        self.adopt_accounts(&ids);
        Ok(ids)
    }

    /// Watches exactly `ids` from now on (e.g. the state file's accounts
    /// when discovery fails at start).
    pub fn adopt_accounts(&self, ids: &[String]) {
        for id in ids {
            self.metrics.init_account(id);
        }
        self.state.set_accounts(ids);
    }

    /// One round: every account once, concurrently. Returns the accounts
    /// that failed, with why.
    pub async fn refresh_all(&self) -> Vec<(String, ApiError)> {
        if let Err(err) = self.client.reload_credentials() {
            warn!(error = %err, "could not reload credentials; using the ones loaded before");
        }
        if let Some(warn_path) = self.client.credential_source().loosely_permitted_file() {
            warn!(path = %warn_path.display(), "the API token file is readable by other users or another group; chmod 600 it");
        }
        if self.selection == AccountSelection::Discover {
            match self.client.list_accounts().await {
                Ok(accounts) => {
                    let mut ids: Vec<String> = accounts.into_iter().map(|a| a.id).collect();
                    ids.sort();
                    self.adopt_accounts(&ids);
                }
                Err(err) => {
                    warn!(error = %err, reason = err.reason().label(), "account discovery failed; keeping the known accounts")
                }
            }
        }
        let mut tasks = JoinSet::new();
        for account_id in self.state.account_ids() {
            let this = self.clone();
            tasks.spawn(async move {
                let outcome = this.refresh_account(&account_id).await;
                (account_id, outcome)
            });
        }
        let mut failures = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            if let Ok((account_id, Err(err))) = joined {
                failures.push((account_id, err));
            }
        }
        failures.sort_by(|a, b| a.0.cmp(&b.0));
        failures
    }

    /// Reads one account and records the outcome.
    pub async fn refresh_account(&self, account_id: &str) -> Result<(), ApiError> {
        let started = Instant::now();
        let outcome = match tokio::time::timeout(self.refresh_timeout, self.read_account(account_id)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(ApiError::RefreshTimeout { after: self.refresh_timeout }),
        };
        let duration = started.elapsed().as_secs_f64();
        let now = unix_now();
        match outcome {
            Ok((sets, idps)) => {
                if let Some(writer) = &self.snapshot {
                    writer.record(account_id, AccountSnapshot::new(now, &sets, &idps));
                }
                let inventory = AccountInventory::build(sets, idps);
                for warning in &inventory.warnings {
                    warn!(account_id, "{warning}");
                }
                info!(
                    account_id,
                    certificate_sets = inventory.sets.len(),
                    saml_identity_providers = inventory.identity_providers.len(),
                    duration_ms = (duration * 1000.0) as u64,
                    "refreshed account"
                );
                self.state.record_success(account_id, inventory, duration, now);
                Ok(())
            }
            Err(err) => {
                warn!(account_id, reason = err.reason().label(), error = %err, "refresh failed; keeping the last good values");
                self.metrics.record_refresh_error(account_id, err.reason());
                self.state.record_failure(account_id, duration);
                Err(err)
            }
        }
    }

    async fn read_account(
        &self,
        account_id: &str,
    ) -> Result<(Vec<CertificateSet>, Vec<IdentityProvider>), ApiError> {
        let (sets, idps) = tokio::join!(
            self.client.list_certificate_sets(account_id),
            self.client.list_identity_providers(account_id)
        );
        Ok((sets?, idps?))
    }

    /// Refreshes now, then every `interval` (with a little jitter so that
    /// replicas drift apart), until `shutdown` turns true.
    pub async fn run(self, interval: Duration, mut shutdown: watch::Receiver<bool>) {
        loop {
            tokio::select! {
                _ = self.refresh_all() => {}
                _ = crate::shutdown::stopped(&mut shutdown) => break,
            }
            let pause = jittered(interval);
            debug!(next_in_ms = pause.as_millis() as u64, "refresh round done");
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = crate::shutdown::stopped(&mut shutdown) => break,
            }
        }
        debug!("refresh loop stopped");
    }
}

/// `interval` ± 5 %.
fn jittered(interval: Duration) -> Duration {
    interval.mul_f64(0.95 + fastrand::f64() * 0.1)
}
