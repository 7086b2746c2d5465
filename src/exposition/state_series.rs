//! The series built from the refresh state, one function per entity:
//! account, certificate set, certificate, SAML identity provider and its
//! signing certificates. Each adds
//! its samples under the definitions in [`crate::exposition::definitions`],
//! so a new family is its definition plus one line here.
//!
//! Series are rebuilt from the [`ExporterState`](crate::model::state::ExporterState)
//! on every scrape, so what a successful refresh no longer lists disappears.

use crate::clock::days_until;
use crate::exposition::application_series;
use crate::exposition::definitions::*;
use crate::exposition::families::Families;
use crate::model::inspect::CertificateFacts;
use crate::model::inventory::{CertificateRecord, CertificateSetRecord, SamlIdentityProvider};
use crate::model::state::AccountStatus;

/// An account's health, counts, and the series of its sets and IdPs.
pub(super) fn account(out: &mut Families, account_id: &str, status: &AccountStatus, now: f64) {
    let labels = [("account_id", account_id)];
    if let Some(name) = &status.name {
        out.gauge(&ACCOUNT_INFO, &[labels[0], ("account_name", name.as_str())], 1.0);
    }
    // Before its first refresh has finished an account's health is unknown,
    // and 0 would claim a failure.
    if status.attempted {
        out.flag(&UP, &labels, status.up);
    }
    if let Some(t) = status.last_success {
        out.gauge(&LAST_SUCCESS, &labels, t);
    }
    if let Some(d) = status.last_duration {
        out.gauge(&REFRESH_DURATION, &labels, d);
    }
    application_series::account(out, account_id, status);
    let Some(inventory) = status.inventory.as_deref() else { return };
    out.gauge(&CERTIFICATE_SETS, &labels, inventory.sets.len() as f64);
    out.gauge(&IDPS_WITHOUT_SET, &labels, inventory.identity_providers_without_set() as f64);
    for set in &inventory.sets {
        certificate_set(out, account_id, set, now);
    }
    for idp in &inventory.identity_providers {
        identity_provider(out, account_id, idp);
    }
}

fn certificate_set(out: &mut Families, account_id: &str, set: &CertificateSetRecord, now: f64) {
    let labels = [("account_id", account_id), ("certificate_set_uid", set.uid.as_str())];
    out.flag(&SET_ROTATION_IN_PROGRESS, &labels, set.rotation_in_progress());
    out.gauge(&SET_IDENTITY_PROVIDERS, &labels, set.identity_providers.len() as f64);
    if let Some(t) = set.updated_at {
        out.gauge(&SET_UPDATED, &labels, t as f64);
    }
    for cert in &set.certificates {
        certificate(out, account_id, &set.uid, cert, now);
    }
}

fn certificate(out: &mut Families, account_id: &str, set_uid: &str, cert: &CertificateRecord, now: f64) {
    let labels = [
        ("account_id", account_id),
        ("certificate_set_uid", set_uid),
        ("certificate_uid", cert.uid.as_deref().unwrap_or("")),
        ("slot", cert.slot.label()),
    ];
    if let Some(t) = cert.not_after() {
        out.gauge(&CERTIFICATE_NOT_AFTER, &labels, t as f64);
        out.gauge(&CERTIFICATE_DAYS_UNTIL_EXPIRY, &labels, days_until(t as f64, now));
    }
    if let Some(mismatch) = cert.not_after_mismatch() {
        out.flag(&CERTIFICATE_NOT_AFTER_MISMATCH, &labels, mismatch);
    }
    if let Some(mismatch) = cert.is_current_mismatch() {
        out.flag(&CERTIFICATE_IS_CURRENT_MISMATCH, &labels, mismatch);
    }
    match &cert.inspection {
        Ok(facts) => {
            out.gauge(&CERTIFICATE_NOT_BEFORE, &labels, facts.not_before as f64);
            if let Some(bits) = facts.key_bits {
                out.gauge(&CERTIFICATE_KEY_BITS, &labels, f64::from(bits));
            }
            if out.takes(&CERTIFICATE_INFO) {
                let mut info = labels.to_vec();
                info.extend(described(facts, true));
                out.gauge(&CERTIFICATE_INFO, &info, 1.0);
            }
        }
        Err(err) if out.takes(&CERTIFICATE_PARSE_ERROR) => {
            let mut with_reason = labels.to_vec();
            with_reason.push(("reason", err.reason()));
            out.gauge(&CERTIFICATE_PARSE_ERROR, &with_reason, 1.0);
        }
        Err(_) => {}
    }
}

