//! What both `signing` commands read: each account's SAML identity
//! providers, with the credential that reads the account, and each
//! entry's published metadata, fetched once (no validators) and parsed.
//! A failure is an [`Unreadable`]: a stable reason label and a message.

use std::collections::HashMap;
use std::sync::Arc;

use crate::cloudflare::client::CloudflareClient;
use crate::cloudflare::error::ApiError;
use crate::commands::RunError;
use crate::commands::wiring::credential_client;
use crate::config::CloudflareConfig;
use crate::counters::ExporterCounters;
use crate::idp::fetch::{Fetched, MetadataFetcher, Validators};
use crate::idp::source::MetadataSource;
use crate::model::idp_metadata::{MetadataCertificates, signing_certificates};
use crate::model::inventory::AccountInventory;
use crate::refresh::AccountSelection;

/// Why something could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// A stable label: an API error's reason, a fetch or parse reason, or
    /// `account_not_found`.
    pub reason: &'static str,
    /// For people.
    pub error: String,
}

impl Unreadable {
    /// A Cloudflare failure, with what to do about it when that is known.
    pub fn api(err: &ApiError) -> Self {
        let advice = err.advice().map_or_else(String::new, |advice| format!("; {advice}"));
        Self { reason: err.reason().label(), error: format!("{err}{advice}") }
    }
}

/// One credential's client and the accounts it reads.
#[derive(Debug)]
struct Lane {
    client: Arc<CloudflareClient>,
    selection: AccountSelection,
    /// A discovering credential's accounts, once listed.
    listed: Option<Result<Vec<String>, String>>,
}

/// An account's SAML identity providers, and the client that read them.
pub type Account = (Arc<CloudflareClient>, Arc<AccountInventory>);

/// The credentials' clients, and each account's identity providers once read.
#[derive(Debug)]
pub struct Clients {
    lanes: Vec<Lane>,
    read: HashMap<String, Result<Account, Unreadable>>,
}

impl Clients {
    /// One client per credential; nothing is sent yet.
    pub fn new(cloudflare: CloudflareConfig) -> Result<Self, RunError> {
        // One-off commands serve no metrics: their counters are read by no one.
        let counters = Arc::new(ExporterCounters::new());
        let mut lanes = Vec::with_capacity(cloudflare.credentials.len());
        for credential in cloudflare.credentials {
            let selection = credential.accounts.clone();
            let client = credential_client(credential, &cloudflare.client, Arc::clone(&counters))?;
            lanes.push(Lane { client: Arc::new(client), selection, listed: None });
        }
        Ok(Self { lanes, read: HashMap::new() })
    }

    /// The client that reads `account_id`: the only credential when there
    /// is one (its accounts need not be listed); else the one naming the
    /// account, else the first discovering one that lists it.
    async fn client_for(&mut self, account_id: &str) -> Result<Arc<CloudflareClient>, Unreadable> {
        if let [only] = self.lanes.as_slice() {
            return Ok(Arc::clone(&only.client));
        }
        let named = self.lanes.iter().find(|lane| {
            matches!(&lane.selection, AccountSelection::Fixed(ids) if ids.iter().any(|id| id == account_id))
        });
        if let Some(lane) = named {
            return Ok(Arc::clone(&lane.client));
        }
        let mut failures = Vec::new();
        for lane in &mut self.lanes {
            if lane.selection != AccountSelection::Discover {
                continue;
            }
            if lane.listed.is_none() {
                let listed = lane.client.list_accounts().await;
                lane.listed = Some(
                    listed
                        .map(|accounts| accounts.into_iter().map(|a| a.id).collect())
                        .map_err(|err| Unreadable::api(&err).error),
                );
            }
            match &lane.listed {
                Some(Ok(ids)) if ids.iter().any(|id| id == account_id) => {
                    return Ok(Arc::clone(&lane.client));
                }
                Some(Err(error)) => failures.push(format!("credential {}: {error}", lane.client.name())),
                _ => {}
            }
        }
        let listing = if failures.is_empty() { String::new() } else { format!(" ({})", failures.join("; ")) };
        Err(Unreadable {
            reason: "account_not_found",
            error: format!("no credential of --config.file reads account {account_id}{listing}"),
        })
    }

    /// The account's SAML identity providers and the client that read
    /// them; read once, however many entries name the account.
    pub async fn account(&mut self, account_id: &str) -> Result<Account, Unreadable> {
        if let Some(read) = self.read.get(account_id) {
            return read.clone();
        }
        let read = match self.client_for(account_id).await {
            Ok(client) => match client.list_identity_providers(account_id).await {
                Ok(idps) => Ok((client, Arc::new(AccountInventory::build(Vec::new(), idps)))),
                Err(err) => Err(Unreadable::api(&err)),
            },
            Err(unreadable) => Err(unreadable),
        };
        self.read.insert(account_id.to_owned(), read.clone());
        read
    }
}

/// The signing certificates `source` publishes for `entity_id` (the
/// document's only entity when `None`), read now.
pub async fn published(
    fetcher: &MetadataFetcher,
    source: &MetadataSource,
    entity_id: Option<&str>,
) -> Result<MetadataCertificates, Unreadable> {
    let fetched = fetcher
        .fetch(&source.url, &Validators::default())
        .await
        .map_err(|err| Unreadable { reason: err.reason(), error: err.to_string() })?;
    match fetched {
        Fetched::Document { body, .. } => signing_certificates(&body, entity_id)
            .map_err(|err| Unreadable { reason: err.reason(), error: err.to_string() }),
        Fetched::NotModified => Err(Unreadable {
            reason: "http_status",
            error: format!("{}: 304 Not Modified to an unconditional request", source.url),
        }),
    }
}
