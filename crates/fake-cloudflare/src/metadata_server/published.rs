//! What a path of the fake metadata host answers: [`Published`], the
//! validators a document gets when it is set (a strong `ETag` from its bytes,
//! a `Last-Modified`), and the conditional requests they answer
//! `304 Not Modified` to (RFC 9110, section 13).

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{
    ALLOW, CONTENT_TYPE, ETAG, HeaderMap, HeaderName, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    LAST_MODIFIED, LOCATION,
};
use hyper::{Method, Request, Response, StatusCode};

use super::MetadataRequest;
use super::body::{Filler, MetadataBody};
use crate::clock::{http_date, parse_http_date, unix_now};
use crate::fnv::fnv1a_64;
use crate::idp_metadata::METADATA_CONTENT_TYPE;
use crate::locks::lock;

/// What a path answers, from the time it is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    /// `200` with this document as `application/samlmetadata+xml`, a strong
    /// `ETag` made from its bytes and a `Last-Modified` of when it was set
    /// (kept when the same document is set again); `304` with no body to a
    /// matching `If-None-Match`, or, without one, to an `If-Modified-Since`
    /// not before the `Last-Modified`. GET and HEAD only (others: `405`).
    Document(String),
    /// This status with a one-line `text/plain` body (none for `204` and
    /// `304`). Give a final status, 200 to 599: a 1xx is not an answer, and
    /// a number outside 100 to 999 is served as 500.
    Status(u16),
    /// `200` with `bytes` bytes of XML-like filler, sent chunked (no
    /// `Content-Length`), made 64 KiB at a time as the client reads: for a
    /// size cap that has to count while reading.
    Huge {
        /// The body's length.
        bytes: u64,
    },
    /// [`Published::Huge`] announcing its length in `Content-Length`: for a
    /// size cap that can refuse before reading.
    HugeWithLength {
        /// The body's length.
        bytes: u64,
    },
    /// `302 Found` to this `Location` (a path on this host or any URL).
    Redirect(String),
    /// `302 Found` back to the same path with a `hop` query one higher
    /// (`?hop=1`, `?hop=2`, ...), forever: every hop is a new URL, so only
    /// the client's limit on redirects ends it.
    RedirectLoop,
    /// Reads the request and never answers, until the server stops: for
    /// timeouts.
    Hang,
}

/// A path's answer as stored: [`Published`] with a document's validators
/// worked out once.
#[derive(Debug, Clone)]
pub(super) enum Entry {
    Document(Representation),
    Status(u16),
    Huge { bytes: u64, announce_length: bool },
    Redirect(String),
    RedirectLoop,
    Hang,
}

/// A document with its validators.
#[derive(Debug, Clone)]
pub(super) struct Representation {
    body: Bytes,
    /// Quoted, as sent.
    etag: String,
    /// Unix seconds.
    last_modified: i64,
}

impl Entry {
    /// `published` as stored; `previous` is what the path answered before,
    /// whose `Last-Modified` a changed document must pass.
    pub(super) fn new(published: Published, previous: Option<&Entry>) -> Self {
        match published {
            Published::Document(text) => {
                let previous = match previous {
                    Some(Entry::Document(previous)) => Some(previous),
                    _ => None,
                };
                Self::Document(Representation::new(text, previous))
            }
            Published::Status(code) => Self::Status(code),
            Published::Huge { bytes } => Self::Huge { bytes, announce_length: false },
            Published::HugeWithLength { bytes } => Self::Huge { bytes, announce_length: true },
            Published::Redirect(location) => Self::Redirect(location),
            Published::RedirectLoop => Self::RedirectLoop,
            Published::Hang => Self::Hang,
        }
    }
}

impl Representation {
    fn new(text: String, previous: Option<&Representation>) -> Self {
        let body = Bytes::from(text);
        let etag = format!("\"{:016x}-{:x}\"", fnv1a_64(&body), body.len());
        let last_modified = match previous {
            Some(previous) if previous.etag == etag => previous.last_modified,
            // HTTP dates have whole seconds: a change within the second of
            // the last one still moves the date, so `If-Modified-Since`
            // alone never hides it.
            Some(previous) => unix_now().max(previous.last_modified + 1),
            None => unix_now(),
        };
        Self { body, etag, last_modified }
    }

