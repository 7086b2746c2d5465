//! Signing-certificate drift: what an identity provider publishes in its
//! SAML metadata (M) against the readable certificates pasted into
//! Cloudflare as its `idp_public_certs` (C), compared by SHA-256
//! fingerprint:
//!
//! - M is a subset of C: **in sync** (logins work, and keep working when
//!   the IdP switches to any certificate it publishes);
//! - M and C share a certificate but M has one C lacks: **rollover
//!   pending** (logins work while the IdP signs with the shared one; paste
//!   the new one before it switches);
//! - M and C share nothing: **mismatch** (logins fail now, or at the IdP's
//!   next switch).
//!
//! Certificates in C and not in M are listed to retire; they never change
//! the state. Pure code: no I/O, no clock.

use crate::model::inspect::CertificateFacts;

/// How the published signing certificates stand against Cloudflare's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DriftState {
    /// Every published certificate is in Cloudflare.
    InSync,
    /// Cloudflare holds some published certificate, not all of them.
    RolloverPending,
    /// Cloudflare holds none of the published certificates.
    Mismatch,
}

impl DriftState {
    /// Every state, in the order the metric lists them.
    pub const ALL: [DriftState; 3] = [DriftState::InSync, DriftState::RolloverPending, DriftState::Mismatch];

    /// The `state` label.
    pub fn label(self) -> &'static str {
        match self {
            DriftState::InSync => "in_sync",
            DriftState::RolloverPending => "rollover_pending",
            DriftState::Mismatch => "mismatch",
        }
    }
}

/// The comparison of one identity provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// Where it stands.
    pub state: DriftState,
    /// Published and missing from Cloudflare: to paste.
    pub to_add: Vec<CertificateFacts>,
    /// In Cloudflare and no longer published: may be retired.
    pub to_retire: Vec<CertificateFacts>,
    /// Published and in Cloudflare.
    pub shared: Vec<CertificateFacts>,
}

/// Compares the `published` certificates with those `in_cloudflare`; each
/// list may repeat a certificate, each result lists it once, in the order
/// first seen.
pub fn compare(published: &[CertificateFacts], in_cloudflare: &[CertificateFacts]) -> Drift {
    let published = unique(published);
    let in_cloudflare = unique(in_cloudflare);
    let holds = |list: &[CertificateFacts], c: &CertificateFacts| {
        list.iter().any(|other| other.sha256_fingerprint == c.sha256_fingerprint)
    };
    let (shared, to_add): (Vec<_>, Vec<_>) =
        published.iter().cloned().partition(|c| holds(&in_cloudflare, c));
    let to_retire = in_cloudflare.iter().filter(|c| !holds(&published, c)).cloned().collect();
    let state = match (shared.is_empty(), to_add.is_empty()) {
        (_, true) => DriftState::InSync,
        (false, false) => DriftState::RolloverPending,
        (true, false) => DriftState::Mismatch,
    };
    Drift { state, to_add, to_retire, shared }
}

fn unique(certificates: &[CertificateFacts]) -> Vec<CertificateFacts> {
    let mut seen: Vec<CertificateFacts> = Vec::with_capacity(certificates.len());
    for c in certificates {
        if !seen.iter().any(|s| s.sha256_fingerprint == c.sha256_fingerprint) {
            seen.push(c.clone());
        }
    }
    seen
}

#[cfg(test)]
mod tests;
