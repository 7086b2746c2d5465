//! The single-set calls behind the `encryption` commands: read one set, its
//! current PEM, create an IdP's set and rotate a set. Each is one request
//! through the client's `send`; the two writes are never retried.

use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::cloudflare::client::{CloudflareClient, Reply};
use crate::cloudflare::endpoint::Endpoint;
use crate::cloudflare::error::ApiError;
use crate::cloudflare::response::successful;
use crate::cloudflare::wire::{CertificateSet, Envelope};

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
    /// `GET .../saml_certificates/{uid}`: one set.
    pub async fn certificate_set(&self, account_id: &str, set_uid: &str) -> Result<CertificateSet, ApiError> {
        let endpoint = Endpoint::CertificateSet;
        let reply = self.send(endpoint, Method::GET, &set_path(account_id, set_uid), JSON).await?;
        decode(endpoint, &reply)
    }

    /// `GET .../saml_certificates/{uid}/pem`: the set's current certificate,
    /// exactly as Cloudflare sends it.
    pub async fn certificate_set_pem(&self, account_id: &str, set_uid: &str) -> Result<String, ApiError> {
        let endpoint = Endpoint::CertificateSetPem;
        let path = format!("{}/pem", set_path(account_id, set_uid));
        let reply = self.send(endpoint, Method::GET, &path, PEM).await?;
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
        let reply = self.send(endpoint, Method::POST, &path, JSON).await?;
        Ok(CreatedSet { set: decode(endpoint, &reply)?, created: reply.status == 201 })
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
        let reply = self.send(endpoint, Method::POST, &rotate_path(account_id, set_uid), JSON).await?;
        decode(endpoint, &reply)
    }
}

/// The `result` of a successful envelope around one object.
fn decode<T: DeserializeOwned>(endpoint: Endpoint, reply: &Reply) -> Result<T, ApiError> {
    let envelope: Envelope<T> = successful(endpoint, 1, serde_json::from_slice(&reply.body))?;
    envelope.result.ok_or_else(|| ApiError::Decode {
        endpoint,
        page: 1,
        detail: "success without a result".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, body: &str) -> Reply {
        Reply { status, body: body.as_bytes().to_vec() }
    }

    #[test]
    fn a_set_is_decoded_from_its_envelope() {
        let body = r#"{"success":true,"errors":[],"result":{"uid":"s1","created_at":"x","updated_at":"y",
            "current_certificate":{"uid":"c1","public_certificate":"PEM","not_after":"2027-05-07T19:11:00Z",
            "is_current":true},"previous_certificate":{}}}"#;
        let set: CertificateSet = decode(Endpoint::CertificateSet, &reply(200, body)).unwrap();
        assert_eq!(set.uid, "s1");
        assert_eq!(set.current_certificate.unwrap().uid.as_deref(), Some("c1"));
        assert!(set.previous_certificate.unwrap().is_empty());
    }

    #[test]
    fn failure_and_a_missing_result_are_errors_with_the_endpoint() {
        let failed = r#"{"success":false,"errors":[{"code":12130,"message":"Identity provider not found"}],"result":null}"#;
        let err = decode::<CertificateSet>(Endpoint::CreateCertificateSet, &reply(200, failed)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "create_saml_certificate_set: Cloudflare reported failure: 12130 Identity provider not found"
        );
        let empty = r#"{"success":true,"errors":[],"result":null}"#;
        let err = decode::<CertificateSet>(Endpoint::RotateCertificateSet, &reply(200, empty)).unwrap_err();
        assert!(err.to_string().contains("success without a result"), "{err}");
        let err = decode::<CertificateSet>(Endpoint::CertificateSet, &reply(200, "<html>")).unwrap_err();
        assert_eq!(err.reason().label(), "decode");
    }

    #[test]
    fn paths_are_the_documented_ones() {
        assert_eq!(rotate_path("a", "s"), "/accounts/a/access/saml_certificates/s/rotate");
        assert_eq!(create_path("a", "i"), "/accounts/a/access/identity_providers/i/saml_certificate");
    }
}
