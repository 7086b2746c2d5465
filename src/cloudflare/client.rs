//! The Cloudflare API client of one credential: one place that builds
//! requests (base URL injected, credentials attached), waits for a turn of
//! the credential's [`RequestBudget`] (paused when Cloudflare's `Ratelimit`
//! header says the quota is down to a reserve), keeps each request's talking
//! time on the account's [`TalkTime`], maps every way a call can fail onto
//! [`ApiError`], and counts each request in the [`ExporterCounters`].

use std::num::NonZeroU32;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tracing::debug;

use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;

use crate::cloudflare::application::AccessApplication;
use crate::cloudflare::budget::RequestBudget;
use crate::cloudflare::byte_allowance::ByteAllowance;
use crate::cloudflare::credentials::{Auth, CredentialError, CredentialSource};
use crate::cloudflare::endpoint::Endpoint;
use crate::cloudflare::error::ApiError;
use crate::cloudflare::pages::{Page, walk_pages};
use crate::cloudflare::rate_limit_headers::parse_retry_after;
use crate::cloudflare::response::{error_entries, read_body, successful};
use crate::cloudflare::talk_time::TalkTime;
use crate::cloudflare::wire::{Account, CertificateSet, Envelope, IdentityProvider};
use crate::counters::ExporterCounters;
use crate::locks;
use crate::printable::error_chain;

/// Connection settings of the client.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// e.g. `https://api.cloudflare.com/client/v4`.
    pub base_url: Url,
    /// Limit for one request, body included.
    pub request_timeout: Duration,
    /// Limit for establishing a connection.
    pub connect_timeout: Duration,
    /// Larger bodies are refused as a decode error instead of filling memory.
    pub max_body_bytes: usize,
    /// What one account's refresh may read in all, every page of every list
    /// ([`ApiError::AccountTooLarge`] beyond).
    pub max_account_bytes: usize,
    /// Client-side budget of the credential: at most this many requests in
    /// any 5 minutes (Cloudflare allows 1200 per user, shared with every
    /// other client of that user).
    pub max_requests_per_5m: NonZeroU32,
}

/// Attempts per request when the failure may be transient (5xx, timeout,
/// transport); other failures are never retried.
const MAX_ATTEMPTS: u32 = 3;
/// First retry delay; doubles per attempt, with jitter.
const RETRY_BASE: Duration = Duration::from_millis(500);
/// How long to stay away after a 429 that carried no `Retry-After`:
/// Cloudflare blocks for five minutes.
const DEFAULT_RATE_LIMIT_BLOCK: Duration = Duration::from_secs(300);
/// Once Cloudflare reports this few requests left in its window, the
/// credential waits for the window to reset: room for the requests already
/// in flight (at most 2 per account read at once, and the refresh reads up
/// to 16 at once: 32), one token check, and the other clients sharing the
/// token.
pub const RATE_LIMIT_RESERVE: u64 = 40;
/// The credential name of a client built with [`CloudflareClient::new`].
pub const DEFAULT_CREDENTIAL: &str = "default";

/// `path` (starting with `/`) under the API base URL, as every request is
/// sent and as dry runs show it.
pub fn api_url(base_url: &Url, path: &str) -> String {
    format!("{}{path}", base_url.as_str().trim_end_matches('/'))
}

/// A 2xx answer to [`CloudflareClient::send`].
#[derive(Debug)]
pub(crate) struct Reply {
    /// The HTTP status, e.g. 201 for a created set.
    pub(crate) status: u16,
    /// The body, within the body cap.
    pub(crate) body: Vec<u8>,
}

/// Reads the SAML certificate and identity provider lists of accounts.
#[derive(Debug)]
pub struct CloudflareClient {
    name: String,
    http: reqwest::Client,
    settings: ClientSettings,
    credentials: CredentialSource,
    auth: RwLock<Option<Arc<Auth>>>,
    counters: Arc<ExporterCounters>,
    budget: RequestBudget,
}

impl CloudflareClient {
    /// Builds a client of the credential named [`DEFAULT_CREDENTIAL`]; no
    /// request is made.
    pub fn new(
        settings: ClientSettings,
        credentials: CredentialSource,
        counters: Arc<ExporterCounters>,
    ) -> Result<Self, reqwest::Error> {
        Self::for_credential(DEFAULT_CREDENTIAL, settings, credentials, counters)
    }

