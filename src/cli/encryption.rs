//! The `encryption` subcommands as the user types them: `plan`,
//! `create-set`, `rotate`, `enable` and `pem`, with the same account and credential
//! options as `check`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use crate::cli::{CommonArgs, OutputFormat};

/// Options of `encryption`.
#[derive(Debug, Clone, Args)]
pub struct EncryptionArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: EncryptionCommand,
}

/// Act on what the alerts say. Writing commands are dry runs unless
/// `--apply`. Exit codes: 0 done (or dry run shown), 1 something pending
/// (`plan`), 2 Cloudflare refused or the command failed, 3 refused for
/// safety, 64 usage.
#[derive(Debug, Clone, Subcommand)]
pub enum EncryptionCommand {
    /// List, per SAML identity provider, what encrypted assertions still
    /// need (create-set, enable-encryption, hand-over, rotate). Never writes;
    /// exits 1 when something is pending.
    Plan(PlanArgs),
    /// Create (or fetch) an identity provider's certificate set and print its
    /// public certificate and the next steps. A dry run unless --apply.
    CreateSet(CreateSetArgs),
    /// Rotate a certificate set. Refused (exit 3) when the set already has a
    /// previous certificate, which the rotation would delete. A dry run
    /// unless --apply.
    Rotate(RotateArgs),
    /// Turn encryption on for a SAML identity provider: set
    /// config.enable_encryption and saml_certificate_set_id, and send every
    /// other field back exactly as read (a PUT replaces the whole IdP). A
    /// dry run unless --apply.
    Enable(EnableArgs),
    /// Print a set's certificate as PEM and nothing else (for pipes).
    Pem(PemArgs),
}

/// Options of `encryption enable`.
#[derive(Debug, Clone, Args)]
pub struct EnableArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,
    /// The SAML identity provider.
    #[arg(long = "identity-provider", value_name = "ID")]
    pub identity_provider: String,
    /// The certificate set to encrypt with (default: the IdP's own).
    #[arg(long = "certificate-set", value_name = "UID")]
    pub certificate_set: Option<String>,
    /// Send the request; without it nothing is written.
    #[arg(long = "apply")]
    pub apply: bool,
    /// Output format.
    #[arg(long = "output", value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

/// Options of `encryption plan`.
#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,
    /// Output format.
    #[arg(long = "output", value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

/// Options of `encryption create-set`.
#[derive(Debug, Clone, Args)]
pub struct CreateSetArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,
    /// The SAML identity provider to create the set for.
    #[arg(long = "identity-provider", value_name = "ID")]
    pub identity_provider: String,
    /// Send the request; without it nothing is written.
    #[arg(long = "apply")]
    pub apply: bool,
    /// Also write the current public certificate (PEM) to this file (mode 0644).
    #[arg(long = "pem-out", value_name = "FILE")]
    pub pem_out: Option<PathBuf>,
    /// Overwrite an existing --pem-out file.
    #[arg(long = "force", requires = "pem_out")]
    pub force: bool,
    /// Output format.
    #[arg(long = "output", value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

/// Options of `encryption rotate`.
#[derive(Debug, Clone, Args)]
pub struct RotateArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,
    /// The certificate set to rotate.
    #[arg(long = "certificate-set", value_name = "UID")]
    pub certificate_set: String,
    /// Send the request; without it nothing is written.
    #[arg(long = "apply")]
    pub apply: bool,
    /// Rotate even though the set has a previous certificate, which the
    /// rotation deletes: every IdP still encrypting to it breaks at once.
    #[arg(long = "force")]
    pub force: bool,
    /// Output format.
    #[arg(long = "output", value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

/// Options of `encryption pem`.
#[derive(Debug, Clone, Args)]
pub struct PemArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,
    /// The certificate set.
    #[arg(long = "certificate-set", value_name = "UID")]
    pub certificate_set: String,
    /// Which of the set's certificates.
    #[arg(long = "slot", value_enum, default_value_t = PemSlot::Current)]
    pub slot: PemSlot,
    /// Output format (`json` wraps the PEM with the set and slot).
    #[arg(long = "output", value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

/// The slots `pem` can print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PemSlot {
    /// The certificate Cloudflare encrypts with now.
    Current,
    /// The certificate kept during a rotation.
    Previous,
}
