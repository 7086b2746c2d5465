//! How to reach Cloudflare: base URL, timeouts, budget, shard, and the
//! credentials with their accounts: one named `default` from the
//! environment or a token file, or several from `--config.file`.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use reqwest::Url;
use secrecy::SecretString;

use crate::cli::CloudflareArgs;
use crate::cloudflare::account_id::parse_account_id;
use crate::cloudflare::client::ClientSettings;
use crate::cloudflare::credentials::CredentialSource;
use crate::config::credentials_file::{ConfigFile, CredentialDefaults, load_config_file};
use crate::config::{CloudflareConfig, ConfigError, Env, duration, invalid};
use crate::idp::source::MetadataSource;
use crate::refresh::AccountSelection;
use crate::refresh::shard::Shard;

/// The Cloudflare side, and the identity provider metadata sources that
/// `--config.file` lists (none without the file).
pub(crate) fn cloudflare_config(
    args: &CloudflareArgs,
    env: Env<'_>,
) -> Result<(CloudflareConfig, Vec<MetadataSource>), ConfigError> {
    let base_url = base_url(&args.api_base_url)?;
    let refresh_timeout = duration("--cloudflare.timeout", &args.timeout)?;
    let shard = Shard::new(args.shard, args.total_shards)?;
    let client = ClientSettings {
        base_url,
        request_timeout: refresh_timeout / 2,
        connect_timeout: Duration::from_secs(10).min(refresh_timeout / 2),
        max_body_bytes: args.max_body_bytes,
        max_account_bytes: args.max_account_bytes,
        max_requests_per_5m: args.max_requests_per_5m,
    };
    let file = match &args.credentials_file {
        Some(path) => {
            let defaults = CredentialDefaults {
                max_requests_per_5m: args.max_requests_per_5m,
                applications: args.collector_applications,
            };
            Some(load_config_file(path, defaults, env)?)
        }
        None => None,
    };
    let (listed, metadata) = match file {
        Some(ConfigFile { credentials, metadata }) => (credentials, metadata),
        None => (None, Vec::new()),
    };
    let mut config = match listed {
        Some(credentials) => {
            let path = args.credentials_file.as_deref().unwrap_or(std::path::Path::new(""));
            let named = |flag: &str| ConfigError::ConfigFile {
                path: path.display().to_string(),
                why: format!(
                    "cannot be combined with {flag}: name each credential's secret and accounts in the file"
                ),
            };
            if !args.account_ids.is_empty() {
                return Err(named("--account-id"));
            }
            if args.api_token_file.is_some() {
                return Err(named("--api-token-file"));
            }
            CloudflareConfig {
                client,
                credentials,
                refresh_timeout,
                shard,
                set_list_interval: Duration::ZERO,
            }
        }
        // No file, or one without `credentials:`: the single credential of
        // the environment or --api-token-file.
        None => {
            let ids = account_ids("--account-id", &args.account_ids)?;
            let accounts =
                if ids.is_empty() { AccountSelection::Discover } else { AccountSelection::Fixed(ids) };
            let source = credentials(args.api_token_file.as_ref(), env)?;
            let mut single = CloudflareConfig::single(client, source, accounts, refresh_timeout);
            single.credentials[0].applications = args.collector_applications;
            single
        }
    };
    config.shard = shard;
    config.set_list_interval = duration("--cloudflare.set-list-interval", &args.set_list_interval)?;
    Ok((config, metadata))
}

/// Validated, de-duplicated account IDs, lower-cased; empty entries are skipped.
pub(crate) fn account_ids(option: &'static str, raw_ids: &[String]) -> Result<Vec<String>, ConfigError> {
    let mut ids: Vec<String> = Vec::new();
    for raw in raw_ids {
        let id = raw.trim();
        if id.is_empty() {
            continue;
        }
        let id = parse_account_id(id).map_err(|why| invalid(option, raw, why))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
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
            // Read once now: a file that cannot give a token is a usage
            // error at start, not a failed refresh (`check` would exit 2).
            let source = CredentialSource::TokenFile(path.clone());
            source.load().map_err(ConfigError::TokenFile)?;
            return Ok(source);
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
