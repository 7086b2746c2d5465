//! The background refresh: reads every account of every credential from
//! Cloudflare and records the outcome in [`ExporterState`]. Scrapes never
//! wait for it. Each credential is a [`Lane`] with its own budget and its
//! own [`schedule`]; [`shard`] decides which accounts this replica reads.
//! With `--state.file`, each success is also handed to the
//! [`snapshot_writer`], which keeps the [`state_file`] up to date.
//!
//! May use: [`crate::clock`], [`crate::cloudflare`], [`crate::counters`],
//! [`crate::locks`], [`crate::model`] and [`crate::shutdown`]. Knows nothing of
//! rendering or serving.

mod account_names;
mod applications;
pub mod log_limit;
pub mod schedule;
pub mod set_list;
pub mod shard;
pub mod snapshot_writer;
pub mod source;
pub mod state_file;
#[cfg(test)]
mod tests;
pub mod token_check;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::locks::lock;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tracing::{debug, info, warn};

use crate::clock::unix_now;
use crate::cloudflare::byte_allowance::ByteAllowance;
use crate::cloudflare::client::CloudflareClient;
use crate::cloudflare::error::{ApiError, Reason};
use crate::cloudflare::talk_time::TalkTime;
use crate::counters::ExporterCounters;
use crate::model::inventory::AccountInventory;
use crate::model::snapshot::AccountSnapshot;
use crate::model::state::ExporterState;
use crate::refresh::log_limit::LogLimit;

use self::schedule::Pace;
use self::set_list::SetListMemory;
use self::shard::{Shard, slot_of};
use self::snapshot_writer::SnapshotWriter;
use self::source::{AccountLists, AccountSource};

/// Which accounts to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountSelection {
    /// The accounts the user named.
    Fixed(Vec<String>),
    /// Every account `GET /accounts` lists, re-listed each pass.
    Discover,
}

/// One credential: its access to Cloudflare (with its budget) and its accounts.
#[derive(Debug)]
pub struct Lane<S = CloudflareClient> {
    /// Access to Cloudflare with this credential.
    pub source: Arc<S>,
    /// Which of its accounts to read.
    pub selection: AccountSelection,
    /// Whether the applications collector reads its accounts' Access
    /// applications too.
    pub applications: bool,
}

/// A discovery that failed at start.
#[derive(Debug, thiserror::Error)]
#[error("credential {credential}: {source}")]
pub struct DiscoveryError {
    /// The credential whose accounts could not be listed.
    pub credential: String,
    /// Why.
    pub source: ApiError,
}

/// Reads accounts and records what it finds.
#[derive(Debug)]
pub struct Refresher<S = CloudflareClient> {
    lanes: Vec<Arc<Lane<S>>>,
    shared: Arc<Shared>,
}

impl<S> Clone for Refresher<S> {
    fn clone(&self) -> Self {
        Self { lanes: self.lanes.clone(), shared: Arc::clone(&self.shared) }
    }
}

#[derive(Debug)]
struct Shared {
    state: Arc<ExporterState>,
    counters: Arc<ExporterCounters>,
    refresh_timeout: Duration,
    shard: Shard,
    /// Each lane's accounts (this shard's, none claimed by another lane).
    accounts: Mutex<BTreeMap<String, Vec<String>>>,
    /// Where successes go for the state file, with `--state.file`.
    snapshot: OnceLock<SnapshotWriter>,
    /// Each account's inventory warnings of its last read: only new ones
    /// are logged, and the set is replaced, not grown, each read.
    warned: Mutex<HashMap<String, HashSet<String>>>,
    /// What keeps warnings and failures from flooding the log.
    log_limit: LogLimit,
    /// How often each account's set list is read in between the passes
    /// that take sets from the IdP list; zero reads it every pass.
    set_list_interval: OnceLock<Duration>,
    /// One pass in this many reads the set list (from the interval).
    set_list_every: AtomicU32,
    /// What each account's last read leaves for the next.
    set_lists: Mutex<HashMap<String, SetListMemory>>,
    /// When each account's applications are read next.
    applications: applications::ApplicationsCadence,
    /// When each named account's name was last asked for.
    names: account_names::NameCadence,
}

impl<S: AccountSource> Refresher<S> {
    /// A refresher over `lanes` (one per credential, names unique) writing
    /// into `state`; each account's requests may talk `refresh_timeout`;
    /// only the accounts of `shard` are read.
    pub fn new(
        lanes: Vec<Lane<S>>,
        state: Arc<ExporterState>,
        counters: Arc<ExporterCounters>,
        refresh_timeout: Duration,
        shard: Shard,
    ) -> Self {
        let shared = Shared {
            state,
            counters,
            refresh_timeout,
            shard,
            accounts: Mutex::default(),
            snapshot: OnceLock::new(),
            warned: Mutex::default(),
            log_limit: LogLimit::default(),
            set_list_interval: OnceLock::new(),
            set_list_every: AtomicU32::new(1),
            set_lists: Mutex::default(),
            applications: applications::ApplicationsCadence::default(),
            names: account_names::NameCadence::default(),
        };
        Self { lanes: lanes.into_iter().map(Arc::new).collect(), shared: Arc::new(shared) }
    }

