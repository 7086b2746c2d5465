//! The report's rows for SaaS applications (slot `saas`): Cloudflare's SAML
//! signing certificate of each SAML SaaS application, which the service
//! provider holds, graded by the alerts' thresholds; or why it could not
//! be read. Only once the applications collector has read the account; an
//! account whose applications list cannot be read gets one row saying so
//! (slot `applications`).

use crate::clock::days_until;
use crate::clock::format_rfc3339 as rfc3339;
use crate::model::report::{Row, Severity, Standing, Thresholds};
use crate::model::state::AccountStatus;

/// The rows of every SAML SaaS application of `accounts`.
pub(super) fn saas_rows(accounts: &[(String, AccountStatus)], now: f64, config: Thresholds) -> Vec<Row> {
    let mut rows = Vec::new();
    for (account_id, status) in accounts {
        if let Some(reason) = status.applications.as_ref().filter(|a| !a.up).and_then(|a| a.error) {
            rows.push(Row {
                account_id: account_id.clone(),
                account_name: None,
                certificate_set_uid: String::new(),
                slot: "applications".into(),
                identity_providers: Vec::new(),
                not_after: None,
                days_left: None,
                state: Severity::Warning,
                note: format!(
                    "Access applications unreadable (reason {reason}; a 403 means the token lacks \"Access: Apps \
                     and Policies Read\"): the blast radius and SaaS certificates are from the last good read"
                ),
                applications: None,
            });
        }
        let Some(inventory) = status.applications.as_ref().and_then(|a| a.inventory.as_deref()) else {
            continue;
        };
        for (app, certificate) in inventory.saas_signing() {
            let name = if app.name.is_empty() { app.id.clone() } else { app.name.clone() };
            let mut row = Row {
                account_id: account_id.clone(),
                account_name: None,
                certificate_set_uid: String::new(),
                slot: "saas".into(),
                identity_providers: vec![name],
                not_after: None,
                days_left: None,
                state: Severity::Warning,
                note: String::new(),
                applications: None,
            };
            match certificate {
                Err(err) => {
                    row.note = format!(
                        "Cloudflare's SAML signing certificate of this SaaS application is unreadable ({})",
                        err.reason()
                    );
                }
                Ok(facts) => {
                    let days = days_until(facts.not_after as f64, now);
                    let fingerprint = facts.sha256_fingerprint.get(..16).unwrap_or(&facts.sha256_fingerprint);
                    let what = format!("Cloudflare's SAML signing certificate (sha256 {fingerprint}...)");
                    let paste = "give the service provider Cloudflare's new certificate";
                    let (state, why) = match config.standing(days) {
                        Standing::Expired => (
                            Severity::Critical,
                            "expired: the service provider rejects every login".to_owned(),
                        ),
                        Standing::Critical => {
                            (Severity::Critical, format!("under {} days left: {paste}", config.crit_days))
                        }
                        Standing::Warning => {
                            (Severity::Warning, format!("under {} days left: {paste}", config.warn_days))
                        }
                        Standing::Fine => (Severity::Ok, String::new()),
                    };
                    row.not_after = Some(rfc3339(facts.not_after));
                    row.days_left = Some(days);
                    row.state = state;
                    row.note = if why.is_empty() { what } else { format!("{what}: {why}") };
                }
            }
            rows.push(row);
        }
    }
    rows
}
