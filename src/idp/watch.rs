//! The background loop that reads every configured identity provider's
//! metadata, once per `--idp-metadata.refresh-interval`, and records what it
//! found in the shared state. An entry waits until Cloudflare has been read
//! for its account (its IdP and entity ID come from there); a failure keeps
//! the last good certificates, as for Cloudflare. An unchanged document
//! costs one conditional request and no parsing.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tracing::{debug, warn};

use crate::counters::ExporterCounters;
use crate::idp::fetch::{FETCH_REASONS, Fetched, MetadataFetcher, Validators};
use crate::idp::source::MetadataSource;
use crate::model::idp_metadata::{REASONS as PARSE_REASONS, signing_certificates};
use crate::model::metadata_status::{MetadataOutcome, RESOLUTION_REASONS, resolve};
use crate::model::state::ExporterState;

/// Fetches in flight at once: enough that a few hanging IdPs cannot delay
/// the others by their timeouts, few enough to be polite.
const CONCURRENT_FETCHES: usize = 8;

/// How soon an entry whose account has not been read yet is tried again:
/// the check is a read of the shared state, no request.
const WAIT_FOR_ACCOUNT: Duration = Duration::from_millis(250);

/// How soon a failed entry is tried again.
pub const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(300);

/// Every `reason` of the metadata errors: resolution, fetch, then parse
/// reasons, each once.
pub fn metadata_reasons() -> Vec<&'static str> {
    let mut reasons: Vec<&'static str> = Vec::new();
    for reason in RESOLUTION_REASONS.iter().chain(&FETCH_REASONS).chain(&PARSE_REASONS) {
        if !reasons.contains(reason) {
            reasons.push(reason);
        }
    }
    reasons
}

/// What the loop remembers of one entry between attempts.
#[derive(Debug, Clone, Default)]
struct Remembered {
    /// Validators of the last document that parsed.
    validators: Validators,
    /// The entity ID that document was read for.
    entity_id: Option<String>,
}

/// How an attempt ended.
#[derive(Debug)]
enum Attempt {
    /// Its account has not been read yet: nothing to compare with.
    Waiting,
    /// Recorded in the state; `true` when it read the document.
    Done(Remembered, bool),
}

/// When an entry is next tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// Its account has not been read yet.
    Waiting,
    /// It was read.
    Read,
    /// It failed.
    Failed,
}

/// The metadata loop's parts.
#[derive(Debug)]
pub struct MetadataWatch {
    sources: Arc<[MetadataSource]>,
    fetcher: MetadataFetcher,
    state: Arc<ExporterState>,
    counters: Arc<ExporterCounters>,
    remembered: Vec<Remembered>,
}

impl MetadataWatch {
    /// Registers `sources` in the state (nothing known yet).
    pub fn new(
        sources: Vec<MetadataSource>,
        fetcher: MetadataFetcher,
        state: Arc<ExporterState>,
        counters: Arc<ExporterCounters>,
    ) -> Self {
        state.set_metadata_sources(
            sources.iter().map(|s| (s.account_id.as_str(), s.identity_provider.as_str())),
        );
        let remembered = vec![Remembered::default(); sources.len()];
        Self { sources: sources.into(), fetcher, state, counters, remembered }
    }

    /// One attempt at every entry whose account has been read (as `check`
    /// does once); returns how many still wait for theirs.
    pub async fn read_all(&mut self) -> usize {
        let every: Vec<usize> = (0..self.sources.len()).collect();
        self.attempt(&every).await.iter().filter(|(_, next)| *next == Next::Waiting).count()
    }

    /// Attempts the entries `indices`, a few at a time; returns how each
    /// ended.
    async fn attempt(&mut self, indices: &[usize]) -> Vec<(usize, Next)> {
        let permits = Arc::new(Semaphore::new(CONCURRENT_FETCHES));
        let mut tasks = JoinSet::new();
        for &index in indices {
            let job = Job {
                index,
                sources: Arc::clone(&self.sources),
                fetcher: self.fetcher.clone(),
                state: Arc::clone(&self.state),
                counters: Arc::clone(&self.counters),
                remembered: self.remembered[index].clone(),
            };
            let permits = Arc::clone(&permits);
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                (index, job.attempt().await)
            });
        }
        let mut outcomes = Vec::with_capacity(indices.len());
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((index, Attempt::Done(remembered, read))) => {
                    self.remembered[index] = remembered;
                    outcomes.push((index, if read { Next::Read } else { Next::Failed }));
                }
                Ok((index, Attempt::Waiting)) => outcomes.push((index, Next::Waiting)),
                Err(err) => warn!(error = %err, "an identity provider metadata read failed unexpectedly"),
            }
        }
        outcomes
    }

    /// Reads each entry every `interval` until `stop` turns true. An entry
    /// whose account has not been read yet is tried again shortly, alone,
    /// so its first comparison follows Cloudflare's first read closely; one
    /// that failed is tried again after [`RETRY_AFTER_FAILURE`] (or
    /// `interval`, if shorter), so a blip clears long before the hour the
    /// unreachable alert waits.
    pub async fn run(mut self, interval: Duration, mut stop: watch::Receiver<bool>) {
        if self.sources.is_empty() {
            return;
        }
        let mut due = vec![Instant::now(); self.sources.len()];
        loop {
            let now = Instant::now();
            let ready: Vec<usize> = (0..due.len()).filter(|&i| due[i] <= now).collect();
            for (index, next) in self.attempt(&ready).await {
                due[index] = Instant::now() + pause_after(next, interval);
            }
            let next = due.iter().min().copied().unwrap_or_else(|| Instant::now() + interval);
            tokio::select! {
                _ = tokio::time::sleep_until(next) => {}
                _ = crate::shutdown::stopped(&mut stop) => return,
            }
        }
    }
}

