//! The command line as the user types it: clap types only, no I/O and no
//! validation beyond syntax. The `config` module turns these into a
//! validated configuration.
//!
//! May use: [`crate::model`], for the report thresholds.

mod encryption;
mod idp_metadata;
mod numbers;
mod signing;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::report::Thresholds;

pub use self::numbers::{
    MAX_ACCOUNT_BYTES, MAX_BODY_BYTES, MAX_CONCURRENT_SCRAPES, MAX_REQUESTS_PER_5M, MAX_SHARDS,
    MIN_ACCOUNT_BYTES, MIN_BODY_BYTES,
};

use self::numbers::{budget, whole_number};

pub use self::idp_metadata::IdpMetadataArgs;

pub use self::encryption::{
    CreateSetArgs, EncryptionArgs, EncryptionCommand, PemArgs, PemSlot, PlanArgs, RotateArgs,
};

pub use self::signing::{SigningArgs, SigningCommand, SigningPlanArgs, SigningSyncArgs};

/// Production API base URL.
pub const DEFAULT_API_BASE_URL: &str = "https://api.cloudflare.com/client/v4";

/// Prometheus exporter for Cloudflare Access SAML encryption certificate expiry.
///
/// Credentials come from the environment: CLOUDFLARE_API_TOKEN (or
/// --api-token-file), else CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY.
#[derive(Debug, Parser)]
#[command(name = "cloudflare-saml-exporter", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do; `serve` when left out.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of the default `serve` command.
    #[command(flatten)]
    pub serve: ServeArgs,
}

impl Cli {
    /// The command to run: `serve` with the top-level options when none was named.
    pub fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Serve(self.serve))
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve metrics, refreshing from Cloudflare in the background (default).
    Serve(ServeArgs),
    /// Run against a built-in fake Cloudflare API with demo data; no credentials needed.
    #[cfg_attr(
        not(feature = "demo"),
        command(
            about = "Not in this build (built without the `demo` feature): exits 64; the default build has it"
        )
    )]
    Demo(DemoArgs),
    /// Refresh once, print a table of every certificate and exit 0 (ok), 1 (warning) or 2 (critical).
    Check(CheckArgs),
    /// Act on what the alerts say: `plan`, `create-set`, `rotate`, `pem`
    /// (writing commands are dry runs unless --apply).
    ///
    /// The writing commands need a token with "Access: Organizations,
    /// Identity Providers, and Groups Write". Exit codes: 0 done (or dry run
    /// shown), 1 something pending (plan), 2 Cloudflare refused or the
    /// command failed, 3 refused for safety, 64 usage.
    Encryption(EncryptionArgs),
    /// Keep the signing certificates pasted into Cloudflare in step with
    /// each identity provider's published SAML metadata: `plan`, `sync`
    /// (a dry run unless --apply).
    ///
    /// Reads the identity_provider_metadata list of --config.file. `sync`
    /// needs a token with "Access: Organizations, Identity Providers, and
    /// Groups Write". Exit codes: 0 done (or in sync, or dry run shown), 1
    /// something pending (plan), 2 Cloudflare or a metadata document could
    /// not be read, or Cloudflare refused, 3 refused for safety, 64 usage.
    Signing(SigningArgs),
}

