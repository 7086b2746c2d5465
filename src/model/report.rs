//! The graded report behind `check`, the status page and `/status.json`:
//! one row per encryption certificate, per SAML identity provider with a
//! problem, per IdP signing certificate or unreadable signing entry
//! (slot `signing`), per IdP metadata source (slot `metadata`) and per
//! SAML SaaS application's Cloudflare signing certificate (slot `saas`),
//! worst first, each with a severity from the same thresholds as the
//! alerts; IdP rows name the applications that sign in through them.
//! Pure code: the state and the time come in as arguments.

use serde::Serialize;

use crate::clock::days_until;
use crate::clock::format_rfc3339 as rfc3339;
use crate::model::inventory::{
    AccountInventory, CertificateRecord, CertificateSetRecord, SamlIdentityProvider, Slot,
};
use crate::model::state::{AccountStatus, StateSnapshot};

mod accounts;
mod impact;
mod metadata_rows;
mod output;
mod runbook_anchor;
mod saas_rows;
mod token_rows;

pub use token_rows::TOKEN_WARN_DAYS;

pub use output::align_columns;

/// How bad a row (or the whole report) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Nothing to do.
    Ok,
    /// Worth knowing, no action needed (a rotation hand-over, a coverage gap).
    Info,
    /// Act soon (exit 1).
    Warning,
    /// Act now (exit 2).
    Critical,
}

impl Severity {
    /// The process exit code for a report whose worst row has this severity.
    pub fn exit_code(self) -> u8 {
        match self {
            Severity::Ok | Severity::Info => 0,
            Severity::Warning => 1,
            Severity::Critical => 2,
        }
    }

    /// The word shown in the table.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Ok => "OK",
            Severity::Info => "INFO",
            Severity::Warning => "WARNING",
            Severity::Critical => "CRITICAL",
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Account ID.
    pub account_id: String,
    /// The account's display name, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    /// Certificate set UID (empty for account and IdP rows).
    pub certificate_set_uid: String,
    /// `current`, `previous`, `identity_provider`, `signing` (an IdP's signing
    /// certificate or unreadable signing entry), `metadata` (an IdP's
    /// published metadata against Cloudflare) or `account`.
    pub slot: String,
    /// Names of the SAML IdPs using the set, or the IdP of an IdP row.
    pub identity_providers: Vec<String>,
    /// Expiry (RFC 3339), when known.
    pub not_after: Option<String>,
    /// Days left, when known.
    pub days_left: Option<f64>,
    /// How bad it is.
    pub state: Severity,
    /// What it means.
    pub note: String,
    /// The Access applications users sign in to through the row's IdPs
    /// (a few by name, then a count; those with no other way in marked),
    /// once the applications collector has read them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applications: Option<String>,
}

/// The outcome of `check`.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// Every row, worst first.
    pub rows: Vec<Row>,
    /// The worst severity.
    pub status: Severity,
    /// The exit code it maps to.
    pub exit_code: u8,
}

/// Where warning and critical start, in days left.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Fewer days left than this is a warning.
    pub warn_days: f64,
    /// Fewer days left than this is critical.
    pub crit_days: f64,
}

impl Thresholds {
    /// The thresholds of the shipped alert rules, and `check`'s defaults:
    /// warning under 30 days left, critical under 7.
    pub const ALERTS: Self = Self { warn_days: 30.0, crit_days: 7.0 };

    /// Where a certificate with `days` left stands.
    fn standing(&self, days: f64) -> Standing {
        if days <= 0.0 {
            Standing::Expired
        } else if days < self.crit_days {
            Standing::Critical
        } else if days < self.warn_days {
            Standing::Warning
        } else {
            Standing::Fine
        }
    }
}

/// A certificate's days left against the [`Thresholds`].
enum Standing {
    Expired,
    Critical,
    Warning,
    Fine,
}

