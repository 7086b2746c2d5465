//! `--web.config.file`: TLS, client certificates, basic auth and response
//! headers for `/metrics`, in the Prometheus exporter-toolkit format. The
//! file is parsed and validated once at start; every mistake is an error that
//! names the key or file at fault.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use hyper::header::{HeaderName, HeaderValue};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde::Deserialize;
use serde::de::IgnoredAny;
use sha2::{Digest, Sha256};

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

/// exporter-toolkit `tls_server_config` keys that are valid there but not
/// supported here, with what to do instead.
const UNSUPPORTED_TLS_KEYS: &[(&str, &str)] = &[
    ("cert", "inline PEM is not supported; put it in a file and use cert_file"),
    ("key", "inline PEM is not supported; put it in a file and use key_file"),
    ("client_ca", "inline PEM is not supported; put it in a file and use client_ca_file"),
    ("client_allowed_sans", "is not supported; issue client certificates from a dedicated CA instead"),
    ("cipher_suites", "is not supported; rustls offers only modern suites"),
    ("prefer_server_cipher_suites", "is not supported; rustls offers only modern suites"),
    ("curve_preferences", "is not supported; rustls picks safe curves"),
];

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

/// bcrypt costs above this are refused: each step doubles the time of a
/// login check, and 16 already takes seconds on a small machine.
pub const MAX_BCRYPT_COST: u32 = 16;

fn invalid(key: &'static str, why: impl Into<String>) -> WebConfigError {
    WebConfigError::Invalid { key, why: why.into() }
}

/// Parses the YAML text without touching the file system.
pub fn parse_web_config(text: &str) -> Result<WebConfigFile, WebConfigError> {
    if text.trim().is_empty() {
        return Ok(WebConfigFile::default());
    }
    serde_saphyr::from_str(text).map_err(|e| WebConfigError::Syntax(e.to_string()))
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
            .field("basic_auth_users", &self.basic_auth.as_ref().map(|b| b.users.len()))
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

fn version(
    key: &'static str,
    value: &str,
) -> Result<&'static rustls::SupportedProtocolVersion, WebConfigError> {
    match value {
        "TLS12" => Ok(&rustls::version::TLS12),
        "TLS13" => Ok(&rustls::version::TLS13),
        "TLS10" | "TLS11" => Err(invalid(key, format!("{value} is not supported; use TLS12 or TLS13"))),
        other => Err(invalid(key, format!("unknown version {other:?}; use TLS12 or TLS13"))),
    }
}

