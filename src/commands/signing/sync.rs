//! `signing sync`: one identity provider's `config.idp_public_certs` made
//! to hold every certificate its metadata publishes (and, with `--prune`,
//! no readable one it no longer publishes). The IdP is read as JSON, the
//! list changed as [`edit`](crate::commands::signing::edit) says, and the
//! rest sent back exactly as read, once, only with `--apply`. Refused (exit
//! 3) when the metadata cannot be read now, on a mismatch without
//! `--force`, and when the IdP read holds a redacted value.

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::cloudflare::sets::identity_provider_path;
use crate::commands::encryption::EncryptionError;
use crate::commands::encryption::enable::redacted_field;
use crate::commands::encryption::output::{RequestView, print_json};
use crate::commands::signing::edit::{Edit, certificates_read, plan_edit, with_certificates};
use crate::commands::signing::output::{CertificateLine, verify_advice};
use crate::commands::signing::plan::{entity_id, identity_provider};
use crate::commands::signing::reading::published;
use crate::commands::signing::{Context, Refusal, SigningError};
use crate::idp::source::MetadataSource;
use crate::model::drift::DriftState;
use crate::model::inventory::SamlIdentityProvider;
use crate::printable::printable;

/// Which identity provider to sync, and how.
#[derive(Debug, Clone)]
pub struct Sync {
    /// Its ID or exact name.
    pub identity_provider: String,
    /// Send the PUT; otherwise a dry run.
    pub apply: bool,
    /// Also remove what is no longer published.
    pub prune: bool,
    /// Proceed on a mismatch.
    pub force: bool,
}

/// One entry of the list, before or after.
#[derive(Debug, Serialize)]
struct EntryView {
    /// Its index in the list it is shown in.
    position: usize,
    /// `kept`, `removed` (before) or `added` (after).
    change: &'static str,
    certificates: Vec<CertificateLine>,
    /// Why it does not read, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    unreadable: Option<&'static str>,
}

/// What `sync` prints with `--output json`.
#[derive(Debug, Serialize)]
struct Report {
    command: &'static str,
    dry_run: bool,
    account_id: String,
    identity_provider_id: String,
    identity_provider_name: String,
    metadata_url: String,
    /// Before the change.
    state: &'static str,
    /// Whether anything changes (a PUT is, or would be, sent).
    changed: bool,
    before: Vec<EntryView>,
    after: Vec<EntryView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request: Option<RequestView>,
    next_steps: Vec<String>,
}

/// Runs `sync`; returns the exit code (0).
pub async fn run(
    context: &mut Context,
    sources: Vec<MetadataSource>,
    request: Sync,
    output: OutputFormat,
) -> Result<u8, SigningError> {
    let (source, idp) = select(context, sources, &request.identity_provider).await?;
    let shown = format!("{} ({})", printable(&idp.name), printable(&idp.id));
    let account_id = source.account_id.clone();
    let (client, _) = context.clients.account(&account_id).await.map_err(|unreadable| {
        SigningError::Unreadable { what: format!("account {account_id}"), unreadable }
    })?;
    let read = client.identity_provider_json(&account_id, &idp.id).await.map_err(EncryptionError::Read)?;
    let entity = entity_id(&source, Some(&idp));
    let metadata = published(&context.fetcher, &source, entity.as_deref()).await.map_err(|unreadable| {
        Refusal::MetadataUnreadable {
            identity_provider: shown.clone(),
            url: source.url.to_string(),
            reason: unreadable.reason,
            error: unreadable.error,
        }
    })?;
    let listed = certificates_read(&read);
    let edit = plan_edit(&listed, &metadata.certificates, request.prune);
    let mut report = Report {
        command: "sync",
        dry_run: !request.apply,
        account_id,
        identity_provider_id: idp.id.clone(),
        identity_provider_name: idp.name.clone(),
        metadata_url: source.url.to_string(),
        state: edit.drift.state.label(),
        changed: edit.changes(),
        before: before(&edit),
        after: after(&edit),
        request: None,
        next_steps: Vec::new(),
    };
    let prune = |steps: &mut Vec<String>| {
        if !request.prune && !edit.drift.to_retire.is_empty() {
            steps.push(format!(
                "once the IdP signs only with what it publishes, retire the {} certificate(s) it no longer \
                 publishes: {}",
                edit.drift.to_retire.len(),
                context.suggestions.sync(&source.account_id, &idp.id, "--prune --apply")
            ));
        }
    };
    if !report.changed {
        prune(&mut report.next_steps);
        return show(&report, output);
    }
    if edit.drift.state == DriftState::Mismatch && !request.force {
        let added = CertificateLine::all(edit.added.iter().map(|c| &c.facts));
        return Err(Refusal::Mismatch { identity_provider: shown, verify: verify_advice(&added) }.into());
    }
    if let Some(field) = redacted_field(&read, "") {
        return Err(Refusal::RedactedField { identity_provider: shown, field }.into());
    }
    let updated = with_certificates(&read, edit.certificates_after(&listed));
    let path = identity_provider_path(&report.account_id, &idp.id);
    report.request = Some(RequestView::put(&context.suggestions.base_url, &path));
    if request.apply {
        client
            .replace_identity_provider(&report.account_id, &idp.id, &updated)
            .await
            .map_err(SigningError::Write)?;
        report.next_steps.push(format!(
            "test a login through the identity provider, and check: {}",
            context.suggestions.plan()
        ));
        prune(&mut report.next_steps);
    }
    show(&report, output)
}

