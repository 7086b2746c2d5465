//! The stand-in credential of the scheduler's tests: it only spends budget
//! and talking time, and records when.

use std::num::NonZeroU32;
use std::sync::Mutex;

use tokio::time::Instant;

use super::LATENCY;
use crate::cloudflare::budget::RequestBudget;
use crate::cloudflare::endpoint::Endpoint;
use crate::cloudflare::error::ApiError;
use crate::cloudflare::talk_time::TalkTime;
use crate::cloudflare::wire::{Account, CertificateSet, IdentityProvider, TokenVerification};
use crate::refresh::source::AccountSource;

/// A credential that only spends budget and talking time.
#[derive(Debug)]
pub(super) struct BudgetOnly {
    pub(super) name: String,
    pub(super) budget: RequestBudget,
    pub(super) accounts: Vec<String>,
    /// When each turn was given.
    pub(super) turns: Mutex<Vec<Instant>>,
    /// Which account's IdP list was read when.
    pub(super) reads: Mutex<Vec<(String, Instant)>>,
    /// Which account's set list was read when.
    pub(super) set_reads: Mutex<Vec<(String, Instant)>>,
    /// Whether the credential is a token that can be checked.
    pub(super) has_token: bool,
    /// When the token was checked.
    pub(super) token_checks: Mutex<Vec<Instant>>,
}

impl BudgetOnly {
    pub(super) fn new(name: &str, per_5m: u32, accounts: Vec<String>) -> Self {
        Self {
            name: name.to_owned(),
            budget: RequestBudget::new(NonZeroU32::new(per_5m).unwrap()),
            accounts,
            turns: Mutex::default(),
            reads: Mutex::default(),
            set_reads: Mutex::default(),
            has_token: false,
            token_checks: Mutex::default(),
        }
    }

    pub(super) async fn request(&self, talk: &TalkTime) -> Result<(), ApiError> {
        let endpoint = Endpoint::SamlCertificates;
        self.budget
            .wait_for_turn()
            .await
            .map_err(|b| ApiError::BackingOff { endpoint, remaining: b.remaining })?;
        self.turns.lock().unwrap().push(Instant::now());
        talk.talk(tokio::time::sleep(LATENCY))
            .await
            .map_err(|_| ApiError::RefreshTimeout { after: talk.limit() })
    }

    pub(super) fn reads(&self) -> Vec<(String, Instant)> {
        self.reads.lock().unwrap().clone()
    }
}

impl AccountSource for BudgetOnly {
    fn name(&self) -> &str {
        &self.name
    }

    fn max_requests_per_5m(&self) -> NonZeroU32 {
        self.budget.max_requests_per_5m()
    }

    fn prepare(&self) {}

    async fn discover(&self) -> Result<Vec<Account>, ApiError> {
        Ok(self.accounts.iter().map(|id| Account { id: id.clone(), name: None }).collect())
    }

    async fn read_certificate_sets(
        &self,
        account_id: &str,
        talk: &TalkTime,
    ) -> Result<Vec<CertificateSet>, ApiError> {
        self.request(talk).await?;
        self.set_reads.lock().unwrap().push((account_id.to_owned(), Instant::now()));
        Ok(Vec::new())
    }

    /// Every pass reads the IdP list: its end is when the account was read.
    async fn read_identity_providers(
        &self,
        account_id: &str,
        talk: &TalkTime,
    ) -> Result<Vec<IdentityProvider>, ApiError> {
        self.request(talk).await?;
        self.reads.lock().unwrap().push((account_id.to_owned(), Instant::now()));
        Ok(Vec::new())
    }

    /// A token that expires on 2027-01-01, checked through the budget.
    async fn verify_token(&self, _: Option<&str>) -> Result<Option<TokenVerification>, ApiError> {
        if !self.has_token {
            return Ok(None);
        }
        self.request(&TalkTime::unlimited()).await?;
        self.token_checks.lock().unwrap().push(Instant::now());
        Ok(Some(TokenVerification {
            id: Some("token-id".into()),
            status: "active".into(),
            expires_on: Some("2027-01-01T00:00:00Z".into()),
            not_before: None,
        }))
    }

    async fn until_unblocked(&self) {
        self.budget.until_unblocked().await
    }
}
