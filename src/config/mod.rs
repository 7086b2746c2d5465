//! The validated configuration the rest of the crate runs on, built from
//! [`crate::cli`] arguments and the credential environment variables. Every
//! user mistake becomes a [`ConfigError`] that names the option at fault.
//! `config/cloudflare.rs` validates how to reach Cloudflare, `config/web.rs`
//! where and how to serve, `config/encryption.rs` the `encryption` commands,
//! `config/signing.rs` the `signing` commands.
//!
//! May use: [`crate::cli`], the settings types it validates into of
//! [`crate::cloudflare`], [`crate::idp`], [`crate::refresh`] and [`crate::web`], and
//! [`crate::operator_file`] to read `--config.file`.

mod cloudflare;
mod credentials_file;
mod encryption;
mod idp_metadata;
mod signing;
mod web;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::cli::{CheckArgs, CheckOutput, DemoArgs, LogArgs, LogFormat, LogLevel, ServeArgs};
use crate::cloudflare::client::ClientSettings;
use crate::cloudflare::credentials::CredentialSource;
use crate::refresh::AccountSelection;
use crate::refresh::shard::{Shard, ShardError};
use crate::web::config_file::{WebConfigError, WebSecurity};

pub use self::encryption::{EncryptionAction, EncryptionConfig};
pub use self::idp_metadata::IdpMetadataConfig;
pub use self::signing::{SigningAction, SigningConfig};

use self::cloudflare::cloudflare_config;
use self::idp_metadata::idp_metadata_config;
use self::web::{socket_addr, web_config};

