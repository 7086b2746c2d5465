//! A fake Cloudflare API: a real HTTP server on loopback that speaks the
//! documented v4 JSON for the endpoints the exporter uses, plus knobs that
//! make it misbehave. The `demo` command and the tests both run it.
//!
//! Served: `GET /accounts`, `GET /accounts/{id}/access/saml_certificates`,
//! `GET /accounts/{id}/access/identity_providers` (with `page`/`per_page`,
//! `result_info`, documented defaults and the 1000 maximum) and
//! `POST /accounts/{id}/access/identity_providers/{idp}/saml_certificate`.

pub mod demo_data;
pub mod mint;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::clock::unix_now;
use mint::{KeyKind, mint_certificate, rfc3339};

/// A certificate as the fake serves it.
#[derive(Debug, Clone)]
pub struct FakeCertificate {
    /// UID.
    pub uid: String,
    /// PEM text (may be deliberately broken).
    pub pem: String,
    /// The API's `not_after` (RFC 3339).
    pub not_after: String,
}

/// A certificate set as the fake serves it.
#[derive(Debug, Clone)]
pub struct FakeSet {
    /// UID.
    pub uid: String,
    /// `created_at` (RFC 3339).
    pub created_at: String,
    /// `updated_at` (RFC 3339).
    pub updated_at: String,
    /// Current certificate.
    pub current: Option<FakeCertificate>,
    /// Previous certificate (rotation in progress).
    pub previous: Option<FakeCertificate>,
}

/// An identity provider as the fake serves it.
#[derive(Debug, Clone)]
pub struct FakeIdentityProvider {
    /// ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// `type`: `saml`, `google`, ...
    pub kind: String,
    /// `config.enable_encryption`.
    pub enable_encryption: bool,
    /// `saml_certificate_set_id`.
    pub certificate_set_id: Option<String>,
    /// `config.idp_public_certs`: the signing certificates as pasted (SAML only).
    pub signing_certificates: Vec<String>,
}

/// An account and its Access objects.
#[derive(Debug, Clone)]
pub struct FakeAccount {
    /// Account ID.
    pub id: String,
    /// Account name.
    pub name: String,
    /// SAML certificate sets.
    pub sets: Vec<FakeSet>,
    /// Identity providers of every type.
    pub identity_providers: Vec<FakeIdentityProvider>,
}

/// Everything the fake knows.
#[derive(Debug, Clone)]
pub struct FakeData {
    /// The API token it accepts as `Authorization: Bearer`.
    pub token: String,
    /// The `X-Auth-Email` / `X-Auth-Key` pair it accepts, if any.
    pub global_key: Option<(String, String)>,
    /// Behave like an account-owned token: `GET /accounts` fails with 1001.
    pub account_owned_token: bool,
    /// The accounts.
    pub accounts: Vec<FakeAccount>,
}

/// How a fault answers.
#[derive(Debug, Clone)]
pub enum FaultKind {
    /// This status, headers and body instead of the real answer.
    Respond {
        /// HTTP status.
        status: u16,
        /// Extra headers.
        headers: Vec<(String, String)>,
        /// Body text.
        body: String,
    },
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Send the first bytes of the real answer, then cut the connection.
    ResetMidBody,
    /// Answer normally but report this many `total_pages`.
    TotalPages(u64),
    /// Answer every page with page 1, and claim there are more.
    SamePageForever,
    /// A body of this many bytes of padding inside valid JSON.
    Oversized(usize),
}

/// A fault that applies to requests whose path contains `path_contains`.
#[derive(Debug, Clone)]
pub struct Fault {
    /// Substring of the request path this fault applies to (empty = all).
    pub path_contains: String,
    /// How many requests it applies to; `None` until cleared.
    pub times: Option<u32>,
    /// What happens.
    pub kind: FaultKind,
}

/// Knobs for tests.
#[derive(Debug, Clone)]
pub struct Knobs {
    /// Server-side maximum `per_page` (Cloudflare's is 1000).
    pub page_cap: u64,
    /// Delay before every answer.
    pub latency: Duration,
    /// Leave `result_info` out of list answers.
    pub omit_result_info: bool,
    /// Faults, first match wins.
    pub faults: Vec<Fault>,
    /// Share (0 to 1) of requests without a fault that get a random one
    /// (5xx, 429, a truncated body, a cut connection, a slow answer).
    pub chaos: f64,
}

impl Default for Knobs {
    fn default() -> Self {
        Self {
            page_cap: 1000,
            latency: Duration::ZERO,
            omit_result_info: false,
            faults: Vec::new(),
            chaos: 0.0,
        }
    }
}

/// A request the fake received (credentials reduced to whether they matched).
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// Method.
    pub method: String,
    /// Path and query.
    pub uri: String,
    /// The credentials were the accepted ones.
    pub authenticated: bool,
}

