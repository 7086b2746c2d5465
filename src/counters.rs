//! The exporter's own counters and gauges as plain data: requests made to
//! Cloudflare by endpoint and status, failed refreshes by account and
//! reason, failed reads of identity providers' metadata and of the Access
//! applications lists by reason, per
//! credential the rate-limit quota left, the refresh cycle and
//! its token's status and expiry, and the replica's shard. The API client and the refresh write them; the
//! `/metrics` rendering and the status page read them. Nothing here renders
//! or knows a metric name, so any layer can count without reaching up.
//!
//! May use: [`crate::locks`].

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::locks::lock;

/// The exporter's own counters and gauges, shared by the client, the
/// refresh and the serving side.
#[derive(Debug, Default)]
pub struct ExporterCounters {
    /// Requests by `(endpoint, code)`.
    api_requests: Mutex<BTreeMap<(String, String), u64>>,
    /// Failed refreshes by account, then by reason label.
    refresh_errors: Mutex<BTreeMap<String, BTreeMap<&'static str, u64>>>,
    /// Per credential, once a `Ratelimit` header has been seen.
    rate_limit_remaining: Mutex<BTreeMap<String, u64>>,
    /// Per credential, once its scheduler has computed it.
    refresh_cycle: Mutex<BTreeMap<String, f64>>,
    /// `--shard` and `--total-shards`, once the refresher is wired.
    shard: Mutex<Option<(u64, u64)>>,
    /// Per credential, what Cloudflare last said of its token.
    tokens: Mutex<BTreeMap<String, TokenState>>,
    /// Per credential, when its last wait for Cloudflare's rate limit ends
    /// (Unix time).
    blocked_until: Mutex<BTreeMap<String, f64>>,
    /// Log lines left out by kind, once a kind logged its share.
    log_suppressed: Mutex<BTreeMap<&'static str, u64>>,
    /// Failed identity provider metadata reads by `(account, IdP label)`,
    /// then by reason label.
    metadata_errors: Mutex<MetadataErrors>,
    /// Failed reads of the Access applications list by account, then by
    /// reason label.
    application_errors: Mutex<BTreeMap<String, BTreeMap<&'static str, u64>>>,
}

/// Failed metadata reads by `(account, IdP label)`, then by reason.
pub type MetadataErrors = BTreeMap<(String, String), BTreeMap<&'static str, u64>>;

/// What Cloudflare last said of a credential's token.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenState {
    /// `active`, `disabled` or `expired` (anything else as `unknown`).
    pub status: &'static str,
    /// When the token expires, Unix seconds; `None` when it never does.
    pub expires_at: Option<f64>,
}

/// The kinds of log line that are rate-limited (the `kind` label): inventory
/// warnings about an account's data, and failed account refreshes.
pub const LOG_KINDS: [&str; 2] = ["inventory_warning", "refresh_failed"];

/// The token statuses Cloudflare documents; another one is `unknown`.
pub const TOKEN_STATUSES: [&str; 3] = ["active", "disabled", "expired"];

impl TokenState {
    /// The state for Cloudflare's `status` text and expiry.
    pub fn new(status: &str, expires_at: Option<f64>) -> Self {
        let status = TOKEN_STATUSES.into_iter().find(|known| *known == status).unwrap_or("unknown");
        Self { status, expires_at }
    }
}

impl ExporterCounters {
    /// Counters that have counted nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `credential` calls Cloudflare again only at `until`
    /// (Unix time), after a 429 or a nearly spent window.
    pub fn set_blocked_until(&self, credential: &str, until: f64) {
        lock(&self.blocked_until).insert(credential.to_owned(), until);
    }

    /// Per credential, when its last wait ends (Unix time; past once over).
    pub fn blocked_until(&self) -> BTreeMap<String, f64> {
        lock(&self.blocked_until).clone()
    }

    /// Counts one log line of `kind` left out.
    pub fn record_log_suppressed(&self, kind: &'static str) {
        *lock(&self.log_suppressed).entry(kind).or_default() += 1;
    }

