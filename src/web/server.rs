//! The HTTP side: `/metrics` (cached, gzip when accepted), the status page
//! at `/` and `/status.json` and the deadlines at `/calendar.ics` (cached
//! the same way), `/-/healthy` and `/-/ready`, served by hyper 1 with a
//! header-read timeout that really applies (hyper ignores it without a
//! timer), a deadline for writing each response (`--web.write-timeout`,
//! [`crate::web::write_deadline`]), optional TLS and basic auth from
//! `--web.config.file`, a cap on concurrent scrapes held until their bodies
//! are handed over, and a bounded graceful shutdown.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body as _, Incoming};
use hyper::header::{
    ALLOW, AUTHORIZATION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, VARY, WWW_AUTHENTICATE,
};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::time::Instant;
use tracing::{debug, info, warn};

use crate::counters::ExporterCounters;
use crate::exposition::metrics::CONTENT_TYPE as METRICS_CONTENT_TYPE;
use crate::model::state::ExporterState;
use crate::web::basic_auth::Login;
use crate::web::body::SharedBody;
use crate::web::calendar_page::{CONTENT_TYPE as CALENDAR_CONTENT_TYPE, CalendarCache, calendar_cache};
use crate::web::config_file::WebSecurity;
use crate::web::connection::Connection;
use crate::web::exposition_cache::{ExpositionCache, exposition_cache};
use crate::web::negotiation::accepts_gzip;
use crate::web::status_page::{StatusCache, StatusPages, status_cache};
use crate::web::write_deadline::DeadlineIo;

/// How long a client may take to send its request headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a response may take to be written, unless configured.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// How long shutdown waits for in-flight requests.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Routes requests to the exporter's pages.
#[derive(Debug)]
pub struct WebApp {
    state: Arc<ExporterState>,
    counters: Arc<ExporterCounters>,
    exposition: ExpositionCache,
    status: StatusCache,
    calendar: CalendarCache,
    telemetry_path: String,
    security: WebSecurity,
    scrapes: Option<Arc<Semaphore>>,
    write_timeout: Duration,
}

impl WebApp {
    /// An app serving `state` and the exporter's `counters` as metrics under
    /// `telemetry_path`, at most `max_requests` scrapes at once (0 = no limit).
    pub fn new(
        state: Arc<ExporterState>,
        counters: Arc<ExporterCounters>,
        telemetry_path: String,
        security: WebSecurity,
        max_requests: usize,
    ) -> Self {
        let scrapes = (max_requests > 0).then(|| Arc::new(Semaphore::new(max_requests)));
        let exposition = exposition_cache(Arc::clone(&state), Arc::clone(&counters));
        let status = status_cache(Arc::clone(&state), Arc::clone(&counters), telemetry_path.clone());
        let calendar = calendar_cache(Arc::clone(&state), Arc::clone(&counters), String::new());
        let write_timeout = DEFAULT_WRITE_TIMEOUT;
        Self {
            state,
            counters,
            exposition,
            status,
            calendar,
            telemetry_path,
            security,
            scrapes,
            write_timeout,
        }
    }

    /// The same app, its calendar's events linking to the sections of the
    /// runbook served at `runbook_base` (a URL; `#` and the alert's
    /// lower-cased name are appended). Without it the events carry no link.
    pub fn with_runbook_base(mut self, runbook_base: String) -> Self {
        self.calendar = calendar_cache(Arc::clone(&self.state), Arc::clone(&self.counters), runbook_base);
        self
    }

    /// The same app, dropping a connection whose response is not written
    /// within `timeout`.
    pub fn with_write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// Answers a request on `connection`: authentication, scrape limit,
    /// then the page, with the configured headers on every answer.
    pub async fn respond<B>(&self, request: Request<B>, connection: &Connection) -> Response<SharedBody> {
        let mut response = self.guarded(&request, connection).await;
        for (name, value) in &self.security.headers {
            response.headers_mut().insert(name.clone(), value.clone());
        }
        response
    }

