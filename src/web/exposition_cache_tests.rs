//! The cached exposition is exactly what a fresh render would be, and a
//! refresh that changed the state shows up in the next scrape. How the
//! cache shares renders is tested with [`RenderCache`] itself.

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
    let cache = exposition_cache(Arc::clone(&state), Arc::clone(&metrics));
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
