//! Why a call to Cloudflare failed, with a stable [`Reason`] that labels
//! `cloudflare_access_saml_refresh_errors_total`. Messages carry Cloudflare's
//! own codes and the page that failed, never request headers or the token.

use std::fmt;
use std::time::Duration;

use crate::cloudflare::endpoint::Endpoint;
use crate::cloudflare::wire::ApiMessage;
use crate::printable::{clipped, printable};

/// A failed read of the Cloudflare API.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// HTTP 429: Cloudflare's rate limit was hit.
    #[error("{endpoint}: rate limited by Cloudflare (HTTP 429{}){}", retry_after_text(*.retry_after), messages_text(.errors))]
    RateLimited {
        /// Which list was being read.
        endpoint: Endpoint,
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
        /// Cloudflare's error entries.
        errors: Vec<ApiMessage>,
    },
    /// No request made: Cloudflare answered 429 earlier and its
    /// `Retry-After` has not passed yet.
    #[error("{endpoint}: not calling Cloudflare for another {}s after a rate-limit answer (HTTP 429)", .remaining.as_secs().max(1))]
    BackingOff {
        /// Which list was being read.
        endpoint: Endpoint,
        /// Time left before calls resume.
        remaining: Duration,
    },
    /// A non-2xx status other than 429.
    #[error("{endpoint}: HTTP {status}{}", messages_text(.errors))]
    Status {
        /// Which list was being read.
        endpoint: Endpoint,
        /// The HTTP status.
        status: u16,
        /// Cloudflare's error entries (empty when the body was not an envelope).
        errors: Vec<ApiMessage>,
    },
    /// A 2xx response whose envelope says `success: false`.
    #[error("{endpoint}: Cloudflare reported failure{}", messages_text(.errors))]
    Unsuccessful {
        /// Which list was being read.
        endpoint: Endpoint,
        /// Cloudflare's error entries.
        errors: Vec<ApiMessage>,
    },
    /// One request got no response in time.
    #[error("{endpoint}: timed out after {after:?}")]
    Timeout {
        /// Which list was being read.
        endpoint: Endpoint,
        /// The limit that was exceeded.
        after: Duration,
    },
    /// The whole refresh of one account (every list, every page, retries
    /// included) took longer than its limit; what was read is discarded.
    #[error("refresh: timed out after {after:?}")]
    RefreshTimeout {
        /// The limit that was exceeded.
        after: Duration,
    },
    /// Connection refused, reset, TLS failure, ...
    #[error("{endpoint}: transport error: {detail}")]
    Transport {
        /// Which list was being read.
        endpoint: Endpoint,
        /// What the HTTP client reported.
        detail: String,
    },
    /// The body was not the documented JSON.
    #[error("{endpoint} page {page}: response is not the documented JSON: {detail}")]
    Decode {
        /// Which list was being read.
        endpoint: Endpoint,
        /// The page that failed.
        page: u64,
        /// What did not fit.
        detail: String,
    },
    /// The credentials could not be loaded (e.g. the token file vanished);
    /// no request was sent, and retrying at once would not help.
    #[error("{endpoint}: no usable credentials: {detail}")]
    Credentials {
        /// The list being read.
        endpoint: Endpoint,
        /// Why (names the file or variable, never the secret).
        detail: String,
    },
    /// The account's lists, all pages together, are larger than
    /// `--cloudflare.max-account-bytes`; what was read is discarded.
    #[error(
        "{endpoint}: the account's lists pass {limit} bytes in all (--cloudflare.max-account-bytes); nothing of this refresh is kept"
    )]
    AccountTooLarge {
        /// The list being read when the allowance ran out.
        endpoint: Endpoint,
        /// The allowance.
        limit: usize,
    },
    /// Pagination that does not end: the cap was reached, or a full page
    /// brought nothing new.
    #[error("{endpoint}: pagination did not end: {detail}")]
    Pagination {
        /// Which list was being read.
        endpoint: Endpoint,
        /// What went wrong.
        detail: String,
    },
}

/// The kind of an [`ApiError`], as a bounded set: the `reason` label of
/// `cloudflare_access_saml_refresh_errors_total`. Dashboards and alerts
/// match on [`Reason::label`], so labels never change once published.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// Cloudflare answered 429, or calls are paused after such an answer.
    RateLimited,
    /// HTTP 401, or no credentials could be loaded.
    Unauthorized,
    /// HTTP 403: the credentials lack a permission.
    Forbidden,
    /// HTTP 404: e.g. an account ID that does not exist.
    NotFound,
    /// HTTP 5xx.
    ServerError,
    /// A request, or a whole account refresh, ran out of time.
    Timeout,
    /// No HTTP answer: connection, TLS or protocol failure.
    Transport,
    /// An answer that is not the documented JSON, or too large.
    Decode,
    /// Any other refusal: another 4xx, an envelope with `success: false`,
    /// or pagination that does not end.
    ApiError,
    /// The token itself is refused everywhere: revoked, expired or mistyped
    /// (HTTP 401, or 403 with Cloudflare's code 9109 or 1000). Unlike
    /// `forbidden`, no permission on one account would help.
    TokenInvalid,
    /// One account's lists together pass `--cloudflare.max-account-bytes`.
    AccountTooLarge,
}

