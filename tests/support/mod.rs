//! Test support: metric assertions that read like prose, a guard that runs
//! the real binary and stops it by PID, fake-API builders and HTTP helpers.

#![allow(dead_code)]

pub mod metrics;
pub mod process;

use std::time::Duration;

use cloudflare_saml_exporter::clock::unix_now;
use cloudflare_saml_exporter::fake::mint::{KeyKind, mint_certificate, rfc3339};
use cloudflare_saml_exporter::fake::{FakeAccount, FakeCertificate, FakeData, FakeIdentityProvider, FakeSet};

pub use metrics::{Scrape, metric};

/// The token the test fakes accept.
pub const TOKEN: &str = "test-token-7f3a9c";

/// GETs `url` and returns status and body.
pub async fn get(url: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(url)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// GETs `url`; `None` while nothing answers (a server still starting).
pub async fn try_get(url: &str) -> Option<(u16, String)> {
    let response = reqwest::Client::new().get(url).timeout(Duration::from_secs(10)).send().await.ok()?;
    let status = response.status().as_u16();
    Some((status, response.text().await.unwrap_or_default()))
}

/// GETs and parses `/metrics`.
pub async fn scrape(url: &str) -> Scrape {
    let (status, body) = get(url).await;
    assert_eq!(status, 200, "GET {url}: {body}");
    Scrape::parse(&body)
}

/// Polls `check` every 50 ms until it returns `Some`, failing after `limit`.
pub async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
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

/// A certificate set whose current certificate expires in `days` days.
pub fn set_expiring_in(uid: &str, days: i64) -> FakeSet {
    let now = unix_now() as i64;
    let minted = mint_certificate("test", KeyKind::P256, now - 86_400, now + days * 86_400).expect("mint");
    FakeSet {
        uid: uid.to_owned(),
        created_at: rfc3339(now - 86_400),
        updated_at: rfc3339(now - 3_600),
        current: Some(FakeCertificate {
            uid: format!("{uid}-cert"),
            pem: minted.pem,
            not_after: rfc3339(minted.not_after),
        }),
        previous: None,
    }
}

/// A SAML IdP using `set` with encryption on.
pub fn saml_idp(id: &str, set: Option<&str>) -> FakeIdentityProvider {
    FakeIdentityProvider {
        id: id.to_owned(),
        name: format!("IdP {id}"),
        kind: "saml".to_owned(),
        enable_encryption: set.is_some(),
        certificate_set_id: set.map(str::to_owned),
        signing_certificates: Vec::new(),
    }
}

/// An account with these sets and IdPs.
pub fn account(id: &str, sets: Vec<FakeSet>, identity_providers: Vec<FakeIdentityProvider>) -> FakeAccount {
    FakeAccount { id: id.to_owned(), name: format!("Account {id}"), sets, identity_providers }
}

/// Fake data accepting [`TOKEN`].
pub fn data(accounts: Vec<FakeAccount>) -> FakeData {
    FakeData { token: TOKEN.to_owned(), global_key: None, account_owned_token: false, accounts }
}
