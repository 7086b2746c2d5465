//! Test support: one way to start the binary ([`process::Exporter`]), the
//! fake API's fixtures ([`fixtures`]), HTTP and scrape helpers ([`http`]),
//! metric assertions that read like prose ([`metrics`]), a temporary
//! directory that cleans up after itself ([`temp::TempDir`]), the tools the
//! tests drive, each run with a deadline ([`tools`]), and bounded waiting
//! ([`eventually`], [`with_timeout`]).

pub mod fixtures;
pub mod http;
pub mod metrics;
pub mod process;
pub mod temp;
pub mod tools;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use fixtures::{
    TOKEN, account, client_settings, data, saml_idp, set_expiring_in, start_fake, two_accounts,
};
pub use http::{get, scrape, scrape_until, try_get};
pub use metrics::{Scrape, metric, up_of};
pub use process::Exporter;
pub use temp::TempDir;

/// The longest any single wait of a test may take before it fails.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Awaits `future`, failing the test if it takes longer than [`TEST_TIMEOUT`].
pub async fn with_timeout<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(TEST_TIMEOUT, future)
        .await
        .unwrap_or_else(|_| panic!("the test timed out after {TEST_TIMEOUT:?}"))
}

/// Polls `check` every 50 ms until it returns `Some`, failing after `limit`.
pub async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out after {limit:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `path` inside the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}