impl CheckReport {
    /// Grades every account: `failures` are accounts whose read failed just
    /// now (with why); `accounts` their last good inventories, as of `now`.
    pub fn build(
        failures: Vec<(String, String)>,
        accounts: &[(String, AccountStatus)],
        now: f64,
        thresholds: Thresholds,
    ) -> Self {
        let mut rows = Vec::new();
        for (account_id, error) in failures {
            rows.push(Row {
                account_id,
                account_name: None,
                certificate_set_uid: String::new(),
                slot: "account".into(),
                identity_providers: Vec::new(),
                not_after: None,
                days_left: None,
                state: Severity::Critical,
                note: format!("could not be read: {error}"),
                applications: None,
            });
        }
        for (account_id, status) in accounts {
            if let Some(inventory) = status.inventory.as_deref() {
                grade(account_id, inventory, now, thresholds, &mut rows);
            }
        }
        rows.extend(saas_rows::saas_rows(accounts, now, thresholds));
        impact::annotate(&mut rows, accounts);
        accounts::name_rows(&mut rows, accounts);
        accounts::group_by_account(&mut rows);
        let status = rows.iter().map(|r| r.state).max().unwrap_or(Severity::Ok);
        CheckReport { rows, status, exit_code: status.exit_code() }
    }
}

/// Every row of one account: encryption certificates, then IdP signing
/// certificates, then IdPs whose certificate set is missing.
fn grade(account_id: &str, inventory: &AccountInventory, now: f64, config: Thresholds, rows: &mut Vec<Row>) {
    for set in &inventory.sets {
        for cert in &set.certificates {
            rows.push(grade_encryption(account_id, set, cert, now, config));
        }
    }
    for idp in &inventory.identity_providers {
        grade_signing(account_id, idp, now, config, rows);
    }
    rows.extend(inventory.identity_providers.iter().filter_map(|idp| grade_set_assignment(account_id, idp)));
}

/// One encryption certificate of a set: the current one by the alert
/// thresholds, the previous one as a hand-over reminder.
fn grade_encryption(
    account_id: &str,
    set: &CertificateSetRecord,
    cert: &CertificateRecord,
    now: f64,
    config: Thresholds,
) -> Row {
    let days = cert.not_after().map(|t| days_until(t as f64, now));
    let mut notes = Vec::new();
    let mut state = Severity::Ok;
    let mut raise = |s: Severity, note: String| {
        state = state.max(s);
        notes.push(note);
    };
    let (severity, note) = match cert.slot {
        Slot::Current => current_standing(set, days, config),
        Slot::Previous if days.is_some_and(|d| d <= 0.0) => {
            (Severity::Info, "previous certificate expired".into())
        }
        Slot::Previous => (
            Severity::Info,
            "rotation hand-over: load the current certificate into the IdP before this one expires".into(),
        ),
    };
    if !note.is_empty() {
        raise(severity, note);
    }
    if let Err(err) = &cert.inspection {
        raise(Severity::Warning, format!("PEM unreadable ({})", err.reason()));
    }
    if cert.not_after_mismatch() == Some(true) {
        raise(Severity::Warning, "API not_after differs from the certificate's".into());
    }
    if cert.is_current_mismatch() == Some(true) {
        let marked = cert.is_current.unwrap_or_default();
        raise(Severity::Warning, format!("the API marks it is_current: {marked}"));
    }
    if set.identity_providers.is_empty() && cert.slot == Slot::Current {
        notes.push("set used by no identity provider".into());
    }
    Row {
        account_id: account_id.to_owned(),
        account_name: None,
        certificate_set_uid: set.uid.clone(),
        slot: cert.slot.label().to_owned(),
        identity_providers: set.identity_providers.clone(),
        not_after: cert.not_after().map(rfc3339),
        days_left: days,
        state,
        note: notes.join("; "),
        applications: None,
    }
}

/// A current encryption certificate by the alert thresholds; an empty note
/// when it is fine.
fn current_standing(set: &CertificateSetRecord, days: Option<f64>, config: Thresholds) -> (Severity, String) {
    let Some(days) = days else { return (Severity::Critical, "expiry unknown".into()) };
    match config.standing(days) {
        Standing::Expired => (Severity::Critical, "expired".into()),
        Standing::Critical => (Severity::Critical, format!("under {} days left", config.crit_days)),
        Standing::Warning => {
            let why = if set.rotation_in_progress() { "" } else { "; automatic rotation overdue" };
            (Severity::Warning, format!("under {} days left{why}", config.warn_days))
        }
        Standing::Fine => (Severity::Ok, String::new()),
    }
}

