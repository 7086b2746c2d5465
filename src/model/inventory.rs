//! One account's SAML certificate picture, built from the two API lists: which
//! encryption certificates exist and what they say, which sets rotate, which
//! SAML IdPs use which set, and each SAML IdP's signing certificates. Pure
//! code: the clock and the network stay outside.

use crate::printable::clipped;
use std::collections::{BTreeMap, HashSet};

use crate::clock::parse_rfc3339;
use crate::cloudflare::wire as api;
use crate::model::inspect::{CertificateFacts, InspectError, inspect_pem};
use crate::model::signing::SigningCertificates;

/// The slot a certificate occupies in its set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Slot {
    /// The certificate Cloudflare encrypts with now.
    Current,
    /// The certificate kept during a rotation.
    Previous,
}

impl Slot {
    /// The metric label value.
    pub fn label(self) -> &'static str {
        match self {
            Slot::Current => "current",
            Slot::Previous => "previous",
        }
    }
}

/// One certificate of a set, inspected.
#[derive(Debug, Clone)]
pub struct CertificateRecord {
    /// The certificate's UID (absent when the API left it out).
    pub uid: Option<String>,
    /// Its slot.
    pub slot: Slot,
    /// The API's `not_after`, Unix seconds, when present and valid.
    pub api_not_after: Option<i64>,
    /// The API's `is_current`, when sent.
    pub is_current: Option<bool>,
    /// What the PEM says, or why it could not be read.
    pub inspection: Result<CertificateFacts, InspectError>,
}

impl CertificateRecord {
    /// Expiry: from the certificate itself, else from the API.
    pub fn not_after(&self) -> Option<i64> {
        match &self.inspection {
            Ok(facts) => Some(facts.not_after),
            Err(_) => self.api_not_after,
        }
    }

    /// Whether the API and the certificate disagree by more than a second;
    /// `None` unless both are known.
    pub fn not_after_mismatch(&self) -> Option<bool> {
        let facts = self.inspection.as_ref().ok()?;
        Some((self.api_not_after? - facts.not_after).abs() > 1)
    }

    /// Whether the API's `is_current` contradicts the slot the certificate
    /// came in (a current one marked not current, or the reverse); `None`
    /// when the API did not say.
    pub fn is_current_mismatch(&self) -> Option<bool> {
        Some(self.is_current? != (self.slot == Slot::Current))
    }
}

/// A certificate set and the IdPs that use it.
#[derive(Debug, Clone)]
pub struct CertificateSetRecord {
    /// The set's UID.
    pub uid: String,
    /// `updated_at`, Unix seconds, when valid.
    pub updated_at: Option<i64>,
    /// The current certificate and, during rotation, the previous one.
    pub certificates: Vec<CertificateRecord>,
    /// Names of the SAML IdPs whose `saml_certificate_set_id` is this set.
    pub identity_providers: Vec<String>,
}

impl CertificateSetRecord {
    /// A previous certificate is present (a value in the previous slot that
    /// is not a certificate object is not one).
    pub fn rotation_in_progress(&self) -> bool {
        self.certificates
            .iter()
            .any(|c| c.slot == Slot::Previous && !matches!(c.inspection, Err(InspectError::NotAnObject)))
    }

    /// The certificate in `slot`, if any.
    pub fn certificate(&self, slot: Slot) -> Option<&CertificateRecord> {
        self.certificates.iter().find(|c| c.slot == slot)
    }
}

/// A SAML identity provider and the set it points at.
#[derive(Debug, Clone)]
pub struct SamlIdentityProvider {
    /// The IdP's ID.
    pub id: String,
    /// Its display name (may be empty).
    pub name: String,
    /// `config.enable_encryption`.
    pub encryption_enabled: bool,
    /// `saml_certificate_set_id`, when set.
    pub certificate_set_uid: Option<String>,
    /// The set id names no set of the account.
    pub dangling: bool,
    /// The external IdP's signing certificates (`config.idp_public_certs`).
    pub signing: SigningCertificates,
    /// `config.issuer_url`: the IdP's entity ID, when set.
    pub issuer_url: Option<String>,
}

/// Everything one successful walk of an account found.
#[derive(Debug, Clone, Default)]
pub struct AccountInventory {
    /// Sets, ordered by UID.
    pub sets: Vec<CertificateSetRecord>,
    /// SAML IdPs (other types are left out), ordered by ID.
    pub identity_providers: Vec<SamlIdentityProvider>,
    /// The IDs of every identity provider of the account, all types,
    /// sorted: an application open to all of them has a fallback only if
    /// there is more than one.
    pub all_identity_providers: Vec<String>,
    /// Problems in the data worth a log line (unparseable dates, ...).
    pub warnings: Vec<String>,
}

