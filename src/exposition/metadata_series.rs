//! The series of one identity provider metadata source: whether its last
//! read worked, when one last did, each certificate it publishes (and
//! whether Cloudflare holds it), and the drift state. The drift is compared
//! here, against the account's latest inventory: pasting the new
//! certificate into Cloudflare clears a rollover at Cloudflare's next read.

use crate::exposition::definitions::*;
use crate::exposition::families::Families;
use crate::model::drift::DriftState;
use crate::model::inventory::AccountInventory;
use crate::model::metadata_status::MetadataStatus;

/// The samples of `status`, compared with `inventory` (its account's).
pub(super) fn source(out: &mut Families, status: &MetadataStatus, inventory: Option<&AccountInventory>) {
    let labels = [("account_id", status.account_id.as_str()), ("identity_provider_id", status.label())];
    // Before the first attempt its health is unknown, and 0 would claim a failure.
    if status.attempted {
        out.flag(&METADATA_UP, &labels, status.up);
    }
    if let Some(t) = status.last_success {
        out.gauge(&METADATA_LAST_SUCCESS, &labels, t);
    }
    let Some(published) = status.published.as_deref() else { return };
    let held = |fingerprint: &str| {
        let idp = inventory.and_then(|inventory| status.identity_provider_in(inventory));
        idp.is_some_and(|idp| idp.signing.certificates.iter().any(|c| c.sha256_fingerprint == fingerprint))
    };
    if out.takes(&METADATA_SIGNING_CERTIFICATE_NOT_AFTER) {
        for certificate in &published.certificates {
            let fingerprint = certificate.facts.sha256_fingerprint.as_str();
            let in_cloudflare = if held(fingerprint) { "true" } else { "false" };
            let certificate_labels =
                [labels[0], labels[1], ("sha256_fingerprint", fingerprint), ("in_cloudflare", in_cloudflare)];
            out.gauge(
                &METADATA_SIGNING_CERTIFICATE_NOT_AFTER,
                &certificate_labels,
                certificate.facts.not_after as f64,
            );
        }
    }
    let Some(drift) = inventory.and_then(|inventory| status.drift(inventory)) else { return };
    for state in DriftState::ALL {
        let state_labels = [labels[0], labels[1], ("state", state.label())];
        out.flag(&SIGNING_CERTIFICATE_DRIFT, &state_labels, drift.state == state);
    }
}
