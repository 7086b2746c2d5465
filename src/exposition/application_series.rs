//! The series of the applications collector for one account: whether its
//! last read worked, one info series per application, each SAML identity
//! provider's blast radius, and Cloudflare's SAML signing certificate of
//! each SAML SaaS application. Nothing without `--collector.applications`.

use crate::exposition::definitions::*;
use crate::exposition::families::Families;
use crate::exposition::state_series;
use crate::model::applications::ApplicationRecord;
use crate::model::inspect::CertificateFacts;
use crate::model::signing::SigningParseError;
use crate::model::state::AccountStatus;

/// The applications series of `status`'s account.
pub(super) fn account(out: &mut Families, account_id: &str, status: &AccountStatus) {
    let Some(applications) = &status.applications else { return };
    let labels = [("account_id", account_id)];
    out.flag(&APPLICATIONS_UP, &labels, applications.up);
    if let Some(t) = applications.last_success {
        out.gauge(&APPLICATIONS_LAST_SUCCESS, &labels, t);
    }
    let Some(inventory) = applications.inventory.as_deref() else { return };
    if out.takes(&APPLICATION_INFO) {
        for app in &inventory.applications {
            let info = [
                ("account_id", account_id),
                ("application_id", app.id.as_str()),
                ("application_name", app.name.as_str()),
                ("domain", app.domain.as_str()),
                ("type", app.kind.as_str()),
            ];
            out.gauge(&APPLICATION_INFO, &info, 1.0);
        }
    }
    for idp in status.inventory.iter().flat_map(|inventory| &inventory.identity_providers) {
        let Some(impact) = status.impact(&idp.id) else { break };
        let labels = [("account_id", account_id), ("identity_provider_id", idp.id.as_str())];
        out.gauge(&IDP_APPLICATIONS, &labels, impact.applications.len() as f64);
        out.gauge(&IDP_APPLICATIONS_WITHOUT_FALLBACK, &labels, impact.without_fallback.len() as f64);
    }
    for (app, certificate) in inventory.saas_signing() {
        saas_certificate(out, account_id, app, certificate);
    }
}

fn saas_certificate(
    out: &mut Families,
    account_id: &str,
    app: &ApplicationRecord,
    certificate: &Result<CertificateFacts, SigningParseError>,
) {
    let labels = [("account_id", account_id), ("application_id", app.id.as_str())];
    let facts = match certificate {
        Ok(facts) => facts,
        Err(err) => {
            out.gauge(&SAAS_CERTIFICATE_PARSE_ERROR, &[labels[0], labels[1], ("reason", err.reason())], 1.0);
            return;
        }
    };
    out.gauge(&SAAS_CERTIFICATE_NOT_AFTER, &labels, facts.not_after as f64);
    out.gauge(&SAAS_CERTIFICATE_NOT_BEFORE, &labels, facts.not_before as f64);
    if let Some(bits) = facts.key_bits {
        out.gauge(&SAAS_CERTIFICATE_KEY_BITS, &labels, f64::from(bits));
    }
    if !out.takes(&SAAS_CERTIFICATE_INFO) {
        return;
    }
    let mut info = vec![labels[0], labels[1], ("application_name", app.name.as_str())];
    info.extend(state_series::described(facts, true));
    out.gauge(&SAAS_CERTIFICATE_INFO, &info, 1.0);
}
