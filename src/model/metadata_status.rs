//! What the exporter knows of each identity provider's published SAML
//! metadata: whether the last fetch worked, when one last did, why not,
//! and the signing certificates of the last good document. The comparison
//! with Cloudflare ([`drift`](MetadataStatus::drift)) is made when it is
//! read, against the account's latest inventory, so that pasting the new
//! certificate into Cloudflare shows as soon as Cloudflare is next read,
//! not an hour later when the metadata is.

use std::sync::Arc;

use crate::model::drift::{Drift, compare};
use crate::model::idp_metadata::MetadataCertificates;
use crate::model::inventory::{AccountInventory, SamlIdentityProvider};

/// Reasons an entry fails before any fetch: its account or identity
/// provider is not among what Cloudflare lists.
pub const RESOLUTION_REASONS: [&str; 3] =
    ["account_not_found", "identity_provider_not_found", "identity_provider_ambiguous"];

/// One configured metadata source and what its last fetches gave.
#[derive(Debug, Clone, PartialEq)]
pub struct MetadataStatus {
    /// The account, as configured.
    pub account_id: String,
    /// The identity provider as configured: an ID or an exact name.
    pub identity_provider: String,
    /// The ID it resolved to, once it did.
    pub identity_provider_id: Option<String>,
    /// The last fetch and parse succeeded.
    pub up: bool,
    /// At least one attempt has finished.
    pub attempted: bool,
    /// Unix time of the last success.
    pub last_success: Option<f64>,
    /// Why the last attempt failed, a stable reason label.
    pub last_error: Option<&'static str>,
    /// The signing certificates of the last good document.
    pub published: Option<Arc<MetadataCertificates>>,
}

/// What one attempt gave.
#[derive(Debug, Clone)]
pub enum MetadataOutcome {
    /// A document was read (or is unchanged) and holds these certificates.
    Read {
        /// The IdP's ID.
        identity_provider_id: String,
        /// Its signing certificates.
        published: Arc<MetadataCertificates>,
        /// Unix time of the fetch.
        at: f64,
    },
    /// Nothing usable; the last good certificates stay.
    Failed {
        /// The IdP's ID, when it resolved.
        identity_provider_id: Option<String>,
        /// The stable reason label.
        reason: &'static str,
    },
}

impl MetadataStatus {
    /// A source not yet attempted.
    pub fn new(account_id: &str, identity_provider: &str) -> Self {
        Self {
            account_id: account_id.to_owned(),
            identity_provider: identity_provider.to_owned(),
            identity_provider_id: None,
            up: false,
            attempted: false,
            last_success: None,
            last_error: None,
            published: None,
        }
    }

    /// The `identity_provider_id` label: the resolved ID, else the
    /// reference as configured (so a misnamed entry still has a series).
    pub fn label(&self) -> &str {
        self.identity_provider_id.as_deref().unwrap_or(&self.identity_provider)
    }

    /// Applies an attempt's outcome.
    pub fn record(&mut self, outcome: MetadataOutcome) {
        self.attempted = true;
        match outcome {
            MetadataOutcome::Read { identity_provider_id, published, at } => {
                self.identity_provider_id = Some(identity_provider_id);
                self.published = Some(published);
                self.last_success = Some(at);
                self.last_error = None;
                self.up = true;
            }
            MetadataOutcome::Failed { identity_provider_id, reason } => {
                if identity_provider_id.is_some() {
                    self.identity_provider_id = identity_provider_id;
                }
                self.last_error = Some(reason);
                self.up = false;
            }
        }
    }

    /// The identity provider in `inventory` that this source names.
    pub fn identity_provider_in<'a>(
        &self,
        inventory: &'a AccountInventory,
    ) -> Option<&'a SamlIdentityProvider> {
        let id = self.identity_provider_id.as_deref()?;
        inventory.identity_providers.iter().find(|idp| idp.id == id)
    }

    /// The last good published certificates against what Cloudflare holds
    /// now; `None` until a document was read, or when the IdP is gone from
    /// the inventory.
    pub fn drift(&self, inventory: &AccountInventory) -> Option<Drift> {
        let published = self.published.as_ref()?;
        let idp = self.identity_provider_in(inventory)?;
        let published: Vec<_> = published.certificates.iter().map(|c| c.facts.clone()).collect();
        Some(compare(&published, &idp.signing.certificates))
    }
}

/// The SAML identity provider of `inventory` that `reference` names: by ID
/// first, else by exact name when exactly one has it; the error is a
/// [`RESOLUTION_REASONS`] label.
pub fn resolve<'a>(
    inventory: &'a AccountInventory,
    reference: &str,
) -> Result<&'a SamlIdentityProvider, &'static str> {
    let idps = &inventory.identity_providers;
    if let Some(idp) = idps.iter().find(|idp| idp.id == reference) {
        return Ok(idp);
    }
    let mut named = idps.iter().filter(|idp| idp.name == reference);
    match (named.next(), named.next()) {
        (Some(idp), None) => Ok(idp),
        (Some(_), Some(_)) => Err("identity_provider_ambiguous"),
        (None, _) => Err("identity_provider_not_found"),
    }
}

#[cfg(test)]
mod tests;
