//! Fetching an identity provider's published SAML metadata, politely and
//! within bounds: `https` only (plain `http` only to a loopback address, as
//! for `--api-base-url`), an optional private CA, a timeout, at most
//! [`MAX_REDIRECTS`] redirects and never from `https` to `http`, a body of
//! at most [`MAX_METADATA_BYTES`], and conditional requests (`ETag`,
//! `Last-Modified`), so an unchanged document costs a 304 and nothing else.

use std::time::Duration;

use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use reqwest::{StatusCode, Url};

use crate::model::idp_metadata::MAX_METADATA_BYTES;
use crate::printable::{clipped, error_chain, printable};

/// Redirects followed before giving up: real IdPs redirect once, maybe twice
/// (http to https, a vanity host to the tenant's).
pub const MAX_REDIRECTS: usize = 5;

/// Every reason a fetch fails, the `reason` label of the metadata errors.
pub const FETCH_REASONS: [&str; 6] =
    ["insecure_url", "unreachable", "timeout", "http_status", "redirects", "too_large"];

/// How the fetcher talks to identity providers.
#[derive(Debug, Clone)]
pub struct FetchSettings {
    /// Limit for one fetch, body included.
    pub timeout: Duration,
    /// PEM roots trusted besides the system's (`--idp-metadata.ca-file`).
    pub extra_roots_pem: Option<Vec<u8>>,
}

/// The validators of the last document read, sent back to ask whether it
/// changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The `ETag` it came with.
    pub etag: Option<String>,
    /// The `Last-Modified` it came with.
    pub last_modified: Option<String>,
}

/// What a fetch brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The document is unchanged since the one `Validators` describe.
    NotModified,
    /// A document, with the validators to send next time.
    Document {
        /// The body, at most [`MAX_METADATA_BYTES`].
        body: Vec<u8>,
        /// `ETag` and `Last-Modified`, when the server sent them.
        validators: Validators,
    },
}

/// Why a fetch brought no document.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Not `https`, and not plain `http` to a loopback address.
    #[error("{url}: only https is fetched (plain http only to a loopback address)")]
    InsecureUrl {
        /// The URL, as configured.
        url: String,
    },
    /// No answer: DNS, connection, TLS.
    #[error("{url}: unreachable: {detail}")]
    Unreachable {
        /// The URL.
        url: String,
        /// What the HTTP client said.
        detail: String,
    },
    /// No whole answer within the timeout.
    #[error("{url}: no answer within {after:?}")]
    Timeout {
        /// The URL.
        url: String,
        /// The timeout.
        after: Duration,
    },
    /// An answer other than 200 or 304.
    #[error("{url}: HTTP {status}")]
    HttpStatus {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// More than [`MAX_REDIRECTS`] redirects, or one from https to http.
    #[error("{url}: {why}")]
    Redirects {
        /// The URL.
        url: String,
        /// Which it was.
        why: String,
    },
    /// A body larger than [`MAX_METADATA_BYTES`].
    #[error("{url}: the document is larger than {MAX_METADATA_BYTES} bytes")]
    TooLarge {
        /// The URL.
        url: String,
    },
}

impl FetchError {
    /// The stable `reason` label (one of [`FETCH_REASONS`]).
    pub fn reason(&self) -> &'static str {
        match self {
            FetchError::InsecureUrl { .. } => "insecure_url",
            FetchError::Unreachable { .. } => "unreachable",
            FetchError::Timeout { .. } => "timeout",
            FetchError::HttpStatus { .. } => "http_status",
            FetchError::Redirects { .. } => "redirects",
            FetchError::TooLarge { .. } => "too_large",
        }
    }
}

/// Whether `url` may be fetched: https, or http to a loopback host.
pub fn is_fetchable(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(url::Host::Domain(name)) => name == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

/// Fetches metadata documents; one per exporter, shared by every IdP.
#[derive(Debug, Clone)]
pub struct MetadataFetcher {
    http: reqwest::Client,
    timeout: Duration,
}

impl MetadataFetcher {
    /// A fetcher with `settings`; fails only on a CA bundle that holds no
    /// readable certificate.
    pub fn new(settings: &FetchSettings) -> Result<Self, String> {
        let policy = reqwest::redirect::Policy::custom(|attempt| {
            if !is_fetchable(attempt.url()) {
                attempt.error("a redirect to plain http")
            } else if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
            } else {
                attempt.follow()
            }
        });
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("cloudflare-saml-exporter/", env!("CARGO_PKG_VERSION")))
            .timeout(settings.timeout)
            .redirect(policy);
        if let Some(pem) = &settings.extra_roots_pem {
            let roots = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| format!("the CA file holds no readable certificate: {e}"))?;
            if roots.is_empty() {
                return Err("the CA file holds no certificate".to_owned());
            }
            builder = builder.tls_certs_merge(roots);
        }
        let http = builder.build().map_err(|e| e.to_string())?;
        Ok(Self { http, timeout: settings.timeout })
    }

    /// Fetches `url`, asking whether the document `previous` describes changed.
    pub async fn fetch(&self, url: &Url, previous: &Validators) -> Result<Fetched, FetchError> {
        let shown = || printable(&clipped(url.as_str(), 200)).into_owned();
        if !is_fetchable(url) {
            return Err(FetchError::InsecureUrl { url: shown() });
        }
        let mut request = self.http.get(url.clone());
        if let Some(etag) = &previous.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(last_modified) = &previous.last_modified {
            request = request.header(IF_MODIFIED_SINCE, last_modified);
        }
        let failed = |err: reqwest::Error| {
            if err.is_timeout() {
                FetchError::Timeout { url: shown(), after: self.timeout }
            } else if err.is_redirect() {
                let why = std::error::Error::source(&err).map_or_else(|| err.to_string(), |s| s.to_string());
                FetchError::Redirects { url: shown(), why }
            } else {
                FetchError::Unreachable { url: shown(), detail: error_chain(&err) }
            }
        };
        let mut response = request.send().await.map_err(failed)?;
        match response.status() {
            StatusCode::NOT_MODIFIED => return Ok(Fetched::NotModified),
            StatusCode::OK => {}
            status => return Err(FetchError::HttpStatus { url: shown(), status: status.as_u16() }),
        }
        if response.content_length().is_some_and(|n| n > MAX_METADATA_BYTES as u64) {
            return Err(FetchError::TooLarge { url: shown() });
        }
        let header = |name| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let validators = Validators { etag: header(ETAG), last_modified: header(LAST_MODIFIED) };
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > MAX_METADATA_BYTES {
                return Err(FetchError::TooLarge { url: shown() });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched::Document { body, validators })
    }
}

#[cfg(test)]
mod tests;
