//! The cached exposition is exactly what a fresh render would be, a
//! refresh that changed the state shows up in the next scrape, and a render
//! of an unchanged state reuses the state's runs. How the cache shares
//! renders is tested with [`RenderCache`] itself.

use std::io::Read as _;

use serde_json::json;

use super::*;
use crate::cloudflare::error::Reason;
use crate::cloudflare::wire as api;
use crate::exposition::metrics::render as fresh_render;
use crate::model::inventory::AccountInventory;

const PEM: &str = include_str!("../../../tests/fixtures/exposition/rsa2048-current.pem");

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

fn cache() -> (Arc<ExporterState>, Arc<ExporterCounters>, ExpositionCache) {
    let state = Arc::new(ExporterState::default());
    state.set_accounts(&["acc00000000000000000000000000000".into()]);
    state.record_success("acc00000000000000000000000000000", inventory("set-1"), 0.5, 1_700_000_000.0);
    let metrics = Arc::new(ExporterCounters::new());
    metrics.init_account("acc00000000000000000000000000000", Reason::ALL.map(Reason::label));
    metrics.record_api_request("certificate_sets", "200");
    let cache = exposition_cache(Arc::clone(&state), Arc::clone(&metrics));
    (state, metrics, cache)
}

fn joined(parts: &[Bytes]) -> Vec<u8> {
    parts.concat()
}

fn gunzip(parts: &[Bytes]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&joined(parts)[..]).read_to_end(&mut out).expect("valid gzip");
    out
}

/// The part holding the certificate info lines: a run of the state.
fn info_part(rendered: &Rendered) -> Bytes {
    let info = b"cloudflare_access_saml_certificate_info{";
    rendered.plain().into_iter().find(|p| p.windows(info.len()).any(|w| w == info)).expect("an info line")
}

#[tokio::test]
async fn the_cached_exposition_is_exactly_a_fresh_render_of_the_same_state() {
    let (state, metrics, cache) = cache();
    let cached = cache.current().await;
    let fresh = fresh_render(&state, &metrics, cached.unix_time);
    assert_eq!(String::from_utf8_lossy(&joined(&cached.plain())), String::from_utf8_lossy(&fresh));
    assert!(String::from_utf8_lossy(&fresh).contains("certificate_set_uid=\"set-1\""));
    assert!(cached.plain().len() > 2, "cut into runs: {} parts", cached.plain().len());
    assert_eq!(gunzip(&cached.gzip), fresh, "the gzip holds the same text");
    let (gzip, plain) = (joined(&cached.gzip).len(), fresh.len());
    assert!(gzip * 3 < plain, "{gzip} vs {plain}");
}

#[tokio::test(start_paused = true)]
async fn a_render_of_an_unchanged_state_reuses_its_runs_and_computes_the_days_again() {
    let (state, metrics, cache) = cache();
    let first = cache.current().await;
    let later_time = first.unix_time + 86_400.0;
    let runs = StateRunCache::default();
    let _ = render(&state, &metrics, first.unix_time, &runs);
    let second = render(&state, &metrics, later_time, &runs);
    assert_eq!(joined(&second.plain()), fresh_render(&state, &metrics, later_time), "exact at the new time");
    assert_eq!(gunzip(&second.gzip), joined(&second.plain()));
    let third = render(&state, &metrics, later_time, &runs);
    assert_eq!(info_part(&second).as_ptr(), info_part(&third).as_ptr(), "the state's run is reused");

    metrics.record_api_request("certificate_sets", "200");
    let counted = render(&state, &metrics, later_time, &runs);
    assert!(String::from_utf8_lossy(&joined(&counted.plain())).contains("endpoint=\"certificate_sets\"} 2"));
    assert_eq!(info_part(&counted).as_ptr(), info_part(&third).as_ptr(), "counters are not the state");

    state.record_success("acc00000000000000000000000000000", inventory("set-2"), 0.5, 1_700_000_060.0);
    let changed = render(&state, &metrics, later_time, &runs);
    assert_ne!(info_part(&changed).as_ptr(), info_part(&third).as_ptr(), "a new generation renders anew");
    assert_eq!(joined(&changed.plain()), fresh_render(&state, &metrics, later_time));
}