    /// Reads each account's full set list about once per `interval` (the
    /// default, zero, reads it every pass); in between, a pass reads only
    /// the IdP list, which embeds every assigned set ([`set_list`]).
    pub fn with_set_list_interval(self, interval: Duration) -> Self {
        let _ = self.shared.set_list_interval.set(interval);
        self
    }

    /// Hands every successful refresh to `writer` too, for the state file.
    pub fn with_snapshot(self, writer: SnapshotWriter) -> Self {
        let _ = self.shared.snapshot.set(writer);
        self
    }

    /// Settles every credential's accounts before the first pass. A failed
    /// discovery is returned: the caller should tell the user to name the
    /// accounts.
    pub async fn resolve_accounts(&self) -> Result<Vec<String>, DiscoveryError> {
        self.resolve_accounts_or(&[]).await
    }

    /// Like [`Self::resolve_accounts`], but a credential whose discovery
    /// fails watches `fallback` (the state file's accounts) instead when
    /// there are any: a restart during a Cloudflare outage still serves the
    /// last good data, and every pass tries discovery again.
    pub async fn resolve_accounts_or(&self, fallback: &[String]) -> Result<Vec<String>, DiscoveryError> {
        for lane in &self.lanes {
            lane.source.prepare();
            let (ids, names) = match &lane.selection {
                AccountSelection::Fixed(ids) => (ids.clone(), Vec::new()),
                AccountSelection::Discover => match lane.source.discover().await {
                    Ok(accounts) => account_names::split(accounts),
                    Err(source) if !fallback.is_empty() => {
                        warn!(
                            credential = %lane.source.name(),
                            error = %source,
                            reason = source.reason().label(),
                            accounts = fallback.len(),
                            "account discovery failed; watching the state file's accounts until it succeeds"
                        );
                        (fallback.to_vec(), Vec::new())
                    }
                    Err(source) => {
                        return Err(DiscoveryError { credential: lane.source.name().to_owned(), source });
                    }
                },
            };
            self.adopt(lane.source.name(), ids);
            self.shared.state.set_account_names(names);
        }
        Ok(self.shared.state.account_ids())
    }

    /// Lists a discovering lane's accounts again; on failure the known ones stay.
    async fn relist(&self, lane: &Lane<S>) {
        if lane.selection != AccountSelection::Discover {
            return;
        }
        match lane.source.discover().await {
            Ok(accounts) => {
                let (ids, names) = account_names::split(accounts);
                self.adopt(lane.source.name(), ids);
                self.shared.state.set_account_names(names);
            }
            Err(err) => warn!(
                credential = %lane.source.name(),
                error = %err,
                reason = err.reason().label(),
                "account discovery failed; keeping the known accounts"
            ),
        }
    }

    /// Takes `ids` as the lane's accounts: those of this shard that no other
    /// lane reads already.
    fn adopt(&self, lane: &str, mut ids: Vec<String>) {
        let shard = self.shared.shard;
        let mut all = lock(&self.shared.accounts);
        ids.retain(|id| shard.owns(id));
        ids.retain(|id| {
            let other = all.iter().find(|(name, theirs)| name.as_str() != lane && theirs.contains(id));
            if let Some((other, _)) = other {
                debug!(account_id = %id, credential = lane, read_by = %other, "account already read with another credential");
            }
            other.is_none()
        });
        // One hash per account, not two per comparison: this runs on every
        // relist. Slots are in [0, 1), where the bits order as the numbers.
        ids.sort_by_cached_key(|id| (slot_of(id).to_bits(), id.clone()));
        ids.dedup();
        // A relist that found the same accounts changes nothing: no log line,
        // no new state generation (which would re-render every page).
        if all.get(lane) == Some(&ids) {
            return;
        }
        info!(
            credential = lane,
            accounts = ids.len(),
            shard = shard.ordinal(),
            total_shards = shard.total(),
            "accounts to read"
        );
        all.insert(lane.to_owned(), ids);
        let mut union: Vec<String> = all.values().flatten().cloned().collect();
        union.sort();
        for id in &union {
            self.shared.counters.init_account(id, Reason::ALL.map(Reason::label));
        }
        self.shared.state.set_accounts(&union);
    }

    /// One pass in how many reads each account's set list.
    fn set_list_every(&self) -> u32 {
        self.shared.set_list_every.load(Ordering::Relaxed)
    }

    /// The lane's accounts, in slot order.
    fn lane_accounts(&self, lane: &str) -> Vec<String> {
        lock(&self.shared.accounts).get(lane).cloned().unwrap_or_default()
    }

