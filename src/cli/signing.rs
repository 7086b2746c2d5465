//! The `signing` subcommands as the user types them: `plan` and `sync`,
//! which compare each identity provider listed under
//! `identity_provider_metadata:` of `--config.file` with the signing
//! certificates pasted into Cloudflare, with the same account, credential
//! and metadata options as `check`.

use clap::{Args, Subcommand};

use crate::cli::{CommonArgs, IdpMetadataArgs, OutputFormat};

/// Options of `signing`.
#[derive(Debug, Clone, Args)]
pub struct SigningArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: SigningCommand,
}

/// Keep the signing certificates pasted into Cloudflare
/// (`config.idp_public_certs`) in step with what each identity provider
/// publishes in its SAML metadata. Both read the `identity_provider_metadata`
/// list of --config.file. Exit codes: 0 done (or in sync, or dry run
/// shown), 1 something pending (plan), 2 Cloudflare or a metadata document
/// could not be read, or Cloudflare refused, 3 refused for safety, 64 usage.
#[derive(Debug, Clone, Subcommand)]
pub enum SigningCommand {
    /// Compare every listed identity provider's published signing
    /// certificates with Cloudflare's: in_sync, rollover_pending, mismatch
    /// or unreadable, the certificates to add and to retire, and the command
    /// to run next. Never writes; exits 1 when something is pending.
    Plan(SigningPlanArgs),
    /// Add the certificates an identity provider publishes and Cloudflare
    /// lacks to its config.idp_public_certs (and, with --prune, remove those
    /// it no longer publishes), sending every other field back exactly as
    /// read. Refused when the metadata cannot be read now, when it shares no
    /// certificate with Cloudflare (unless --force), or when Cloudflare
    /// redacted a value. A dry run unless --apply.
    Sync(SigningSyncArgs),
}

/// Options of `signing plan`.
#[derive(Debug, Clone, Args)]
pub struct SigningPlanArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub idp_metadata: IdpMetadataArgs,
    /// Output format.
    #[arg(long = "output", value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

/// Options of `signing sync`.
#[derive(Debug, Clone, Args)]
pub struct SigningSyncArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub idp_metadata: IdpMetadataArgs,
    /// The identity provider, by its Cloudflare ID or exact name, as listed
    /// (or resolved) in identity_provider_metadata; with --account-id when
    /// two accounts list it.
    #[arg(long = "identity-provider", value_name = "ID_OR_NAME")]
    pub identity_provider: String,
    /// Send the request; without it nothing is written.
    #[arg(long = "apply")]
    pub apply: bool,
    /// Also remove the readable certificates the metadata no longer
    /// publishes (never the last one it publishes; unreadable entries stay).
    #[arg(long = "prune")]
    pub prune: bool,
    /// Add the published certificates even though Cloudflare holds none of
    /// them (a mismatch): only once their fingerprints are confirmed with
    /// the identity provider's administrator.
    #[arg(long = "force")]
    pub force: bool,
    /// Output format.
    #[arg(long = "output", value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}