/// An IdP whose certificate set is absent or names no set of the account;
/// `None` when its set is fine.
fn grade_set_assignment(account_id: &str, idp: &SamlIdentityProvider) -> Option<Row> {
    let (state, note) = match (idp.encryption_enabled, idp.certificate_set_uid.is_some(), idp.dangling) {
        (true, false, _) => (Severity::Warning, "encryption enabled but no certificate set"),
        (true, true, true) => {
            (Severity::Warning, "encryption enabled but its certificate set does not exist")
        }
        (false, false, _) => (Severity::Info, "no certificate set: assertions are not encrypted"),
        (false, true, true) => (Severity::Info, "its certificate set does not exist (encryption off)"),
        _ => return None,
    };
    Some(Row {
        account_id: account_id.to_owned(),
        account_name: None,
        certificate_set_uid: idp.certificate_set_uid.clone().unwrap_or_default(),
        slot: "identity_provider".into(),
        identity_providers: vec![idp.name.clone()],
        not_after: None,
        days_left: None,
        state,
        note: note.into(),
        applications: None,
    })
}

/// An IdP's signing certificates, judged like the alerts by the latest one:
/// during a rollover an older certificate close to expiry is harmless.
fn grade_signing(
    account_id: &str,
    idp: &SamlIdentityProvider,
    now: f64,
    config: Thresholds,
    rows: &mut Vec<Row>,
) {
    let name = if idp.name.is_empty() { idp.id.clone() } else { idp.name.clone() };
    let row = |not_after: Option<i64>, state: Severity, note: String| Row {
        account_id: account_id.to_owned(),
        account_name: None,
        certificate_set_uid: String::new(),
        slot: "signing".into(),
        identity_providers: vec![name.clone()],
        not_after: not_after.map(rfc3339),
        days_left: not_after.map(|t| days_until(t as f64, now)),
        state,
        note,
        applications: None,
    };
    let latest = idp.signing.latest_not_after();
    for cert in &idp.signing.certificates {
        let days = days_until(cert.not_after as f64, now);
        let fingerprint = cert.sha256_fingerprint.get(..16).unwrap_or(&cert.sha256_fingerprint);
        let what = format!("signing certificate {} (sha256 {fingerprint}...)", cert.subject);
        let (state, why) = if Some(cert.not_after) != latest {
            if days <= 0.0 {
                (Severity::Info, "expired; a later one is listed: remove this one".to_owned())
            } else {
                (Severity::Ok, "a later one is listed (rollover)".to_owned())
            }
        } else {
            match config.standing(days) {
                Standing::Expired => (
                    Severity::Critical,
                    "expired: Cloudflare rejects every login through this IdP".to_owned(),
                ),
                Standing::Critical => (Severity::Critical, format!("under {} days left", config.crit_days)),
                Standing::Warning => (
                    Severity::Warning,
                    format!("under {} days left: add the IdP's next signing certificate", config.warn_days),
                ),
                Standing::Fine => (Severity::Ok, String::new()),
            }
        };
        let note = if why.is_empty() { what } else { format!("{what}: {why}") };
        rows.push(row(Some(cert.not_after), state, note));
    }
    for entry in &idp.signing.unreadable {
        let note =
            format!("signing certificate entry {} unreadable ({})", entry.position, entry.error.reason());
        rows.push(row(None, Severity::Warning, note));
    }
}

impl CheckReport {
    /// Adds a row per identity provider metadata source of `state` that has
    /// been tried, and grades again.
    pub fn with_metadata(mut self, state: &StateSnapshot, now: f64) -> Self {
        self.rows.extend(metadata_rows::metadata_rows(state, now));
        impact::annotate(&mut self.rows, &state.accounts);
        accounts::name_rows(&mut self.rows, &state.accounts);
        self.regrade();
        self
    }

    /// Groups the rows again and takes the worst severity as the status.
    fn regrade(&mut self) {
        accounts::group_by_account(&mut self.rows);
        self.status = self.rows.iter().map(|r| r.state).max().unwrap_or(Severity::Ok);
        self.exit_code = self.status.exit_code();
    }
}

#[cfg(test)]
mod tests;
