//! One builder of what every command needs to read Cloudflare: the
//! exporter's counters, the shared state, one client per credential and the
//! refresher over them, with the account lists settled. `serve`, `demo` and
//! `check` all start here.

use std::sync::Arc;

use crate::cloudflare::client::{ClientSettings, CloudflareClient};
use crate::commands::RunError;
use crate::config::{CloudflareConfig, CredentialConfig};
use crate::counters::ExporterCounters;
use crate::model::state::{AccountStatus, ExporterState};
use crate::refresh::{Lane, Refresher};

/// The client of one credential: its name, its secret and its own budget,
/// on the shared settings. Every command builds its clients here.
pub fn credential_client(
    credential: CredentialConfig,
    shared: &ClientSettings,
    counters: Arc<ExporterCounters>,
) -> Result<CloudflareClient, reqwest::Error> {
    let settings = ClientSettings { max_requests_per_5m: credential.max_requests_per_5m, ..shared.clone() };
    CloudflareClient::for_credential(&credential.name, settings, credential.source, counters)
}

/// The parts that read Cloudflare and remember what it said.
#[derive(Debug)]
pub struct Wiring {
    /// The exporter's own counters.
    pub counters: Arc<ExporterCounters>,
    /// What the refresh has learned.
    pub state: Arc<ExporterState>,
    /// Reads accounts into `state`.
    pub refresher: Refresher,
}

impl Wiring {
    /// Builds a client (with its own budget) per credential and the
    /// refresher, and settles the accounts (discovery, for a credential
    /// without named accounts, happens here).
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
        let wiring = Self::unsettled(cloudflare)?;
        wiring.settle(fallback).await?;
        Ok(wiring)
    }

    /// The clients, state and refresher, with no request sent yet: the
    /// accounts are not settled until [`Wiring::settle`].
    pub fn unsettled(cloudflare: CloudflareConfig) -> Result<Self, RunError> {
        let counters = Arc::new(ExporterCounters::new());
        counters.set_shard(cloudflare.shard.ordinal(), cloudflare.shard.total());
        let state = Arc::new(ExporterState::default());
        let mut lanes = Vec::with_capacity(cloudflare.credentials.len());
        for credential in cloudflare.credentials {
            let selection = credential.accounts.clone();
            let applications = credential.applications;
            let client = credential_client(credential, &cloudflare.client, Arc::clone(&counters))?;
            lanes.push(Lane { source: Arc::new(client), selection, applications });
        }
        let refresher = Refresher::new(
            lanes,
            Arc::clone(&state),
            Arc::clone(&counters),
            cloudflare.refresh_timeout,
            cloudflare.shard,
        )
        .with_set_list_interval(cloudflare.set_list_interval);
        Ok(Self { counters, state, refresher })
    }

    /// Settles the accounts (discovery, for a credential without named
    /// accounts, happens here), falling back to `fallback` as
    /// [`Wiring::connect_or_fall_back`] says.
    pub async fn settle(&self, fallback: &[String]) -> Result<(), RunError> {
        self.refresher.resolve_accounts_or(fallback).await.map_err(RunError::Discovery)?;
        Ok(())
    }

    /// Reads every account once, for `check` and `encryption plan`: the
    /// accounts that failed (with why) and every account's status after.
    pub async fn read_once(&self) -> (Vec<(String, String)>, Vec<(String, AccountStatus)>) {
        let failures = self.refresher.refresh_all().await;
        let failures = failures
            .into_iter()
            .map(|(account, err)| {
                let reason = err.reason();
                let advice = err.advice().map_or_else(String::new, |advice| format!(": {advice}"));
                (account, format!("{err} (reason {reason}{advice})"))
            })
            .collect();
        (failures, self.state.accounts())
    }
}
