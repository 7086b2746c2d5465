//! Why a call to Cloudflare failed, with a stable `reason()` that labels
//! `cloudflare_access_saml_refresh_errors_total`. Messages carry Cloudflare's
//! own codes and the page that failed, never request headers or the token.

use std::time::Duration;

use crate::cloudflare::wire::ApiMessage;

/// A failed read of the Cloudflare API.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// HTTP 429: Cloudflare's rate limit was hit.
    #[error("{endpoint}: rate limited by Cloudflare (HTTP 429{}){}", retry_after_text(*.retry_after), messages_text(.errors))]
    RateLimited {
        /// Which list was being read.
        endpoint: &'static str,
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
        endpoint: &'static str,
        /// Time left before calls resume.
        remaining: Duration,
    },
    /// A non-2xx status other than 429.
    #[error("{endpoint}: HTTP {status}{}", messages_text(.errors))]
    Status {
        /// Which list was being read.
        endpoint: &'static str,
        /// The HTTP status.
        status: u16,
        /// Cloudflare's error entries (empty when the body was not an envelope).
        errors: Vec<ApiMessage>,
    },
    /// A 2xx response whose envelope says `success: false`.
    #[error("{endpoint}: Cloudflare reported failure{}", messages_text(.errors))]
    Unsuccessful {
        /// Which list was being read.
        endpoint: &'static str,
        /// Cloudflare's error entries.
        errors: Vec<ApiMessage>,
    },
    /// No response in time.
    #[error("{endpoint}: timed out after {after:?}")]
    Timeout {
        /// Which list was being read.
        endpoint: &'static str,
        /// The limit that was exceeded.
        after: Duration,
    },
    /// Connection refused, reset, TLS failure, ...
    #[error("{endpoint}: transport error: {detail}")]
    Transport {
        /// Which list was being read.
        endpoint: &'static str,
        /// What the HTTP client reported.
        detail: String,
    },
    /// The body was not the documented JSON.
    #[error("{endpoint} page {page}: response is not the documented JSON: {detail}")]
    Decode {
        /// Which list was being read.
        endpoint: &'static str,
        /// The page that failed.
        page: u64,
        /// What did not fit.
        detail: String,
    },
    /// Pagination that does not end: the cap was reached, or a full page
    /// brought nothing new.
    /// The credentials could not be loaded (e.g. the token file vanished);
    /// no request was sent, and retrying at once would not help.
    #[error("{endpoint}: no usable credentials: {detail}")]
    Credentials {
        /// The list being read.
        endpoint: &'static str,
        /// Why (names the file or variable, never the secret).
        detail: String,
    },
    #[error("{endpoint}: pagination did not end: {detail}")]
    Pagination {
        /// Which list was being read.
        endpoint: &'static str,
        /// What went wrong.
        detail: String,
    },
}

/// Every value `ApiError::reason` can return, for pre-initialising counters.
pub const REASONS: [&str; 9] = [
    "rate_limited",
    "unauthorized",
    "forbidden",
    "not_found",
    "server_error",
    "timeout",
    "transport",
    "decode",
    "api_error",
];

impl ApiError {
    /// A short, stable label value for this error's kind.
    pub fn reason(&self) -> &'static str {
        match self {
            ApiError::RateLimited { .. } | ApiError::BackingOff { .. } => "rate_limited",
            ApiError::Status { status: 401, .. } | ApiError::Credentials { .. } => "unauthorized",
            ApiError::Status { status: 403, .. } => "forbidden",
            ApiError::Status { status: 404, .. } => "not_found",
            ApiError::Status { status, .. } if *status >= 500 => "server_error",
            ApiError::Status { .. } | ApiError::Unsuccessful { .. } | ApiError::Pagination { .. } => {
                "api_error"
            }
            ApiError::Timeout { .. } => "timeout",
            ApiError::Transport { .. } => "transport",
            ApiError::Decode { .. } => "decode",
        }
    }

    /// Cloudflare's error codes carried by this error.
    pub fn codes(&self) -> Vec<i64> {
        match self {
            ApiError::RateLimited { errors, .. }
            | ApiError::Status { errors, .. }
            | ApiError::Unsuccessful { errors, .. } => errors.iter().map(|e| e.code).collect(),
            _ => Vec::new(),
        }
    }

    /// Whether trying the same request again soon may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self.reason(), "server_error" | "timeout" | "transport")
    }
}

fn retry_after_text(retry_after: Option<Duration>) -> String {
    retry_after.map_or_else(String::new, |d| format!(", retry after {}s", d.as_secs()))
}

fn messages_text(errors: &[ApiMessage]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = errors.iter().map(|e| format!("{} {}", e.code, e.message)).collect();
    format!(": {}", parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_errors_map_to_stable_reasons() {
        let status = |status| ApiError::Status { endpoint: "x", status, errors: vec![] };
        assert_eq!(status(401).reason(), "unauthorized");
        assert_eq!(status(403).reason(), "forbidden");
        assert_eq!(status(404).reason(), "not_found");
        assert_eq!(status(502).reason(), "server_error");
        assert_eq!(status(400).reason(), "api_error");
        for reason in REASONS {
            assert!(!reason.is_empty());
        }
    }

    #[test]
    fn messages_carry_cloudflare_codes() {
        let err = ApiError::Status {
            endpoint: "saml_certificates",
            status: 403,
            errors: vec![ApiMessage { code: 10000, message: "Authentication error".into() }],
        };
        assert_eq!(err.to_string(), "saml_certificates: HTTP 403: 10000 Authentication error");
        assert_eq!(err.codes(), vec![10000]);
    }
}
