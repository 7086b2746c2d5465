//! `--config.file`: several credentials, each with its secret (named by file
//! or environment variable, never written in the file), its accounts (or
//! discovery) and its own budget; and where identity providers publish
//! their SAML metadata ([`crate::config::idp_metadata`]). Either list may be
//! left out, not both. Every mistake names the credential and the
//! key at fault and never shows a value that could be a secret. The file
//! must be a regular file of at most 1 MiB, and each token file it names
//! one of at most 64 KiB that gives a token at start ([`crate::operator_file`]).
//!
//! ```yaml
//! credentials:
//!   - name: tenant-a                       # unique; the `credential` label
//!     api_token_file: /run/secrets/cf-a    # or api_token_env: NAME_OF_ENV_VAR
//!   - name: tenant-b
//!     api_token_env: CF_TOKEN_TENANT_B
//!     accounts: [0123456789abcdef0123456789abcdef]
//!     max_requests_per_5m: 120
//!     collector_applications: true         # default: --collector.applications
//!   - name: legacy
//!     email_env: CF_EMAIL
//!     api_key_env: CF_API_KEY
//! identity_provider_metadata:
//!   - account: 0123456789abcdef0123456789abcdef
//!     identity_provider: Example AD FS           # its ID, or its exact name
//!     url: https://adfs.example.com/FederationMetadata/2007-06/FederationMetadata.xml
//!     entity_id: http://adfs.example.com/adfs/services/trust  # default: its issuer_url
//! ```

use std::collections::BTreeSet;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::Deserialize;
use serde_json::Value;

use crate::cli::MAX_REQUESTS_PER_5M;
use crate::cloudflare::credentials::{CredentialError, CredentialSource};
use crate::config::cloudflare::account_ids;
use crate::config::idp_metadata::{MetadataEntry, metadata_sources};
use crate::config::{ConfigError, CredentialConfig, Env};
use crate::idp::source::MetadataSource;
use crate::operator_file::{CONFIG_LIMIT, read_operator_text};
use crate::refresh::AccountSelection;

/// Keys that would hold a secret in the file itself.
const INLINE_SECRETS: [&str; 2] = ["api_token", "api_key"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialsFile {
    #[serde(default)]
    credentials: Option<Vec<Entry>>,
    #[serde(default)]
    identity_provider_metadata: Vec<MetadataEntry>,
}

/// What `--config.file` holds.
#[derive(Debug)]
pub(crate) struct ConfigFile {
    /// The credentials; `None` when the file lists none, and the single
    /// credential comes from the environment or `--api-token-file`.
    pub credentials: Option<Vec<CredentialConfig>>,
    /// Where identity providers publish their metadata.
    pub metadata: Vec<MetadataSource>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    #[serde(default)]
    api_token_file: Option<PathBuf>,
    #[serde(default)]
    api_token_env: Option<String>,
    #[serde(default)]
    email_env: Option<String>,
    #[serde(default)]
    api_key_env: Option<String>,
    #[serde(default)]
    accounts: Option<Vec<String>>,
    #[serde(default)]
    max_requests_per_5m: Option<u32>,
    #[serde(default)]
    collector_applications: Option<bool>,
}

/// What a credential gets for the keys it leaves out: the flags' values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CredentialDefaults {
    /// `max_requests_per_5m`: `--cloudflare.max-requests-per-5m`.
    pub max_requests_per_5m: NonZeroU32,
    /// `collector_applications`: `--collector.applications`.
    pub applications: bool,
}

/// Reads and validates the file at `path`; a credential gets `defaults`
/// for the keys it leaves out.
pub(crate) fn load_config_file(
    path: &Path,
    defaults: CredentialDefaults,
    env: Env<'_>,
) -> Result<ConfigFile, ConfigError> {
    let fail = |why: String| ConfigError::ConfigFile { path: path.display().to_string(), why };
    let text = read_operator_text(path, CONFIG_LIMIT).map_err(|e| fail(e.problem.to_string()))?;
    parse_config_file(&text, path.parent().unwrap_or(Path::new(".")), defaults, env).map_err(fail)
}

