//! `encryption plan`: reads every account once and says, per SAML identity
//! provider, the next step towards encrypted assertions: `create-set`,
//! `rotate`, `enable-encryption`, `hand-over`, or nothing. Never writes.
//! Exit 0 when nothing is pending, 1 when something is, 2 when an account
//! could not be read.

use reqwest::Url;
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::clock::{days_until, format_rfc3339};
use crate::commands::encryption::output::{enable_encryption_change, load_pem_step, print_json, suggest};
use crate::commands::encryption::{EXIT_FAILED, EncryptionError, now};
use crate::commands::wiring::Wiring;
use crate::config::CloudflareConfig;
use crate::model::inventory::{AccountInventory, CertificateRecord, SamlIdentityProvider, Slot};
use crate::model::report::align_columns;

/// Under this many days left on a set that is not rotating, Cloudflare's
/// automatic rotation (30 days before expiry) is overdue: the same line as
/// the `CloudflareSAMLCertificateRotationOverdue` alert.
pub const ROTATION_OVERDUE_DAYS: f64 = 29.0;

/// The next step for one SAML IdP, first needed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// No set, or a set that does not exist: create one.
    CreateSet,
    /// The set's automatic rotation stalled: rotate it.
    Rotate,
    /// A set, but encryption off: turn it on (by hand).
    EnableEncryption,
    /// A rotation in progress: load the current certificate into the IdP.
    HandOver,
    /// Nothing to do.
    None,
}

impl Action {
    /// The word shown.
    pub fn label(self) -> &'static str {
        match self {
            Action::CreateSet => "create-set",
            Action::Rotate => "rotate",
            Action::EnableEncryption => "enable-encryption",
            Action::HandOver => "hand-over",
            Action::None => "none",
        }
    }
}

/// One SAML IdP and its next step.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// The account.
    pub account_id: String,
    /// The IdP's ID.
    pub identity_provider_id: String,
    /// Its name.
    pub identity_provider_name: String,
    /// The set it names, if any.
    pub certificate_set_uid: Option<String>,
    /// `config.enable_encryption`.
    pub encryption_enabled: bool,
    /// What to do.
    pub action: Action,
    /// Why.
    pub why: String,
    /// The command to run or the change to make; `None` for [`Action::None`].
    pub next: Option<String>,
}

/// The steps for every SAML IdP of one account at `now` (Unix seconds).
pub fn plan_account(account_id: &str, inventory: &AccountInventory, now: i64, base_url: &Url) -> Vec<Step> {
    inventory
        .identity_providers
        .iter()
        .map(|idp| {
            let (action, why) = decide(idp, inventory, now);
            Step {
                account_id: account_id.to_owned(),
                identity_provider_id: idp.id.clone(),
                identity_provider_name: idp.name.clone(),
                certificate_set_uid: idp.certificate_set_uid.clone(),
                encryption_enabled: idp.encryption_enabled,
                action,
                why,
                next: next(action, account_id, idp, base_url),
            }
        })
        .collect()
}

fn decide(idp: &SamlIdentityProvider, inventory: &AccountInventory, now: i64) -> (Action, String) {
    let set = idp.certificate_set_uid.as_deref().and_then(|uid| inventory.sets.iter().find(|s| s.uid == uid));
    let Some(set) = set else {
        let why = match &idp.certificate_set_uid {
            Some(_) => "its certificate set does not exist in the account".to_owned(),
            None => "no certificate set".to_owned(),
        };
        let impact = if idp.encryption_enabled { "; encryption is on, so logins may be failing" } else { "" };
        return (Action::CreateSet, format!("{why}{impact}"));
    };
    let current = set.certificate(Slot::Current);
    let previous = set.certificate(Slot::Previous);
    // A current slot without UID, PEM or expiry holds nothing.
    let empty = |c: &CertificateRecord| c.uid.is_none() && c.not_after().is_none();
    if current.is_none_or(empty) && previous.is_none() {
        // Nothing to encrypt to: a rotation is what gives the set a certificate.
        return (Action::Rotate, "the set holds no certificate at all".to_owned());
    }
    let days_left = current.and_then(|c| c.not_after()).map(|t| days_until(t as f64, now as f64));
    if let (None, Some(days)) = (previous, days_left)
        && days < ROTATION_OVERDUE_DAYS
    {
        let state = if days < 0.0 {
            format!("expired {:.1} days ago", -days)
        } else {
            format!("expires in {days:.1} days")
        };
        return (
            Action::Rotate,
            format!(
                "current certificate {state} and no rotation happened \
                 (Cloudflare rotates 30 days before expiry)"
            ),
        );
    }
    if !idp.encryption_enabled {
        return (Action::EnableEncryption, "a set is assigned but encryption is off".to_owned());
    }
    if let Some(previous) = previous {
        let deadline = previous.not_after().map_or_else(|| "an unknown time".to_owned(), format_rfc3339);
        return (
            Action::HandOver,
            format!(
                "rotating: load the current certificate into the external IdP before the previous one \
                 expires at {deadline}"
            ),
        );
    }
    let valid =
        days_left.map_or_else(|| "of unknown expiry".to_owned(), |d| format!("valid for {d:.1} days"));
    (Action::None, format!("encrypting; current certificate {valid}"))
}

