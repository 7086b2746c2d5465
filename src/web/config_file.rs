//! `--web.config.file`: TLS, client certificates, basic auth and response
//! headers for `/metrics`, in the Prometheus exporter-toolkit format. The
//! file is parsed and validated once at start; every mistake is an error that
//! names the key or file at fault. It and the TLS files it names are read
//! only if they are regular files of at most 1 MiB
//! ([`crate::operator_file::CONFIG_LIMIT`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hyper::header::{HeaderName, HeaderValue};
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::operator_file::{CONFIG_LIMIT, OperatorFileError, read_operator_text};
use crate::web::basic_auth::BasicAuth;
use crate::web::tls::tls_config;

/// The file as written (exporter-toolkit keys).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebConfigFile {
    /// TLS settings; absent means plain HTTP.
    #[serde(default)]
    pub tls_server_config: Option<TlsServerConfig>,
    /// HTTP settings.
    #[serde(default)]
    pub http_server_config: Option<HttpServerConfig>,
    /// User name to bcrypt hash; empty or absent means no authentication.
    #[serde(default)]
    pub basic_auth_users: Option<BTreeMap<String, String>>,
    /// exporter-toolkit's request rate limit: recognised, not supported.
    #[serde(default)]
    pub rate_limit: Option<IgnoredAny>,
}

/// `tls_server_config`. Keys not listed land in `unsupported` and are
/// refused by name there.
#[derive(Debug, Deserialize)]
pub struct TlsServerConfig {
    /// Server certificate chain (PEM).
    pub cert_file: Option<PathBuf>,
    /// Server private key (PEM).
    pub key_file: Option<PathBuf>,
    /// Whether clients must present a certificate.
    #[serde(default)]
    pub client_auth_type: ClientAuthType,
    /// CA bundle that client certificates must chain to.
    pub client_ca_file: Option<PathBuf>,
    /// The lowest version offered.
    #[serde(default = "TlsVersion::lowest")]
    pub min_version: TlsVersion,
    /// The highest version offered.
    #[serde(default = "TlsVersion::highest")]
    pub max_version: TlsVersion,
    /// exporter-toolkit keys this exporter recognises but does not support;
    /// refused by name rather than silently ignored, since each is a
    /// security setting the user expects to hold.
    #[serde(flatten)]
    pub unsupported: BTreeMap<String, IgnoredAny>,
}

/// `min_version` and `max_version`. TLS 1.0 and 1.1 are not offered by
/// rustls, so they are unknown values here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub enum TlsVersion {
    /// TLS 1.2, the default minimum.
    #[serde(rename = "TLS12")]
    Tls12,
    /// TLS 1.3, the default maximum.
    #[serde(rename = "TLS13")]
    Tls13,
}

impl TlsVersion {
    fn lowest() -> Self {
        Self::Tls12
    }

    fn highest() -> Self {
        Self::Tls13
    }
}

/// exporter-toolkit's `client_auth_type` values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum ClientAuthType {
    /// No client certificate asked for (the default).
    #[default]
    NoClientCert,
    /// A certificate, when given, must chain to `client_ca_file`.
    VerifyClientCertIfGiven,
    /// Every client must present a certificate chaining to `client_ca_file`.
    RequireAndVerifyClientCert,
    /// Asks for a certificate without verifying it: refused.
    RequestClientCert,
    /// Requires a certificate without verifying it: refused.
    RequireAnyClientCert,
}

/// `http_server_config`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpServerConfig {
    /// Extra response headers (a fixed set of security headers).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Accepted for compatibility; HTTP/1.1 is served either way.
    #[serde(default)]
    pub http2: Option<bool>,
}

/// A web config that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum WebConfigError {
    /// The file could not be read, or is not a regular file of at most
    /// [`CONFIG_LIMIT`] bytes; the message names the path and why.
    #[error("{source}")]
    Read {
        /// The file and why.
        source: OperatorFileError,
    },
    /// Not YAML of the expected shape.
    #[error("web config is not valid: {0}")]
    Syntax(String),
    /// A value that is not allowed.
    #[error("web config {key}: {why}")]
    Invalid {
        /// The key, e.g. `tls_server_config.min_version`.
        key: &'static str,
        /// What is wrong.
        why: String,
    },
}

