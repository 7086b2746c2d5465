//! The wire format of `GET /accounts/{id}/access/apps`: only the fields the
//! applications collector reads. Which identity providers let users in
//! (`allowed_idps`, `auto_redirect_to_identity`) and, for a SaaS application
//! that Cloudflare Access fronts as the SAML identity provider, the signing
//! certificate the service provider has pasted (`saas_app.public_key`).
//!
//! Everything else is dropped while decoding: an OIDC SaaS application
//! carries a `client_secret`, which must never reach the state file, a log
//! line or `Debug` output. Every field is lenient, so one hand-made oddity
//! costs one field of one application, never the list.

use serde::{Deserialize, Serialize};

use crate::cloudflare::wire::{lenient_string, lenient_strings};

/// One Access application.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct AccessApplication {
    /// The application's ID (`id`; older answers name it `uid` as well).
    #[serde(default, deserialize_with = "lenient_string", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Display name.
    #[serde(default, deserialize_with = "lenient_string", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The primary hostname and path Access protects.
    #[serde(default, deserialize_with = "lenient_string", skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// `self_hosted`, `saas`, `ssh`, `vnc`, `bookmark`, ...
    #[serde(
        rename = "type",
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<String>,
    /// The identity providers users may choose; empty means every identity
    /// provider of the account. Entries that are not strings are dropped.
    #[serde(default, deserialize_with = "lenient_strings", skip_serializing_if = "Vec::is_empty")]
    pub allowed_idps: Vec<Option<String>>,
    /// Users skip the choice and go straight to the one allowed IdP.
    #[serde(default, deserialize_with = "lenient_bool", skip_serializing_if = "Option::is_none")]
    pub auto_redirect_to_identity: Option<bool>,
    /// The SaaS side, for `saas` applications.
    #[serde(default, deserialize_with = "lenient_saas", skip_serializing_if = "Option::is_none")]
    pub saas_app: Option<SaasApplication>,
}

/// The part of `saas_app` the collector reads.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct SaasApplication {
    /// `saml` or `oidc`.
    #[serde(default, deserialize_with = "lenient_string", skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<String>,
    /// For SAML: Cloudflare's signing certificate, as the service provider
    /// must hold it. Kept only for SAML (an OIDC application's key is not
    /// a certificate).
    #[serde(default, deserialize_with = "lenient_string", skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// The service provider's entity ID.
    #[serde(default, deserialize_with = "lenient_string", skip_serializing_if = "Option::is_none")]
    pub sp_entity_id: Option<String>,
}

impl SaasApplication {
    /// Whether Cloudflare Access is this application's SAML identity provider.
    pub fn is_saml(&self) -> bool {
        self.auth_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("saml"))
    }
}

impl AccessApplication {
    /// The allowed identity providers that are named (blank entries and
    /// entries of the wrong type dropped).
    pub fn allowed_identity_providers(&self) -> impl Iterator<Item = &str> {
        self.allowed_idps.iter().flatten().map(|id| id.trim()).filter(|id| !id.is_empty())
    }
}

fn lenient_bool<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    Ok(serde_json::Value::deserialize(deserializer)?.as_bool())
}

/// `saas_app` as an object; anything else reads as none. An OIDC
/// application's key is dropped here, so it is never kept.
fn lenient_saas<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<SaasApplication>, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    if !value.is_object() {
        return Ok(None);
    }
    let mut saas: SaasApplication = serde_json::from_value(value).unwrap_or_default();
    if !saas.is_saml() {
        saas.public_key = None;
    }
    Ok(Some(saas))
}

#[cfg(test)]
mod tests;
