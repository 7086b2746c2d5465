//! `encryption enable`: the last Cloudflare step of turning encryption on.
//! A PUT replaces the whole identity provider, so the IdP is read, exactly
//! two fields are changed (`config.enable_encryption` and
//! `saml_certificate_set_id`), and everything else, `scim_config` and fields
//! this version does not know included, is sent back as read. An IdP whose
//! answer holds a redacted value (`**********`) is refused (exit 3): the PUT
//! would write the mask back. A dry run unless `--apply`; the PUT is sent
//! once.

use reqwest::Url;
use serde::Serialize;
use serde_json::Value;

use crate::cli::OutputFormat;
use crate::cloudflare::client::CloudflareClient;
use crate::cloudflare::sets::identity_provider_path;
use crate::commands::encryption::output::{RequestView, load_pem_step, print_json, suggest};
use crate::commands::encryption::{EncryptionError, Refusal};

/// Which IdP to enable, with which set, and how.
#[derive(Debug, Clone)]
pub struct Enable {
    /// The account.
    pub account_id: String,
    /// The SAML identity provider.
    pub identity_provider_id: String,
    /// The set to encrypt with; default: the one assigned to the IdP.
    pub set_uid: Option<String>,
    /// Send the PUT; otherwise a dry run.
    pub apply: bool,
}

/// One field the PUT changes.
#[derive(Debug, Serialize)]
struct Change {
    field: &'static str,
    before: Value,
    after: Value,
}

/// What `enable` prints with `--output json`.
#[derive(Debug, Serialize)]
struct Report {
    command: &'static str,
    dry_run: bool,
    account_id: String,
    identity_provider_id: String,
    certificate_set_uid: String,
    /// `None` when encryption is already on with this set: nothing to send.
    #[serde(skip_serializing_if = "Option::is_none")]
    request: Option<RequestView>,
    /// Every field the PUT changes; all others are sent back as read.
    changes: Vec<Change>,
    next_steps: Vec<String>,
}

/// Runs `enable`; returns the exit code (0).
pub async fn run(
    client: &CloudflareClient,
    base_url: &Url,
    request: Enable,
    output: OutputFormat,
) -> Result<u8, EncryptionError> {
    let Enable { account_id, identity_provider_id, set_uid, apply } = request;
    let read = client
        .identity_provider_json(&account_id, &identity_provider_id)
        .await
        .map_err(EncryptionError::Read)?;
    let kind = read.get("type").and_then(Value::as_str).unwrap_or_default();
    if kind != "saml" {
        return Err(EncryptionError::NotSaml { id: identity_provider_id, kind: kind.to_owned() });
    }
    let assigned = read
        .pointer("/saml_certificate_set/uid")
        .or_else(|| read.get("saml_certificate_set_id"))
        .and_then(Value::as_str)
        .filter(|uid| !uid.is_empty());
    let Some(set_uid) = set_uid.or_else(|| assigned.map(str::to_owned)) else {
        let create = suggest(
            base_url,
            "create-set",
            &format!("--account-id {account_id} --identity-provider {identity_provider_id} --apply"),
        );
        return Err(Refusal::NoCertificateSet { identity_provider_id, create }.into());
    };
    if let Some(field) = redacted_field(&read, "") {
        return Err(Refusal::RedactedField { identity_provider_id, field }.into());
    }
    let updated = with_encryption(&read, &set_uid);
    let changes = changes(&read, &updated);
    let mut report = Report {
        command: "enable",
        dry_run: !apply,
        request: (!changes.is_empty())
            .then(|| RequestView::put(base_url, &identity_provider_path(&account_id, &identity_provider_id))),
        account_id,
        identity_provider_id,
        certificate_set_uid: set_uid,
        changes,
        next_steps: Vec::new(),
    };
    if apply && report.request.is_some() {
        client
            .replace_identity_provider(&report.account_id, &report.identity_provider_id, &updated)
            .await
            .map_err(|source| EncryptionError::Write { source })?;
    }
    if apply || report.request.is_none() {
        report.next_steps.push(load_pem_step(base_url, &report.account_id, &report.certificate_set_uid));
    }
    match output {
        OutputFormat::Json => print_json(&report)?,
        OutputFormat::Table => print!("{}", text(&report)),
    }
    Ok(0)
}

/// The IdP as read with encryption on and `set_uid` as its set; every
/// other field as it was.
pub fn with_encryption(read: &Value, set_uid: &str) -> Value {
    let mut updated = read.clone();
    if let Some(object) = updated.as_object_mut() {
        object.insert("saml_certificate_set_id".to_owned(), Value::from(set_uid));
        let config = object.entry("config").or_insert_with(|| Value::Object(Default::default()));
        if let Some(config) = config.as_object_mut() {
            config.insert("enable_encryption".to_owned(), Value::Bool(true));
        }
    }
    updated
}

/// The fields `with_encryption` changed.
fn changes(read: &Value, updated: &Value) -> Vec<Change> {
    [
        ("config.enable_encryption", "/config/enable_encryption"),
        ("saml_certificate_set_id", "/saml_certificate_set_id"),
    ]
    .into_iter()
    .filter_map(|(field, pointer)| {
        let before = read.pointer(pointer).cloned().unwrap_or(Value::Null);
        let after = updated.pointer(pointer).cloned().unwrap_or(Value::Null);
        (before != after).then_some(Change { field, before, after })
    })
    .collect()
}

/// The path of the first string that is only asterisks (how Cloudflare
/// redacts a secret it will not send back), if any: a PUT of what was read
/// would write the mask back. Every command that sends an IdP back as read
/// (`encryption enable`, `signing sync`) refuses on it.
pub fn redacted_field(value: &Value, path: &str) -> Option<String> {
    match value {
        Value::String(text) if text.len() >= 3 && text.bytes().all(|b| b == b'*') => Some(path.to_owned()),
        Value::Object(fields) => fields.iter().find_map(|(name, inner)| {
            let path = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
            redacted_field(inner, &path)
        }),
        Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, inner)| redacted_field(inner, &format!("{path}[{i}]")))
        }
        _ => None,
    }
}

fn text(report: &Report) -> String {
    let idp = &report.identity_provider_id;
    let Some(request) = &report.request else {
        return format!(
            "Encryption is already on for identity provider {idp} with certificate set {}: nothing to send.\n\
             Next step:\n1. {}\n",
            report.certificate_set_uid, report.next_steps[0]
        );
    };
    let changes: String =
        report.changes.iter().map(|c| format!("  {}: {} -> {}\n", c.field, c.before, c.after)).collect();
    let sent = format!(
        "  {} {}\n  the identity provider exactly as read, except:\n{changes}",
        request.method, request.url
    );
    if report.dry_run {
        return format!("Dry run: nothing was sent. With --apply this is sent:\n{sent}");
    }
    let mut out = format!("Encryption enabled for identity provider {idp}:\n{sent}\nNext steps:\n");
    for (i, step) in report.next_steps.iter().enumerate() {
        out.push_str(&format!("{}. {step}\n", i + 1));
    }
    out
}

#[cfg(test)]
mod tests;