/// Parses and validates the file's text; relative token files are relative
/// to `base`.
fn parse_config_file(
    text: &str,
    base: &Path,
    defaults: CredentialDefaults,
    env: Env<'_>,
) -> Result<ConfigFile, String> {
    // Parsed loosely first, so an inline secret is refused by name before
    // any message could quote it.
    let value: Value = serde_saphyr::from_str(text).map_err(|e| syntax_error(&e.to_string()))?;
    refuse_inline_secrets(&value)?;
    let file: CredentialsFile = serde_path_to_error::deserialize(value).map_err(|e| shape_error(&e))?;
    if file.credentials.is_none() && file.identity_provider_metadata.is_empty() {
        return Err("lists neither credentials nor identity_provider_metadata".to_owned());
    }
    let metadata = metadata_sources(file.identity_provider_metadata)?;
    let credentials = match file.credentials {
        None => None,
        Some(entries) => Some(parse_credentials(entries, base, defaults, env)?),
    };
    Ok(ConfigFile { credentials, metadata })
}

/// Validates the `credentials:` list.
fn parse_credentials(
    entries: Vec<Entry>,
    base: &Path,
    defaults: CredentialDefaults,
    env: Env<'_>,
) -> Result<Vec<CredentialConfig>, String> {
    if entries.is_empty() {
        return Err("credentials: lists no credential".to_owned());
    }
    let mut names = BTreeSet::new();
    let mut owners: Vec<(String, String)> = Vec::new();
    let mut out = Vec::new();
    for (index, entry) in entries.into_iter().enumerate() {
        let at = format!("credentials[{index}] ({})", entry.name);
        if !valid_name(&entry.name) {
            return Err(format!(
                "credentials[{index}].name: {:?} must be 1 to 64 letters, digits, '-', '_' or '.'",
                entry.name
            ));
        }
        if !names.insert(entry.name.clone()) {
            return Err(format!("{at}: the name is used by another credential"));
        }
        let source = source(&entry, &at, base, env)?;
        let accounts = match &entry.accounts {
            None => AccountSelection::Discover,
            Some(raw) => {
                let ids = account_ids("accounts", raw).map_err(|e| format!("{at}: {e}"))?;
                if ids.is_empty() {
                    return Err(format!(
                        "{at}: accounts: is empty; leave it out to discover the token's accounts"
                    ));
                }
                for id in &ids {
                    if let Some((_, other)) = owners.iter().find(|(known, _)| known == id) {
                        return Err(format!("{at}: account {id} is also listed under credential {other}"));
                    }
                    owners.push((id.clone(), entry.name.clone()));
                }
                AccountSelection::Fixed(ids)
            }
        };
        let max_requests_per_5m = match entry.max_requests_per_5m {
            None => defaults.max_requests_per_5m,
            Some(n) => NonZeroU32::new(n).filter(|n| n.get() <= MAX_REQUESTS_PER_5M).ok_or_else(|| {
                format!("{at}: max_requests_per_5m must be at least 1 and at most {MAX_REQUESTS_PER_5M}")
            })?,
        };
        let applications = entry.collector_applications.unwrap_or(defaults.applications);
        out.push(CredentialConfig { name: entry.name, source, accounts, max_requests_per_5m, applications });
    }
    Ok(out)
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The parser's first line without the excerpt of the file: that could
/// hold a secret.
fn syntax_error(message: &str) -> String {
    format!("is not valid YAML: {}", crate::web::config_file::yaml_error_first_line(message))
}

fn refuse_inline_secrets(value: &Value) -> Result<(), String> {
    let Some(entries) = value.get("credentials").and_then(Value::as_array) else { return Ok(()) };
    for (index, entry) in entries.iter().enumerate() {
        for key in INLINE_SECRETS {
            if entry.get(key).is_some() {
                let name = entry.get("name").and_then(Value::as_str).unwrap_or("?");
                return Err(format!(
                    "credentials[{index}] ({name}): {key}: secrets are not written in the file; \
                     use {key}_env (or api_token_file) to name where the secret is"
                ));
            }
        }
    }
    Ok(())
}

/// A key of the wrong type, unknown or missing, named by its path
/// (`credentials[1].max_requests_per_5m`). A wrong value is described by
/// its type only: a token pasted under the wrong key must not be echoed.
fn shape_error(err: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let message = err.inner().to_string();
    let message = match message.strip_prefix("invalid type: ") {
        Some(rest) => {
            // The expected type is serde's own text; what comes before is the value.
            let (found, expected) = rest.rsplit_once(", expected ").unwrap_or((rest, "another type"));
            // `string "..."`, `integer `12``: the kind, without the value.
            let kind = found.split([' ', '`', '"']).next().unwrap_or(found);
            format!("wrong type ({kind}), expected {expected}")
        }
        None if message.starts_with("invalid value: ") => "has a value of the wrong kind".to_owned(),
        None => message,
    };
    let path = err.path().to_string();
    // An account ID of decimal digits (or digits, `e`, digits) is a number
    // to YAML; its text is lost by then, so ask for quotes.
    let hint = if (path.contains(".accounts[") || path.ends_with(".account"))
        && message.contains("expected a string")
    {
        "; quote an account ID that YAML reads as a number: \"0123...\""
    } else {
        ""
    };
    match path {
        path if path == "." => format!("{message}{hint}"),
        path => format!("{path}: {message}{hint}"),
    }
}

/// `NAME_OF_ENV_VAR`: upper-case letters, digits and `_`, not starting with a digit.
fn is_env_name(name: &str) -> bool {
    !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Why a token file gives no token, without its path (the caller decides
/// whether the path may be shown) and without its content.
fn token_file_problem(err: &CredentialError) -> String {
    match err {
        CredentialError::Unreadable(file) => file.problem.to_string(),
        CredentialError::Empty { .. } => "is empty".to_owned(),
        CredentialError::NotAHeaderValue { .. } => {
            "holds characters that cannot be sent in an HTTP header (check for stray control characters)"
                .to_owned()
        }
    }
}

/// The credential's secret, from exactly one of the ways to name it.
fn source(entry: &Entry, at: &str, base: &Path, env: Env<'_>) -> Result<CredentialSource, String> {
    let from_env = |key: &str, var: &str| {
        if var.trim().is_empty() {
            return Err(format!("{at}: {key}: names no environment variable"));
        }
        // A token pasted here instead of a variable's name must not be shown.
        if !is_env_name(var) {
            return Err(format!(
                "{at}: {key}: is not an environment variable name (A-Z, 0-9 and _, not starting with a digit); \
                 the value is not shown in case it is a secret"
            ));
        }
        env(var)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("{at}: {key}: the environment variable {var} is not set"))
    };
    let source = match (&entry.api_token_file, &entry.api_token_env, &entry.email_env, &entry.api_key_env) {
        (Some(file), None, None, None) => {
            let path = if file.is_absolute() { file.clone() } else { base.join(file) };
            let source = CredentialSource::TokenFile(path.clone());
            // Read once now: a file that cannot give a token is a usage
            // error at start, not a failed refresh (`check` would exit 2).
            if let Err(err) = source.load() {
                // A token pasted as the path has no `/` or `.`: then it is not shown.
                let shown = file.to_string_lossy();
                let named =
                    if shown.contains(['/', '.']) { format!("{} ", path.display()) } else { String::new() };
                return Err(format!("{at}: api_token_file: {named}{}", token_file_problem(&err)));
            }
            source
        }
        (None, Some(var), None, None) => {
            CredentialSource::Token(SecretString::from(from_env("api_token_env", var)?))
        }
        (None, None, Some(email), Some(key)) => CredentialSource::GlobalKey {
            email: from_env("email_env", email)?,
            key: SecretString::from(from_env("api_key_env", key)?),
        },
        (None, None, Some(_), None) | (None, None, None, Some(_)) => {
            return Err(format!("{at}: email_env and api_key_env go together"));
        }
        (None, None, None, None) => {
            return Err(format!(
                "{at}: names no secret: give api_token_file, api_token_env, or email_env with api_key_env"
            ));
        }
        _ => {
            return Err(format!(
                "{at}: give only one of api_token_file, api_token_env, or email_env with api_key_env"
            ));
        }
    };
    if !matches!(source, CredentialSource::TokenFile(_)) && source.load().is_err() {
        return Err(format!("{at}: the secret contains characters that cannot be sent in an HTTP header"));
    }
    Ok(source)
}

#[cfg(test)]
mod tests;