    /// Whether the client's copy is current: `If-None-Match` decides when
    /// present (weak comparison, `*` matching any), else `If-Modified-Since`.
    fn not_modified(&self, headers: &HeaderMap) -> bool {
        if let Some(tags) = headers.get(IF_NONE_MATCH) {
            let tags = tags.to_str().unwrap_or("");
            return tags.split(',').map(str::trim).any(|tag| tag == "*" || opaque(tag) == opaque(&self.etag));
        }
        headers
            .get(IF_MODIFIED_SINCE)
            .and_then(|since| parse_http_date(since.to_str().ok()?))
            .is_some_and(|since| self.last_modified <= since)
    }
}

/// An entity tag without its weakness mark (`W/`).
fn opaque(tag: &str) -> &str {
    tag.strip_prefix("W/").unwrap_or(tag)
}

/// Records `request` with `record`, then answers it from `entries`.
pub(super) async fn answer(
    entries: &Mutex<HashMap<String, Entry>>,
    request: Request<Incoming>,
    record: impl FnOnce(MetadataRequest),
) -> Response<MetadataBody> {
    let header = |name| header_text(request.headers(), name);
    let path = request.uri().path().to_owned();
    record(MetadataRequest {
        method: request.method().to_string(),
        path: path.clone(),
        query: request.uri().query().map(str::to_owned),
        if_none_match: header(IF_NONE_MATCH),
        if_modified_since: header(IF_MODIFIED_SINCE),
    });
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = text(StatusCode::METHOD_NOT_ALLOWED);
        response.headers_mut().insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let entry = lock(entries).get(&path).cloned();
    match entry {
        None => text(StatusCode::NOT_FOUND),
        Some(Entry::Document(document)) => serve_document(&document, request.headers()),
        Some(Entry::Status(code)) => {
            text(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        }
        Some(Entry::Huge { bytes, announce_length }) => {
            let mut response = Response::new(MetadataBody::Filler(Filler::new(bytes, announce_length)));
            response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(METADATA_CONTENT_TYPE));
            response
        }
        Some(Entry::Redirect(location)) => redirect(&location),
        Some(Entry::RedirectLoop) => {
            let hop = request.uri().query().and_then(hop).unwrap_or(0);
            redirect(&format!("{path}?hop={}", hop.saturating_add(1)))
        }
        Some(Entry::Hang) => std::future::pending().await,
    }
}

fn serve_document(document: &Representation, request_headers: &HeaderMap) -> Response<MetadataBody> {
    let not_modified = document.not_modified(request_headers);
    let mut response = if not_modified {
        let mut response = Response::new(MetadataBody::empty());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        response
    } else {
        let mut response = Response::new(MetadataBody::whole(document.body.clone()));
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(METADATA_CONTENT_TYPE));
        response
    };
    // A 304 carries the validators too (RFC 9110, section 15.4.5).
    let headers = response.headers_mut();
    for (name, value) in [(ETAG, document.etag.clone()), (LAST_MODIFIED, http_date(document.last_modified))] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

/// `status` with a one-line text body (none where the status forbids one).
fn text(status: StatusCode) -> Response<MetadataBody> {
    let body = if status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED
    {
        MetadataBody::empty()
    } else {
        MetadataBody::whole(format!("{} {}\n", status.as_u16(), status.canonical_reason().unwrap_or("")))
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

/// `302 Found` to `location`; a `500` when `location` cannot be a header.
fn redirect(location: &str) -> Response<MetadataBody> {
    let Ok(location) = HeaderValue::from_str(location) else {
        return text(StatusCode::INTERNAL_SERVER_ERROR);
    };
    let mut response = text(StatusCode::FOUND);
    response.headers_mut().insert(LOCATION, location);
    response
}

/// The header `name` as text (lossy: the log is for reading, not replaying).
fn header_text(headers: &HeaderMap, name: HeaderName) -> Option<String> {
    headers.get(name).map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
}

/// The `hop` number of a query.
fn hop(query: &str) -> Option<u64> {
    query.split('&').find_map(|pair| pair.strip_prefix("hop=")).and_then(|n| n.parse().ok())
}