impl AccountInventory {
    /// Builds the inventory from the two lists; certificates are inspected here.
    pub fn build(sets: Vec<api::CertificateSet>, idps: Vec<api::IdentityProvider>) -> Self {
        let mut warnings = Vec::new();
        let set_uids: HashSet<&str> = sets.iter().map(|s| s.uid.as_str()).collect();
        let mut all_identity_providers: Vec<String> = idps
            .iter()
            .filter_map(|idp| idp.id.as_deref().map(str::trim).filter(|id| !id.is_empty()))
            .map(str::to_owned)
            .collect();
        all_identity_providers.sort();
        all_identity_providers.dedup();
        let saml: Vec<SamlIdentityProvider> = idps
            .into_iter()
            .filter(api::IdentityProvider::is_saml)
            .filter_map(|idp| {
                // Cloudflare's schema makes `id` optional. Without one there is
                // nothing to label its series with, and it must not cost the
                // account its other data.
                let certificate_set_uid = idp.certificate_set_uid().map(str::to_owned);
                let encryption_enabled = idp.encryption_enabled();
                let Some(id) = idp.id.filter(|id| !id.trim().is_empty()) else {
                    warnings.push(format!(
                        "SAML identity provider {:?} has no id; skipped",
                        idp.name.as_deref().unwrap_or("")
                    ));
                    return None;
                };
                let dangling = certificate_set_uid.as_deref().is_some_and(|uid| !set_uids.contains(uid));
                let config = idp.config.unwrap_or_default();
                Some(SamlIdentityProvider {
                    encryption_enabled,
                    signing: SigningCertificates::parse(&config.idp_public_certs),
                    issuer_url: config.issuer_url.filter(|url| !url.trim().is_empty()),
                    name: idp.name.unwrap_or_default(),
                    id,
                    certificate_set_uid,
                    dangling,
                })
            })
            .collect();
        let mut users: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for idp in &saml {
            if let Some(uid) = &idp.certificate_set_uid {
                users.entry(uid.as_str()).or_default().push(idp.name.clone());
            }
        }
        let mut records: Vec<CertificateSetRecord> = sets
            .iter()
            .map(|set| {
                let mut certificates = Vec::with_capacity(2);
                // A set with no current certificate cannot encrypt: keep it
                // visible as an unreadable certificate rather than skip it.
                certificates.extend(slot_record(
                    &set.uid,
                    &set.current_certificate,
                    Slot::Current,
                    &mut warnings,
                ));
                certificates.extend(slot_record(
                    &set.uid,
                    &set.previous_certificate,
                    Slot::Previous,
                    &mut warnings,
                ));
                let mut identity_providers = users.get(set.uid.as_str()).cloned().unwrap_or_default();
                identity_providers.sort();
                CertificateSetRecord {
                    uid: set.uid.clone(),
                    updated_at: timestamp(&set.uid, "updated_at", set.updated_at.as_deref(), &mut warnings),
                    certificates,
                    identity_providers,
                }
            })
            .collect();
        records.sort_by(|a, b| a.uid.cmp(&b.uid));
        let mut identity_providers = saml;
        identity_providers.sort_by(|a, b| a.id.cmp(&b.id));
        AccountInventory { sets: records, identity_providers, all_identity_providers, warnings }
    }

    /// SAML IdPs with no `saml_certificate_set_id`.
    pub fn identity_providers_without_set(&self) -> usize {
        self.identity_providers.iter().filter(|i| i.certificate_set_uid.is_none()).count()
    }
}

/// The record of one slot of a set: none for an empty previous slot, an
/// unreadable record for an empty current slot or a value that is not a
/// certificate object (reported on this set, never failing the account).
fn slot_record(
    set_uid: &str,
    value: &api::CertificateSlot,
    slot: Slot,
    warnings: &mut Vec<String>,
) -> Option<CertificateRecord> {
    let context = format!("{} certificate of set {set_uid}", slot.label());
    let unreadable = |error| CertificateRecord {
        uid: None,
        slot,
        api_not_after: None,
        is_current: None,
        inspection: Err(error),
    };
    match value {
        api::CertificateSlot::Empty if slot == Slot::Previous => None,
        api::CertificateSlot::Empty => Some(unreadable(InspectError::Missing)),
        api::CertificateSlot::Malformed(kind) => {
            warnings.push(format!(
                "{context}: the API sent a JSON {} instead of a certificate object",
                kind.name()
            ));
            Some(unreadable(InspectError::NotAnObject))
        }
        api::CertificateSlot::Certificate(cert) => {
            let record = CertificateRecord {
                uid: cert.uid.clone().filter(|u| !u.is_empty()),
                slot,
                api_not_after: timestamp(&context, "not_after", cert.not_after.as_deref(), warnings),
                is_current: cert.is_current,
                inspection: inspect_pem(cert.public_certificate.as_deref().unwrap_or("")),
            };
            if record.is_current_mismatch() == Some(true) {
                let marked = record.is_current.unwrap_or_default();
                warnings.push(format!("{context}: the API marks it is_current: {marked}"));
            }
            Some(record)
        }
    }
}

fn timestamp(context: &str, field: &str, value: Option<&str>, warnings: &mut Vec<String>) -> Option<i64> {
    let value = value?;
    match parse_rfc3339(value) {
        Some(t) => Some(t),
        None => {
            // An API may put anything here: bounded, so a changing value cannot flood the log.
            warnings.push(format!("{context}: {field} {:?} is not an RFC 3339 time", clipped(value, 64)));
            None
        }
    }
}

#[cfg(test)]
mod tests;
