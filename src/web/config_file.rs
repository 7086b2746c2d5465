//! `--web.config.file`: TLS, client certificates, basic auth and response
//! headers for `/metrics`, in the Prometheus exporter-toolkit format. The
//! file is parsed and validated once at start; every mistake is an error that
//! names the key or file at fault.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hyper::header::{HeaderName, HeaderValue};
use serde::Deserialize;
use serde::de::IgnoredAny;

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
#[derive(Debug, Default, Deserialize)]
pub struct TlsServerConfig {
    /// Server certificate chain (PEM).
    pub cert_file: Option<PathBuf>,
    /// Server private key (PEM).
    pub key_file: Option<PathBuf>,
    /// `NoClientCert` (default), `VerifyClientCertIfGiven` or `RequireAndVerifyClientCert`.
    pub client_auth_type: Option<String>,
    /// CA bundle that client certificates must chain to.
    pub client_ca_file: Option<PathBuf>,
    /// `TLS12` (default) or `TLS13`.
    pub min_version: Option<String>,
    /// `TLS12` or `TLS13` (default).
    pub max_version: Option<String>,
    /// exporter-toolkit keys this exporter recognises but does not support;
    /// refused by name rather than silently ignored, since each is a
    /// security setting the user expects to hold.
    #[serde(flatten)]
    pub unsupported: BTreeMap<String, IgnoredAny>,
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
    /// The file could not be read.
    #[error("cannot read web config {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
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
    let text = std::fs::read_to_string(path)
        .map_err(|source| WebConfigError::Read { path: path.to_owned(), source })?;
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
mod tests {
    use super::*;

    #[test]
    fn a_syntax_error_does_not_echo_the_file() {
        // The parser quotes the lines around the error, the hash's included.
        let hash = "$2y$10$abcdefghijklmnopqrstuvCDEFGHIJKLMNOPQRSTUVWXYZ012345";
        let text = format!("basic_auth_users:\n  prometheus: {hash}\n  broken: [\n");
        let err = parse_web_config(&text).unwrap_err().to_string();
        assert!(!err.contains(hash) && !err.contains('\n'), "{err}");
        assert!(err.contains("line"), "says where: {err}");
    }

    #[test]
    fn unknown_keys_and_headers_are_named() {
        let load = |text: &str| {
            web_security(parse_web_config(text).unwrap(), Path::new("/nonexistent")).unwrap_err().to_string()
        };
        let err = load("tls_server_config:\n  cert_fil: x\n");
        assert!(err.contains("cert_fil") && err.contains("not a known key"), "{err}");
        let err = load("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [x]\n");
        assert!(err.contains("cipher_suites") && err.contains("not supported"), "{err}");
        let err = load("rate_limit:\n  interval: 1s\n");
        assert!(err.contains("rate_limit") && err.contains("--web.max-requests"), "{err}");
        let err = parse_web_config("http_server_config:\n  header: {}\n").unwrap_err().to_string();
        assert!(err.contains("header"), "{err}");
        let err = headers([("Server".to_owned(), "x".to_owned())].into()).unwrap_err().to_string();
        assert!(err.contains("Server"), "{err}");
        let err =
            headers([("X-Frame-Options".to_owned(), "bogus".to_owned())].into()).unwrap_err().to_string();
        assert!(err.contains("bogus"), "{err}");
    }
}
