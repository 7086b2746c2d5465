//! The single-object calls behind the `encryption` commands: read one set,
//! its current PEM, create an IdP's set, rotate a set, and read and replace
//! one IdP. Each is one request through the client's `send`; the writes are
//! never retried.

use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::cloudflare::client::{CloudflareClient, Reply};
use crate::cloudflare::endpoint::Endpoint;
use crate::cloudflare::error::ApiError;
use crate::cloudflare::response::successful;
use crate::cloudflare::wire::{Account, CertificateSet, Envelope};

/// The JSON every v4 answer is.
const JSON: &str = "application/json";
/// What `GET .../pem` answers with.
const PEM: &str = "application/x-pem-file";

/// What the create call answered.
#[derive(Debug, Clone)]
pub struct CreatedSet {
    /// The IdP's set.
    pub set: CertificateSet,
    /// `true` for 201 (made now), `false` for 200 (the IdP already had it).
    pub created: bool,
}

/// The path of an identity provider, relative to the API base.
pub fn identity_provider_path(account_id: &str, identity_provider_id: &str) -> String {
    format!("/accounts/{account_id}/access/identity_providers/{identity_provider_id}")
}

/// The path of a set, relative to the API base.
pub fn set_path(account_id: &str, set_uid: &str) -> String {
    format!("/accounts/{account_id}/access/saml_certificates/{set_uid}")
}

/// The path of the create call, relative to the API base.
pub fn create_path(account_id: &str, identity_provider_id: &str) -> String {
    format!("/accounts/{account_id}/access/identity_providers/{identity_provider_id}/saml_certificate")
}

/// The path of the rotate call, relative to the API base.
pub fn rotate_path(account_id: &str, set_uid: &str) -> String {
    format!("{}/rotate", set_path(account_id, set_uid))
}

impl CloudflareClient {
    /// `GET /accounts/{id}`: the account, for its name (one request of the
    /// budget).
    pub async fn account(&self, account_id: &str) -> Result<Account, ApiError> {
        let endpoint = Endpoint::Account;
        let reply = self.send(endpoint, Method::GET, &format!("/accounts/{account_id}"), JSON, None).await?;
        decode(endpoint, &reply)
    }

    /// `GET .../saml_certificates/{uid}`: one set.
    pub async fn certificate_set(&self, account_id: &str, set_uid: &str) -> Result<CertificateSet, ApiError> {
        let endpoint = Endpoint::CertificateSet;
        let reply = self.send(endpoint, Method::GET, &set_path(account_id, set_uid), JSON, None).await?;
        decode(endpoint, &reply)
    }

    /// `GET .../saml_certificates/{uid}/pem`: the set's current certificate,
    /// exactly as Cloudflare sends it.
    pub async fn certificate_set_pem(&self, account_id: &str, set_uid: &str) -> Result<String, ApiError> {
        let endpoint = Endpoint::CertificateSetPem;
        let path = format!("{}/pem", set_path(account_id, set_uid));
        let reply = self.send(endpoint, Method::GET, &path, PEM, None).await?;
        String::from_utf8(reply.body).map_err(|_| ApiError::Decode {
            endpoint,
            page: 1,
            detail: "the PEM is not UTF-8 text".to_owned(),
        })
    }

    /// `POST .../identity_providers/{idp}/saml_certificate`: creates the
    /// IdP's set, or returns the one it has. Sent once, never retried.
    pub async fn create_certificate_set(
        &self,
        account_id: &str,
        identity_provider_id: &str,
    ) -> Result<CreatedSet, ApiError> {
        let endpoint = Endpoint::CreateCertificateSet;
        let path = create_path(account_id, identity_provider_id);
        let reply = self.send(endpoint, Method::POST, &path, JSON, None).await?;
        Ok(CreatedSet { set: decode(endpoint, &reply)?, created: reply.status == 201 })
    }

    /// `GET .../identity_providers/{idp}`: the IdP exactly as Cloudflare
    /// sends it, every field kept, for a PUT that must send them all back.
    pub async fn identity_provider_json(
        &self,
        account_id: &str,
        identity_provider_id: &str,
    ) -> Result<serde_json::Value, ApiError> {
        let endpoint = Endpoint::IdentityProvider;
        let path = identity_provider_path(account_id, identity_provider_id);
        let reply = self.send(endpoint, Method::GET, &path, JSON, None).await?;
        decode(endpoint, &reply)
    }

    /// `PUT .../identity_providers/{idp}`: replaces the whole IdP with
    /// `identity_provider`. Sent once, never retried.
    pub async fn replace_identity_provider(
        &self,
        account_id: &str,
        identity_provider_id: &str,
        identity_provider: &serde_json::Value,
    ) -> Result<serde_json::Value, ApiError> {
        let endpoint = Endpoint::UpdateIdentityProvider;
        let path = identity_provider_path(account_id, identity_provider_id);
        let reply = self.send(endpoint, Method::PUT, &path, JSON, Some(identity_provider)).await?;
        decode(endpoint, &reply)
    }

    /// `POST .../saml_certificates/{uid}/rotate`: a new current certificate;
    /// the current one moves to the previous slot and an existing previous
    /// certificate is **removed**. Sent once, never retried: a retry after a
    /// lost answer would rotate twice.
    pub async fn rotate_certificate_set(
        &self,
        account_id: &str,
        set_uid: &str,
    ) -> Result<CertificateSet, ApiError> {
        let endpoint = Endpoint::RotateCertificateSet;
        let reply = self.send(endpoint, Method::POST, &rotate_path(account_id, set_uid), JSON, None).await?;
        decode(endpoint, &reply)
    }
}

/// The `result` of a successful envelope around one object.
pub(crate) fn decode<T: DeserializeOwned>(endpoint: Endpoint, reply: &Reply) -> Result<T, ApiError> {
    let envelope: Envelope<T> = successful(endpoint, 1, serde_json::from_slice(&reply.body))?;
    envelope.result.ok_or_else(|| ApiError::Decode {
        endpoint,
        page: 1,
        detail: "success without a result".to_owned(),
    })
}

#[cfg(test)]
mod tests;
