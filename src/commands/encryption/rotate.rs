//! `encryption rotate`: rotate a set whose automatic rotation stalled. The
//! rotation removes an existing previous certificate at once, so a set that
//! has one is refused (exit 3) unless `--force`. The guard reads the set
//! first; a dry run unless `--apply`, and the POST is sent once.

use reqwest::Url;
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::cloudflare::client::CloudflareClient;
use crate::cloudflare::sets::rotate_path;
use crate::commands::encryption::output::{RequestView, SetView, load_pem_step, print_json};
use crate::commands::encryption::{EncryptionError, Refusal, now};

/// What to rotate, and how.
#[derive(Debug, Clone)]
pub struct Rotate {
    /// The account.
    pub account_id: String,
    /// The set.
    pub set_uid: String,
    /// Send the POST; otherwise a dry run.
    pub apply: bool,
    /// Rotate even when that deletes a previous certificate.
    pub force: bool,
}

/// What `rotate` prints with `--output json`.
#[derive(Debug, Serialize)]
struct Report {
    command: &'static str,
    dry_run: bool,
    account_id: String,
    request: RequestView,
    /// The set as read before the rotation.
    before: SetView,
    /// The set as Cloudflare answered the rotation.
    #[serde(skip_serializing_if = "Option::is_none")]
    after: Option<SetView>,
    /// What the rotation does (dry run) or did.
    effects: Vec<String>,
    next_steps: Vec<String>,
}

/// Runs `rotate`; returns the exit code (0).
pub async fn run(
    client: &CloudflareClient,
    base_url: &Url,
    request: Rotate,
    output: OutputFormat,
) -> Result<u8, EncryptionError> {
    let Rotate { account_id, set_uid, apply, force } = request;
    let read = client.certificate_set(&account_id, &set_uid).await.map_err(EncryptionError::Read)?;
    let before = SetView::new(&read, now());
    if let Some(previous) = before.previous.as_ref().filter(|_| !force) {
        return Err(Refusal::PreviousCertificate {
            set_uid,
            previous_uid: previous.uid.clone().unwrap_or_else(|| "(no uid)".to_owned()),
            expiry: previous.expiry_text(),
        }
        .into());
    }
    let mut effects = Vec::new();
    if let Some(current) = &before.current {
        effects.push(format!(
            "the current certificate {} moves to the previous slot and stays valid until {}",
            current.uid.as_deref().unwrap_or("-"),
            current.expiry_text()
        ));
    }
    effects.push("Cloudflare makes a new current certificate".to_owned());
    if let Some(previous) = &before.previous {
        effects.push(format!(
            "the previous certificate {} (valid until {}) is DELETED: identity providers still encrypting to \
             it break at once (--force)",
            previous.uid.as_deref().unwrap_or("-"),
            previous.expiry_text()
        ));
    }
    let mut report = Report {
        command: "rotate",
        dry_run: !apply,
        request: RequestView::post(base_url, &rotate_path(&account_id, &set_uid)),
        account_id,
        before,
        after: None,
        effects,
        next_steps: Vec::new(),
    };
    if apply {
        let rotated = client
            .rotate_certificate_set(&report.account_id, &set_uid)
            .await
            .map_err(|source| EncryptionError::Write { source })?;
        let deadline =
            report.before.current.as_ref().map_or_else(|| "an unknown time".to_owned(), |c| c.expiry_text());
        report.next_steps.push(format!(
            "{}\n   in every identity provider using this set (see encryption plan), before the previous \
             certificate expires at {deadline}",
            load_pem_step(base_url, &report.account_id, &set_uid)
        ));
        report.after = Some(SetView::new(&rotated, now()));
    }
    match output {
        OutputFormat::Json => print_json(&report)?,
        OutputFormat::Table => print!("{}", text(&report)),
    }
    Ok(0)
}

fn text(report: &Report) -> String {
    let request = format!("  {} {}  (no body)\n", report.request.method, report.request.url);
    let effects: String = report.effects.iter().map(|e| format!("  - {e}\n")).collect();
    let Some(after) = &report.after else {
        return format!(
            "Dry run: nothing was sent. With --apply this is sent:\n{request}\n{}\nWhat it does:\n{effects}",
            report.before.text().lines().take(3).map(|l| format!("{l}\n")).collect::<String>()
        );
    };
    let mut out = format!("Rotated certificate set {}.\n{effects}\n{}", after.uid, after.text());
    out.push_str("\nNext steps:\n");
    for (i, step) in report.next_steps.iter().enumerate() {
        out.push_str(&format!("{}. {step}\n", i + 1));
    }
    out
}