/// How to reach Cloudflare and which accounts to read.
#[derive(Debug, Clone, Args)]
pub struct CloudflareArgs {
    /// Account to read; repeatable. Without any, every account of the token is
    /// discovered with GET /accounts (user-owned tokens only).
    #[arg(long = "account-id", value_name = "ID", env = "CLOUDFLARE_ACCOUNT_ID", value_delimiter = ',')]
    pub account_ids: Vec<String>,
    /// File holding the API token (re-read before each refresh).
    #[arg(long = "api-token-file", value_name = "PATH", env = "CLOUDFLARE_API_TOKEN_FILE")]
    pub api_token_file: Option<PathBuf>,
    /// Cloudflare API base URL; plain http:// only to a loopback address.
    #[arg(long = "api-base-url", value_name = "URL", env = "CLOUDFLARE_API_BASE_URL", default_value = DEFAULT_API_BASE_URL)]
    pub api_base_url: String,
    /// Limit for one account's whole refresh (requests are limited to half of it).
    #[arg(long = "cloudflare.timeout", value_name = "DURATION", default_value = "60s")]
    pub timeout: String,
    /// Largest response body accepted from Cloudflare, in bytes (1024 to 1 GiB).
    #[arg(
        long = "cloudflare.max-body-bytes",
        value_name = "BYTES",
        default_value_t = 64 * 1024 * 1024,
        value_parser = whole_number(MIN_BODY_BYTES, MAX_BODY_BYTES)
    )]
    pub max_body_bytes: usize,
    /// Most one account's refresh may read from Cloudflare in all, every
    /// page of every list; beyond it the account reports the reason
    /// `account_too_large` and keeps its last good values (1 MiB to 16 GiB).
    #[arg(
        long = "cloudflare.max-account-bytes",
        value_name = "BYTES",
        default_value_t = 64 * 1024 * 1024,
        value_parser = whole_number(MIN_ACCOUNT_BYTES, MAX_ACCOUNT_BYTES)
    )]
    pub max_account_bytes: usize,
    /// How often each account's full certificate set list is read. In
    /// between, a refresh reads only the identity provider list, which
    /// embeds every assigned set: only sets no IdP uses wait for this.
    #[arg(long = "cloudflare.set-list-interval", value_name = "DURATION", default_value = "1h")]
    pub set_list_interval: String,
    /// Client-side request budget of each credential, per 5 minutes
    /// (Cloudflare allows 1200 per user across all of that user's clients);
    /// 1 to 1000000.
    #[arg(long = "cloudflare.max-requests-per-5m", value_name = "N", default_value = "300", value_parser = budget)]
    pub max_requests_per_5m: std::num::NonZeroU32,
    /// Also read each account's Access applications (needs the token
    /// permission "Access: Apps and Policies Read"), on the set list's
    /// cadence: which applications lose their login when an identity
    /// provider fails, and the SAML signing certificates of SaaS
    /// applications. Off by default.
    #[arg(long = "collector.applications", overrides_with = "no_collector_applications")]
    pub collector_applications: bool,
    /// Do not read Access applications (the default).
    #[arg(long = "no-collector.applications", overrides_with = "collector_applications")]
    pub no_collector_applications: bool,
    /// YAML file naming several credentials, each with its accounts and
    /// budget; replaces --account-id, --api-token-file and the credential
    /// environment variables.
    #[arg(long = "config.file", value_name = "PATH")]
    pub credentials_file: Option<PathBuf>,
    /// This replica's shard, from 0: it reads only the accounts whose
    /// SHA-256 hash modulo --total-shards is N.
    #[arg(long = "shard", value_name = "N", default_value_t = 0, value_parser = whole_number(0, MAX_SHARDS - 1))]
    pub shard: u64,
    /// How many replicas share the accounts (1: no sharding; at most 10000).
    #[arg(long = "total-shards", value_name = "M", default_value_t = 1, value_parser = whole_number(1, MAX_SHARDS))]
    pub total_shards: u64,
}

/// What every command that reads Cloudflare takes: how to reach it, and logging.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub cloudflare: CloudflareArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub log: LogArgs,
}

