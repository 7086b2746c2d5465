//! The fake's HTTP server: starting and stopping it on loopback, the state it
//! shares with its handlers, and the log of the requests it received.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use crate::locks::lock;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use url::Url;

use crate::data::FakeData;
use crate::error::FakeError;
use crate::knobs::{Fault, Hold, Knobs};
use crate::rate_limit::RateLimiter;
use crate::routes::answer;

/// How many requests the log keeps (the newest).
const LOG_CAPACITY: usize = 10_000;

/// A request the fake received (credentials reduced to whether they matched).
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// Method.
    pub method: String,
    /// Path and query.
    pub uri: String,
    /// The credentials were the accepted ones.
    pub authenticated: bool,
    /// When it arrived, before any hold or fault delayed it (tokio's clock,
    /// so paused test time applies).
    pub received_at: Instant,
    /// The request body (empty without one).
    pub body: String,
}

/// What the server and its handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) data: Mutex<FakeData>,
    pub(crate) knobs: Mutex<Knobs>,
    pub(crate) rate_limiter: Mutex<RateLimiter>,
    requests: Mutex<VecDeque<RecordedRequest>>,
}

impl Shared {
    pub(crate) fn record(&self, request: RecordedRequest) {
        let mut log = lock(&self.requests);
        if log.len() >= LOG_CAPACITY {
            log.pop_front();
        }
        log.push_back(request);
    }
}

/// A running fake Cloudflare API.
#[derive(Debug)]
pub struct FakeCloudflare {
    addr: SocketAddr,
    api_url: Url,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl FakeCloudflare {
    /// Starts the fake on `addr` (use port 0 for any free port).
    pub async fn start(addr: SocketAddr, data: FakeData) -> Result<Self, FakeError> {
        let bind_error = |source| FakeError::Bind { addr, source };
        let listener = TcpListener::bind(addr).await.map_err(bind_error)?;
        let bound = listener.local_addr().map_err(bind_error)?;
        let api_url = Url::parse(&format!("http://{bound}/client/v4"))
            .map_err(|source| FakeError::BaseUrl { addr: bound, source })?;
        let shared = Arc::new(Shared {
            data: Mutex::new(data),
            knobs: Mutex::new(Knobs::default()),
            rate_limiter: Mutex::new(RateLimiter::default()),
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
                    _ = stopped.wait_for(|&s| s) => break,
                }
            }
        });
        Ok(Self { addr: bound, api_url, shared, stop, task })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to give the exporter, e.g. `http://127.0.0.1:4711/client/v4`.
    pub fn base_url(&self) -> String {
        self.api_url.to_string()
    }

    /// [`Self::base_url`], parsed.
    pub fn api_url(&self) -> &Url {
        &self.api_url
    }

    /// Changes the data (e.g. to make a set disappear).
    pub fn update_data(&self, change: impl FnOnce(&mut FakeData)) {
        change(&mut lock(&self.shared.data));
    }

    /// Changes the knobs (all in one step, as requests see them).
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

    /// Parks every later request whose path contains `path_contains` until
    /// the returned hold is released.
    pub fn hold(&self, path_contains: &str) -> Hold {
        let hold = Hold::new(path_contains);
        lock(&self.shared.knobs).holds.push(hold.clone());
        hold
    }

    /// Requests answered 429 by the per-token rate limit so far.
    pub fn rate_limit_refusals(&self) -> u64 {
        lock(&self.shared.rate_limiter).refused()
    }

    /// Requests received so far (the newest 10 000), oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).iter().cloned().collect()
    }

    /// Stops serving; releases every hold so no request stays parked.
    pub async fn stop(self) {
        for hold in &lock(&self.shared.knobs).holds {
            hold.release();
        }
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}
