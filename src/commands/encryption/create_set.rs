//! `encryption create-set`: create (or fetch) a SAML IdP's certificate set
//! with the idempotent create call, then show the set, its public
//! certificate and the rest of Cloudflare's documented workflow. A dry run
//! unless `--apply`; `--pem-out` writes the PEM (0644, never over an
//! existing file without `--force`).

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use reqwest::Url;
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::cloudflare::client::CloudflareClient;
use crate::cloudflare::sets::create_path;
use crate::cloudflare::wire::IdentityProvider;
use crate::commands::encryption::output::{
    RequestView, SetView, enable_encryption_change, load_pem_step, print_json,
};
use crate::commands::encryption::{EncryptionError, Refusal, now};

/// What to create, and how.
#[derive(Debug, Clone)]
pub struct CreateSet {
    /// The account.
    pub account_id: String,
    /// The SAML IdP.
    pub identity_provider_id: String,
    /// Send the POST; otherwise a dry run.
    pub apply: bool,
    /// Where to write the PEM.
    pub pem_out: Option<PathBuf>,
    /// Overwrite an existing `pem_out`.
    pub overwrite: bool,
}

/// What `create-set` prints with `--output json`.
#[derive(Debug, Serialize)]
struct Report {
    command: &'static str,
    dry_run: bool,
    account_id: String,
    identity_provider_id: String,
    request: RequestView,
    /// Dry run: what Cloudflare is expected to answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    expected: Option<String>,
    /// Applied: 201 created, 200 the IdP's existing set.
    #[serde(skip_serializing_if = "Option::is_none")]
    http_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    certificate_set: Option<SetView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pem_out: Option<PathBuf>,
    next_steps: Vec<String>,
}

/// Runs `create-set`; returns the exit code (0).
pub async fn run(
    client: &CloudflareClient,
    base_url: &Url,
    request: CreateSet,
    output: OutputFormat,
) -> Result<u8, EncryptionError> {
    let CreateSet { account_id, identity_provider_id: idp_id, apply, pem_out, overwrite } = request;
    // Before anything is sent: a refused file must not follow a write.
    if let Some(path) = &pem_out
        && !overwrite
        && path.exists()
    {
        return Err(Refusal::PemOutExists { path: path.clone() }.into());
    }
    let idps = client.list_identity_providers(&account_id).await.map_err(EncryptionError::Read)?;
    let idp = idps.into_iter().find(|i| i.id.as_deref() == Some(idp_id.as_str()));
    let mut report = Report {
        command: "create-set",
        dry_run: !apply,
        request: RequestView::post(base_url, &create_path(&account_id, &idp_id)),
        account_id,
        identity_provider_id: idp_id,
        expected: None,
        http_status: None,
        created: None,
        certificate_set: None,
        pem_out: None,
        next_steps: Vec::new(),
    };
    if !apply {
        // With --apply an unknown IdP is left to Cloudflare, whose answer is
        // shown as it is; a dry run says so itself.
        let idp = idp.ok_or_else(|| EncryptionError::IdentityProviderNotFound {
            account_id: report.account_id.clone(),
            id: report.identity_provider_id.clone(),
        })?;
        if !idp.is_saml() {
            return Err(EncryptionError::NotSaml { id: report.identity_provider_id.clone(), kind: idp.kind });
        }
        report.expected = Some(expected(client, &report.account_id, &idp).await?);
        return show(&report, output);
    }
    let answer = client
        .create_certificate_set(&report.account_id, &report.identity_provider_id)
        .await
        .map_err(|source| EncryptionError::Write { source })?;
    let set = SetView::new(&answer.set, now());
    if let Some(path) = &pem_out {
        let pem =
            set.current.as_ref().and_then(|c| c.public_certificate.as_deref()).ok_or_else(|| {
                EncryptionError::NoCertificate { set_uid: set.uid.clone(), slot: "current" }
            })?;
        write_pem(path, pem, overwrite)?;
        report.pem_out = Some(path.clone());
    }
    let already_on = idp
        .as_ref()
        .is_some_and(|i| i.encryption_enabled() && i.certificate_set_uid() == Some(set.uid.as_str()));
    if !already_on {
        report.next_steps.push(enable_encryption_change(
            base_url,
            &report.account_id,
            &report.identity_provider_id,
            &set.uid,
        ));
    }
    report.next_steps.push(match &report.pem_out {
        Some(path) => format!(
            "load {} into the external IdP as its encryption certificate, then test a login",
            path.display()
        ),
        None => load_pem_step(base_url, &report.account_id, &set.uid),
    });
    report.http_status = Some(if answer.created { 201 } else { 200 });
    report.created = Some(answer.created);
    report.certificate_set = Some(set);
    show(&report, output)
}

