//! `signing plan`: for every `identity_provider_metadata` entry, reads the
//! account's identity providers from Cloudflare (each account once) and the
//! published metadata (a few at a time), compares them, and says where each
//! stands (`in_sync`, `rollover_pending`, `mismatch`, `unreadable`), which
//! certificates to add and to retire, and the command to run next. Never
//! writes. Exit 0 when everything is in sync, 1 when something is pending
//! (certificates only to retire are not), 2 when Cloudflare or a metadata
//! document could not be read.

use std::sync::Arc;

use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::cli::OutputFormat;
use crate::commands::encryption::EXIT_FAILED;
use crate::commands::encryption::output::print_json;
use crate::commands::signing::output::{CertificateLine, Suggestions, verify_advice};
use crate::commands::signing::reading::{Unreadable, published};
use crate::commands::signing::{Context, SigningError};
use crate::idp::source::MetadataSource;
use crate::model::drift::{DriftState, compare};
use crate::model::idp_metadata::MetadataCertificates;
use crate::model::inventory::SamlIdentityProvider;
use crate::model::metadata_status::resolve;
use crate::model::report::align_columns;
use crate::printable::printable;

/// Metadata fetches in flight at once, as for the exporter's own loop.
const CONCURRENT_FETCHES: usize = 8;

/// Where one identity provider stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Every published certificate is in Cloudflare.
    InSync,
    /// Cloudflare holds some published certificate, not all.
    RolloverPending,
    /// Cloudflare holds none of the published certificates.
    Mismatch,
    /// Cloudflare or the metadata could not be read.
    Unreadable,
}

impl State {
    /// The word shown.
    pub fn label(self) -> &'static str {
        match self {
            State::InSync => DriftState::InSync.label(),
            State::RolloverPending => DriftState::RolloverPending.label(),
            State::Mismatch => DriftState::Mismatch.label(),
            State::Unreadable => "unreadable",
        }
    }

    /// Something to do before logins break.
    pub fn pending(self) -> bool {
        matches!(self, State::RolloverPending | State::Mismatch)
    }
}

/// One entry and where its identity provider stands.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The account.
    pub account_id: String,
    /// The identity provider as configured: an ID or an exact name.
    pub identity_provider: String,
    /// Its ID, once resolved.
    pub identity_provider_id: Option<String>,
    /// Its name in Cloudflare, once resolved.
    pub identity_provider_name: Option<String>,
    /// Where its metadata is.
    pub metadata_url: String,
    /// The entity read: the entry's, else the IdP's `issuer_url`.
    pub entity_id: Option<String>,
    /// Where it stands.
    pub state: State,
    /// Why it is unreadable: a stable label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    /// Why it is unreadable, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Published, missing from Cloudflare.
    pub to_add: Vec<CertificateLine>,
    /// In Cloudflare, no longer published.
    pub to_retire: Vec<CertificateLine>,
    /// Entries of `idp_public_certs` that do not read (kept by `sync`).
    pub unreadable_in_cloudflare: usize,
    /// What to do next; `None` when nothing is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// The row of `source`, from its IdP in Cloudflare and its metadata (each
/// read, or why not).
pub fn row(
    source: &MetadataSource,
    idp: Result<&SamlIdentityProvider, &Unreadable>,
    metadata: Result<&MetadataCertificates, &Unreadable>,
    suggestions: &Suggestions,
) -> Row {
    let mut row = Row {
        account_id: source.account_id.clone(),
        identity_provider: source.identity_provider.clone(),
        identity_provider_id: idp.ok().map(|i| i.id.clone()),
        identity_provider_name: idp.ok().map(|i| i.name.clone()),
        metadata_url: source.url.to_string(),
        entity_id: entity_id(source, idp.ok()),
        state: State::Unreadable,
        reason: None,
        error: None,
        to_add: Vec::new(),
        to_retire: Vec::new(),
        unreadable_in_cloudflare: idp.map_or(0, |i| i.signing.unreadable.len()),
        next: None,
    };
    let (idp, published) = match (idp, metadata) {
        (Ok(idp), Ok(published)) => (idp, published),
        (Err(unreadable), _) | (_, Err(unreadable)) => {
            row.reason = Some(unreadable.reason);
            row.error = Some(unreadable.error.clone());
            row.next = Some("fix what the error says, then run signing plan again".to_owned());
            return row;
        }
    };
    let facts: Vec<_> = published.certificates.iter().map(|c| c.facts.clone()).collect();
    let drift = compare(&facts, &idp.signing.certificates);
    row.to_add = CertificateLine::all(&drift.to_add);
    row.to_retire = CertificateLine::all(&drift.to_retire);
    let sync = |flags: &str| suggestions.sync(&source.account_id, &idp.id, flags);
    (row.state, row.next) = match drift.state {
        DriftState::InSync if row.to_retire.is_empty() => (State::InSync, None),
        DriftState::InSync => (
            State::InSync,
            Some(format!(
                "optional, once no login needs them: retire the certificates no longer published: {}",
                sync("--prune --apply")
            )),
        ),
        DriftState::RolloverPending => (
            State::RolloverPending,
            Some(format!("add the new certificate before the IdP switches to it: {}", sync("--apply"))),
        ),
        DriftState::Mismatch => (
            State::Mismatch,
            Some(format!("{}; then: {}", verify_advice(&row.to_add), sync("--force --apply"))),
        ),
    };
    row
}