    async fn guarded<B>(&self, request: &Request<B>, connection: &Connection) -> Response<SharedBody> {
        // Authentication comes first, so that strangers guessing passwords
        // never hold a scrape slot: Prometheus' own (cached) login stays fast.
        if let Some(auth) = &self.security.basic_auth {
            let header = request.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok());
            match auth.check(header, connection.standing()).await {
                Login::Allowed => {}
                Login::Denied => {
                    // Bounded, and only on a connection that failed before:
                    // a guesser's next guess comes later.
                    tokio::time::sleep(connection.login_failed()).await;
                    let mut response = text(StatusCode::UNAUTHORIZED, "unauthorized\n");
                    response.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Basic"));
                    return response;
                }
                Login::Busy => {
                    return text(StatusCode::SERVICE_UNAVAILABLE, "too many login attempts in progress\n");
                }
            }
        }
        // The limit guards the expensive paths only: health probes must keep
        // answering while scrapers pile up.
        let path = request.uri().path();
        let expensive = path == self.telemetry_path || matches!(path, "/" | "/status.json" | "/calendar.ics");
        // The slot goes with the body: a client that never reads holds it
        // (and the body's memory) until the write deadline drops it.
        let slot = match (&self.scrapes, expensive) {
            (Some(limit), true) => match Arc::clone(limit).try_acquire_owned() {
                Ok(slot) => Some(slot),
                Err(_) => return text(StatusCode::SERVICE_UNAVAILABLE, "too many concurrent scrapes\n"),
            },
            _ => None,
        };
        let response = self.handle(request).await;
        match slot {
            Some(slot) => response.map(|body| body.holding(slot)),
            None => response,
        }
    }

    /// Answers one request; needs no socket, so tests can call it directly.
    pub async fn handle<B>(&self, request: &Request<B>) -> Response<SharedBody> {
        let path = request.uri().path();
        let head = request.method() == Method::HEAD;
        if request.method() != Method::GET && !head {
            let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
            response.headers_mut().insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
            return response;
        }
        let mut response = if path == self.telemetry_path {
            self.metrics_page(request).await
        } else {
            match path {
                "/-/healthy" => text(StatusCode::OK, "Healthy\n"),
                "/-/ready" if self.state.is_ready() => text(StatusCode::OK, "Ready\n"),
                "/-/ready" => {
                    text(StatusCode::SERVICE_UNAVAILABLE, "Not ready: first refresh still running\n")
                }
                "/" => self.status_page(|p| &p.html, "text/html; charset=utf-8").await,
                "/status.json" => self.status_page(|p| &p.json, "application/json").await,
                "/calendar.ics" => self.calendar_page().await,
                "/runbook" => {
                    let mut response = Response::new(SharedBody::new(crate::web::runbook::page()));
                    response
                        .headers_mut()
                        .insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
                    response
                }
                _ => text(StatusCode::NOT_FOUND, "not found\n"),
            }
        };
        if head {
            // The headers of a GET, the length included, without its body.
            let length = response.body().size_hint().exact().unwrap_or(0);
            response.headers_mut().insert(CONTENT_LENGTH, HeaderValue::from(length));
            *response.body_mut() = SharedBody::empty();
        }
        response
    }

    /// The cached exposition: its gzip when the client accepts it, else the
    /// text inflated from it and shared by the plain scrapes in flight; the
    /// body is clones of shared bytes, never a copy.
    async fn metrics_page<B>(&self, request: &Request<B>) -> Response<SharedBody> {
        let rendered = self.exposition.current().await;
        let gzip = accepts_gzip(request.headers());
        let parts = if gzip { rendered.gzip.clone() } else { rendered.plain_shared().await };
        let mut response = Response::new(SharedBody::from_parts(parts));
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(METRICS_CONTENT_TYPE));
        headers.insert(VARY, HeaderValue::from_static("Accept-Encoding"));
        if gzip {
            headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        response
    }

    /// The cached status page or its JSON; like `/metrics`, a clone of the
    /// shared bytes.
    async fn status_page(
        &self,
        body: impl Fn(&StatusPages) -> &Bytes,
        content_type: &'static str,
    ) -> Response<SharedBody> {
        let pages = self.status.current().await;
        let mut response = Response::new(SharedBody::new(body(&pages).clone()));
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        response
    }

    /// The cached calendar; like the status page, a clone of the shared bytes.
    async fn calendar_page(&self) -> Response<SharedBody> {
        let calendar = self.calendar.current().await;
        let mut response = Response::new(SharedBody::new(calendar.body.clone()));
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(CALENDAR_CONTENT_TYPE));
        response
    }
}

fn text(status: StatusCode, body: &'static str) -> Response<SharedBody> {
    let mut response = Response::new(SharedBody::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

async fn serve_connection<I>(
    io: I,
    app: Arc<WebApp>,
    builder: http1::Builder,
    watcher: hyper_util::server::graceful::Watcher,
    peer: std::net::SocketAddr,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let connection = Arc::new(Connection::default());
    let io = DeadlineIo::new(io, Arc::clone(connection.deadline()));
    let service = service_fn(move |request: Request<Incoming>| {
        let (app, connection) = (Arc::clone(&app), Arc::clone(&connection));
        async move {
            let response = app.respond(request, &connection).await;
            // From here on the response is only written: the client must
            // take it in time, or the connection and its body are dropped.
            connection.deadline().arm(Instant::now() + app.write_timeout);
            Ok::<_, Infallible>(response)
        }
    });
    if let Err(err) = watcher.watch(builder.serve_connection(TokioIo::new(io), service)).await {
        debug!(%peer, error = %err, "connection ended with an error");
    }
}

/// Serves `app` on `listener` until `shutdown` turns true, then drains open
/// connections for at most [`SHUTDOWN_GRACE`].
pub async fn serve(listener: TcpListener, app: Arc<WebApp>, mut shutdown: watch::Receiver<bool>) {
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    let graceful = GracefulShutdown::new();
    let tls = app.security.tls.clone().map(tokio_rustls::TlsAcceptor::from);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // Out of file descriptors and the like: pause, do not spin or die.
                        warn!(error = %err, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                // Without it, Nagle's algorithm holds back the last segment
                // of a response until the client acknowledges the previous.
                if let Err(err) = stream.set_nodelay(true) {
                    debug!(%peer, error = %err, "cannot set TCP_NODELAY");
                }
                let app = Arc::clone(&app);
                let watcher = graceful.watcher();
                let builder = builder.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        None => serve_connection(stream, app, builder, watcher, peer).await,
                        // The handshake gets the same bound as the headers.
                        Some(acceptor) => match tokio::time::timeout(HEADER_READ_TIMEOUT, acceptor.accept(stream)).await {
                            Ok(Ok(stream)) => serve_connection(stream, app, builder, watcher, peer).await,
                            Ok(Err(err)) => debug!(%peer, error = %err, "TLS handshake failed"),
                            Err(_) => debug!(%peer, "TLS handshake timed out"),
                        },
                    }
                });
            }
            _ = crate::shutdown::stopped(&mut shutdown) => break,
        }
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => info!("all connections closed"),
        _ = tokio::time::sleep(SHUTDOWN_GRACE) => warn!(grace_ms = SHUTDOWN_GRACE.as_millis() as u64, "shutdown grace period over; dropping open connections"),
    }
}

#[cfg(test)]
mod tests;
