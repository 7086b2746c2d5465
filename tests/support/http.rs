//! HTTP from the test's side: plain GETs with a time limit, scrapes, and
//! scraping until a condition holds.

use std::time::Duration;

use super::eventually;
use super::metrics::Scrape;

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

/// Scrapes `url` until `done` holds for a scrape, for at most `limit`
/// (then the test fails naming `what`); returns that scrape.
pub async fn scrape_until(url: &str, what: &str, limit: Duration, done: impl Fn(&Scrape) -> bool) -> Scrape {
    eventually(what, limit, || async {
        let scraped = scrape(url).await;
        done(&scraped).then_some(scraped)
    })
    .await
}
