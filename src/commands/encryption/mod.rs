//! `encryption`: act on what the alerts say. [`plan`] lists what each SAML
//! IdP still needs; [`create_set`], [`enable`] and [`rotate`] write, but
//! only with `--apply` (a dry run shows the request and sends nothing),
//! each write sent once and never retried; [`pem`] prints a certificate for
//! pipes. [`output`] shapes what they print.
//!
//! Exit codes: 0 done or dry run shown, 1 something pending (`plan`), 2
//! Cloudflare refused or the command failed, 3 refused for safety.

pub mod create_set;
pub mod enable;
pub mod output;
pub mod pem;
pub mod plan;
pub mod rotate;

use std::path::PathBuf;
use std::sync::Arc;

use crate::cli::OutputFormat;
use crate::cloudflare::client::CloudflareClient;
use crate::cloudflare::error::ApiError;
use crate::commands::wiring::credential_client;
use crate::commands::{Failure, RunError};
use crate::config::{CloudflareConfig, EncryptionAction, EncryptionConfig};
use crate::counters::ExporterCounters;

/// Exit code: Cloudflare refused, or the command could not finish.
pub const EXIT_FAILED: u8 = 2;
/// Exit code: the command refused to act, for safety.
pub const EXIT_REFUSED: u8 = 3;

/// A refusal to act because acting would break something.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// Rotating would delete the set's previous certificate.
    #[error(
        "refusing to rotate certificate set {set_uid}: it already has a previous certificate, {previous_uid}, \
         valid until {expiry}, and the rotation would delete it, breaking every identity provider that still \
         encrypts to it. Load the current certificate into every IdP using the set and let the previous one \
         expire, or pass --force to rotate anyway"
    )]
    PreviousCertificate {
        /// The set.
        set_uid: String,
        /// The previous certificate's UID.
        previous_uid: String,
        /// Its expiry and days left, e.g. `2027-05-07T19:11:00Z (9.9 days left)`.
        expiry: String,
    },
    /// `enable` without a set: the IdP has none assigned and none was named.
    #[error(
        "refusing to enable encryption on identity provider {identity_provider_id}: it has no certificate set; \
         create one first: {create}"
    )]
    NoCertificateSet {
        /// The IdP.
        identity_provider_id: String,
        /// The command that creates its set.
        create: String,
    },
    /// `enable` would write back a value Cloudflare redacted when read.
    #[error(
        "refusing to enable encryption on identity provider {identity_provider_id}: Cloudflare redacted \
         {field} when reading it, and the PUT, which replaces the whole identity provider, would write the \
         mask back; enable encryption in the Cloudflare dashboard instead"
    )]
    RedactedField {
        /// The IdP.
        identity_provider_id: String,
        /// The redacted field, e.g. `scim_config.secret`.
        field: String,
    },
    /// `--pem-out` names a file that exists.
    #[error("refusing to overwrite {}: pass --force to replace it", .path.display())]
    PemOutExists {
        /// The file.
        path: PathBuf,
    },
}

/// Why an `encryption` command did not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum EncryptionError {
    /// The client could not be built, or the accounts not discovered.
    #[error(transparent)]
    Setup(#[from] RunError),
    /// No credential to act with (validation should have caught it).
    #[error("no Cloudflare credential to act with")]
    NoCredential,
    /// A read failed or was refused.
    #[error("{}{}", .0, advice_text(.0))]
    Read(ApiError),
    /// A write failed or was refused. A transient failure (no answer, 5xx)
    /// may still have acted, so it is said so rather than retried.
    #[error("{source}{}{}", if .source.is_transient() {
        "; the request may still have reached Cloudflare: look at the set (encryption plan, encryption pem) \
         before trying again"
    } else { "" }, advice_text(.source))]
    Write {
        /// What went wrong.
        source: ApiError,
    },
    /// The dry run found no such IdP in the account.
    #[error("identity provider {id} not found in account {account_id}")]
    IdentityProviderNotFound {
        /// The account.
        account_id: String,
        /// The IdP asked for.
        id: String,
    },
    /// The IdP is not a SAML one, so it cannot have a set.
    #[error(
        "identity provider {id} is of type {kind}, not saml: only SAML identity providers have certificate sets"
    )]
    NotSaml {
        /// The IdP.
        id: String,
        /// Its type.
        kind: String,
    },
    /// The set has no certificate in the slot asked for.
    #[error("certificate set {set_uid} has no {slot} certificate")]
    NoCertificate {
        /// The set.
        set_uid: String,
        /// `current` or `previous`.
        slot: &'static str,
    },
    /// `--pem-out` could not be written.
    #[error("cannot write the PEM to {}: {source}", .path.display())]
    PemOut {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Refused for safety.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The report could not be written as JSON.
    #[error("cannot write the output as JSON: {0}")]
    Output(serde_json::Error),
}

