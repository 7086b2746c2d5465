//! The status page: worst first, coloured, escaped, self-contained, and
//! rendered once for the requests of a second while the state is unchanged.

use serde_json::json;

use super::*;
use crate::cloudflare::error::Reason;
use crate::cloudflare::wire as api;
use crate::model::inventory::AccountInventory;
use fake_cloudflare::mint::{KeyKind, mint_certificate};

const NOW: f64 = 1_800_000_000.0;
const DAY: i64 = 86_400;
const EVIL: &str = "<script>alert('x')</script> & \"co\"";

fn set(uid: &str, days_left: i64) -> serde_json::Value {
    let now = NOW as i64;
    let minted = mint_certificate("test", KeyKind::P256, now - 300 * DAY, now + days_left * DAY).unwrap();
    json!({"uid": uid, "updated_at": "2024-03-21T10:30:00Z",
           "current_certificate": {"uid": format!("{uid}-c"), "public_certificate": minted.pem}})
}

fn idp(id: &str, name: &str, set: &str) -> serde_json::Value {
    json!({"id": id, "name": name, "type": "saml", "saml_certificate_set_id": set,
           "config": {"enable_encryption": true}})
}

fn inventory(sets: Vec<serde_json::Value>, idps: Vec<serde_json::Value>) -> AccountInventory {
    let sets: Vec<api::CertificateSet> = serde_json::from_value(json!(sets)).unwrap();
    let idps: Vec<api::IdentityProvider> = serde_json::from_value(json!(idps)).unwrap();
    AccountInventory::build(sets, idps)
}

/// Account `acca0000000000000000000000000000`: healthy, warning and expired sets; `accb0000000000000000000000000000` failed its
/// last refresh after a success; `accc0000000000000000000000000000` has not finished its first.
fn view() -> StatusView {
    let state = ExporterState::default();
    state.set_accounts(&[
        "acca0000000000000000000000000000".into(),
        "accb0000000000000000000000000000".into(),
        "accc0000000000000000000000000000".into(),
    ]);
    let a = inventory(
        vec![set("set-healthy", 200), set("set-soon", 20), set("set-expired", -3)],
        vec![
            idp("i1", "Okta", "set-healthy"),
            idp("i2", "Entra", "set-soon"),
            idp("i3", EVIL, "set-expired"),
        ],
    );
    state.record_success("acca0000000000000000000000000000", a, 0.25, NOW - 90.0);
    state.record_success(
        "accb0000000000000000000000000000",
        inventory(vec![set("set-b", 100)], vec![]),
        0.5,
        NOW - 7200.0,
    );
    state.record_failure("accb0000000000000000000000000000", 1.5);
    let counters = ExporterCounters::new();
    for account in [
        "acca0000000000000000000000000000",
        "accb0000000000000000000000000000",
        "accc0000000000000000000000000000",
    ] {
        counters.init_account(account, Reason::ALL.map(Reason::label));
    }
    counters.record_refresh_error("accb0000000000000000000000000000", Reason::Timeout.label());
    counters.record_refresh_error("accb0000000000000000000000000000", Reason::ServerError.label());
    StatusView::gather(&state, &counters, NOW)
}

fn body_rows(page: &str) -> Vec<&str> {
    let body = &page[page.find("<tbody>").unwrap()..page.find("</tbody>").unwrap()];
    body.lines().filter(|l| l.starts_with("<tr")).collect()
}

#[test]
fn rows_are_grouped_by_account_worst_first_and_coloured_by_the_alert_thresholds() {
    let page = view().html("/metrics");
    let rows = body_rows(&page);
    // Account A holds the worst row (expired), so its rows come first, worst first.
    assert!(rows[0].starts_with("<tr class=\"critical\"") && rows[0].contains("set-expired"), "{}", rows[0]);
    assert!(rows[0].contains("<td class=\"num\">-3.0</td>") && rows[0].contains("expired"), "{}", rows[0]);
    assert!(rows[1].starts_with("<tr class=\"warning\"") && rows[1].contains("set-soon"), "{}", rows[1]);
    assert!(rows[1].contains("Entra") && rows[1].contains("under 30 days left"), "{}", rows[1]);
    assert!(rows[2].starts_with("<tr class=\"ok\"") && rows[2].contains("set-healthy"), "{}", rows[2]);
    // Then account B: critical without a date before its healthy set.
    assert!(
        rows[3].starts_with("<tr class=\"critical\"") && rows[3].contains("accb0000000000000000000000000000"),
        "{}",
        rows[3]
    );
    assert!(rows[3].contains("the last refresh failed"), "{}", rows[3]);
    assert!(rows[4].starts_with("<tr class=\"ok\"") && rows[4].contains("set-b"), "{}", rows[4]);
    assert!(
        page.contains("Status: <strong>CRITICAL</strong> · 2 critical, 1 warning, 0 info, 2 ok"),
        "{page}"
    );
}