    /// Builds the client of the credential `name` (the `credential` label),
    /// with its own budget; no request is made.
    pub fn for_credential(
        name: &str,
        settings: ClientSettings,
        credentials: CredentialSource,
        counters: Arc<ExporterCounters>,
    ) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("cloudflare-saml-exporter/", env!("CARGO_PKG_VERSION")))
            .timeout(settings.request_timeout)
            .connect_timeout(settings.connect_timeout)
            // Never follow a redirect: reqwest strips `Authorization` on a
            // cross-host hop but not `X-Auth-Key`, and a redirect could lead
            // to plain http. The API does not redirect; a 3xx is an error.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let budget = RequestBudget::new(settings.max_requests_per_5m);
        Ok(Self {
            name: name.to_owned(),
            http,
            settings,
            credentials,
            auth: RwLock::new(None),
            counters,
            budget,
        })
    }

    /// The credential's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What one account's refresh may read in all.
    pub fn max_account_bytes(&self) -> usize {
        self.settings.max_account_bytes
    }

    /// The credential's client-side budget.
    pub fn max_requests_per_5m(&self) -> std::num::NonZeroU32 {
        self.budget.max_requests_per_5m()
    }

    /// Resolves once no 429 is being honoured, so that a scheduler starts no
    /// account that could only fail.
    pub async fn until_unblocked(&self) {
        self.budget.until_unblocked().await
    }

    /// (Re-)loads the credentials, e.g. re-reads the token file. On failure
    /// the credentials loaded before stay in use.
    pub fn reload_credentials(&self) -> Result<(), CredentialError> {
        let auth = self.credentials.load()?;
        *locks::write(&self.auth) = Some(Arc::new(auth));
        Ok(())
    }

    /// The credential source, e.g. to check file permissions.
    pub fn credential_source(&self) -> &CredentialSource {
        &self.credentials
    }

    /// Every account the credentials can see (all pages).
    pub async fn list_accounts(&self) -> Result<Vec<Account>, ApiError> {
        let talk = TalkTime::unlimited();
        self.list(Endpoint::Accounts, "/accounts".to_owned(), |a: &Account| Some(a.id.as_str()), &talk).await
    }

    /// Every SAML certificate set of an account (all pages).
    pub async fn list_certificate_sets(&self, account_id: &str) -> Result<Vec<CertificateSet>, ApiError> {
        self.certificate_sets_within(account_id, &TalkTime::unlimited()).await
    }

    /// Every identity provider of an account (all pages, all types).
    pub async fn list_identity_providers(&self, account_id: &str) -> Result<Vec<IdentityProvider>, ApiError> {
        self.identity_providers_within(account_id, &TalkTime::unlimited()).await
    }

    /// [`Self::list_certificate_sets`], talking at most `talk`'s time.
    pub async fn certificate_sets_within(
        &self,
        account_id: &str,
        talk: &TalkTime,
    ) -> Result<Vec<CertificateSet>, ApiError> {
        let path = format!("/accounts/{account_id}/access/saml_certificates");
        self.list(Endpoint::SamlCertificates, path, |s: &CertificateSet| Some(s.uid.as_str()), talk).await
    }

    /// [`Self::list_identity_providers`], talking at most `talk`'s time.
    pub async fn identity_providers_within(
        &self,
        account_id: &str,
        talk: &TalkTime,
    ) -> Result<Vec<IdentityProvider>, ApiError> {
        let path = format!("/accounts/{account_id}/access/identity_providers");
        self.list(Endpoint::IdentityProviders, path, |i: &IdentityProvider| i.id.as_deref(), talk).await
    }

    /// Every Access application of an account (all pages), talking at
    /// most `talk`'s time; needs "Access: Apps and Policies Read".
    pub async fn applications_within(
        &self,
        account_id: &str,
        talk: &TalkTime,
    ) -> Result<Vec<AccessApplication>, ApiError> {
        let path = format!("/accounts/{account_id}/access/apps");
        self.list(Endpoint::Applications, path, |a: &AccessApplication| a.id.as_deref(), talk).await
    }

    async fn list<T: DeserializeOwned>(
        &self,
        endpoint: Endpoint,
        path: String,
        key: impl Fn(&T) -> Option<&str>,
        talk: &TalkTime,
    ) -> Result<Vec<T>, ApiError> {
        walk_pages(endpoint, endpoint.max_per_page(), key, |page, per_page| {
            self.get_page(endpoint, &path, page, per_page, talk)
        })
        .await
    }

    /// One request to a single resource (not a list), sent once: within the
    /// budget and never while a 429 is honoured, but never retried, because
    /// a retried write (a rotation) could act twice. A non-2xx answer is an
    /// error carrying Cloudflare's codes; [`crate::cloudflare::sets`] decodes
    /// the body.
    pub(crate) async fn send(
        &self,
        endpoint: Endpoint,
        method: reqwest::Method,
        path: &str,
        accept: &'static str,
        body: Option<&serde_json::Value>,
    ) -> Result<Reply, ApiError> {
        self.take_turn(endpoint).await?;
        let mut request = self.request(endpoint, method, path, &[])?.header(reqwest::header::ACCEPT, accept);
        if let Some(body) = body {
            request = request.json(body);
        }
        let (status, body) = self.exchange(endpoint, 1, request, &ByteAllowance::unlimited()).await?;
        Ok(Reply { status, body })
    }

    /// A request for `path` with `query`, carrying the credential.
    fn request(
        &self,
        endpoint: Endpoint,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, u64)],
    ) -> Result<reqwest::RequestBuilder, ApiError> {
        let mut url = self.url(path).map_err(|detail| ApiError::Transport { endpoint, detail })?;
        for (name, value) in query {
            url.query_pairs_mut().append_pair(name, &value.to_string());
        }
        let auth =
            self.current_auth().map_err(|e| ApiError::Credentials { endpoint, detail: e.to_string() })?;
        Ok(auth.apply(self.http.request(method, url)))
    }

    /// Waits for a turn in the budget; refused while a 429 is honoured.
    async fn take_turn(&self, endpoint: Endpoint) -> Result<(), ApiError> {
        self.budget
            .wait_for_turn()
            .await
            .map_err(|blocked| ApiError::BackingOff { endpoint, remaining: blocked.remaining })
    }

    /// Sends `request` and checks the answer: counts it, paces by Cloudflare's
    /// `Ratelimit` header, turns a 429 or another non-2xx into its error (with
    /// Cloudflare's codes) and reads the body within the size cap and the
    /// account's `allowance`.
    async fn exchange(
        &self,
        endpoint: Endpoint,
        page: u64,
        request: reqwest::RequestBuilder,
        allowance: &ByteAllowance,
    ) -> Result<(u16, Vec<u8>), ApiError> {
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) => {
                self.counters.record_api_request(endpoint.label(), "error");
                return Err(self.transport_error(endpoint, &err));
            }
        };
        let status = response.status();
        self.counters.record_api_request(endpoint.label(), status.as_str());
        if let Some(ratelimit) = response.headers().get("ratelimit").and_then(|v| v.to_str().ok()) {
            self.pace_by(ratelimit);
        }
        let cap = self.settings.max_body_bytes;
        let transport = |err: &reqwest::Error| self.transport_error(endpoint, err);
        if status == StatusCode::TOO_MANY_REQUESTS {
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            // Every later request of this credential waits it out, however
            // this one was sent.
            self.budget.block_for(retry_after.unwrap_or(DEFAULT_RATE_LIMIT_BLOCK));
            self.record_blocked_until();
            // A 429 is a 429 whatever its body: a cut or oversized one must
            // not turn it into a retried transport error.
            let body =
                read_body(endpoint, page, response, cap, allowance, transport).await.unwrap_or_default();
            return Err(ApiError::RateLimited { endpoint, retry_after, errors: error_entries(&body) });
        }
        let body = read_body(endpoint, page, response, cap, allowance, transport).await?;
        if !status.is_success() {
            return Err(ApiError::Status { endpoint, status: status.as_u16(), errors: error_entries(&body) });
        }
        Ok((status.as_u16(), body))
    }

    /// One page, politely: within the request budget, never while a 429 is
    /// being honoured, and with a few jittered retries for transient failures.
    /// Only the request itself runs on `talk`'s clock; the wait for a turn
    /// comes before it and costs no talking time.
    async fn get_page<T: DeserializeOwned>(
        &self,
        endpoint: Endpoint,
        path: &str,
        page: u64,
        per_page: u64,
        talk: &TalkTime,
    ) -> Result<Page<T>, ApiError> {
        let mut attempt = 1;
        loop {
            self.take_turn(endpoint).await?;
            let fetched = talk
                .talk(self.fetch_page(endpoint, path, page, per_page, talk.bytes()))
                .await
                .unwrap_or(Err(ApiError::RefreshTimeout { after: talk.limit() }));
            match fetched {
                Err(err) if err.is_transient() && attempt < MAX_ATTEMPTS => {
                    let delay = RETRY_BASE * 2u32.pow(attempt - 1);
                    let delay = delay.mul_f64(0.5 + fastrand::f64());
                    debug!(endpoint = endpoint.label(), page, attempt, error = %err, delay_ms = delay.as_millis() as u64, "retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                outcome => return outcome,
            }
        }
    }

    async fn fetch_page<T: DeserializeOwned>(
        &self,
        endpoint: Endpoint,
        path: &str,
        page: u64,
        per_page: u64,
        allowance: &ByteAllowance,
    ) -> Result<Page<T>, ApiError> {
        let query = [("page", page), ("per_page", per_page)];
        let request = self.request(endpoint, reqwest::Method::GET, path, &query)?;
        let (_, body) = self.exchange(endpoint, page, request, allowance).await?;
        let envelope: Envelope<Vec<T>> =
            successful(endpoint, page, crate::cloudflare::wire::decode_list(&body))?;
        Ok(Page { items: envelope.result.unwrap_or_default(), info: envelope.result_info })
    }

    fn url(&self, path: &str) -> Result<Url, String> {
        Url::parse(&api_url(&self.settings.base_url, path)).map_err(|e| format!("bad URL for {path}: {e}"))
    }

    fn current_auth(&self) -> Result<Arc<Auth>, CredentialError> {
        if let Some(auth) = locks::read(&self.auth).as_ref() {
            return Ok(Arc::clone(auth));
        }
        self.reload_credentials()?;
        Ok(locks::read(&self.auth).clone().expect("credentials just loaded"))
    }

    fn transport_error(&self, endpoint: Endpoint, err: &reqwest::Error) -> ApiError {
        if err.is_timeout() {
            let after =
                if err.is_connect() { self.settings.connect_timeout } else { self.settings.request_timeout };
            return ApiError::Timeout { endpoint, after };
        }
        ApiError::Transport { endpoint, detail: error_chain(err) }
    }
}

mod pacing;