/// The one entry `wanted` names, with its identity provider: by the
/// reference as written, else by the resolved IdP's ID or name.
async fn select(
    context: &mut Context,
    sources: Vec<MetadataSource>,
    wanted: &str,
) -> Result<(MetadataSource, SamlIdentityProvider), SigningError> {
    let listed: Vec<String> = sources
        .iter()
        .map(|s| format!("{} in account {}", printable(&s.identity_provider), s.account_id))
        .collect();
    let mut found = Vec::new();
    let mut unknown = None;
    for source in sources {
        let written = source.identity_provider == wanted;
        match identity_provider(context, &source).await {
            Ok(idp) if written || idp.id == wanted || idp.name == wanted => found.push((source, idp)),
            Ok(_) => {}
            Err(unreadable) if written => {
                let what =
                    format!("identity provider {} of account {}", printable(wanted), source.account_id);
                return Err(SigningError::Unreadable { what, unreadable });
            }
            Err(unreadable) => {
                unknown.get_or_insert((source.account_id, unreadable));
            }
        }
    }
    match (found.len(), unknown) {
        (1, _) => Ok(found.remove(0)),
        (0, Some((account_id, unreadable))) => Err(SigningError::Unreadable {
            what: format!(
                "cannot tell whether the entry of account {account_id} is identity provider {}",
                printable(wanted)
            ),
            unreadable,
        }),
        (0, None) => Err(SigningError::Usage(format!(
            "no identity_provider_metadata entry of --config.file is identity provider {} (by its ID or exact \
             name); it lists: {}",
            printable(wanted),
            listed.join(", ")
        ))),
        _ => {
            let accounts: Vec<&str> = found.iter().map(|(s, _)| s.account_id.as_str()).collect();
            Err(SigningError::Usage(format!(
                "identity provider {} is listed in accounts {}: pass --account-id to pick one",
                printable(wanted),
                accounts.join(", ")
            )))
        }
    }
}

fn before(edit: &Edit) -> Vec<EntryView> {
    edit.entries
        .iter()
        .map(|e| EntryView {
            position: e.position,
            change: if e.removed { "removed" } else { "kept" },
            certificates: CertificateLine::all(&e.certificates),
            unreadable: e.error.map(|err| err.reason()),
        })
        .collect()
}

fn after(edit: &Edit) -> Vec<EntryView> {
    let kept = edit
        .entries
        .iter()
        .filter(|e| !e.removed)
        .map(|e| ("kept", CertificateLine::all(&e.certificates), e.error.map(|err| err.reason())));
    let added = edit.added.iter().map(|c| ("added", vec![CertificateLine::new(&c.facts)], None));
    kept.chain(added)
        .enumerate()
        .map(|(position, (change, certificates, unreadable))| EntryView {
            position,
            change,
            certificates,
            unreadable,
        })
        .collect()
}

fn show(report: &Report, output: OutputFormat) -> Result<u8, SigningError> {
    match output {
        OutputFormat::Json => print_json(report)?,
        OutputFormat::Table => print!("{}", text(report)),
    }
    Ok(0)
}

fn text(report: &Report) -> String {
    let idp = format!(
        "{} ({})",
        printable(&report.identity_provider_name),
        printable(&report.identity_provider_id)
    );
    let mut out = match (&report.request, report.dry_run) {
        (None, _) => format!(
            "The signing certificates of identity provider {idp} hold every certificate its metadata \
             publishes: nothing to send.\n"
        ),
        (Some(request), true) => format!(
            "Dry run: nothing was sent. With --apply this is sent:\n  {} {}\n  the identity provider \
             exactly as read, except config.idp_public_certs:\n",
            request.method, request.url
        ),
        (Some(request), false) => format!(
            "Synced the signing certificates of identity provider {idp} with its metadata:\n  {} {}\n  the \
             identity provider exactly as read, except config.idp_public_certs:\n",
            request.method, request.url
        ),
    };
    if report.request.is_some() {
        for (title, list) in [("before", &report.before), ("after", &report.after)] {
            let entries = if list.len() == 1 { "entry" } else { "entries" };
            out.push_str(&format!("{title} ({} {entries}):\n", list.len()));
            list.iter().for_each(|entry| out.push_str(&entry_text(entry)));
        }
    }
    if !report.next_steps.is_empty() {
        out.push_str("\nNext steps:\n");
        for (i, step) in report.next_steps.iter().enumerate() {
            out.push_str(&format!("{}. {step}\n", i + 1));
        }
    }
    out
}

fn entry_text(entry: &EntryView) -> String {
    let lead = format!("  [{}] {:<7}  ", entry.position, entry.change);
    let mut lines: Vec<String> = entry.certificates.iter().map(CertificateLine::text).collect();
    if let Some(reason) = entry.unreadable {
        lines.push(format!("unreadable ({reason})"));
    }
    let pad = " ".repeat(lead.len());
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| format!("{}{line}\n", if i == 0 { lead.as_str() } else { pad.as_str() }))
        .collect()
}

#[cfg(test)]
mod tests;