/// What Cloudflare is expected to answer, from the IdP as it is now.
async fn expected(
    client: &CloudflareClient,
    account_id: &str,
    idp: &IdentityProvider,
) -> Result<String, EncryptionError> {
    let Some(uid) = idp.certificate_set_uid() else {
        return Ok("201: the IdP has no certificate set, so Cloudflare creates one and assigns it".to_owned());
    };
    let sets = client.list_certificate_sets(account_id).await.map_err(EncryptionError::Read)?;
    Ok(if sets.iter().any(|s| s.uid == uid) {
        format!(
            "200: the IdP already has certificate set {uid}, which Cloudflare returns; nothing is created"
        )
    } else {
        format!(
            "undocumented: the IdP names certificate set {uid}, which does not exist; check that the uid \
             Cloudflare returns is in the set list (see the runbook)"
        )
    })
}

fn show(report: &Report, output: OutputFormat) -> Result<u8, EncryptionError> {
    match output {
        OutputFormat::Json => print_json(report)?,
        OutputFormat::Table => print!("{}", text(report)),
    }
    Ok(0)
}

fn text(report: &Report) -> String {
    let request = format!("  {} {}  (no body)\n", report.request.method, report.request.url);
    if report.dry_run {
        return format!(
            "Dry run: nothing was sent. With --apply this is sent:\n{request}Expected answer: {}\n",
            report.expected.as_deref().unwrap_or("-")
        );
    }
    let uid = report.certificate_set.as_ref().map_or("-", |s| s.uid.as_str());
    let mut out = if report.created == Some(true) {
        format!(
            "Created certificate set {uid} for identity provider {} (HTTP 201).\n",
            report.identity_provider_id
        )
    } else {
        format!(
            "Identity provider {} already has certificate set {uid} (HTTP 200); nothing was created.\n",
            report.identity_provider_id
        )
    };
    if let Some(set) = &report.certificate_set {
        out.push('\n');
        out.push_str(&set.text());
    }
    if let Some(path) = &report.pem_out {
        out.push_str(&format!("\nWrote the current public certificate to {}.\n", path.display()));
    }
    out.push_str("\nNext steps:\n");
    for (i, step) in report.next_steps.iter().enumerate() {
        out.push_str(&format!("{}. {step}\n", i + 1));
    }
    out
}

/// Writes `pem` to `path` with mode 0644; an existing file is replaced only
/// with `overwrite` (and the check is the open itself, so no race).
fn write_pem(path: &Path, pem: &str, overwrite: bool) -> Result<(), EncryptionError> {
    let failed = |source| EncryptionError::PemOut { path: path.to_owned(), source };
    let mut options = OpenOptions::new();
    options.write(true);
    if overwrite {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o644);
    let mut file = match options.open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Refusal::PemOutExists { path: path.to_owned() }.into());
        }
        Err(err) => return Err(failed(err)),
    };
    // A public certificate: readable by all, whatever the umask or the mode
    // of the file it replaces.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o644)).map_err(failed)?;
    }
    file.write_all(pem.as_bytes()).and_then(|()| file.sync_all()).map_err(failed)
}