impl Reason {
    /// Every reason, for creating each account's error counters at 0.
    pub const ALL: [Reason; 11] = [
        Reason::RateLimited,
        Reason::Unauthorized,
        Reason::Forbidden,
        Reason::NotFound,
        Reason::ServerError,
        Reason::Timeout,
        Reason::Transport,
        Reason::Decode,
        Reason::ApiError,
        Reason::TokenInvalid,
        Reason::AccountTooLarge,
    ];

    /// The metric label value.
    pub fn label(self) -> &'static str {
        match self {
            Reason::RateLimited => "rate_limited",
            Reason::Unauthorized => "unauthorized",
            Reason::Forbidden => "forbidden",
            Reason::NotFound => "not_found",
            Reason::ServerError => "server_error",
            Reason::Timeout => "timeout",
            Reason::Transport => "transport",
            Reason::Decode => "decode",
            Reason::ApiError => "api_error",
            Reason::TokenInvalid => "token_invalid",
            Reason::AccountTooLarge => "account_too_large",
        }
    }

    /// What to do about it, for people: the commands print it.
    pub fn advice(self) -> Option<&'static str> {
        match self {
            Reason::TokenInvalid => Some(
                "the API token itself is refused (revoked, expired or mistyped): create or roll the token \
                 and put it in place; no permission change will help",
            ),
            Reason::AccountTooLarge => Some(
                "the account's lists are larger than --cloudflare.max-account-bytes allows: if the account \
                 really holds that much, raise it; otherwise the API answered with something else",
            ),
            Reason::Forbidden => Some(
                "the token lacks a permission on this account: give it Access: Organizations, Identity \
                 Providers, and Groups Read (Write for the encryption commands) on the account",
            ),
            _ => None,
        }
    }

    /// Whether trying the same request again soon may succeed.
    pub fn is_transient(self) -> bool {
        matches!(self, Reason::ServerError | Reason::Timeout | Reason::Transport)
    }
}

/// Writes the metric label.
impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl ApiError {
    /// This error's kind, the stable `reason` label.
    pub fn reason(&self) -> Reason {
        match self {
            ApiError::RateLimited { .. } | ApiError::BackingOff { .. } => Reason::RateLimited,
            ApiError::Credentials { .. } => Reason::Unauthorized,
            ApiError::Status { status: 401, .. } => Reason::TokenInvalid,
            ApiError::Status { status: 403, errors, .. } => forbidden_reason(errors),
            ApiError::Status { status: 404, .. } => Reason::NotFound,
            ApiError::Status { status, .. } if *status >= 500 => Reason::ServerError,
            ApiError::Status { .. } | ApiError::Unsuccessful { .. } | ApiError::Pagination { .. } => {
                Reason::ApiError
            }
            ApiError::Timeout { .. } | ApiError::RefreshTimeout { .. } => Reason::Timeout,
            ApiError::Transport { .. } => Reason::Transport,
            ApiError::Decode { .. } => Reason::Decode,
            ApiError::AccountTooLarge { .. } => Reason::AccountTooLarge,
        }
    }

    /// Cloudflare's error entries (code and message) carried by this error.
    pub fn messages(&self) -> &[ApiMessage] {
        match self {
            ApiError::RateLimited { errors, .. }
            | ApiError::Status { errors, .. }
            | ApiError::Unsuccessful { errors, .. } => errors,
            _ => &[],
        }
    }

    /// What to do about it, for people (the commands print it): a 403 for
    /// a feature the account lacks is told apart from a missing permission.
    pub fn advice(&self) -> Option<&'static str> {
        if self.messages().iter().any(|e| e.message.contains(FEATURE_REFUSAL)) {
            return Some(
                "SAML encryption is not enabled for this account's Zero Trust organization: this is a \
                 feature of the account, not a permission of the token; ask Cloudflare to enable it",
            );
        }
        self.reason().advice()
    }

    /// Cloudflare's error codes carried by this error.
    pub fn codes(&self) -> Vec<i64> {
        self.messages().iter().map(|e| e.code).collect()
    }

    /// Whether trying the same request again soon may succeed.
    pub fn is_transient(&self) -> bool {
        self.reason().is_transient()
    }
}

/// Cloudflare's codes for a token refused as such: 9109 "Invalid access
/// token" and 1000 "Invalid API Token".
const TOKEN_REFUSED_CODES: [i64; 2] = [9109, 1000];

/// Why a 403: the token itself, or (code 10000 and anything else) a
/// permission the token lacks.
fn forbidden_reason(errors: &[ApiMessage]) -> Reason {
    if errors.iter().any(|e| TOKEN_REFUSED_CODES.contains(&e.code)) {
        Reason::TokenInvalid
    } else {
        Reason::Forbidden
    }
}

/// What Cloudflare answers `POST .../saml_certificate` with when the
/// account's Zero Trust organization does not have SAML encryption.
const FEATURE_REFUSAL: &str = "not enabled for organization";

fn retry_after_text(retry_after: Option<Duration>) -> String {
    retry_after.map_or_else(String::new, |d| format!(", retry after {}s", d.as_secs()))
}

fn messages_text(errors: &[ApiMessage]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    // Cloudflare's text, shown to people: escaped and of bounded length.
    let parts: Vec<String> = errors
        .iter()
        .take(5)
        .map(|e| format!("{} {}", e.code, printable(&clipped(&e.message, 300))))
        .collect();
    format!(": {}", parts.join("; "))
}

#[cfg(test)]
mod tests;
