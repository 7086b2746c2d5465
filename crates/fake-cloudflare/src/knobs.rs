//! How the fake misbehaves on request: page caps, missing `result_info`,
//! faults aimed at paths, random chaos, and holds that park requests until
//! a test releases them.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::rate_limit::RateLimit;

/// How a fault answers.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// Answer every page with page 1, reported as a full page of an endless
    /// list.
    SamePageForever,
    /// A body of this many bytes of padding inside valid JSON.
    Oversized(usize),
    /// Every page of an identity provider list holds one new IdP whose
    /// name is this many bytes long, and the list never ends: pages just
    /// under the body cap, each bringing something new.
    HugePages(usize),
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

/// Parks every request whose path contains a substring until
/// [`Hold::release`]; clones share one gate. A test uses it to keep a
/// refresh open for exactly as long as it needs, instead of added latency.
#[derive(Debug, Clone)]
pub struct Hold {
    path_contains: String,
    released: Arc<watch::Sender<bool>>,
    held: Arc<watch::Sender<usize>>,
}

impl Hold {
    /// A closed hold for requests whose path contains `path_contains`
    /// (empty = all); it acts once added to the knobs.
    pub fn new(path_contains: impl Into<String>) -> Self {
        Self {
            path_contains: path_contains.into(),
            released: Arc::new(watch::channel(false).0),
            held: Arc::new(watch::channel(0).0),
        }
    }

    /// How many requests this hold has parked so far (released ones included).
    pub fn held(&self) -> usize {
        *self.held.borrow()
    }

    /// Resolves once this hold has parked at least `count` requests.
    pub async fn until_held(&self, count: usize) {
        let mut held = self.held.subscribe();
        // The sender lives in `self`, so the channel cannot close while we wait.
        let _ = held.wait_for(|n| *n >= count).await;
    }

    /// Lets every parked request go on, and every later one through.
    pub fn release(&self) {
        self.released.send_replace(true);
    }

    pub(crate) fn applies_to(&self, path: &str) -> bool {
        !*self.released.borrow() && path.contains(&self.path_contains)
    }

    /// Waits here until released.
    pub(crate) async fn park(&self) {
        let mut released = self.released.subscribe();
        self.held.send_modify(|n| *n += 1);
        let _ = released.wait_for(|r| *r).await;
    }
}

/// Knobs for tests.
#[derive(Debug, Clone)]
pub struct Knobs {
    /// Server-side maximum `per_page` (Cloudflare's is 1000).
    pub page_cap: u64,
    /// Leave `result_info` out of list answers.
    pub omit_result_info: bool,
    /// Echo the `per_page` asked for in `result_info`, not the page size
    /// applied (`page_cap`): every page then looks short.
    pub echo_requested_per_page: bool,
    /// Leave `total_count` (and `total_pages`) out of `result_info`.
    pub omit_total_count: bool,
    /// Faults, first match wins.
    pub faults: Vec<Fault>,
    /// Holds; a request waits for every one that applies to it.
    pub holds: Vec<Hold>,
    /// Share (0 to 1) of requests without a fault that get a random one
    /// (5xx, 429, a truncated body, a cut connection, a slow answer).
    pub chaos: f64,
    /// Cloudflare's per-token rate limit; `None` turns it off.
    pub rate_limit: Option<RateLimit>,
    /// What token verification says of every token: `active`, `disabled`
    /// or `expired`.
    pub token_status: &'static str,
    /// The tokens' `expires_on` (Unix seconds); `None`: they never expire.
    pub token_expires_on: Option<i64>,
    /// Every accepted credential is refused as Cloudflare refuses a revoked
    /// or expired token: 403 with code 9109.
    pub token_revoked: bool,
    /// Accounts whose Zero Trust organization has SAML encryption off:
    /// creating a set there is refused with 403, as Cloudflare does.
    pub saml_encryption_disabled: Vec<String>,
}

impl Default for Knobs {
    fn default() -> Self {
        Self {
            page_cap: 1000,
            omit_result_info: false,
            echo_requested_per_page: false,
            omit_total_count: false,
            faults: Vec::new(),
            holds: Vec::new(),
            chaos: 0.0,
            rate_limit: Some(RateLimit::default()),
            token_status: "active",
            token_expires_on: None,
            token_revoked: false,
            saml_encryption_disabled: Vec::new(),
        }
    }
}

impl Knobs {
    /// The fault for a request to `path`, counting it against its `times`;
    /// failing that, a random one with probability `chaos`.
    pub(crate) fn take_fault(&mut self, path: &str) -> Option<FaultKind> {
        let aimed = self.faults.iter_mut().find(|f| path.contains(&f.path_contains) && f.times != Some(0));
        if let Some(fault) = aimed {
            if let Some(times) = fault.times.as_mut() {
                *times -= 1;
            }
            return Some(fault.kind.clone());
        }
        (self.chaos > 0.0 && fastrand::f64() < self.chaos).then(random_fault)
    }

    /// The closed holds that apply to a request to `path`.
    pub(crate) fn holds_for(&self, path: &str) -> Vec<Hold> {
        self.holds.iter().filter(|h| h.applies_to(path)).cloned().collect()
    }
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

#[cfg(test)]
mod tests;