pub(crate) fn invalid(key: &'static str, why: impl Into<String>) -> WebConfigError {
    WebConfigError::Invalid { key, why: why.into() }
}

/// Parses the YAML text without touching the file system.
pub fn parse_web_config(text: &str) -> Result<WebConfigFile, WebConfigError> {
    if text.trim().is_empty() {
        return Ok(WebConfigFile::default());
    }
    serde_saphyr::from_str(text).map_err(|e| WebConfigError::Syntax(yaml_error_first_line(&e.to_string())))
}

/// A YAML parser's first line (`error: line L column C: what`) without the
/// excerpt of the file it adds below: that line could hold a secret (a
/// password hash here, a token in a credentials file).
pub(crate) fn yaml_error_first_line(message: &str) -> String {
    message.lines().next().unwrap_or("").trim_start_matches("error: ").to_owned()
}

/// What the server enforces.
#[derive(Clone, Default)]
pub struct WebSecurity {
    /// TLS acceptor settings, when TLS is on.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Basic auth users, when auth is on.
    pub basic_auth: Option<Arc<BasicAuth>>,
    /// Headers added to every response.
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl std::fmt::Debug for WebSecurity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSecurity")
            .field("tls", &self.tls.is_some())
            .field("basic_auth_users", &self.basic_auth.as_ref().map(|b| b.user_count()))
            .field("headers", &self.headers)
            .finish()
    }
}

/// Reads, parses and validates `path`; relative file names in it are
/// relative to the file's directory, as in exporter-toolkit.
pub fn load_web_config(path: &Path) -> Result<WebSecurity, WebConfigError> {
    let text = read_operator_text(path, CONFIG_LIMIT).map_err(|source| WebConfigError::Read { source })?;
    let file = parse_web_config(&text)?;
    web_security(file, path.parent().unwrap_or(Path::new(".")))
}

/// Validates a parsed file into what the server enforces; the TLS files it
/// names are read relative to `base`.
pub fn web_security(file: WebConfigFile, base: &Path) -> Result<WebSecurity, WebConfigError> {
    let resolve = |p: &PathBuf| if p.is_absolute() { p.clone() } else { base.join(p) };
    if file.rate_limit.is_some() {
        return Err(invalid("rate_limit", "is not supported; use --web.max-requests"));
    }
    let tls = match &file.tls_server_config {
        Some(tls) => Some(Arc::new(tls_config(tls, &resolve)?)),
        None => None,
    };
    let basic_auth = match file.basic_auth_users {
        Some(users) if !users.is_empty() => Some(Arc::new(BasicAuth::new(users)?)),
        _ => None,
    };
    let headers = headers(file.http_server_config.map(|h| h.headers).unwrap_or_default())?;
    Ok(WebSecurity { tls, basic_auth, headers })
}

fn headers(configured: BTreeMap<String, String>) -> Result<Vec<(HeaderName, HeaderValue)>, WebConfigError> {
    let mut out = Vec::new();
    for (name, value) in configured {
        let allowed = match name.as_str() {
            "X-Frame-Options" => matches!(value.to_ascii_lowercase().as_str(), "deny" | "sameorigin"),
            "X-Content-Type-Options" => value.eq_ignore_ascii_case("nosniff"),
            "Content-Security-Policy" | "X-XSS-Protection" | "Strict-Transport-Security" => true,
            _ => {
                return Err(invalid(
                    "http_server_config.headers",
                    format!(
                        "{name:?} cannot be set (allowed: Content-Security-Policy, X-Frame-Options, X-Content-Type-Options, X-XSS-Protection, Strict-Transport-Security)"
                    ),
                ));
            }
        };
        if !allowed {
            return Err(invalid(
                "http_server_config.headers",
                format!("{name}: value {value:?} is not allowed"),
            ));
        }
        let header_name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| invalid("http_server_config.headers", e.to_string()))?;
        let header_value = HeaderValue::from_str(&value)
            .map_err(|e| invalid("http_server_config.headers", format!("{name}: {e}")))?;
        out.push((header_name, header_value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
