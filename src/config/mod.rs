//! The validated configuration the rest of the crate runs on, built from
//! [`crate::cli`] arguments and the credential environment variables. Every
//! user mistake becomes a [`ConfigError`] that names the option at fault.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use reqwest::Url;
use secrecy::SecretString;

use crate::cli::{
    CheckArgs, CloudflareArgs, DemoArgs, LogArgs, LogFormat, LogLevel, OutputFormat, ServeArgs, WebArgs,
};
use crate::cloudflare::client::ClientSettings;
use crate::cloudflare::credentials::CredentialSource;
use crate::refresh::AccountSelection;
use crate::web::config_file::{WebConfigError, WebSecurity, load_web_config};

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
    /// Two credential sources at once.
    #[error("both CLOUDFLARE_API_TOKEN and --api-token-file are set: use one")]
    TwoTokens,
    /// `--web.config.file` cannot be used.
    #[error("--web.config.file: {0}")]
    WebConfig(#[from] WebConfigError),
    /// Half of the legacy key pair.
    #[error("CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY must be set together")]
    HalfGlobalKey,
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

fn invalid(option: &'static str, value: &str, why: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { option, value: value.to_owned(), why: why.into() }
}

/// How to talk to Cloudflare.
#[derive(Debug)]
pub struct CloudflareConfig {
    /// Client settings (base URL, timeouts, body cap).
    pub client: ClientSettings,
    /// Which accounts to read.
    pub accounts: AccountSelection,
    /// Where the credentials come from.
    pub credentials: CredentialSource,
    /// Limit for one account's whole refresh.
    pub refresh_timeout: Duration,
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
    /// Serving.
    pub web: WebConfig,
    /// Logging.
    pub log: LogConfig,
    /// Pause between refresh rounds.
    pub refresh_interval: Duration,
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
    /// Logging.
    pub log: LogConfig,
    /// Warning threshold in days.
    pub warn_days: f64,
    /// Critical threshold in days.
    pub crit_days: f64,
    /// Output format.
    pub output: OutputFormat,
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
        Ok(Self {
            cloudflare: cloudflare_config(&args.cloudflare, env)?,
            web: web_config(&args.web)?,
            log: log_config(&args.log),
            refresh_interval,
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
        if !(args.crit_days.is_finite() && args.crit_days >= 0.0) {
            return Err(invalid("--crit-days", &args.crit_days.to_string(), "must be a number >= 0"));
        }
        if !(args.warn_days.is_finite() && args.warn_days >= args.crit_days) {
            return Err(invalid(
                "--warn-days",
                &args.warn_days.to_string(),
                "must be a number >= --crit-days",
            ));
        }
        Ok(Self {
            cloudflare: cloudflare_config(&args.cloudflare, env)?,
            log: log_config(&args.log),
            warn_days: args.warn_days,
            crit_days: args.crit_days,
            output: args.output,
        })
    }
}

fn log_config(args: &LogArgs) -> LogConfig {
    LogConfig { level: args.level, format: args.format }
}

fn web_config(args: &WebArgs) -> Result<WebConfig, ConfigError> {
    let listen = socket_addr("--web.listen-address", &args.listen_address)?;
    let path = &args.telemetry_path;
    if !path.starts_with('/') || path.contains(['?', '#', ' ']) {
        return Err(invalid("--web.telemetry-path", path, "must be a path starting with /"));
    }
    if path == "/-/healthy" || path == "/-/ready" {
        return Err(invalid("--web.telemetry-path", path, "is reserved for health checks"));
    }
    let security = match &args.config_file {
        Some(file) => load_web_config(file)?,
        None => WebSecurity::default(),
    };
    Ok(WebConfig { listen, telemetry_path: path.clone(), security, max_requests: args.max_requests })
}

/// `:19380` means every interface, as in other Prometheus exporters.
fn socket_addr(option: &'static str, value: &str) -> Result<SocketAddr, ConfigError> {
    let spelled = if value.starts_with(':') { format!("0.0.0.0{value}") } else { value.to_owned() };
    spelled
        .to_socket_addrs()
        .map_err(|e| invalid(option, value, format!("expected HOST:PORT ({e})")))?
        .next()
        .ok_or_else(|| invalid(option, value, "resolves to no address"))
}

fn duration(option: &'static str, value: &str) -> Result<Duration, ConfigError> {
    let parsed = humantime::parse_duration(value)
        .map_err(|e| invalid(option, value, format!("expected a duration like 30s or 5m ({e})")))?;
    if parsed.is_zero() {
        return Err(invalid(option, value, "must be longer than zero"));
    }
    Ok(parsed)
}

fn cloudflare_config(args: &CloudflareArgs, env: Env<'_>) -> Result<CloudflareConfig, ConfigError> {
    let base_url = base_url(&args.api_base_url)?;
    let refresh_timeout = duration("--cloudflare.timeout", &args.timeout)?;
    let mut ids = Vec::new();
    for raw in &args.account_ids {
        let id = raw.trim();
        if id.is_empty() {
            continue;
        }
        if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') || id.len() > 64 {
            return Err(invalid(
                "--account-id",
                raw,
                "an account ID is letters, digits, - and _ (32 hex digits)",
            ));
        }
        if !ids.iter().any(|known| known == id) {
            ids.push(id.to_owned());
        }
    }
    if args.max_body_bytes < 1024 {
        return Err(invalid(
            "--cloudflare.max-body-bytes",
            &args.max_body_bytes.to_string(),
            "must be at least 1024",
        ));
    }
    Ok(CloudflareConfig {
        client: ClientSettings {
            base_url,
            request_timeout: refresh_timeout / 2,
            connect_timeout: Duration::from_secs(10).min(refresh_timeout / 2),
            max_body_bytes: args.max_body_bytes,
            max_requests_per_5m: args.max_requests_per_5m,
        },
        accounts: if ids.is_empty() { AccountSelection::Discover } else { AccountSelection::Fixed(ids) },
        credentials: credentials(args.api_token_file.as_ref(), env)?,
        refresh_timeout,
    })
}

fn credentials(token_file: Option<&PathBuf>, env: Env<'_>) -> Result<CredentialSource, ConfigError> {
    let set = |name: &str| env(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let token = set("CLOUDFLARE_API_TOKEN");
    match (token, token_file) {
        (Some(_), Some(_)) => return Err(ConfigError::TwoTokens),
        (Some(token), None) => {
            let source = CredentialSource::Token(SecretString::from(token));
            source.load()?;
            return Ok(source);
        }
        (None, Some(path)) => {
            if !path.is_file() {
                return Err(invalid(
                    "--api-token-file",
                    &path.display().to_string(),
                    "is not a readable file",
                ));
            }
            return Ok(CredentialSource::TokenFile(path.clone()));
        }
        (None, None) => {}
    }
    match (set("CLOUDFLARE_EMAIL"), set("CLOUDFLARE_API_KEY")) {
        (Some(email), Some(key)) => {
            let source = CredentialSource::GlobalKey { email, key: SecretString::from(key) };
            source.load()?;
            Ok(source)
        }
        (None, None) => Err(ConfigError::NoCredentials),
        _ => Err(ConfigError::HalfGlobalKey),
    }
}

/// https anywhere; plain http only to loopback, so the token never crosses a
/// network in clear text.
fn base_url(value: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(value).map_err(|e| invalid("--api-base-url", value, e.to_string()))?;
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
                Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
                None => false,
            };
            if !loopback {
                return Err(invalid(
                    "--api-base-url",
                    value,
                    "plain http:// is only allowed to a loopback address; the token must not travel in clear text",
                ));
            }
        }
        other => return Err(invalid("--api-base-url", value, format!("unsupported scheme {other}"))),
    }
    if url.query().is_some() || url.cannot_be_a_base() {
        return Err(invalid("--api-base-url", value, "must be a base URL without a query"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn serve(argv: &[&str], env: &[(&str, &str)]) -> Result<ServeConfig, ConfigError> {
        let cli =
            Cli::try_parse_from(std::iter::once("cloudflare-saml-exporter").chain(argv.iter().copied()))
                .expect("arguments parse");
        let args = match cli.command {
            Some(Command::Serve(args)) => args,
            None => cli.serve,
            Some(other) => panic!("unexpected command {other:?}"),
        };
        let lookup = |name: &str| env.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned());
        ServeConfig::new(&args, &lookup)
    }

    #[test]
    fn no_credentials_names_every_option() {
        let err = serve(&[], &[]).unwrap_err().to_string();
        for option in ["CLOUDFLARE_API_TOKEN", "--api-token-file", "CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY"] {
            assert!(err.contains(option), "{err}");
        }
    }

    #[test]
    fn serve_is_the_default_command_with_documented_defaults() {
        let config =
            serve(&["--account-id", "abc", "--account-id", "def"], &[("CLOUDFLARE_API_TOKEN", "t")]).unwrap();
        assert_eq!(config.cloudflare.accounts, AccountSelection::Fixed(vec!["abc".into(), "def".into()]));
        assert_eq!(config.web.listen, "0.0.0.0:19380".parse().unwrap());
        assert_eq!(config.web.telemetry_path, "/metrics");
        assert_eq!(config.refresh_interval, Duration::from_secs(300));
        assert_eq!(config.cloudflare.client.base_url.as_str(), "https://api.cloudflare.com/client/v4");
        let explicit =
            serve(&["serve", "--refresh-interval", "90s"], &[("CLOUDFLARE_API_TOKEN", "t")]).unwrap();
        assert_eq!(explicit.refresh_interval, Duration::from_secs(90));
        assert_eq!(explicit.cloudflare.accounts, AccountSelection::Discover);
    }

    #[test]
    fn plain_http_is_refused_unless_loopback() {
        let env = [("CLOUDFLARE_API_TOKEN", "t")];
        let err = serve(&["--api-base-url", "http://api.example.com/client/v4"], &env).unwrap_err();
        assert!(err.to_string().contains("clear text"), "{err}");
        for ok in ["http://127.0.0.1:8080/client/v4", "http://[::1]:1/", "http://localhost:9/"] {
            serve(&["--api-base-url", ok], &env).unwrap();
        }
    }

    #[test]
    fn global_key_needs_both_halves() {
        assert!(matches!(serve(&[], &[("CLOUDFLARE_EMAIL", "a@b.c")]), Err(ConfigError::HalfGlobalKey)));
        let config = serve(&[], &[("CLOUDFLARE_EMAIL", "a@b.c"), ("CLOUDFLARE_API_KEY", "k")]).unwrap();
        assert!(matches!(config.cloudflare.credentials, CredentialSource::GlobalKey { .. }));
    }

    #[test]
    fn bad_values_name_the_option() {
        let env = [("CLOUDFLARE_API_TOKEN", "t")];
        let err = serve(&["--refresh-interval", "soon"], &env).unwrap_err().to_string();
        assert!(err.contains("--refresh-interval"), "{err}");
        let err = serve(&["--account-id", "../x"], &env).unwrap_err().to_string();
        assert!(err.contains("--account-id"), "{err}");
        let err = serve(&["--web.listen-address", "nowhere"], &env).unwrap_err().to_string();
        assert!(err.contains("--web.listen-address"), "{err}");
    }
}