    /// One pass over every account of every credential, each as fast as its
    /// budget allows (for `check`), right after [`Self::resolve_accounts`].
    /// Returns the accounts that failed, with why.
    pub async fn refresh_all(&self) -> Vec<(String, ApiError)> {
        let mut lanes = JoinSet::new();
        for lane in &self.lanes {
            let (this, lane) = (self.clone(), Arc::clone(lane));
            // `resolve_accounts` has just loaded the credentials and listed
            // the accounts: doing it again would spend budget for nothing.
            lanes.spawn(async move {
                let accounts = this.lane_accounts(lane.source.name());
                this.pass(&lane, accounts, Pace::AsFastAsBudget).await
            });
        }
        let mut failures: Vec<(String, ApiError)> = Vec::new();
        while let Some(done) = lanes.join_next().await {
            failures.extend(done.unwrap_or_default());
        }
        failures.sort_by(|a, b| a.0.cmp(&b.0));
        failures
    }

    /// Reads one account and records the outcome.
    async fn refresh_account(&self, lane: &Lane<S>, account_id: &str) -> Result<(), ApiError> {
        let started = Instant::now();
        let bytes = ByteAllowance::new(lane.source.max_account_bytes());
        let talk = TalkTime::with_bytes(self.shared.refresh_timeout, bytes);
        // Taken, not copied (it holds the unused sets' PEMs): one account is
        // read by one task at a time; a failed read puts it back.
        let memory = lock(&self.shared.set_lists).remove(account_id);
        let every = self.set_list_every();
        let outcome =
            match set_list::read_account(&*lane.source, account_id, &talk, memory.as_ref(), every).await {
                Ok((lists, next)) => {
                    lock(&self.shared.set_lists).insert(account_id.to_owned(), next);
                    Ok(lists)
                }
                Err(err) => {
                    if let Some(memory) = memory {
                        lock(&self.shared.set_lists).insert(account_id.to_owned(), memory);
                    }
                    Err(err)
                }
            };
        let duration = started.elapsed().as_secs_f64();
        let credential = lane.source.name();
        match outcome {
            Ok(AccountLists { sets, identity_providers }) => {
                let now = unix_now();
                if let Some(writer) = self.shared.snapshot.get() {
                    let name = self.shared.state.account_name(account_id);
                    writer.record(
                        account_id,
                        AccountSnapshot::new(now, &sets, &identity_providers).with_name(name),
                    );
                }
                let inventory = AccountInventory::build(sets, identity_providers);
                let current: HashSet<String> = inventory.warnings.iter().cloned().collect();
                let previous =
                    lock(&self.shared.warned).insert(account_id.to_owned(), current).unwrap_or_default();
                for warning in &inventory.warnings {
                    // The same data gives the same warning every pass: say it once.
                    if !previous.contains(warning)
                        && self.shared.log_limit.admit("inventory_warning", &self.shared.counters)
                    {
                        warn!(account_id, credential, "{warning}");
                    } else {
                        debug!(account_id, credential, "{warning}");
                    }
                }
                info!(
                    account_id,
                    credential,
                    certificate_sets = inventory.sets.len(),
                    saml_identity_providers = inventory.identity_providers.len(),
                    duration_ms = (duration * 1000.0) as u64,
                    "refreshed account"
                );
                self.shared.state.record_success(account_id, inventory, duration, now);
                self.refresh_applications(lane, account_id, &talk).await;
                self.refresh_account_name(lane, account_id).await;
                Ok(())
            }
            Err(err) => {
                if self.shared.log_limit.admit("refresh_failed", &self.shared.counters) {
                    warn!(account_id, credential, reason = err.reason().label(), error = %err, "refresh failed; keeping the last good values");
                }
                self.shared.counters.record_refresh_error(account_id, err.reason().label());
                self.shared.state.record_failure(account_id, duration);
                Err(err)
            }
        }
    }

    /// Reads every credential's accounts on its schedule until `shutdown`
    /// turns true. Once the first pass has run for one `interval`, the
    /// exporter is ready even if the pass has not finished.
    pub async fn run(self, interval: Duration, mut shutdown: watch::Receiver<bool>) {
        let set_list_interval = self.shared.set_list_interval.get().copied().unwrap_or_default();
        self.shared.set_list_every.store(set_list_every(set_list_interval, interval), Ordering::Relaxed);
        let mut tasks = JoinSet::new();
        for lane in &self.lanes {
            let (this, lane) = (self.clone(), Arc::clone(lane));
            tasks.spawn(async move { this.run_lane(lane, interval).await });
        }
        let state = Arc::clone(&self.shared.state);
        tasks.spawn(async move {
            tokio::time::sleep(interval).await;
            state.mark_first_pass_overdue();
        });
        crate::shutdown::stopped(&mut shutdown).await;
        tasks.shutdown().await;
        debug!("refresh stopped");
    }
}

/// One pass in how many reads the set list: `set_list_interval` in passes
/// of `interval`, at least every pass.
pub fn set_list_every(set_list_interval: Duration, interval: Duration) -> u32 {
    if interval.is_zero() {
        return 1;
    }
    (set_list_interval.as_secs_f64() / interval.as_secs_f64()).round().clamp(1.0, f64::from(u32::MAX)) as u32
}
