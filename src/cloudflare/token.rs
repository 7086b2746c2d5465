//! The credential's own token: its status and expiry, from
//! `GET /user/tokens/verify` for a user-owned token or
//! `GET /accounts/{id}/tokens/verify` for an account-owned one (which the
//! first refuses), so that the exporter warns before its token expires and
//! blinds it. One request through the budget, like any other.

use reqwest::Method;

use crate::cloudflare::client::CloudflareClient;
use crate::cloudflare::credentials::CredentialSource;
use crate::cloudflare::endpoint::Endpoint;
use crate::cloudflare::error::{ApiError, Reason};
use crate::cloudflare::sets::decode;
use crate::cloudflare::wire::TokenVerification;

const JSON: &str = "application/json";

impl CloudflareClient {
    /// What Cloudflare says of this credential's token; `None` for a Global
    /// API Key, which has no token to verify. `account_id`, one of the
    /// credential's accounts, is asked when the token is account-owned.
    pub async fn verify_token(
        &self,
        account_id: Option<&str>,
    ) -> Result<Option<TokenVerification>, ApiError> {
        if matches!(self.credential_source(), CredentialSource::GlobalKey { .. }) {
            return Ok(None);
        }
        let user = self.verify_at(Endpoint::VerifyUserToken, "/user/tokens/verify").await;
        match (user, account_id) {
            (Err(err), Some(account_id))
                if matches!(err.reason(), Reason::TokenInvalid | Reason::Forbidden) =>
            {
                let path = format!("/accounts/{account_id}/tokens/verify");
                self.verify_at(Endpoint::VerifyAccountToken, &path).await.map(Some)
            }
            (user, _) => user.map(Some),
        }
    }

    async fn verify_at(&self, endpoint: Endpoint, path: &str) -> Result<TokenVerification, ApiError> {
        let reply = self.send(endpoint, Method::GET, path, JSON, None).await?;
        decode(endpoint, &reply)
    }
}