/// The entity to read: the entry's, else the IdP's `issuer_url`.
pub fn entity_id(source: &MetadataSource, idp: Option<&SamlIdentityProvider>) -> Option<String> {
    source.entity_id.clone().or_else(|| idp.and_then(|i| i.issuer_url.clone()))
}

/// The IdP `source` names in its account, or why it cannot be read.
pub async fn identity_provider(
    context: &mut Context,
    source: &MetadataSource,
) -> Result<SamlIdentityProvider, Unreadable> {
    let (_, inventory) = context.clients.account(&source.account_id).await?;
    resolve(&inventory, &source.identity_provider).cloned().map_err(|reason| Unreadable {
        reason,
        error: if reason == "identity_provider_ambiguous" {
            format!(
                "several SAML identity providers of account {} are named {}: list it by its ID",
                source.account_id,
                printable(&source.identity_provider)
            )
        } else {
            format!(
                "no SAML identity provider of account {} has the ID or exact name {}",
                source.account_id,
                printable(&source.identity_provider)
            )
        },
    })
}

/// What `plan` prints with `--output json`.
#[derive(Debug, Serialize)]
struct PlanReport {
    exit_code: u8,
    pending: usize,
    unreadable: usize,
    identity_providers: Vec<Row>,
}

/// Reads every entry, prints the plan, and returns the exit code.
pub async fn run(
    context: &mut Context,
    sources: Vec<MetadataSource>,
    output: OutputFormat,
) -> Result<u8, SigningError> {
    let mut idps = Vec::with_capacity(sources.len());
    for source in &sources {
        idps.push(identity_provider(context, source).await);
    }
    let permits = Arc::new(Semaphore::new(CONCURRENT_FETCHES));
    let mut fetches = JoinSet::new();
    for (index, (source, idp)) in sources.iter().zip(&idps).enumerate() {
        let Ok(idp) = idp else { continue };
        let (fetcher, source, permits) = (context.fetcher.clone(), source.clone(), Arc::clone(&permits));
        let entity = entity_id(&source, Some(idp));
        fetches.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (index, published(&fetcher, &source, entity.as_deref()).await)
        });
    }
    // Stays for an entry whose read panicked (or, unused, for one whose IdP
    // was not read, which shows that error instead).
    let lost =
        Err(Unreadable { reason: "not_xml", error: "the metadata read failed unexpectedly".to_owned() });
    let mut documents = vec![lost; sources.len()];
    while let Some(joined) = fetches.join_next().await {
        if let Ok((index, document)) = joined {
            documents[index] = document;
        }
    }
    let rows: Vec<Row> = sources
        .iter()
        .zip(&idps)
        .zip(&documents)
        .map(|((source, idp), document)| row(source, idp.as_ref(), document.as_ref(), &context.suggestions))
        .collect();
    let unreadable = rows.iter().filter(|r| r.state == State::Unreadable).count();
    let pending = rows.iter().filter(|r| r.state.pending()).count();
    let exit_code = match (unreadable, pending) {
        (0, 0) => 0,
        (0, _) => 1,
        _ => EXIT_FAILED,
    };
    let report = PlanReport { exit_code, pending, unreadable, identity_providers: rows };
    match output {
        OutputFormat::Json => print_json(&report)?,
        OutputFormat::Table => print!("{}", text(&report)),
    }
    Ok(exit_code)
}

fn text(report: &PlanReport) -> String {
    let rows: Vec<Vec<String>> = report
        .identity_providers
        .iter()
        .map(|r| {
            vec![
                r.account_id.clone(),
                r.identity_provider_name.clone().unwrap_or_else(|| r.identity_provider.clone()),
                r.identity_provider_id.clone().unwrap_or_else(|| "-".to_owned()),
                r.state.label().to_owned(),
                r.to_add.len().to_string(),
                r.to_retire.len().to_string(),
            ]
        })
        .collect();
    let mut out =
        align_columns(&["ACCOUNT", "IDENTITY_PROVIDER", "ID", "STATE", "TO_ADD", "TO_RETIRE"], &rows);
    for r in report.identity_providers.iter().filter(|r| r.next.is_some()) {
        let name = r.identity_provider_name.as_deref().unwrap_or(&r.identity_provider);
        let id = r.identity_provider_id.as_deref().unwrap_or("-");
        out.push_str(&format!(
            "\n{} ({}), account {}: {}\n",
            printable(name),
            printable(id),
            r.account_id,
            r.state.label()
        ));
        if let (Some(reason), Some(error)) = (r.reason, &r.error) {
            out.push_str(&format!("  {reason}: {}\n", printable(error)));
        }
        for (what, list) in [("to add", &r.to_add), ("to retire", &r.to_retire)] {
            if !list.is_empty() {
                out.push_str(&format!("  {what}:\n"));
                list.iter().for_each(|c| out.push_str(&format!("    {}\n", c.text())));
            }
        }
        if r.unreadable_in_cloudflare > 0 {
            out.push_str(&format!(
                "  {} entr{} of idp_public_certs do not read (kept by signing sync)\n",
                r.unreadable_in_cloudflare,
                if r.unreadable_in_cloudflare == 1 { "y" } else { "ies" }
            ));
        }
        out.push_str(&format!("  next: {}\n", r.next.as_deref().unwrap_or_default()));
    }
    out.push_str(&format!(
        "\npending: {} of {} identity providers, {} unreadable (exit {})\n",
        report.pending,
        report.identity_providers.len(),
        report.unreadable,
        report.exit_code
    ));
    out
}

#[cfg(test)]
mod tests;