#[test]
fn a_known_account_name_is_shown_with_its_id_beside_it() {
    let state = ExporterState::default();
    state.set_accounts(&["acca0000000000000000000000000000".into()]);
    state.set_account_names([("acca0000000000000000000000000000".to_owned(), "Example <Corp>".to_owned())]);
    state.record_success(
        "acca0000000000000000000000000000",
        inventory(vec![set("set-soon", 20)], vec![idp("i1", "Okta", "set-soon")]),
        0.25,
        NOW - 90.0,
    );
    let page = StatusView::gather(&state, &ExporterCounters::new(), NOW).html("/metrics");
    let rows = body_rows(&page);
    assert!(
        rows[0]
            .contains("Example &lt;Corp&gt;<br><span class=\"sub\">acca0000000000000000000000000000</span>"),
        "{}",
        rows[0]
    );
}

#[test]
fn the_timeline_leads_and_each_mark_links_to_a_row_of_the_table() {
    let page = view().html("/metrics");
    let (svg, table) =
        (page.find("<svg class=\"timeline\"").unwrap(), page.find("<table class=\"report\">").unwrap());
    assert!(page.find("<h1>").unwrap() < svg && svg < table, "under the heading, before the table");
    let timeline = &page[svg..page.find("</svg>").unwrap()];
    let links: Vec<&str> = timeline.split("href=\"#").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
    assert_eq!(links.len(), 4, "the four dated certificates: {timeline}");
    for link in links {
        assert!(page[table..].contains(&format!(" id=\"{link}\">")), "no table row {link}");
    }
    // The expired one is the first row, and its mark says how long ago.
    assert!(timeline.contains("href=\"#row-0\" class=\"mark\" data-days=\"-3.0\""), "{timeline}");
}

#[test]
fn the_policy_allows_the_stylesheet_by_its_hash_and_nothing_else() {
    let page = view().html("/metrics");
    let style = &page[page.find("<style>").unwrap() + 7..page.find("</style>").unwrap()];
    let hash = BASE64.encode(&Sha256::digest(style.as_bytes()));
    let policy =
        format!("default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'");
    assert!(
        page.contains(&format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">")),
        "{page}"
    );
    // What the policy would refuse.
    for refused in [" style=", "javascript:"] {
        assert!(!page.contains(refused), "{refused} in {page}");
    }
    let handler = page.split(" on").skip(1).find(|rest| {
        let name = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_lowercase()).len();
        name > 0 && rest[name..].starts_with('=')
    });
    assert!(handler.is_none(), "an event handler: on{}", handler.unwrap_or_default());
}