/// `; <what to do>` for a refusal the reason explains, else nothing.
fn advice_text(err: &ApiError) -> String {
    err.advice().map_or_else(String::new, |advice| format!("; {advice}"))
}

impl EncryptionError {
    /// 3 for a refusal, 2 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            EncryptionError::Refused(_) => EXIT_REFUSED,
            _ => EXIT_FAILED,
        }
    }

    fn api_error(&self) -> Option<&ApiError> {
        match self {
            EncryptionError::Read(err) | EncryptionError::Write { source: err } => Some(err),
            EncryptionError::Setup(RunError::Discovery(err)) => Some(&err.source),
            _ => None,
        }
    }
}

/// Runs one `encryption` command. Its output is printed here; a failure
/// goes back to the binary, which prints it on stderr and exits with its
/// code (with `--output json` it is also printed as JSON on stdout).
pub async fn run(config: EncryptionConfig) -> Result<u8, Failure> {
    let EncryptionConfig { cloudflare, output, action, .. } = config;
    let command = match &action {
        EncryptionAction::Plan => "plan",
        EncryptionAction::CreateSet { .. } => "create-set",
        EncryptionAction::Rotate { .. } => "rotate",
        EncryptionAction::Enable { .. } => "enable",
        EncryptionAction::Pem { .. } => "pem",
    };
    let outcome = match action {
        EncryptionAction::Plan => plan::run(cloudflare, output).await,
        EncryptionAction::CreateSet { account_id, identity_provider_id, apply, pem_out, overwrite } => {
            let request =
                create_set::CreateSet { account_id, identity_provider_id, apply, pem_out, overwrite };
            match connect(cloudflare) {
                Ok((client, base_url)) => create_set::run(&client, &base_url, request, output).await,
                Err(err) => Err(err),
            }
        }
        EncryptionAction::Rotate { account_id, set_uid, apply, force } => {
            let request = rotate::Rotate { account_id, set_uid, apply, force };
            match connect(cloudflare) {
                Ok((client, base_url)) => rotate::run(&client, &base_url, request, output).await,
                Err(err) => Err(err),
            }
        }
        EncryptionAction::Enable { account_id, identity_provider_id, set_uid, apply } => {
            let request = enable::Enable { account_id, identity_provider_id, set_uid, apply };
            match connect(cloudflare) {
                Ok((client, base_url)) => enable::run(&client, &base_url, request, output).await,
                Err(err) => Err(err),
            }
        }
        EncryptionAction::Pem { account_id, set_uid, slot } => match connect(cloudflare) {
            Ok((client, _)) => pem::run(&client, &account_id, &set_uid, slot, output).await,
            Err(err) => Err(err),
        },
    };
    outcome.map_err(|err| {
        if output == OutputFormat::Json {
            let view = output::FailureView {
                command,
                status: if err.exit_code() == EXIT_REFUSED { "refused" } else { "failed" },
                exit_code: err.exit_code(),
                error: err.to_string(),
                cloudflare_errors: err.api_error().map(ApiError::messages).unwrap_or_default(),
            };
            // The error still reaches stderr through the binary.
            let _ = output::print_json(&view);
        }
        Failure::new(err.exit_code(), err)
    })
}

/// A client for the single-object commands, and the base URL their output
/// shows.
fn connect(cloudflare: CloudflareConfig) -> Result<(CloudflareClient, reqwest::Url), EncryptionError> {
    let base_url = cloudflare.client.base_url.clone();
    // Validation made sure there is exactly one credential (see `config::encryption`).
    let credential = cloudflare.credentials.into_iter().next().ok_or(EncryptionError::NoCredential)?;
    // One-off commands serve no metrics: their counters are read by no one.
    let client = credential_client(credential, &cloudflare.client, Arc::new(ExporterCounters::new()))
        .map_err(RunError::Client)?;
    Ok((client, base_url))
}

/// Unix seconds now, as the inventory counts time.
fn now() -> i64 {
    crate::clock::unix_now() as i64
}