#[derive(Debug)]
struct Shared {
    data: Mutex<FakeData>,
    knobs: Mutex<Knobs>,
    requests: Mutex<VecDeque<RecordedRequest>>,
}

/// A running fake Cloudflare API.
#[derive(Debug)]
pub struct FakeCloudflare {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl FakeCloudflare {
    /// Starts the fake on `addr` (use port 0 for any free port).
    pub async fn start(addr: SocketAddr, data: FakeData) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            data: Mutex::new(data),
            knobs: Mutex::new(Knobs::default()),
            requests: Mutex::new(VecDeque::new()),
        });
        let (stop, mut stopped) = watch::channel(false);
        let serving = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let shared = Arc::clone(&serving);
                        tokio::spawn(async move {
                            let service = service_fn(move |req| {
                                let shared = Arc::clone(&shared);
                                async move { Ok::<_, Infallible>(answer(&shared, req).await) }
                            });
                            let _ = http1::Builder::new()
                                .timer(TokioTimer::new())
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        });
                    }
                    _ = crate::shutdown::stopped(&mut stopped) => break,
                }
            }
        });
        Ok(Self { addr, shared, stop, task })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to give the exporter, e.g. `http://127.0.0.1:4711/client/v4`.
    pub fn base_url(&self) -> String {
        format!("http://{}/client/v4", self.addr)
    }

    /// Changes the data (e.g. to make a set disappear).
    pub fn update_data(&self, change: impl FnOnce(&mut FakeData)) {
        change(&mut lock(&self.shared.data));
    }

    /// Changes the knobs.
    pub fn update_knobs(&self, change: impl FnOnce(&mut Knobs)) {
        change(&mut lock(&self.shared.knobs));
    }

    /// Adds a fault.
    pub fn inject(&self, fault: Fault) {
        lock(&self.shared.knobs).faults.push(fault);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        lock(&self.shared.knobs).faults.clear();
    }

    /// Requests received so far (the newest 10 000).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).iter().cloned().collect()
    }

    /// Stops serving.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// The response body: whole, or cut off after its first bytes.
#[derive(Debug)]
pub struct FakeBody {
    data: Option<Bytes>,
    cut_off: bool,
}

impl Body for FakeBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.data.take() {
            Some(data) => Poll::Ready(Some(Ok(Frame::data(data)))),
            None if self.cut_off => {
                self.cut_off = false;
                Poll::Ready(Some(Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "cut off"))))
            }
            None => Poll::Ready(None),
        }
    }
}

type Answer = Response<FakeBody>;