#[tokio::test(start_paused = true)]
async fn scrapes_share_the_bytes_until_a_refresh_changes_the_state() {
    let (state, _, cache) = cache();
    let first = cache.current().await;
    let second = cache.current().await;
    assert!(Arc::ptr_eq(&first, &second));
    assert_eq!(first.plain()[0].as_ptr(), second.plain()[0].as_ptr(), "one body, not a copy");
    assert_eq!(cache.renders(), 1);

    state.record_success("acc00000000000000000000000000000", inventory("set-2"), 0.5, 1_700_000_060.0);
    let after = cache.current().await;
    assert_eq!(cache.renders(), 2);
    let text = String::from_utf8_lossy(&joined(&after.plain())).into_owned();
    assert!(text.contains("certificate_set_uid=\"set-2\"") && !text.contains("\"set-1\""), "{text}");
}

#[tokio::test]
async fn the_cache_keeps_only_the_gzip_and_a_plain_scrape_gets_exactly_the_rendered_text() {
    let (state, metrics, cache) = cache();
    let cached = cache.current().await;
    assert!(cached.kept().is_none(), "no text is kept after a render");
    let plain = cached.plain_shared().await;
    assert_eq!(joined(&plain), fresh_render(&state, &metrics, cached.unix_time), "byte for byte");
    assert_eq!(joined(&plain), gunzip(&cached.gzip));
}

#[tokio::test]
async fn the_text_is_shared_while_a_body_holds_it_and_freed_after_the_last() {
    let (_, _, cache) = cache();
    let cached = cache.current().await;
    let first = cached.plain_shared().await;
    let second = cached.plain_shared().await;
    let info = info_part(&cached);
    assert!(first.iter().any(|part| part.as_ptr() == info.as_ptr()), "what plain() gives is the same text");
    drop(info);
    assert!(first.iter().zip(&second).all(|(a, b)| a.as_ptr() == b.as_ptr()), "one text for both");
    drop(first);
    assert!(cached.kept().is_some(), "still held by the second body");
    drop(second);
    assert!(cached.kept().is_none(), "freed with the last body");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_scrapes_that_come_together_share_one_inflate() {
    let (_, _, cache) = cache();
    let cached = cache.current().await;
    let scrapes: Vec<_> = (0..16)
        .map(|_| {
            let cached = Arc::clone(&cached);
            tokio::spawn(async move { cached.plain_shared().await })
        })
        .collect();
    let mut bodies = Vec::new();
    for scrape in scrapes {
        bodies.push(scrape.await.unwrap());
    }
    let info = info_part(&cached);
    assert!(bodies.iter().all(|body| body.iter().any(|part| part.as_ptr() == info.as_ptr())));
}

#[test]
fn a_thousand_accounts_waiting_for_their_first_read_render_and_inflate_back_exactly() {
    // The scale bench's first minutes: 1,000 accounts listed, few read.
    let state = ExporterState::default();
    let ids: Vec<String> = (0..1000).map(|i| format!("{i:032x}")).collect();
    state.set_accounts(&ids);
    let counters = ExporterCounters::new();
    for id in &ids {
        counters.init_account(id, Reason::ALL.map(Reason::label));
    }
    for id in ids.iter().take(93) {
        state.record_success(id, inventory(&format!("set-{id}")), 0.5, 1_700_000_000.0);
    }
    let rendered = render(&state, &counters, 1_700_000_100.0, &StateRunCache::default());
    let fresh = fresh_render(&state, &counters, 1_700_000_100.0);
    assert!(gunzip(&rendered.gzip) == fresh, "the gzip holds the whole text");
    assert_eq!(joined(&rendered.plain()), fresh);
}