    /// Log lines left out, by kind: every kind of [`LOG_KINDS`], from 0.
    pub fn log_suppressed(&self) -> BTreeMap<&'static str, u64> {
        let mut all: BTreeMap<&'static str, u64> = LOG_KINDS.iter().map(|kind| (*kind, 0)).collect();
        all.extend(lock(&self.log_suppressed).iter().map(|(k, v)| (*k, *v)));
        all
    }

    /// Counts a failed read of an identity provider's metadata; `reason`
    /// is a label from a closed set.
    pub fn record_metadata_error(&self, account_id: &str, identity_provider: &str, reason: &'static str) {
        let key = (account_id.to_owned(), identity_provider.to_owned());
        *lock(&self.metadata_errors).entry(key).or_default().entry(reason).or_default() += 1;
    }

    /// Creates an identity provider's metadata error counters at 0.
    pub fn init_metadata_errors(&self, account_id: &str, identity_provider: &str, reasons: &[&'static str]) {
        let mut errors = lock(&self.metadata_errors);
        let by_reason = errors.entry((account_id.to_owned(), identity_provider.to_owned())).or_default();
        for known in reasons {
            by_reason.entry(known).or_default();
        }
    }

    /// Failed metadata reads by `(account, IdP label)`, then by reason.
    pub fn metadata_errors(&self) -> MetadataErrors {
        lock(&self.metadata_errors).clone()
    }

    /// Counts one request to Cloudflare; `code` is the HTTP status, or
    /// `error` when no response arrived.
    pub fn record_api_request(&self, endpoint: &str, code: &str) {
        *lock(&self.api_requests).entry((endpoint.to_owned(), code.to_owned())).or_default() += 1;
    }

    /// Creates the error counters of an account at 0 for each of `reasons`
    /// (labels from a closed set), so `increase()` sees the first error.
    pub fn init_account(&self, account_id: &str, reasons: impl IntoIterator<Item = &'static str>) {
        let mut errors = lock(&self.refresh_errors);
        let by_reason = errors.entry(account_id.to_owned()).or_default();
        for reason in reasons {
            by_reason.entry(reason).or_default();
        }
    }

    /// Counts a failed refresh of an account; `reason` is a label from a
    /// closed set, never error text.
    pub fn record_refresh_error(&self, account_id: &str, reason: &'static str) {
        *lock(&self.refresh_errors).entry(account_id.to_owned()).or_default().entry(reason).or_default() += 1;
    }

    /// Counts a failed read of an account's applications list (`reason`
    /// from the closed set of API error reasons).
    pub fn record_application_error(&self, account_id: &str, reason: &'static str) {
        *lock(&self.application_errors)
            .entry(account_id.to_owned())
            .or_default()
            .entry(reason)
            .or_default() += 1;
    }

    /// Creates an account's applications error counters at 0 for each of
    /// `reasons`, so `increase()` sees the first error.
    pub fn init_application_errors(&self, account_id: &str, reasons: impl IntoIterator<Item = &'static str>) {
        let mut errors = lock(&self.application_errors);
        let by_reason = errors.entry(account_id.to_owned()).or_default();
        for reason in reasons {
            by_reason.entry(reason).or_default();
        }
    }

    /// Failed applications reads so far by account, then by reason.
    pub fn application_errors(&self) -> BTreeMap<String, BTreeMap<&'static str, u64>> {
        lock(&self.application_errors).clone()
    }

    /// Failed refreshes of an account so far, every reason together.
    pub fn refresh_errors_of(&self, account_id: &str) -> u64 {
        lock(&self.refresh_errors).get(account_id).map_or(0, |by_reason| by_reason.values().sum())
    }

    /// Remembers a credential's remaining quota from Cloudflare's `Ratelimit` header.
    pub fn set_rate_limit_remaining(&self, credential: &str, remaining: u64) {
        lock(&self.rate_limit_remaining).insert(credential.to_owned(), remaining);
    }

    /// Remembers the time a credential's scheduler needs to read each of its
    /// accounts once.
    pub fn set_refresh_cycle(&self, credential: &str, cycle_seconds: f64) {
        lock(&self.refresh_cycle).insert(credential.to_owned(), cycle_seconds);
    }

    /// Remembers what Cloudflare said of a credential's token.
    pub fn set_token(&self, credential: &str, token: TokenState) {
        lock(&self.tokens).insert(credential.to_owned(), token);
    }

    /// Per credential, what Cloudflare last said of its token.
    pub fn tokens(&self) -> BTreeMap<String, TokenState> {
        lock(&self.tokens).clone()
    }

    /// Per credential whose token expires, when (Unix seconds): the
    /// calendar's token deadlines.
    pub fn token_expiries(&self) -> Vec<(String, f64)> {
        lock(&self.tokens)
            .iter()
            .filter_map(|(name, token)| Some((name.clone(), token.expires_at?)))
            .collect()
    }

    /// Remembers which shard of how many this replica reads.
    pub fn set_shard(&self, ordinal: u64, total: u64) {
        *lock(&self.shard) = Some((ordinal, total));
    }

    /// Requests so far by `(endpoint, code)`.
    pub fn api_requests(&self) -> BTreeMap<(String, String), u64> {
        lock(&self.api_requests).clone()
    }

    /// Failed refreshes so far by account, then by reason (0 for the
    /// reasons an account was created with and has not failed for).
    pub fn refresh_errors(&self) -> BTreeMap<String, BTreeMap<&'static str, u64>> {
        lock(&self.refresh_errors).clone()
    }

    /// Per credential, the quota from its last `Ratelimit` header.
    pub fn rate_limit_remaining(&self) -> BTreeMap<String, u64> {
        lock(&self.rate_limit_remaining).clone()
    }

    /// The refresh cycle of a credential, once computed.
    pub fn refresh_cycle(&self, credential: &str) -> Option<f64> {
        lock(&self.refresh_cycle).get(credential).copied()
    }

    /// Per credential, its refresh cycle in seconds.
    pub fn refresh_cycles(&self) -> BTreeMap<String, f64> {
        lock(&self.refresh_cycle).clone()
    }

    /// `(ordinal, total)`, once set.
    pub fn shard(&self) -> Option<(u64, u64)> {
        *lock(&self.shard)
    }
}

#[cfg(test)]
mod tests;
