//! A fake identity provider metadata host: its own HTTP server on its own
//! loopback port, apart from the fake Cloudflare API, so that fetching
//! metadata never counts against Cloudflare's rate limit nor shows in the
//! API's request log. Each path answers what it was last [`set`] to (a
//! [`Published`]: a document with its validators, a status, a huge body,
//! redirects, or no answer at all); any other path answers 404. It owns
//! the server, the table of paths and its own request log; what one
//! [`Published`] answers is in `published`, the bodies (and the streamed
//! filler) in `body`.
//!
//! [`set`]: FakeIdentityProviderMetadata::set

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use url::Url;

use crate::error::FakeError;
use crate::locks::lock;

mod body;
mod published;

pub use published::Published;
use published::{Entry, answer};

/// How many requests the log keeps (the newest).
const LOG_CAPACITY: usize = 10_000;

/// A request the metadata host received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataRequest {
    /// Method.
    pub method: String,
    /// Path, without the query.
    pub path: String,
    /// The query, if any (a redirect loop counts its hops there).
    pub query: Option<String>,
    /// The `If-None-Match` header, as received.
    pub if_none_match: Option<String>,
    /// The `If-Modified-Since` header, as received.
    pub if_modified_since: Option<String>,
}

/// What the server and its connections share.
#[derive(Debug, Default)]
struct Shared {
    /// By path.
    entries: Mutex<HashMap<String, Entry>>,
    requests: Mutex<VecDeque<MetadataRequest>>,
    /// How many requests have arrived in all (the log drops the oldest;
    /// this count does not), for waiting on a request without sleeping.
    received: watch::Sender<usize>,
}

impl Shared {
    fn record(&self, request: MetadataRequest) {
        {
            let mut log = lock(&self.requests);
            if log.len() >= LOG_CAPACITY {
                log.pop_front();
            }
            log.push_back(request);
        }
        self.received.send_modify(|count| *count += 1);
    }
}

/// A running fake metadata host. Dropping it without [`Self::stop`] leaves
/// it serving until the runtime ends.
#[derive(Debug)]
pub struct FakeIdentityProviderMetadata {
    addr: SocketAddr,
    /// `http://` and the bound address.
    origin: Url,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl FakeIdentityProviderMetadata {
    /// Starts serving on `addr` (use port 0 for any free port), with no
    /// path published.
    pub async fn start(addr: SocketAddr) -> Result<Self, FakeError> {
        let bind_error = |source| FakeError::Bind { addr, source };
        let listener = TcpListener::bind(addr).await.map_err(bind_error)?;
        let bound = listener.local_addr().map_err(bind_error)?;
        let origin = Url::parse(&format!("http://{bound}/"))
            .map_err(|source| FakeError::BaseUrl { addr: bound, source })?;
        let shared = Arc::new(Shared::default());
        let (stop, mut stopped) = watch::channel(false);
        let serving = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            // Connections are tasks of this set so that stopping can end them
            // all, a hanging one included.
            let mut connections = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        while connections.try_join_next().is_some() {}
                        let shared = Arc::clone(&serving);
                        connections.spawn(async move {
                            let service = service_fn(move |request| {
                                let shared = Arc::clone(&shared);
                                async move {
                                    let answer = answer(&shared.entries, request, |r| shared.record(r)).await;
                                    Ok::<_, Infallible>(answer)
                                }
                            });
                            let _ = http1::Builder::new()
                                .timer(TokioTimer::new())
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        });
                    }
                    _ = stopped.wait_for(|&s| s) => break,
                }
            }
            connections.shutdown().await;
        });
        Ok(Self { addr: bound, origin, shared, stop, task })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL of `path` on this host, e.g. `http://127.0.0.1:4712/idp/shibboleth`;
    /// a `?` in `path` starts the query.
    pub fn url(&self, path: &str) -> Url {
        let (path, query) = match path.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path, None),
        };
        let mut url = self.origin.clone();
        url.set_path(path);
        url.set_query(query);
        url
    }

    /// Makes `path` (its query, if any, is ignored: paths are matched
    /// without one) answer `published` from the next request on.
    pub fn set(&self, path: &str, published: Published) {
        let path = path.split_once('?').map_or(path, |(path, _)| path).to_owned();
        let mut entries = lock(&self.shared.entries);
        let entry = Entry::new(published, entries.get(&path));
        entries.insert(path, entry);
    }

    /// Requests received so far (the newest 10 000), oldest first.
    pub fn requests(&self) -> Vec<MetadataRequest> {
        lock(&self.shared.requests).iter().cloned().collect()
    }

    /// Waits until `count` requests have arrived since the start (each is
    /// recorded before it is answered, so a [`Published::Hang`] counts),
    /// then returns the log.
    pub async fn wait_for_requests(&self, count: usize) -> Vec<MetadataRequest> {
        let mut received = self.shared.received.subscribe();
        // The sender lives in `self`, so waiting cannot fail.
        let _ = received.wait_for(|&n| n >= count).await;
        self.requests()
    }

    /// Stops accepting, closes every connection (a request still hanging or
    /// streaming is cut off) and waits until the server's tasks have ended.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

#[cfg(test)]
mod tests;
