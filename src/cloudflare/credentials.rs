//! Where the Cloudflare credentials come from and how they are held: in
//! `secrecy` types, so `Debug` never prints them, and re-read from a token
//! file before each refresh so a rotated secret needs no restart. A token
//! file is read only if it is a regular file of at most
//! [`TOKEN_LIMIT`] bytes.

use std::fmt;
use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};

use crate::operator_file::{OperatorFileError, TOKEN_LIMIT, read_operator_text};

/// How the user supplied credentials.
pub enum CredentialSource {
    /// `CLOUDFLARE_API_TOKEN`.
    Token(SecretString),
    /// `--api-token-file`: read (and trimmed) before each refresh.
    TokenFile(PathBuf),
    /// `CLOUDFLARE_EMAIL` + `CLOUDFLARE_API_KEY`: the legacy Global API Key.
    GlobalKey {
        /// The account e-mail.
        email: String,
        /// The Global API Key.
        key: SecretString,
    },
}

/// Credentials ready to put on a request.
pub enum Auth {
    /// `Authorization: Bearer <token>`.
    Bearer(SecretString),
    /// `X-Auth-Email` + `X-Auth-Key`.
    GlobalKey {
        /// The account e-mail.
        email: String,
        /// The Global API Key.
        key: SecretString,
    },
}

/// Credentials that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// The token file could not be read, or is not a regular file of at
    /// most [`TOKEN_LIMIT`] bytes; the message names the path and why.
    #[error("the API token file {0}")]
    Unreadable(#[source] OperatorFileError),
    /// The token file holds nothing but whitespace.
    #[error("the API token file {path} is empty")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// A credential holds characters an HTTP header cannot carry (a
    /// control character, say); the value itself is never shown.
    #[error(
        "{what} contains characters that cannot be sent in an HTTP header (check for stray control characters)"
    )]
    NotAHeaderValue {
        /// Which credential, e.g. `CLOUDFLARE_API_KEY`.
        what: &'static str,
    },
}

/// Refuses a credential that would not survive as a header value, so a
/// mangled secret is reported as such instead of as Cloudflare's 403.
fn header_safe(what: &'static str, value: &str) -> Result<(), CredentialError> {
    match reqwest::header::HeaderValue::from_str(value) {
        Ok(_) => Ok(()),
        Err(_) => Err(CredentialError::NotAHeaderValue { what }),
    }
}

impl CredentialSource {
    /// Loads the credentials, reading the token file if there is one.
    pub fn load(&self) -> Result<Auth, CredentialError> {
        match self {
            CredentialSource::Token(token) => {
                header_safe("CLOUDFLARE_API_TOKEN", token.expose_secret())?;
                Ok(Auth::Bearer(token.clone()))
            }
            CredentialSource::GlobalKey { email, key } => {
                header_safe("CLOUDFLARE_EMAIL", email)?;
                header_safe("CLOUDFLARE_API_KEY", key.expose_secret())?;
                Ok(Auth::GlobalKey { email: email.clone(), key: key.clone() })
            }
            CredentialSource::TokenFile(path) => {
                let text = read_operator_text(path, TOKEN_LIMIT).map_err(CredentialError::Unreadable)?;
                let token = text.trim();
                if token.is_empty() {
                    return Err(CredentialError::Empty { path: path.clone() });
                }
                header_safe("the API token file", token)?;
                Ok(Auth::Bearer(SecretString::from(token)))
            }
        }
    }

    /// A token file readable by group or others deserves a warning.
    pub fn loosely_permitted_file(&self) -> Option<&std::path::Path> {
        #[cfg(unix)]
        if let CredentialSource::TokenFile(path) = self {
            use std::os::unix::fs::{MetadataExt, PermissionsExt};
            let metadata = std::fs::metadata(path).ok()?;
            let mode = metadata.permissions().mode();
            // Group read is fine when the group is the exporter's own: that is
            // how Kubernetes mounts a secret for a pod's fsGroup (0440).
            let own_group = own_effective_gid() == Some(metadata.gid());
            if mode & 0o007 != 0 || (mode & 0o070 != 0 && !own_group) {
                return Some(path);
            }
        }
        None
    }
}

/// The process's effective group: on Linux, the group of `/proc/self`.
#[cfg(unix)]
fn own_effective_gid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").ok().map(|m| m.gid())
}

impl Auth {
    /// Adds the credentials to a request; reqwest marks them sensitive so its
    /// own `Debug` output redacts them.
    pub fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Auth::Bearer(token) => request.bearer_auth(token.expose_secret()),
            Auth::GlobalKey { email, key } => {
                // load() refused keys no header can carry, so the fallback
                // (an empty key, refused by Cloudflare) is never taken.
                let mut key = reqwest::header::HeaderValue::from_str(key.expose_secret())
                    .unwrap_or_else(|_| reqwest::header::HeaderValue::from_static(""));
                key.set_sensitive(true);
                request.header("X-Auth-Email", email.as_str()).header("X-Auth-Key", key)
            }
        }
    }
}

impl fmt::Debug for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialSource::Token(_) => f.write_str("Token([REDACTED])"),
            CredentialSource::TokenFile(path) => f.debug_tuple("TokenFile").field(path).finish(),
            CredentialSource::GlobalKey { email, .. } => {
                f.debug_struct("GlobalKey").field("email", email).field("key", &"[REDACTED]").finish()
            }
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Bearer(_) => f.write_str("Bearer([REDACTED])"),
            Auth::GlobalKey { email, .. } => {
                f.debug_struct("GlobalKey").field("email", email).field("key", &"[REDACTED]").finish()
            }
        }
    }
}

#[cfg(test)]
mod tests;