/// How long an entry rests after an attempt that ended as `next`.
fn pause_after(next: Next, interval: Duration) -> Duration {
    let pause = match next {
        Next::Waiting => WAIT_FOR_ACCOUNT,
        Next::Failed => RETRY_AFTER_FAILURE,
        Next::Read => interval,
    };
    pause.min(interval)
}

/// One entry's attempt, run on its own task.
struct Job {
    index: usize,
    sources: Arc<[MetadataSource]>,
    fetcher: MetadataFetcher,
    state: Arc<ExporterState>,
    counters: Arc<ExporterCounters>,
    remembered: Remembered,
}

impl Job {
    async fn attempt(self) -> Attempt {
        let source = &self.sources[self.index];
        let Some(account) = self.state.account(&source.account_id) else {
            if !self.state.accounts_known() {
                return Attempt::Waiting;
            }
            return self.failed(None, "account_not_found", "the account is not among those watched");
        };
        let Some(inventory) = account.inventory else { return Attempt::Waiting };
        let idp = match resolve(&inventory, &source.identity_provider) {
            Ok(idp) => idp,
            Err(reason) => {
                return self.failed(None, reason, "no single SAML identity provider has that ID or name");
            }
        };
        let id = idp.id.clone();
        let entity_id = source.entity_id.clone().or_else(|| idp.issuer_url.clone());
        let mut remembered = self.remembered.clone();
        let last_good = self.state.metadata_published(self.index);
        if remembered.entity_id != entity_id || last_good.is_none() {
            // Another entity (or nothing read yet): the whole document is needed.
            remembered = Remembered { validators: Validators::default(), entity_id: entity_id.clone() };
        }
        let fetched = match self.fetcher.fetch(&source.url, &remembered.validators).await {
            Ok(fetched) => fetched,
            Err(err) => return self.failed(Some(id), err.reason(), &err.to_string()),
        };
        let now = crate::clock::unix_now();
        match fetched {
            Fetched::NotModified => {
                let Some(published) = last_good else {
                    return self.failed(
                        Some(id),
                        "http_status",
                        "304 Not Modified to an unconditional request",
                    );
                };
                debug!(account_id = %source.account_id, identity_provider_id = %id, "metadata unchanged");
                self.record(MetadataOutcome::Read { identity_provider_id: id, published, at: now });
                Attempt::Done(remembered, true)
            }
            Fetched::Document { body, validators } => {
                let entity = entity_id.clone();
                let parsed =
                    tokio::task::spawn_blocking(move || signing_certificates(&body, entity.as_deref())).await;
                match parsed {
                    Ok(Ok(published)) => {
                        let published = Arc::new(published);
                        self.record(MetadataOutcome::Read { identity_provider_id: id, published, at: now });
                        Attempt::Done(Remembered { validators, entity_id }, true)
                    }
                    Ok(Err(err)) => self.failed(Some(id), err.reason(), &err.to_string()),
                    Err(err) => self.failed(Some(id), "not_xml", &err.to_string()),
                }
            }
        }
    }

    fn record(&self, outcome: MetadataOutcome) {
        if let MetadataOutcome::Read { identity_provider_id, .. } = &outcome {
            self.init_errors(identity_provider_id);
        }
        self.state.record_metadata(self.index, outcome);
    }

    /// Every reason's counter at 0, so `increase()` sees the first error.
    fn init_errors(&self, label: &str) {
        let account = &self.sources[self.index].account_id;
        self.counters.init_metadata_errors(account, label, &metadata_reasons());
    }

    /// Records a failure (the last good certificates stay) and forgets the
    /// validators, so the next attempt reads the whole document.
    fn failed(&self, identity_provider_id: Option<String>, reason: &'static str, detail: &str) -> Attempt {
        let source = &self.sources[self.index];
        let label = identity_provider_id.as_deref().unwrap_or(&source.identity_provider);
        self.init_errors(label);
        self.counters.record_metadata_error(&source.account_id, label, reason);
        warn!(
            account_id = %source.account_id,
            identity_provider = %label,
            reason,
            error = %crate::printable::printable(detail),
            "cannot read the identity provider's metadata; the last good comparison, if any, stays"
        );
        self.record(MetadataOutcome::Failed { identity_provider_id, reason });
        Attempt::Done(Remembered { validators: Validators::default(), entity_id: None }, false)
    }
}

#[cfg(test)]
mod tests;