fn tls_config(
    tls: &TlsServerConfig,
    resolve: &dyn Fn(&PathBuf) -> PathBuf,
) -> Result<rustls::ServerConfig, WebConfigError> {
    if let Some(key) = tls.unsupported.keys().next() {
        let why =
            UNSUPPORTED_TLS_KEYS.iter().find(|(k, _)| k == key).map_or("is not a known key", |(_, why)| why);
        return Err(WebConfigError::Invalid { key: "tls_server_config", why: format!("{key} {why}") });
    }
    let cert_file = tls
        .cert_file
        .as_ref()
        .map(resolve)
        .ok_or_else(|| invalid("tls_server_config.cert_file", "is required"))?;
    let key_file = tls
        .key_file
        .as_ref()
        .map(resolve)
        .ok_or_else(|| invalid("tls_server_config.key_file", "is required"))?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert_file)
        .and_then(|it| it.collect::<Result<_, _>>())
        .map_err(|e| invalid("tls_server_config.cert_file", format!("{}: {e}", cert_file.display())))?;
    if certs.is_empty() {
        return Err(invalid(
            "tls_server_config.cert_file",
            format!("{}: no certificate", cert_file.display()),
        ));
    }
    let key = PrivateKeyDer::from_pem_file(&key_file)
        .map_err(|e| invalid("tls_server_config.key_file", format!("{}: {e}", key_file.display())))?;
    let min = version("tls_server_config.min_version", tls.min_version.as_deref().unwrap_or("TLS12"))?;
    let max = version("tls_server_config.max_version", tls.max_version.as_deref().unwrap_or("TLS13"))?;
    let versions: Vec<&'static rustls::SupportedProtocolVersion> =
        [&rustls::version::TLS12, &rustls::version::TLS13]
            .into_iter()
            .filter(|v| {
                let rank = |p: &rustls::SupportedProtocolVersion| u16::from(p.version);
                rank(v) >= rank(min) && rank(v) <= rank(max)
            })
            .collect();
    if versions.is_empty() {
        return Err(invalid("tls_server_config.min_version", "is above max_version"));
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&versions)
        .map_err(|e| invalid("tls_server_config", e.to_string()))?;
    let auth_type = tls.client_auth_type.as_deref().unwrap_or("NoClientCert");
    let builder = match auth_type {
        "NoClientCert" => builder.with_no_client_auth(),
        "RequireAndVerifyClientCert" | "VerifyClientCertIfGiven" => {
            let ca_file = tls.client_ca_file.as_ref().map(resolve).ok_or_else(|| {
                invalid(
                    "tls_server_config.client_ca_file",
                    format!("is required with client_auth_type {auth_type}"),
                )
            })?;
            let mut roots = rustls::RootCertStore::empty();
            let cas = CertificateDer::pem_file_iter(&ca_file)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| {
                    invalid("tls_server_config.client_ca_file", format!("{}: {e}", ca_file.display()))
                })?;
            for ca in cas {
                roots.add(ca).map_err(|e| invalid("tls_server_config.client_ca_file", e.to_string()))?;
            }
            if roots.is_empty() {
                return Err(invalid(
                    "tls_server_config.client_ca_file",
                    format!("{}: no certificate", ca_file.display()),
                ));
            }
            let verifier =
                rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
            let verifier = if auth_type == "VerifyClientCertIfGiven" {
                verifier.allow_unauthenticated()
            } else {
                verifier
            };
            let verifier =
                verifier.build().map_err(|e| invalid("tls_server_config.client_ca_file", e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
        "RequestClientCert" | "RequireAnyClientCert" => {
            return Err(invalid(
                "tls_server_config.client_auth_type",
                format!("{auth_type} accepts unverified certificates; use RequireAndVerifyClientCert"),
            ));
        }
        other => {
            return Err(invalid("tls_server_config.client_auth_type", format!("unknown value {other:?}")));
        }
    };
    builder.with_single_cert(certs, key).map_err(|e| invalid("tls_server_config.key_file", e.to_string()))
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

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicAuth")
            .field("users", &self.users.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// The outcome of a basic-auth check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Login {
    /// Known user, right password.
    Allowed,
    /// Anything else: no or malformed header, unknown user, wrong password.
    Denied,
    /// Too many uncached checks are already waiting; answered without one.
    Busy,
}

/// Uncached checks allowed to wait for their turn; more get [`Login::Busy`]
/// at once instead of piling up connections.
const MAX_WAITING_CHECKS: usize = 32;

/// Basic auth against bcrypt hashes. Unknown users are checked against a
/// dummy hash as slow as the slowest real one, so a wrong user name costs the
/// same time as a wrong password. Only successes are cached (by a SHA-256 of
/// user and password): guesses always pay for bcrypt and cannot evict the
/// scraper's cached login.
pub struct BasicAuth {
    users: BTreeMap<String, String>,
    dummy_cost: u32,
    dummy_hash: OnceLock<String>,
    allowed: std::sync::Mutex<HashSet<[u8; 32]>>,
    // bcrypt is deliberately slow: one check at a time keeps a flood of
    // guesses from eating every core, and a bounded queue keeps it from
    // holding every connection.
    serial: tokio::sync::Semaphore,
    waiting: tokio::sync::Semaphore,
}

impl BasicAuth {
    fn new(users: BTreeMap<String, String>) -> Result<Self, WebConfigError> {
        let mut dummy_cost = 4; // bcrypt's minimum
        for (user, hash) in &users {
            let parts = hash
                .parse::<bcrypt::HashParts>()
                .map_err(|e| invalid("basic_auth_users", format!("{user}: not a bcrypt hash ({e})")))?;
            if parts.get_cost() > MAX_BCRYPT_COST {
                return Err(invalid(
                    "basic_auth_users",
                    format!(
                        "{user}: bcrypt cost {} would make every uncached login take minutes; use at most {MAX_BCRYPT_COST} (10 is usual)",
                        parts.get_cost()
                    ),
                ));
            }
            dummy_cost = dummy_cost.max(parts.get_cost());
        }
        Ok(Self {
            users,
            dummy_cost,
            dummy_hash: OnceLock::new(),
            allowed: Default::default(),
            serial: tokio::sync::Semaphore::new(1),
            waiting: tokio::sync::Semaphore::new(MAX_WAITING_CHECKS),
        })
    }

    /// A hash as slow as the slowest real one, made on first need so that
    /// start-up (and the web-config fuzzer) does not pay for it.
    fn dummy_hash(&self) -> &str {
        self.dummy_hash.get_or_init(|| {
            bcrypt::hash("not-a-real-password", self.dummy_cost).unwrap_or_else(|_| {
                // Unreachable for costs new() accepted; an empty hash
                // simply never verifies.
                String::new()
            })
        })
    }

    /// Whether an `Authorization` header value grants access.
    pub async fn check(self: &Arc<Self>, authorization: Option<&str>) -> Login {
        let Some((user, password)) = authorization.and_then(decode_basic) else { return Login::Denied };
        // Length-prefixed, so no two (user, password) pairs share a key.
        let mut digest = Sha256::new();
        digest.update((user.len() as u64).to_be_bytes());
        digest.update(user.as_bytes());
        digest.update(password.as_bytes());
        let key: [u8; 32] = digest.finalize().into();
        if self.allowed.lock().unwrap_or_else(|p| p.into_inner()).contains(&key) {
            return Login::Allowed;
        }
        let Ok(_waiting) = self.waiting.try_acquire() else { return Login::Busy };
        let Ok(_turn) = self.serial.acquire().await else { return Login::Denied };
        let this = Arc::clone(self);
        let verdict = tokio::task::spawn_blocking(move || {
            let (hash, known_user) = match this.users.get(&user) {
                Some(hash) => (hash.as_str(), true),
                None => (this.dummy_hash(), false),
            };
            bcrypt::verify(&password, hash).unwrap_or(false) && known_user
        })
        .await
        .unwrap_or(false);
        if !verdict {
            return Login::Denied;
        }
        let mut allowed = self.allowed.lock().unwrap_or_else(|p| p.into_inner());
        // Only right passwords get here, so this stays as small as the
        // number of users unless passwords keep changing.
        if allowed.len() > 1_000 {
            allowed.clear();
        }
        allowed.insert(key);
        Login::Allowed
    }
}

fn decode_basic(header: &str) -> Option<(String, String)> {
    let encoded = header.strip_prefix("Basic ").or_else(|| header.strip_prefix("basic "))?;
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_bcrypt_cost_that_would_stall_every_login_is_refused() {
        let slow = "$2y$20$8f092IsPRhXMPOH1lavPeeEx6lko8CMcF46NNRalEcNkO3hF2UT3G";
        let err = BasicAuth::new([("prom".to_owned(), slow.to_owned())].into()).unwrap_err().to_string();
        assert!(err.contains("prom") && err.contains("cost 20"), "{err}");
    }

    #[test]
    fn basic_credentials_decode() {
        assert_eq!(decode_basic("Basic YWxpY2U6czNjcjN0"), Some(("alice".into(), "s3cr3t".into())));
        assert_eq!(decode_basic("Bearer x"), None);
        assert_eq!(decode_basic("Basic !!!"), None);
    }

    #[tokio::test]
    async fn only_the_right_password_of_a_known_user_passes() {
        let hash = bcrypt::hash("s3cr3t", 4).unwrap();
        let auth = Arc::new(BasicAuth::new([("alice".to_owned(), hash)].into()).unwrap());
        assert_eq!(auth.check(Some("Basic YWxpY2U6czNjcjN0")).await, Login::Allowed);
        assert_eq!(auth.check(Some("Basic YWxpY2U6czNjcjN0")).await, Login::Allowed, "cached");
        assert_eq!(auth.check(Some("Basic YWxpY2U6d3Jvbmc=")).await, Login::Denied); // alice:wrong
        assert_eq!(auth.check(Some("Basic Ym9iOnMzY3IzdA==")).await, Login::Denied); // bob:s3cr3t
        assert_eq!(auth.check(None).await, Login::Denied);
        assert_eq!(auth.allowed.lock().unwrap().len(), 1, "only the success is cached");
    }
}