#[test]
fn every_name_from_the_api_is_escaped() {
    let page = view().html("/metrics?<x>");
    assert!(!page.contains("<script"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;"), "{page}");
    assert!(page.contains("href=\"/metrics?&lt;x&gt;\""), "the metrics path too");
}

#[test]
fn the_page_is_self_contained_reloads_itself_and_keeps_its_links() {
    let page = view().html("/metrics");
    assert!(page.contains("<meta http-equiv=\"refresh\" content=\"60\">"));
    for forbidden in ["<script", "src=", "url(", "@import", "http://", "https://", "<link"] {
        assert!(!page.contains(forbidden), "{forbidden} in {page}");
    }
    for link in ["href=\"/metrics\"", "href=\"/status.json\"", "href=\"/-/healthy\"", "href=\"/-/ready\""] {
        assert!(page.contains(link), "{link} missing");
    }
}

#[test]
fn the_health_table_shows_up_last_success_and_errors_per_account() {
    let page = view().html("/metrics");
    let health = &page[page.find("<table class=\"health\">").unwrap()..];
    let rows = body_rows(health);
    assert_eq!(rows.len(), 3);
    assert!(
        rows[0].contains("acca0000000000000000000000000000")
            && rows[0].contains(">yes<")
            && rows[0].contains("1 min ago"),
        "{}",
        rows[0]
    );
    assert!(rows[0].ends_with("<td class=\"num\">0</td></tr>"), "{}", rows[0]);
    assert!(
        rows[1].contains("accb0000000000000000000000000000")
            && rows[1].contains("\"critical\">no<")
            && rows[1].contains("2 h ago")
    );
    assert!(rows[1].ends_with("<td class=\"num\">2</td></tr>"), "two failed refreshes: {}", rows[1]);
    assert!(
        rows[2].contains("accc0000000000000000000000000000")
            && rows[2].contains(">pending<")
            && rows[2].contains("never")
    );
}

#[test]
fn the_json_is_the_check_report() {
    let view = view();
    let json: serde_json::Value = serde_json::from_str(&view.json()).unwrap();
    assert_eq!(json, serde_json::to_value(&view.report).unwrap());
    assert_eq!(json["status"], "critical");
    assert_eq!(json["exit_code"], 2);
    assert_eq!(json["rows"][0]["certificate_set_uid"], "set-expired");
    assert_eq!(json["rows"][0]["identity_providers"][0], EVIL, "JSON carries the name as is");
}

#[test]
fn escape_covers_the_five_html_specials() {
    assert_eq!(escape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    assert_eq!(escape("plain ünïcode"), "plain ünïcode");
    assert_eq!(escape("&amp;"), "&amp;amp;", "escaping is not idempotent, so never escape twice");
}

fn watched(set_uid: &str) -> (Arc<ExporterState>, Arc<ExporterCounters>) {
    let state = Arc::new(ExporterState::default());
    state.set_accounts(&["acc00000000000000000000000000000".into()]);
    state.record_success(
        "acc00000000000000000000000000000",
        inventory(vec![set(set_uid, 100)], vec![]),
        0.5,
        NOW,
    );
    let counters = Arc::new(ExporterCounters::new());
    counters.init_account("acc00000000000000000000000000000", Reason::ALL.map(Reason::label));
    (state, counters)
}

#[tokio::test(start_paused = true)]
async fn requests_share_one_render_until_a_refresh_changes_the_state() {
    let (state, counters) = watched("set-1");
    let cache = status_cache(Arc::clone(&state), counters, "/metrics".into());
    let (first, second) = (cache.current().await, cache.current().await);
    assert_eq!(first.html.as_ptr(), second.html.as_ptr(), "one page, not a copy");
    assert_eq!(first.json.as_ptr(), second.json.as_ptr());
    assert_eq!(cache.renders(), 1);
    assert!(String::from_utf8_lossy(&first.html).contains("set-1"));

    state.record_success(
        "acc00000000000000000000000000000",
        inventory(vec![set("set-2", 100)], vec![]),
        0.5,
        NOW + 60.0,
    );
    let after = cache.current().await;
    assert_eq!(cache.renders(), 2);
    for page in [&after.html, &after.json] {
        let text = String::from_utf8_lossy(page);
        assert!(text.contains("set-2") && !text.contains("set-1"), "{text}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_failed_refresh_count_shows_within_a_second() {
    let (state, counters) = watched("set-1");
    let cache = status_cache(state, Arc::clone(&counters), "/metrics".into());
    let errors = |pages: Arc<StatusPages>| {
        let page = String::from_utf8_lossy(&pages.html).into_owned();
        let health = &page[page.find("<table class=\"health\">").unwrap()..];
        body_rows(health)[0].ends_with("<td class=\"num\">1</td></tr>")
    };
    assert!(!errors(cache.current().await));
    counters.record_refresh_error("acc00000000000000000000000000000", Reason::Timeout.label());
    assert!(!errors(cache.current().await), "counters are not in the state: served from the cache");
    tokio::time::advance(crate::web::render_cache::MAX_AGE).await;
    assert!(errors(cache.current().await), "shown once the render is a second old");
    assert_eq!(cache.renders(), 2);
}

#[test]
fn a_token_that_expires_is_a_dated_row_and_a_mark_on_the_timeline() {
    let state = ExporterState::default();
    state.set_accounts(&[]);
    let counters = ExporterCounters::new();
    counters.set_token("default", crate::counters::TokenState::new("active", Some(NOW + 10.0 * 86_400.0)));
    let page = StatusView::gather(&state, &counters, NOW).html("/metrics");
    let rows = body_rows(&page);
    assert!(rows[0].starts_with("<tr class=\"warning\"") && rows[0].contains("token"), "{}", rows[0]);
    assert!(rows[0].contains("credential default") && rows[0].contains("renew it"), "{}", rows[0]);
    let timeline = &page[page.find("<svg class=\"timeline\"").unwrap()..page.find("</svg>").unwrap()];
    assert!(timeline.contains("href=\"#row-0\""), "{timeline}");
}

#[test]
fn rows_that_need_a_person_link_to_the_runbook_section_of_their_alert_and_it_exists() {
    let page = view().html("/metrics");
    let runbook = String::from_utf8(crate::web::runbook::page().to_vec()).unwrap();
    let rows = body_rows(&page);
    let anchors: Vec<&str> =
        rows.iter().filter_map(|r| r.split("href=\"/runbook#").nth(1)?.split('"').next()).collect();
    assert!(anchors.contains(&"cloudflaresamlcertificateexpired"), "{anchors:?}");
    assert!(anchors.contains(&"cloudflaresamlexporterrefreshfailing"), "{anchors:?}");
    for anchor in &anchors {
        assert!(runbook.contains(&format!("id=\"{anchor}\"")), "/runbook has no #{anchor}");
    }
    let healthy = rows.iter().find(|r| r.contains("set-healthy")).unwrap();
    assert!(!healthy.contains("/runbook#"), "a healthy row needs nothing: {healthy}");
}