fn respond(status: u16, body: impl Into<Bytes>) -> Answer {
    let mut response = Response::new(FakeBody { data: Some(body.into()), cut_off: false });
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn failure(status: u16, code: u32, message: &str) -> Answer {
    let body = json!({"success": false, "errors": [{"code": code, "message": message}], "messages": [], "result": null});
    respond(status, body.to_string())
}

async fn answer(shared: &Shared, request: Request<Incoming>) -> Answer {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or("").to_owned();
    let method = request.method().clone();
    let authenticated = authenticated(&lock(&shared.data), &request);
    {
        let mut log = lock(&shared.requests);
        if log.len() >= 10_000 {
            log.pop_front();
        }
        log.push_back(RecordedRequest {
            method: method.to_string(),
            uri: request.uri().to_string(),
            authenticated,
        });
    }
    let (latency, fault) = {
        let mut knobs = lock(&shared.knobs);
        let fault = take_fault(&mut knobs.faults, &path)
            .or_else(|| (knobs.chaos > 0.0 && fastrand::f64() < knobs.chaos).then(random_fault));
        (knobs.latency, fault)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut pagination = Pagination::default();
    match fault {
        Some(FaultKind::Respond { status, headers, body }) => {
            let mut response = respond(status, body);
            for (name, value) in headers {
                if let (Ok(name), Ok(value)) =
                    (hyper::header::HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value))
                {
                    response.headers_mut().insert(name, value);
                }
            }
            return response;
        }
        Some(FaultKind::Delay(delay)) => tokio::time::sleep(delay).await,
        Some(FaultKind::Oversized(bytes)) => {
            let body = format!(
                "{{\"success\":true,\"errors\":[],\"padding\":\"{}\",\"result\":[]}}",
                "x".repeat(bytes)
            );
            return respond(200, body);
        }
        Some(FaultKind::TotalPages(n)) => pagination.total_pages = Some(n),
        Some(FaultKind::SamePageForever) => pagination.same_page = true,
        Some(FaultKind::ResetMidBody) => pagination.cut_off = true,
        None => {}
    }
    if !authenticated {
        return failure(403, 10000, "Authentication error");
    }
    let segments: Vec<&str> =
        path.trim_start_matches("/client/v4").split('/').filter(|s| !s.is_empty()).collect();
    let page = query_number(&query, "page").unwrap_or(1).max(1);
    let requested = query_number(&query, "per_page");
    let knobs = lock(&shared.knobs).clone();
    let mut data = lock(&shared.data);
    let response = match (&method, segments.as_slice()) {
        (&Method::GET, ["accounts"]) => {
            if data.account_owned_token {
                return failure(403, 1001, "List accounts endpoint does not support account owned tokens");
            }
            let items: Vec<Value> =
                data.accounts.iter().map(|a| json!({"id": a.id, "name": a.name})).collect();
            list(items, page, requested, ListLimits { default: 20, max: 50 }, &knobs, &pagination)
        }
        (&Method::GET, ["accounts", id, "access", "saml_certificates"]) => match account(&data, id) {
            Some(account) => {
                let items = account.sets.iter().map(set_json).collect();
                list(items, page, requested, ListLimits { default: 25, max: 1000 }, &knobs, &pagination)
            }
            None => return no_route(&path),
        },
        (&Method::GET, ["accounts", id, "access", "identity_providers"]) => match account(&data, id) {
            Some(account) => {
                let items = account.identity_providers.iter().map(idp_json).collect();
                list(items, page, requested, ListLimits { default: 200, max: 1000 }, &knobs, &pagination)
            }
            None => return no_route(&path),
        },
        (&Method::POST, ["accounts", id, "access", "identity_providers", idp, "saml_certificate"]) => {
            return create_set(&mut data, id, idp);
        }
        _ => return no_route(&path),
    };
    let response = match response {
        Ok(body) => body,
        Err(message) => return failure(400, 1004, &message),
    };
    let mut response = respond(200, response.to_string());
    // Cloudflare's REST rate-limit header (changelog 2025-09-03).
    response.headers_mut().insert("ratelimit", HeaderValue::from_static("\"default\";r=1190;t=300"));
    if pagination.cut_off {
        let body = response.body_mut();
        if let Some(data) = body.data.take() {
            body.data = Some(data.slice(..data.len() / 2));
            body.cut_off = true;
        }
        let full_length = HeaderValue::from(response_len_hint(&response));
        response.headers_mut().insert(hyper::header::CONTENT_LENGTH, full_length);
    }
    response
}

/// A length larger than what a cut-off body sends, so the client sees the cut.
fn response_len_hint(response: &Answer) -> u64 {
    response.body().data.as_ref().map_or(1, |d| d.len() as u64 * 2 + 1)
}

/// One of the faults a flaky Cloudflare shows, at random.
fn random_fault() -> FaultKind {
    let respond = |status: u16, headers: &[(&str, &str)], body: &str| FaultKind::Respond {
        status,
        headers: headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        body: body.to_owned(),
    };
    match fastrand::u8(..6) {
        0 => respond(500, &[], r#"{"success":false,"errors":[{"code":10001,"message":"Internal error"}]}"#),
        1 => respond(502, &[("content-type", "text/html")], "<html><body>502 Bad Gateway</body></html>"),
        2 => respond(503, &[("retry-after", "1")], "Service unavailable"),
        3 => respond(
            429,
            &[("retry-after", "1")],
            r#"{"success":false,"errors":[{"code":10100,"message":"More than 1200 requests per 300 seconds reached"}]}"#,
        ),
        4 => respond(200, &[], r#"{"success":true,"errors":[],"result":[{"uid":"#),
        _ => FaultKind::ResetMidBody,
    }
}

fn take_fault(faults: &mut [Fault], path: &str) -> Option<FaultKind> {
    let index = faults.iter().position(|f| path.contains(&f.path_contains) && f.times != Some(0))?;
    let fault = &mut faults[index];
    if let Some(times) = fault.times.as_mut() {
        *times -= 1;
    }
    Some(fault.kind.clone())
}

fn no_route(path: &str) -> Answer {
    failure(404, 7003, &format!("Could not route to {path}, perhaps your object identifier is invalid?"))
}

fn account<'a>(data: &'a FakeData, id: &str) -> Option<&'a FakeAccount> {
    data.accounts.iter().find(|a| a.id == id)
}

fn authenticated<B>(data: &FakeData, request: &Request<B>) -> bool {
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(auth) = header(AUTHORIZATION.as_str()) {
        return auth.strip_prefix("Bearer ").is_some_and(|t| t == data.token);
    }
    match (&data.global_key, header("x-auth-email"), header("x-auth-key")) {
        (Some((email, key)), Some(e), Some(k)) => e == email && k == key,
        _ => false,
    }
}

fn query_number(query: &str, name: &str) -> Option<u64> {
    query.split('&').filter_map(|pair| pair.split_once('=')).find(|(k, _)| *k == name)?.1.parse().ok()
}

#[derive(Debug, Default)]
struct Pagination {
    total_pages: Option<u64>,
    same_page: bool,
    cut_off: bool,
}

/// A list endpoint's documented `per_page` default and maximum.
#[derive(Debug, Clone, Copy)]
struct ListLimits {
    default: u64,
    max: u64,
}

/// One page of a list, or a 400 when `per_page` is above the documented
/// maximum: stricter than Cloudflare promises to be, so that a client asking
/// for too much is caught here rather than in production.
fn list(
    items: Vec<Value>,
    page: u64,
    requested: Option<u64>,
    limits: ListLimits,
    knobs: &Knobs,
    pagination: &Pagination,
) -> Result<Value, String> {
    let requested = requested.unwrap_or(limits.default);
    if requested > limits.max {
        return Err(format!("per_page must be at most {}", limits.max));
    }
    let per_page = requested.clamp(1, knobs.page_cap.clamp(1, limits.max));
    let page = if pagination.same_page { 1 } else { page };
    let total = items.len() as u64;
    let start = ((page - 1).saturating_mul(per_page)).min(total) as usize;
    let end = (start as u64 + per_page).min(total) as usize;
    let result: Vec<Value> = items[start..end].to_vec();
    let mut total_pages = total.div_ceil(per_page).max(1);
    if pagination.same_page {
        total_pages = u64::MAX / 2;
    }
    if let Some(n) = pagination.total_pages {
        total_pages = n;
    }
    let mut body = json!({"success": true, "errors": [], "messages": [], "result": result});
    if !knobs.omit_result_info {
        body["result_info"] = json!({
            "page": page, "per_page": per_page, "count": result.len(),
            "total_count": total, "total_pages": total_pages,
        });
    }
    Ok(body)
}

fn certificate_json(cert: &Option<FakeCertificate>, is_current: bool) -> Value {
    match cert {
        Some(c) => {
            json!({"uid": c.uid, "public_certificate": c.pem, "not_after": c.not_after, "is_current": is_current})
        }
        None if is_current => Value::Null,
        // The documented examples show `{}` for "no previous certificate".
        None => json!({}),
    }
}

fn set_json(set: &FakeSet) -> Value {
    json!({
        "uid": set.uid, "created_at": set.created_at, "updated_at": set.updated_at,
        "current_certificate": certificate_json(&set.current, true),
        "previous_certificate": certificate_json(&set.previous, false),
    })
}

fn idp_json(idp: &FakeIdentityProvider) -> Value {
    let mut value = json!({"id": idp.id, "name": idp.name, "type": idp.kind, "config": {}});
    if idp.kind == "saml" {
        value["config"] = json!({
            "enable_encryption": idp.enable_encryption,
            "issuer_url": "https://idp.example.com/saml",
            "sso_target_url": "https://idp.example.com/sso",
            "idp_public_certs": idp.signing_certificates,
        });
        if let Some(set) = &idp.certificate_set_id {
            value["saml_certificate_set_id"] = json!(set);
        }
    } else {
        value["config"] = json!({"client_id": "demo-client", "client_secret": "**********"});
    }
    value
}

fn create_set(data: &mut FakeData, account_id: &str, idp_id: &str) -> Answer {
    let Some(account) = data.accounts.iter_mut().find(|a| a.id == account_id) else {
        return no_route(&format!("/accounts/{account_id}"));
    };
    let Some(idp) = account.identity_providers.iter().find(|i| i.id == idp_id && i.kind == "saml") else {
        return failure(404, 12130, "Identity provider not found");
    };
    if let Some(existing) =
        idp.certificate_set_id.as_ref().and_then(|id| account.sets.iter().find(|s| &s.uid == id))
    {
        let body = json!({"success": true, "errors": [], "messages": [], "result": set_json(existing)});
        return respond(200, body.to_string());
    }
    let now = unix_now() as i64;
    let minted = match mint_certificate(
        "Cloudflare Access SAML encryption",
        KeyKind::Rsa(2048),
        now,
        now + 365 * 86_400,
    ) {
        Ok(minted) => minted,
        Err(err) => return failure(500, 10001, &err.to_string()),
    };
    let set = FakeSet {
        uid: demo_data::uuid(),
        created_at: rfc3339(now),
        updated_at: rfc3339(now),
        current: Some(FakeCertificate {
            uid: demo_data::uuid(),
            pem: minted.pem,
            not_after: rfc3339(minted.not_after),
        }),
        previous: None,
    };
    let body = json!({"success": true, "errors": [], "messages": [], "result": set_json(&set)});
    let uid = set.uid.clone();
    account.sets.push(set);
    if let Some(idp) = account.identity_providers.iter_mut().find(|i| i.id == idp_id) {
        idp.certificate_set_id = Some(uid);
    }
    respond(201, body.to_string())
}
