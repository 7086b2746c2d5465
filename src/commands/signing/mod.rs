//! `signing`: keep the signing certificates pasted into Cloudflare
//! (`config.idp_public_certs`) in step with what each identity provider
//! listed under `identity_provider_metadata:` publishes. [`plan`] compares
//! every entry and never writes; [`sync`] changes one IdP, only with
//! `--apply`, by the same round trip as `encryption enable` (the IdP read
//! as JSON, one field changed, the whole of it sent back once; a redacted
//! value refused). [`reading`] reads Cloudflare and the metadata,
//! [`edit`] decides the change, [`output`] shapes what is shown.
//!
//! Exit codes: 0 done, in sync or dry run shown, 1 something pending
//! (`plan`), 2 Cloudflare or a metadata document could not be read, or
//! Cloudflare refused, 3 refused for safety, 64 usage.

pub mod edit;
pub mod output;
pub mod plan;
pub mod reading;
pub mod sync;
#[cfg(test)]
mod testing;

use crate::cli::OutputFormat;
use crate::cloudflare::error::ApiError;
use crate::commands::Failure;
use crate::commands::encryption::output::{FailureView, print_json};
use crate::commands::encryption::{EXIT_FAILED, EXIT_REFUSED, EncryptionError};
use crate::config::{SigningAction, SigningConfig};
use crate::idp::fetch::MetadataFetcher;

use self::output::Suggestions;
use self::reading::{Clients, Unreadable};

/// Exit code: the command line names no single configured entry.
pub const EXIT_USAGE: u8 = 64;

/// A refusal to act because acting could break logins or trust.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The metadata cannot be read now: there is nothing to sync from.
    #[error(
        "refusing to sync identity provider {identity_provider}: its metadata at {url} cannot be read now \
         ({error}; reason {reason}), and the certificates come from nowhere else; fix the URL or the IdP \
         and run again"
    )]
    MetadataUnreadable {
        /// The IdP, as shown.
        identity_provider: String,
        /// The metadata URL.
        url: String,
        /// The stable reason label.
        reason: &'static str,
        /// What went wrong.
        error: String,
    },
    /// Cloudflare holds none of the published certificates.
    #[error(
        "refusing to sync identity provider {identity_provider}: Cloudflare holds none of the certificates \
         its metadata publishes (mismatch). Trusting whatever certificate the metadata URL serves would let \
         anyone who took over that URL sign logins; {verify}; then run again with --force"
    )]
    Mismatch {
        /// The IdP, as shown.
        identity_provider: String,
        /// How to verify the new certificates.
        verify: String,
    },
    /// The PUT would write back a value Cloudflare redacted when read.
    #[error(
        "refusing to sync identity provider {identity_provider}: Cloudflare redacted {field} when reading \
         it, and the PUT, which replaces the whole identity provider, would write the mask back; paste the \
         certificates in the Cloudflare dashboard instead"
    )]
    RedactedField {
        /// The IdP, as shown.
        identity_provider: String,
        /// The redacted field, e.g. `scim_config.secret`.
        field: String,
    },
}

/// Why a `signing` command did not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// A failure shared with the `encryption` commands: set-up, a read of
    /// the IdP, the JSON output.
    #[error(transparent)]
    Encryption(#[from] EncryptionError),
    /// The command line names no single configured entry.
    #[error("{0}")]
    Usage(String),
    /// Cloudflare could not be read for the entry.
    #[error("{what}: {} (reason {})", .unreadable.error, .unreadable.reason)]
    Unreadable {
        /// What was being read.
        what: String,
        /// Why it failed.
        unreadable: Unreadable,
    },
    /// The PUT failed or was refused. A transient failure may still have
    /// acted, so it is said so rather than retried.
    #[error("{}{}", Unreadable::api(.0).error, if .0.is_transient() {
        "; the request may still have reached Cloudflare: run signing plan before trying again"
    } else { "" })]
    Write(ApiError),
    /// Refused for safety.
    #[error(transparent)]
    Refused(#[from] Refusal),
}

impl SigningError {
    /// 64 usage, 3 refused, 2 anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            SigningError::Encryption(err) => err.exit_code(),
            SigningError::Usage(_) => EXIT_USAGE,
            SigningError::Refused(_) => EXIT_REFUSED,
            SigningError::Unreadable { .. } | SigningError::Write(_) => EXIT_FAILED,
        }
    }

    fn api_error(&self) -> Option<&ApiError> {
        match self {
            SigningError::Encryption(EncryptionError::Read(err)) | SigningError::Write(err) => Some(err),
            _ => None,
        }
    }
}

impl From<serde_json::Error> for SigningError {
    fn from(err: serde_json::Error) -> Self {
        SigningError::Encryption(EncryptionError::Output(err))
    }
}

/// What every `signing` command works with.
#[derive(Debug)]
pub struct Context {
    /// Cloudflare, per account.
    pub clients: Clients,
    /// The metadata fetcher.
    pub fetcher: MetadataFetcher,
    /// What suggested commands need.
    pub suggestions: Suggestions,
}

/// Runs one `signing` command. Its output is printed here; a failure goes
/// back to the binary, which prints it on stderr and exits with its code
/// (with `--output json` it is also printed as JSON on stdout).
pub async fn run(config: SigningConfig) -> Result<u8, Failure> {
    let SigningConfig { cloudflare, metadata, config_file, ca_file, output, action, .. } = config;
    let command = match &action {
        SigningAction::Plan => "plan",
        SigningAction::Sync { .. } => "sync",
    };
    let suggestions = Suggestions { base_url: cloudflare.client.base_url.clone(), config_file, ca_file };
    let outcome = async {
        let clients = Clients::new(cloudflare).map_err(EncryptionError::Setup)?;
        let fetcher = MetadataFetcher::new(&metadata.fetch)
            .map_err(|why| EncryptionError::Setup(crate::commands::RunError::IdpMetadata(why)))?;
        let mut context = Context { clients, fetcher, suggestions };
        match action {
            SigningAction::Plan => plan::run(&mut context, metadata.sources, output).await,
            SigningAction::Sync { identity_provider, apply, prune, force } => {
                let request = sync::Sync { identity_provider, apply, prune, force };
                sync::run(&mut context, metadata.sources, request, output).await
            }
        }
    }
    .await;
    outcome.map_err(|err| {
        if output == OutputFormat::Json {
            let status = match err.exit_code() {
                EXIT_REFUSED => "refused",
                EXIT_USAGE => "usage",
                _ => "failed",
            };
            let view = FailureView {
                command,
                status,
                exit_code: err.exit_code(),
                error: err.to_string(),
                cloudflare_errors: err.api_error().map(ApiError::messages).unwrap_or_default(),
            };
            // The error still reaches stderr through the binary.
            let _ = print_json(&view);
        }
        Failure::new(err.exit_code(), err)
    })
}
