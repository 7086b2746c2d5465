//! Who loses their login, on the report's rows: each row about a SAML
//! identity provider (or a set the IdPs use) names the Access applications
//! users sign in to through it, a few by name then a count, and says which
//! have no other way in. Only once the applications collector has read the
//! account; the severity stays the certificate's own.

use std::collections::BTreeMap;

use crate::model::applications::ApplicationRecord;
use crate::model::report::Row;
use crate::model::state::AccountStatus;

/// Applications named before the rest are only counted.
const NAMED: usize = 3;

/// Fills `applications` on each row whose account's applications are known.
pub(super) fn annotate(rows: &mut [Row], accounts: &[(String, AccountStatus)]) {
    // Rows about an account, its applications list or a SaaS application
    // name no identity provider.
    let about_idps = |row: &Row| !matches!(row.slot.as_str(), "account" | "applications" | "saas");
    for row in rows.iter_mut().filter(|row| row.applications.is_none() && about_idps(row)) {
        let Ok(at) = accounts.binary_search_by(|(id, _)| id.as_str().cmp(&row.account_id)) else { continue };
        let status = &accounts[at].1;
        // Without the collector's applications there is nothing to name:
        // skip the search through the account's IdPs.
        if status.applications.as_ref().and_then(|a| a.inventory.as_ref()).is_none() {
            continue;
        }
        let Some(inventory) = status.inventory.as_deref() else { continue };
        // Rows name IdPs by name (or ID when it has none).
        let idps = inventory
            .identity_providers
            .iter()
            .filter(|idp| row.identity_providers.iter().any(|n| *n == idp.name || *n == idp.id));
        let mut affected: BTreeMap<&str, (&ApplicationRecord, bool)> = BTreeMap::new();
        let mut known = false;
        for idp in idps {
            let Some(impact) = status.impact(&idp.id) else { continue };
            known = true;
            for app in impact.applications {
                let alone = impact.without_fallback.iter().any(|a| a.id == app.id);
                let entry = affected.entry(app.id.as_str()).or_insert((app, false));
                entry.1 |= alone;
            }
        }
        if known {
            row.applications = Some(summary(affected.into_values().collect()));
        }
    }
}

/// `none`, or the applications, those without fallback first, a few by name.
fn summary(mut affected: Vec<(&ApplicationRecord, bool)>) -> String {
    if affected.is_empty() {
        return "none".to_owned();
    }
    affected.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.name.cmp(&b.0.name)));
    let alone = affected.iter().filter(|(_, alone)| *alone).count();
    let mut names: Vec<String> = affected
        .iter()
        .take(NAMED)
        .map(|(app, alone)| {
            let name = if app.name.is_empty() { app.id.as_str() } else { app.name.as_str() };
            if *alone { format!("{name} (no fallback)") } else { name.to_owned() }
        })
        .collect();
    if affected.len() > NAMED {
        names.push(format!("+{} more", affected.len() - NAMED));
    }
    let mut text = names.join(", ");
    if alone > 0 {
        text.push_str(&format!("; {alone} of {} with no other way in", affected.len()));
    }
    text
}
