//! What the scheduler needs from one credential, as a trait: its name,
//! discovery, reading an account's two lists within a talking time, and
//! waiting out a 429. [`CloudflareClient`] is the real one; the scheduler's virtual-time
//! tests put a budget-only stand-in here.

use std::future::Future;
use std::num::NonZeroU32;

use tracing::warn;

use crate::cloudflare::application::AccessApplication;
use crate::cloudflare::client::CloudflareClient;
use crate::cloudflare::error::ApiError;
use crate::cloudflare::talk_time::TalkTime;
use crate::cloudflare::wire::{Account, CertificateSet, IdentityProvider, TokenVerification};

/// One account's two lists as a full listing gives them: the refresher
/// builds the inventory from them and keeps them for the state file.
#[derive(Debug, Default)]
pub struct AccountLists {
    /// Every SAML certificate set.
    pub sets: Vec<CertificateSet>,
    /// Every identity provider, all types.
    pub identity_providers: Vec<IdentityProvider>,
}

/// One credential's access to Cloudflare, as the scheduler uses it.
pub trait AccountSource: Send + Sync + 'static {
    /// The credential's name (the `credential` label).
    fn name(&self) -> &str;

    /// Called before each pass: e.g. re-reads a token file.
    fn prepare(&self);

    /// Every account the credential can see, with its name.
    fn discover(&self) -> impl Future<Output = Result<Vec<Account>, ApiError>> + Send;

    /// The account's name (`GET /accounts/{id}`, one request of the
    /// budget); `None` when there is no way to ask.
    fn account_name(
        &self,
        _account_id: &str,
    ) -> impl Future<Output = Result<Option<String>, ApiError>> + Send {
        std::future::ready(Ok(None))
    }

    /// Reads an account's certificate set list (every page); its requests
    /// talk at most `talk`'s time, and waiting for the budget is not talking.
    fn read_certificate_sets(
        &self,
        account_id: &str,
        talk: &TalkTime,
    ) -> impl Future<Output = Result<Vec<CertificateSet>, ApiError>> + Send;

    /// Reads an account's identity provider list (every page), like
    /// [`Self::read_certificate_sets`].
    fn read_identity_providers(
        &self,
        account_id: &str,
        talk: &TalkTime,
    ) -> impl Future<Output = Result<Vec<IdentityProvider>, ApiError>> + Send;

    /// Reads an account's Access applications (every page), like
    /// [`Self::read_certificate_sets`]; only lanes with the applications
    /// collector call it.
    fn read_applications(
        &self,
        _account_id: &str,
        _talk: &TalkTime,
    ) -> impl Future<Output = Result<Vec<AccessApplication>, ApiError>> + Send {
        std::future::ready(Ok(Vec::new()))
    }

    /// What Cloudflare says of the credential's token, asking about
    /// `account_id` (one of its accounts) if the token is account-owned;
    /// `None` when there is no token to verify.
    fn verify_token(
        &self,
        _account_id: Option<&str>,
    ) -> impl Future<Output = Result<Option<TokenVerification>, ApiError>> + Send {
        std::future::ready(Ok(None))
    }

    /// Resolves once no 429 is being honoured for this credential.
    fn until_unblocked(&self) -> impl Future<Output = ()> + Send;

    /// The credential's client-side budget, which sets its cycle.
    fn max_requests_per_5m(&self) -> NonZeroU32;

    /// What one account's refresh may read in all.
    fn max_account_bytes(&self) -> usize {
        usize::MAX
    }
}

impl AccountSource for CloudflareClient {
    fn name(&self) -> &str {
        CloudflareClient::name(self)
    }

    fn prepare(&self) {
        if let Err(err) = self.reload_credentials() {
            warn!(credential = %self.name(), error = %err, "could not (re)load credentials; using the ones loaded before");
        }
        if let Some(path) = self.credential_source().loosely_permitted_file() {
            warn!(credential = %self.name(), path = %path.display(), "the API token file is readable by other users or another group; chmod 600 it");
        }
    }

    async fn discover(&self) -> Result<Vec<Account>, ApiError> {
        self.list_accounts().await
    }

    async fn account_name(&self, account_id: &str) -> Result<Option<String>, ApiError> {
        Ok(self.account(account_id).await?.name)
    }

    async fn read_certificate_sets(
        &self,
        account_id: &str,
        talk: &TalkTime,
    ) -> Result<Vec<CertificateSet>, ApiError> {
        self.certificate_sets_within(account_id, talk).await
    }

    async fn read_identity_providers(
        &self,
        account_id: &str,
        talk: &TalkTime,
    ) -> Result<Vec<IdentityProvider>, ApiError> {
        self.identity_providers_within(account_id, talk).await
    }

    async fn read_applications(
        &self,
        account_id: &str,
        talk: &TalkTime,
    ) -> Result<Vec<AccessApplication>, ApiError> {
        self.applications_within(account_id, talk).await
    }

    async fn verify_token(&self, account_id: Option<&str>) -> Result<Option<TokenVerification>, ApiError> {
        CloudflareClient::verify_token(self, account_id).await
    }

    async fn until_unblocked(&self) {
        CloudflareClient::until_unblocked(self).await
    }

    fn max_requests_per_5m(&self) -> NonZeroU32 {
        CloudflareClient::max_requests_per_5m(self)
    }

    fn max_account_bytes(&self) -> usize {
        CloudflareClient::max_account_bytes(self)
    }
}
