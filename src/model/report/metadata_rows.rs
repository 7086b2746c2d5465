//! The report's rows for identity provider metadata (slot `metadata`): one
//! per configured source that has been tried, graded by how the signing
//! certificates the IdP publishes stand against Cloudflare's, and dated by
//! the next certificate it publishes that Cloudflare lacks (so the status
//! page's timeline marks it).

use crate::model::drift::{Drift, DriftState};
use crate::model::inspect::CertificateFacts;
use crate::model::metadata_status::MetadataStatus;
use crate::model::report::{Row, Severity};
use crate::model::state::StateSnapshot;

/// The rows of every source of `state` that has been tried.
pub(super) fn metadata_rows(state: &StateSnapshot, now: f64) -> Vec<Row> {
    state
        .metadata
        .iter()
        .filter(|status| status.attempted)
        .map(|status| {
            let inventory = state.inventory(&status.account_id);
            let idp = inventory.and_then(|inventory| status.identity_provider_in(inventory));
            let name = match idp {
                Some(idp) if !idp.name.is_empty() => idp.name.clone(),
                _ => status.label().to_owned(),
            };
            let drift = inventory.and_then(|inventory| status.drift(inventory));
            let (state, note) = grade(status, drift.as_ref());
            // Dated by the next certificate the IdP publishes and Cloudflare
            // lacks (the soonest to expire), so it shows on the timeline.
            let next = drift.as_ref().and_then(|d| d.to_add.iter().map(|c| c.not_after).min());
            Row {
                account_id: status.account_id.clone(),
                account_name: None,
                certificate_set_uid: String::new(),
                slot: "metadata".into(),
                identity_providers: vec![name],
                not_after: next.map(crate::clock::format_rfc3339),
                days_left: next.map(|t| crate::clock::days_until(t as f64, now)),
                state,
                note,
                applications: None,
            }
        })
        .collect()
}

fn grade(status: &MetadataStatus, drift: Option<&Drift>) -> (Severity, String) {
    let unreadable = status
        .last_error
        .filter(|_| !status.up)
        .map(|reason| format!("metadata unreadable (reason {reason}); "));
    let Some(drift) = drift else {
        let reason = status.last_error.unwrap_or("unknown");
        return (
            Severity::Warning,
            format!(
                "metadata unreadable (reason {reason}): its signing certificates cannot be compared with Cloudflare's"
            ),
        );
    };
    let stale = unreadable.as_deref().map_or(String::new(), |why| format!("{why}as last read: "));
    let id = status.label();
    match drift.state {
        DriftState::InSync => {
            let retire = if drift.to_retire.is_empty() {
                String::new()
            } else {
                format!("; {} in Cloudflare no longer published (may be retired)", drift.to_retire.len())
            };
            let state = if unreadable.is_some() { Severity::Warning } else { Severity::Ok };
            (state, format!("{stale}in sync: Cloudflare holds every published signing certificate{retire}"))
        }
        DriftState::RolloverPending => (
            Severity::Warning,
            format!(
                "{stale}rollover pending: the IdP publishes {} that Cloudflare lacks; add it before the IdP \
                 switches (`signing sync --identity-provider {id} --apply`)",
                described(&drift.to_add)
            ),
        ),
        DriftState::Mismatch => (
            Severity::Critical,
            format!(
                "{stale}mismatch: Cloudflare holds none of the published signing certificates ({}): logins fail \
                 now or at the IdP's next switch (`signing plan`)",
                described(&drift.to_add)
            ),
        ),
    }
}

/// `subject (sha256 0123456789abcdef..., expires 2027-01-01)`, for each.
fn described(certificates: &[CertificateFacts]) -> String {
    let each: Vec<String> = certificates
        .iter()
        .map(|c| {
            let fingerprint = c.sha256_fingerprint.get(..16).unwrap_or(&c.sha256_fingerprint);
            let expires = crate::clock::format_rfc3339(c.not_after);
            format!(
                "{} (sha256 {fingerprint}..., expires {})",
                c.subject,
                expires.get(..10).unwrap_or(&expires)
            )
        })
        .collect();
    each.join(", ")
}