/// A configuration mistake; the binary exits 64 (EX_USAGE) on it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// No credentials anywhere.
    #[error(
        "no Cloudflare credentials: set CLOUDFLARE_API_TOKEN or pass --api-token-file PATH \
         (a token with \"Access: Organizations, Identity Providers, and Groups Read\"), \
         or set CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY"
    )]
    NoCredentials,
    /// Credentials from the environment that cannot be used.
    #[error("{0}")]
    Credentials(#[from] crate::cloudflare::credentials::CredentialError),
    /// `--api-token-file` gives no usable token; the message names the
    /// path and why, never the content.
    #[error("--api-token-file (CLOUDFLARE_API_TOKEN_FILE): {0}")]
    TokenFile(#[source] crate::cloudflare::credentials::CredentialError),
    /// Two credential sources at once.
    #[error("both CLOUDFLARE_API_TOKEN and --api-token-file are set: use one")]
    TwoTokens,
    /// `--web.config.file` cannot be used.
    #[error("--web.config.file: {0}")]
    WebConfig(#[from] WebConfigError),
    /// Half of the legacy key pair.
    #[error("CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY must be set together")]
    HalfGlobalKey,
    /// `--shard`/`--total-shards` name no shard.
    #[error("{0}")]
    Shard(#[from] ShardError),
    /// `--config.file` cannot be used.
    #[error("--config.file {path}: {why}")]
    ConfigFile {
        /// The file.
        path: String,
        /// What is wrong, naming the key; never a secret's value.
        why: String,
    },
    /// A value that does not parse or is not allowed.
    #[error("invalid {option} {value:?}: {why}")]
    Invalid {
        /// The option, e.g. `--api-base-url`.
        option: &'static str,
        /// What the user gave.
        value: String,
        /// What is wrong with it.
        why: String,
    },
}

/// An ID that becomes a URL path segment (an account ID, an IdP ID, a set
/// UID): at most 64 letters, digits, `-` and `_`, so it cannot change the path.
pub(crate) fn is_path_safe_id(id: &str) -> bool {
    id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

pub(crate) fn invalid(option: &'static str, value: &str, why: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { option, value: value.to_owned(), why: why.into() }
}

/// How to talk to Cloudflare.
#[derive(Debug)]
pub struct CloudflareConfig {
    /// Client settings (base URL, timeouts, body cap, default budget).
    pub client: ClientSettings,
    /// The credentials, each with its accounts and budget; names unique, no
    /// account under two of them.
    pub credentials: Vec<CredentialConfig>,
    /// Talking time allowed to one account's refresh (budget waits excluded).
    pub refresh_timeout: Duration,
    /// Which accounts this replica reads.
    pub shard: Shard,
    /// How often each account's full set list is read (zero: every pass).
    pub set_list_interval: Duration,
}

/// One credential and what it reads.
#[derive(Debug)]
pub struct CredentialConfig {
    /// Its name: the `credential` label.
    pub name: String,
    /// Where its secret comes from.
    pub source: CredentialSource,
    /// Which accounts it reads.
    pub accounts: AccountSelection,
    /// Its own client-side budget.
    pub max_requests_per_5m: std::num::NonZeroU32,
    /// Whether its accounts' Access applications are read too.
    pub applications: bool,
}

impl CloudflareConfig {
    /// One credential named `default` with the budget of `client`, and no
    /// sharding: what the flags and environment make without `--config.file`.
    pub fn single(
        client: ClientSettings,
        source: CredentialSource,
        accounts: AccountSelection,
        refresh_timeout: Duration,
    ) -> Self {
        let credential = CredentialConfig {
            name: crate::cloudflare::client::DEFAULT_CREDENTIAL.to_owned(),
            source,
            accounts,
            max_requests_per_5m: client.max_requests_per_5m,
            applications: false,
        };
        Self {
            client,
            credentials: vec![credential],
            refresh_timeout,
            shard: Shard::ALL,
            set_list_interval: Duration::ZERO,
        }
    }
}

/// Where metrics are served.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The listen address.
    pub listen: SocketAddr,
    /// The metrics path.
    pub telemetry_path: String,
    /// TLS, basic auth and headers.
    pub security: WebSecurity,
    /// Most concurrent scrapes (0 = no limit).
    pub max_requests: usize,
    /// Longest a response may take to be written.
    pub write_timeout: Duration,
    /// Where people reach the exporter (`--web.external-url`), without a
    /// trailing `/`: the base of the links it gives out of itself (the
    /// calendar's runbook links); `None` gives relative links.
    pub external_url: Option<String>,
}

/// Logging settings.
#[derive(Debug, Clone, Copy)]
pub struct LogConfig {
    /// Minimum level.
    pub level: LogLevel,
    /// Line format.
    pub format: LogFormat,
}

/// Configuration of `serve`.
#[derive(Debug)]
pub struct ServeConfig {
    /// Cloudflare access.
    pub cloudflare: CloudflareConfig,
    /// Which identity providers' metadata is compared with Cloudflare.
    pub idp_metadata: IdpMetadataConfig,
    /// Serving.
    pub web: WebConfig,
    /// Logging.
    pub log: LogConfig,
    /// Pause between refresh rounds.
    pub refresh_interval: Duration,
    /// `--state.file`: where the last good data survives restarts.
    pub state_file: Option<PathBuf>,
}

/// Configuration of `demo`.
#[derive(Debug)]
pub struct DemoConfig {
    /// Serving.
    pub web: WebConfig,
    /// Logging.
    pub log: LogConfig,
    /// Pause between refresh rounds.
    pub refresh_interval: Duration,
    /// Where the fake API listens.
    pub fake_api_listen: SocketAddr,
    /// Share of fake API requests that fail at random.
    pub fake_api_chaos: f64,
}

/// Configuration of `check`.
#[derive(Debug)]
pub struct CheckConfig {
    /// Cloudflare access.
    pub cloudflare: CloudflareConfig,
    /// Which identity providers' metadata is compared with Cloudflare.
    pub idp_metadata: IdpMetadataConfig,
    /// Logging.
    pub log: LogConfig,
    /// Warning threshold in days.
    pub warn_days: f64,
    /// Critical threshold in days.
    pub crit_days: f64,
    /// Output format.
    pub output: CheckOutput,
}

/// Reads one environment variable; injected so tests never touch the process
/// environment.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment, for the binary.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

impl ServeConfig {
    /// Validates `serve` arguments.
    pub fn new(args: &ServeArgs, env: Env<'_>) -> Result<Self, ConfigError> {
        let refresh_interval = duration("--refresh-interval", &args.refresh_interval)?;
        let (cloudflare, sources) = cloudflare_config(&args.common.cloudflare, env)?;
        Ok(Self {
            cloudflare,
            idp_metadata: idp_metadata_config(&args.idp_metadata, sources)?,
            web: web_config(&args.web)?,
            log: log_config(&args.common.log),
            refresh_interval,
            state_file: args.state_file.as_deref().map(state_file).transpose()?,
        })
    }
}

impl DemoConfig {
    /// Validates `demo` arguments.
    pub fn new(args: &DemoArgs) -> Result<Self, ConfigError> {
        let fake_api_listen = socket_addr("--fake-api.listen-address", &args.fake_api_listen_address)?;
        if !fake_api_listen.ip().is_loopback() {
            return Err(invalid(
                "--fake-api.listen-address",
                &args.fake_api_listen_address,
                "the fake API only listens on a loopback address",
            ));
        }
        if !(0.0..=1.0).contains(&args.fake_api_chaos) {
            return Err(invalid(
                "--fake-api.chaos",
                &args.fake_api_chaos.to_string(),
                "must be between 0 and 1",
            ));
        }
        Ok(Self {
            web: web_config(&args.web)?,
            log: log_config(&args.log),
            refresh_interval: duration("--refresh-interval", &args.refresh_interval)?,
            fake_api_listen,
            fake_api_chaos: args.fake_api_chaos,
        })
    }
}

impl CheckConfig {
    /// Validates `check` arguments.
    pub fn new(args: &CheckArgs, env: Env<'_>) -> Result<Self, ConfigError> {
        if !(0.0..=MAX_DAYS).contains(&args.crit_days) {
            return Err(invalid(
                "--crit-days",
                &args.crit_days.to_string(),
                format!("must be a number from 0 to {MAX_DAYS}"),
            ));
        }
        if !(args.crit_days..=MAX_DAYS).contains(&args.warn_days) {
            return Err(invalid(
                "--warn-days",
                &args.warn_days.to_string(),
                format!("must be a number from --crit-days ({}) to {MAX_DAYS}", args.crit_days),
            ));
        }
        let (cloudflare, sources) = cloudflare_config(&args.common.cloudflare, env)?;
        Ok(Self {
            cloudflare,
            idp_metadata: idp_metadata_config(&args.idp_metadata, sources)?,
            log: log_config(&args.common.log),
            warn_days: args.warn_days,
            crit_days: args.crit_days,
            output: args.output,
        })
    }
}

/// `--state.file` must name a file: its content is checked at start (and
/// never fatal), but a path that can never be written is a usage error.
fn state_file(path: &std::path::Path) -> Result<PathBuf, ConfigError> {
    let shown = path.display().to_string();
    if path.as_os_str().is_empty() {
        return Err(invalid("--state.file", &shown, "must not be empty"));
    }
    if path.is_dir() || path.file_name().is_none() {
        return Err(invalid("--state.file", &shown, "names a directory; give a file path inside it"));
    }
    // A device or FIFO there would hang or never end the read at start.
    if let Ok(metadata) = std::fs::metadata(path)
        && !metadata.is_file()
    {
        return Err(invalid("--state.file", &shown, "is not a regular file (a device, FIFO or socket)"));
    }
    Ok(path.to_owned())
}

pub(crate) fn log_config(args: &LogArgs) -> LogConfig {
    LogConfig { level: args.level, format: args.format }
}

/// Longest duration any flag takes: a year. Longer ones mean "never" and
/// are better said by leaving a feature off; past about 292 billion years
/// (humantime parses up to 584) adding one to a clock would overflow.
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 86_400);

/// Days `--warn-days` and `--crit-days` take at most: a hundred years.
pub const MAX_DAYS: f64 = 36_500.0;

pub(crate) fn duration(option: &'static str, value: &str) -> Result<Duration, ConfigError> {
    let parsed = humantime::parse_duration(value).map_err(|e| {
        invalid(option, value, format!("expected a duration like 30s or 5m, up to 365d ({e})"))
    })?;
    if parsed.is_zero() {
        return Err(invalid(option, value, "must be longer than zero"));
    }
    if parsed > MAX_DURATION {
        return Err(invalid(option, value, "must be a duration up to 365d"));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests;
