//! Test support, shared by both tiers (`tests/integration.rs` and
//! `tests/end_to_end/main.rs`): one way to start the binary
//! ([`process::Exporter`]), the fake API's fixtures ([`fixtures`]), many
//! accounts read in process ([`fleet`]), HTTP and scrape helpers ([`http`]),
//! metric assertions that read like prose ([`metrics`]), a finished
//! command's output ([`output`]), the repository's
//! files ([`files`]) and its alert rules and dashboard as data
//! ([`oncall_kit`]), a throw-away PKI ([`pki`]), a temporary directory that
//! cleans up after itself ([`temp::TempDir`]), and bounded waiting
//! ([`eventually`], [`with_timeout`]). It runs no program but the exporter's
//! own binary (and `kill` to signal it): finding and running the tools the
//! end-to-end tests drive is `tests/end_to_end/tools.rs`, which the fast tier
//! does not have.

pub mod files;
pub mod fixtures;
pub mod fleet;
pub mod http;
pub mod memory;
pub mod metrics;
pub mod oncall_kit;
pub mod output;
pub mod pki;
pub mod process;
pub mod run_to_end;
pub mod temp;

use std::future::Future;
use std::time::Duration;

pub use files::{files_ending, read, repo, yaml_file};
pub use fixtures::{
    TOKEN, account, client_settings, data, saml_idp, set_expiring_in, start_fake, two_accounts,
};
pub use http::{get, scrape, scrape_until, try_get};
pub use metrics::{Scrape, errors_of, metric, up_of};
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