fn next(action: Action, account_id: &str, idp: &SamlIdentityProvider, base_url: &Url) -> Option<String> {
    let set = idp.certificate_set_uid.as_deref().unwrap_or_default();
    let run = |subcommand: &str, args: String| format!("run: {}", suggest(base_url, subcommand, &args));
    match action {
        Action::CreateSet => Some(run(
            "create-set",
            format!("--account-id {account_id} --identity-provider {} --apply", idp.id),
        )),
        Action::Rotate => {
            Some(run("rotate", format!("--account-id {account_id} --certificate-set {set} --apply")))
        }
        Action::EnableEncryption => Some(format!(
            "{}\n  then {}",
            enable_encryption_change(base_url, account_id, &idp.id, set),
            load_pem_step(base_url, account_id, set)
        )),
        Action::HandOver => Some(load_pem_step(base_url, account_id, set)),
        Action::None => None,
    }
}

/// What `plan` prints with `--output json`.
#[derive(Debug, Serialize)]
struct PlanReport {
    exit_code: u8,
    pending: usize,
    identity_providers: Vec<Step>,
    failures: Vec<AccountFailure>,
}

#[derive(Debug, Serialize)]
struct AccountFailure {
    account_id: String,
    error: String,
}

/// Reads every account, prints the plan, and returns the exit code.
pub async fn run(cloudflare: CloudflareConfig, output: OutputFormat) -> Result<u8, EncryptionError> {
    let base_url = cloudflare.client.base_url.clone();
    let (failures, accounts) = Wiring::connect(cloudflare).await?.read_once().await;
    let failures: Vec<AccountFailure> =
        failures.into_iter().map(|(account_id, error)| AccountFailure { account_id, error }).collect();
    let now = now();
    let mut steps = Vec::new();
    for (account_id, status) in accounts {
        if let Some(inventory) = status.inventory.as_ref().filter(|_| status.up) {
            steps.extend(plan_account(&account_id, inventory, now, &base_url));
        }
    }
    let pending = steps.iter().filter(|s| s.action != Action::None).count();
    let exit_code = match (failures.is_empty(), pending) {
        (false, _) => EXIT_FAILED,
        (true, 0) => 0,
        (true, _) => 1,
    };
    let report = PlanReport { exit_code, pending, identity_providers: steps, failures };
    match output {
        OutputFormat::Json => print_json(&report)?,
        OutputFormat::Table => print!("{}", text(&report)),
    }
    for failure in &report.failures {
        eprintln!(
            "cloudflare-saml-exporter: account {} could not be read: {}",
            failure.account_id, failure.error
        );
    }
    Ok(exit_code)
}

fn text(report: &PlanReport) -> String {
    let rows: Vec<Vec<String>> = report
        .identity_providers
        .iter()
        .map(|s| {
            vec![
                s.account_id.clone(),
                s.identity_provider_name.clone(),
                s.identity_provider_id.clone(),
                s.certificate_set_uid.clone().unwrap_or_else(|| "-".to_owned()),
                s.action.label().to_owned(),
                s.why.clone(),
            ]
        })
        .collect();
    let mut out = align_columns(&["ACCOUNT", "IDENTITY_PROVIDER", "ID", "SET", "ACTION", "WHY"], &rows);
    let pending: Vec<&Step> = report.identity_providers.iter().filter(|s| s.next.is_some()).collect();
    if !pending.is_empty() {
        out.push_str("\nNext steps:\n");
        for step in pending {
            let next = step.next.as_deref().unwrap_or_default();
            out.push_str(&format!(
                "- {} ({}): {next}\n",
                step.identity_provider_name, step.identity_provider_id
            ));
        }
    }
    out.push_str(&format!(
        "\npending: {} of {} SAML identity providers (exit {})\n",
        report.pending,
        report.identity_providers.len(),
        report.exit_code
    ));
    out
}

#[cfg(test)]
mod tests;
