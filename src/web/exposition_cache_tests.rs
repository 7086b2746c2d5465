//! The cache serves exactly what a fresh render would, shares one render
//! between concurrent scrapes, and renders again on a state change or after
//! [`MAX_AGE`].

use std::io::Read as _;

use serde_json::json;

use super::*;
use crate::cloudflare::wire as api;
use crate::model::inventory::AccountInventory;

const PEM: &str = include_str!("../../tests/fixtures/exposition/rsa2048-current.pem");

fn inventory(set_uid: &str) -> AccountInventory {
    let sets: Vec<api::CertificateSet> = serde_json::from_value(json!([
        {"uid": set_uid, "updated_at": "2024-03-21T10:30:00Z",
         "current_certificate": {"uid": "cert", "public_certificate": PEM}}
    ]))
    .unwrap();
    let idps: Vec<api::IdentityProvider> = serde_json::from_value(json!([
        {"id": "idp", "name": "Okta", "type": "saml", "saml_certificate_set_id": set_uid,
         "config": {"enable_encryption": true}}
    ]))
    .unwrap();
    AccountInventory::build(sets, idps)
}

fn cache() -> (Arc<ExporterState>, Arc<Metrics>, ExpositionCache) {
    let state = Arc::new(ExporterState::default());
    state.set_accounts(&["acc".into()]);
    state.record_success("acc", inventory("set-1"), 0.5, 1_700_000_000.0);
    let metrics = Arc::new(Metrics::new());
    metrics.init_account("acc");
    metrics.record_api_request("certificate_sets", "200");
    let cache = ExpositionCache::new(Arc::clone(&state), Arc::clone(&metrics));
    (state, metrics, cache)
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).expect("valid gzip");
    out
}

#[tokio::test]
async fn the_cached_exposition_is_exactly_a_fresh_render_of_the_same_state() {
    let (state, metrics, cache) = cache();
    let cached = cache.current().await;
    let fresh = metrics.render(&state, cached.unix_time);
    assert_eq!(String::from_utf8_lossy(&cached.plain), String::from_utf8_lossy(&fresh));
    assert!(String::from_utf8_lossy(&fresh).contains("certificate_set_uid=\"set-1\""));
    assert_eq!(gunzip(&cached.gzip), fresh, "the gzip holds the same text");
    assert!(cached.gzip.len() * 3 < cached.plain.len(), "{} vs {}", cached.gzip.len(), cached.plain.len());
}

#[tokio::test(start_paused = true)]
async fn scrapes_share_the_bytes_until_a_refresh_changes_the_state() {
    let (state, _, cache) = cache();
    let first = cache.current().await;
    let second = cache.current().await;
    assert!(Arc::ptr_eq(&first, &second));
    assert_eq!(first.plain.as_ptr(), second.plain.as_ptr(), "one body, not a copy");
    assert_eq!(cache.renders(), 1);

    state.record_success("acc", inventory("set-2"), 0.5, 1_700_000_060.0);
    let after = cache.current().await;
    assert_eq!(cache.renders(), 2);
    let text = String::from_utf8_lossy(&after.plain);
    assert!(text.contains("certificate_set_uid=\"set-2\"") && !text.contains("\"set-1\""), "{text}");
}

#[tokio::test(start_paused = true)]
async fn a_render_older_than_a_second_is_made_again() {
    let (_, _, cache) = cache();
    let first = cache.current().await;
    tokio::time::advance(MAX_AGE - Duration::from_millis(1)).await;
    assert!(Arc::ptr_eq(&first, &cache.current().await), "still fresh");
    tokio::time::advance(Duration::from_millis(2)).await;
    let second = cache.current().await;
    assert!(!Arc::ptr_eq(&first, &second), "days_until_expiry is recomputed");
    assert!(second.unix_time >= first.unix_time);
    assert_eq!(cache.renders(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_scrapes_of_a_stale_cache_share_one_render() {
    let (_, _, cache) = cache();
    let cache = Arc::new(cache);
    let scrapes: Vec<_> = (0..32)
        .map(|_| {
            let cache = Arc::clone(&cache);
            tokio::spawn(async move { cache.current().await })
        })
        .collect();
    let mut bodies = Vec::new();
    for scrape in scrapes {
        bodies.push(scrape.await.unwrap());
    }
    assert_eq!(cache.renders(), 1, "one render for 32 scrapes");
    assert!(bodies.iter().all(|b| b.plain.as_ptr() == bodies[0].plain.as_ptr()));
}

#[tokio::test(start_paused = true)]
async fn while_one_scrape_renders_the_others_serve_the_still_fresh_previous_render() {
    let (_, _, cache) = cache();
    let previous = cache.current().await;
    // Another scrape is rendering: hold its turn.
    let turn = cache.rendering.lock().await;
    tokio::time::advance(MAX_AGE + Duration::from_millis(10)).await;
    let served = tokio::time::timeout(Duration::from_secs(5), cache.current())
        .await
        .expect("a scrape does not wait while a still-fresh render exists");
    assert!(Arc::ptr_eq(&previous, &served));
    drop(turn);
    assert_eq!(cache.renders(), 1);
}

#[tokio::test]
async fn after_a_state_change_a_scrape_waits_for_the_render_in_flight_rather_than_serve_old_data() {
    let (state, _, cache) = cache();
    let cache = Arc::new(cache);
    cache.current().await;
    let turn = cache.rendering.lock().await;
    state.record_success("acc", inventory("set-2"), 0.5, 1_700_000_060.0);
    let waiting = tokio::spawn({
        let cache = Arc::clone(&cache);
        async move { cache.current().await }
    });
    // One thread: the spawned scrape runs until it blocks on the turn.
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert!(!waiting.is_finished(), "old data is not served after a refresh");
    drop(turn);
    let served = tokio::time::timeout(Duration::from_secs(5), waiting).await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&served.plain).contains("\"set-2\""));
    assert_eq!(cache.renders(), 2);
}
