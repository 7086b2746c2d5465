//! One account's Access applications, as the blast radius of its identity
//! providers: which applications users sign in to through an IdP, and for
//! which of them that IdP is the only way in. Also the other SAML
//! direction: for a SaaS application that Cloudflare Access fronts as the
//! SAML identity provider, Cloudflare's signing certificate that the
//! service provider holds (`saas_app.public_key`), inspected like every
//! other certificate. Pure code: no I/O, no clock.

use crate::cloudflare::application::AccessApplication;
use crate::model::inspect::CertificateFacts;
use crate::model::signing::{SigningParseError, parse_entry};

/// The application type that is a link in the App Launcher, with no login.
const BOOKMARK: &str = "bookmark";

/// One application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRecord {
    /// Its ID.
    pub id: String,
    /// Display name (may be empty).
    pub name: String,
    /// The hostname and path Access protects (may be empty).
    pub domain: String,
    /// The API's `type` (`self_hosted`, `saas`, ...; empty when absent).
    pub kind: String,
    /// The identity providers users may choose; empty means all of the account's.
    pub allowed_identity_providers: Vec<String>,
    /// Users go straight to the (first) allowed IdP without choosing.
    pub auto_redirect: bool,
    /// For a SAML SaaS application: Cloudflare's signing certificate, or why
    /// it could not be read.
    pub saas_signing: Option<Result<CertificateFacts, SigningParseError>>,
}

impl ApplicationRecord {
    /// Whether users sign in to it at all (a bookmark is only a link).
    pub fn has_login(&self) -> bool {
        self.kind != BOOKMARK
    }

    /// The IdPs users can sign in through: the allowed ones that exist, or
    /// every one of the account when none is named.
    fn ways_in<'a>(&'a self, account_identity_providers: &'a [String]) -> Vec<&'a str> {
        if self.allowed_identity_providers.is_empty() {
            return account_identity_providers.iter().map(String::as_str).collect();
        }
        self.allowed_identity_providers
            .iter()
            .map(String::as_str)
            // An id the account no longer has is no way in. Without the
            // account's list (never read), trust the application's.
            .filter(|id| {
                account_identity_providers.is_empty() || account_identity_providers.iter().any(|a| a == id)
            })
            .collect()
    }
}

/// Who loses their login when one identity provider fails.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Impact<'a> {
    /// Applications users sign in to through the IdP, by ID.
    pub applications: Vec<&'a ApplicationRecord>,
    /// Those for which it is the only way in (the only allowed IdP, or the
    /// one auto-redirect sends users to).
    pub without_fallback: Vec<&'a ApplicationRecord>,
}

/// Every application of one account, ordered by ID.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationInventory {
    /// The applications with an ID.
    pub applications: Vec<ApplicationRecord>,
}

impl ApplicationInventory {
    /// Builds the inventory from the list; SAML SaaS certificates are
    /// inspected here. Applications without an ID have nothing to label
    /// their series with and are left out.
    pub fn build(list: Vec<AccessApplication>) -> Self {
        let mut applications: Vec<ApplicationRecord> = list
            .into_iter()
            .filter_map(|app| {
                let id = app.id.as_deref().map(str::trim).filter(|id| !id.is_empty())?.to_owned();
                let allowed_identity_providers =
                    app.allowed_identity_providers().map(str::to_owned).collect();
                let saas_signing = app.saas_app.as_ref().filter(|saas| saas.is_saml()).map(|saas| {
                    let parsed = parse_entry(saas.public_key.as_deref().unwrap_or(""));
                    match (parsed.certificates.into_iter().next(), parsed.error) {
                        (Some(facts), _) => Ok(facts),
                        (None, error) => Err(error.unwrap_or(SigningParseError::NoCertificate)),
                    }
                });
                Some(ApplicationRecord {
                    id,
                    name: app.name.unwrap_or_default(),
                    domain: app.domain.unwrap_or_default(),
                    kind: app.kind.unwrap_or_default(),
                    allowed_identity_providers,
                    auto_redirect: app.auto_redirect_to_identity.unwrap_or(false),
                    saas_signing,
                })
            })
            .collect();
        applications.sort_by(|a, b| a.id.cmp(&b.id));
        applications.dedup_by(|a, b| a.id == b.id);
        Self { applications }
    }

    /// Who signs in through `identity_provider`, given every identity
    /// provider of the account (all types: an application open to all of
    /// them has a fallback only if there is another).
    pub fn impact<'a>(
        &'a self,
        identity_provider: &str,
        account_identity_providers: &[String],
    ) -> Impact<'a> {
        let mut impact = Impact::default();
        for app in self.applications.iter().filter(|app| app.has_login()) {
            let ways_in = app.ways_in(account_identity_providers);
            if !ways_in.contains(&identity_provider) {
                continue;
            }
            impact.applications.push(app);
            let only = ways_in.iter().all(|id| *id == identity_provider);
            let redirected = app.auto_redirect && ways_in.first() == Some(&identity_provider);
            if only || redirected {
                impact.without_fallback.push(app);
            }
        }
        impact
    }

    /// The SAML SaaS applications, with Cloudflare's signing certificate or
    /// why it could not be read.
    pub fn saas_signing(
        &self,
    ) -> impl Iterator<Item = (&ApplicationRecord, &Result<CertificateFacts, SigningParseError>)> {
        self.applications.iter().filter_map(|app| Some((app, app.saas_signing.as_ref()?)))
    }
}

#[cfg(test)]
mod tests;