fn identity_provider(out: &mut Families, account_id: &str, idp: &SamlIdentityProvider) {
    let labels = [("account_id", account_id), ("identity_provider_id", idp.id.as_str())];
    let info = [
        labels[0],
        labels[1],
        ("identity_provider_name", idp.name.as_str()),
        ("certificate_set_uid", idp.certificate_set_uid.as_deref().unwrap_or("")),
    ];
    out.gauge(&IDP_INFO, &info, 1.0);
    out.flag(&IDP_ENCRYPTION_ENABLED, &labels, idp.encryption_enabled);
    out.flag(&IDP_SET_MISSING, &labels, idp.certificate_set_uid.is_none());
    out.flag(&IDP_SET_DANGLING, &labels, idp.dangling);
    let signing = &idp.signing;
    out.gauge(&SIGNING_CERTIFICATES, &labels, signing.entries as f64);
    if let Some(t) = signing.latest_not_after() {
        out.gauge(&SIGNING_CERTIFICATE_LATEST_NOT_AFTER, &labels, t as f64);
    }
    for facts in &signing.certificates {
        signing_certificate(out, account_id, &idp.id, facts);
    }
    let unreadable = if out.takes(&SIGNING_CERTIFICATE_PARSE_ERROR) { &signing.unreadable[..] } else { &[] };
    for entry in unreadable {
        let position = entry.position.to_string();
        let with_reason =
            [labels[0], labels[1], ("position", position.as_str()), ("reason", entry.error.reason())];
        out.gauge(&SIGNING_CERTIFICATE_PARSE_ERROR, &with_reason, 1.0);
    }
}

fn signing_certificate(out: &mut Families, account_id: &str, idp_id: &str, facts: &CertificateFacts) {
    let labels = [
        ("account_id", account_id),
        ("identity_provider_id", idp_id),
        ("sha256_fingerprint", facts.sha256_fingerprint.as_str()),
    ];
    out.gauge(&SIGNING_CERTIFICATE_NOT_AFTER, &labels, facts.not_after as f64);
    out.gauge(&SIGNING_CERTIFICATE_NOT_BEFORE, &labels, facts.not_before as f64);
    if let Some(bits) = facts.key_bits {
        out.gauge(&SIGNING_CERTIFICATE_KEY_BITS, &labels, f64::from(bits));
    }
    if !out.takes(&SIGNING_CERTIFICATE_INFO) {
        return;
    }
    let mut info = labels.to_vec();
    // The fingerprint is already one of the series' own labels.
    info.extend(described(facts, false));
    out.gauge(&SIGNING_CERTIFICATE_INFO, &info, 1.0);
}

/// The labels that describe a parsed certificate in an `..._info` series, in
/// the order every one of them gives them; the SHA-256 fingerprint only when
/// the series' own labels do not carry it already.
pub(super) fn described(facts: &CertificateFacts, fingerprint: bool) -> Vec<(&'static str, &str)> {
    let mut labels = vec![
        ("subject", facts.subject.as_str()),
        ("issuer", facts.issuer.as_str()),
        ("serial", facts.serial.as_str()),
    ];
    if fingerprint {
        labels.push(("sha256_fingerprint", facts.sha256_fingerprint.as_str()));
    }
    labels.extend([
        ("key_algorithm", facts.key_algorithm.as_str()),
        ("signature_algorithm", facts.signature_algorithm.as_str()),
    ]);
    labels
}