/// Where `/metrics` is served.
#[derive(Debug, Clone, Args)]
pub struct WebArgs {
    /// Address to listen on, e.g. `:19380` (all interfaces) or `127.0.0.1:19380`.
    #[arg(long = "web.listen-address", value_name = "ADDR", default_value = ":19380")]
    pub listen_address: String,
    /// Path under which metrics are served.
    #[arg(long = "web.telemetry-path", value_name = "PATH", default_value = "/metrics")]
    pub telemetry_path: String,
    /// TLS, client certificate and basic auth settings (exporter-toolkit format).
    #[arg(long = "web.config.file", value_name = "PATH")]
    pub config_file: Option<PathBuf>,
    /// Most concurrent scrapes; more get 503. 0 disables the limit; at most 100000.
    #[arg(
        long = "web.max-requests",
        value_name = "N",
        default_value_t = 40,
        value_parser = whole_number(0, MAX_CONCURRENT_SCRAPES)
    )]
    pub max_requests: usize,
    /// Where people reach the exporter, e.g.
    /// `https://cf-saml.example.com` (behind a proxy, with any path
    /// prefix): the base of the links it gives out (the runbook links of
    /// `/calendar.ics`). Without it, those links are relative.
    #[arg(long = "web.external-url", value_name = "URL")]
    pub external_url: Option<String>,
    /// Longest a response may take to be written, e.g. `30s`; a client that
    /// has not taken it in by then is disconnected.
    #[arg(long = "web.write-timeout", value_name = "DURATION", default_value = "30s")]
    pub write_timeout: String,
}

/// Logging.
#[derive(Debug, Clone, Args)]
pub struct LogArgs {
    /// Only log messages with this level or above.
    #[arg(long = "log.level", value_enum, default_value_t = LogLevel::Info)]
    pub level: LogLevel,
    /// Log line format.
    #[arg(long = "log.format", value_enum, default_value_t = LogFormat::Logfmt)]
    pub format: LogFormat,
}

/// Log levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    /// Everything, including each request.
    Debug,
    /// Refresh outcomes and lifecycle.
    Info,
    /// Problems only.
    Warn,
    /// Failures only.
    Error,
}

/// Log formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// `key=value` pairs.
    Logfmt,
    /// One JSON object per line.
    Json,
}

/// Options of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub web: WebArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub idp_metadata: IdpMetadataArgs,
    /// How often Cloudflare is read, e.g. `5m`; scrapes never call Cloudflare.
    #[arg(long = "refresh-interval", value_name = "DURATION", default_value = "5m")]
    pub refresh_interval: String,
    /// Keep every account's last good data in this file (written after
    /// refreshes, mode 0600), so that a restart serves it at once, even
    /// while Cloudflare is unreachable.
    #[arg(long = "state.file", value_name = "PATH")]
    pub state_file: Option<PathBuf>,
}

/// Options of `demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub web: WebArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub log: LogArgs,
    /// How often the fake API is read.
    #[arg(long = "refresh-interval", value_name = "DURATION", default_value = "30s")]
    pub refresh_interval: String,
    /// Address of the fake Cloudflare API (loopback only; port 0 picks one).
    #[arg(long = "fake-api.listen-address", value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub fake_api_listen_address: String,
    /// Share of fake API requests (0 to 1) that fail at random, to watch the
    /// exporter ride out a flaky Cloudflare.
    #[arg(long = "fake-api.chaos", value_name = "RATIO", default_value_t = 0.0)]
    pub fake_api_chaos: f64,
}

/// Options of `check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub idp_metadata: IdpMetadataArgs,
    /// Warn (exit 1) when a current certificate has fewer days left.
    #[arg(long = "warn-days", value_name = "DAYS", default_value_t = Thresholds::ALERTS.warn_days)]
    pub warn_days: f64,
    /// Critical (exit 2) when a current certificate has fewer days left.
    #[arg(long = "crit-days", value_name = "DAYS", default_value_t = Thresholds::ALERTS.crit_days)]
    pub crit_days: f64,
    /// Output format: the table, the report as JSON, or every deadline
    /// as an RFC 5545 calendar (the same as the exporter's `/calendar.ics`).
    #[arg(long = "output", value_enum, default_value_t = CheckOutput::Table)]
    pub output: CheckOutput,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckOutput {
    /// Aligned columns for people.
    Table,
    /// One JSON document for programs.
    Json,
    /// The deadlines as an iCalendar (RFC 5545) file.
    Ics,
}

/// Output formats of `encryption` and `signing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for people.
    Table,
    /// One JSON document for programs.
    Json,
}
