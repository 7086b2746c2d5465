//! The exporter in process against the fake API: refresh semantics,
//! readiness and what `/metrics` serves.

use std::collections::BTreeSet;
use std::time::Duration;

use cloudflare_saml_exporter::cloudflare::credentials::CredentialSource;
use cloudflare_saml_exporter::commands::serve::RunningExporter;
use cloudflare_saml_exporter::config::{CloudflareConfig, WebConfig};
use cloudflare_saml_exporter::fake::{FakeCloudflare, Fault, FaultKind};
use cloudflare_saml_exporter::refresh::AccountSelection;
use secrecy::SecretString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::metrics::MetricMatch;
use crate::support::{
    Scrape, TOKEN, account, client_settings, data, eventually, get, metric, scrape, start_fake, two_accounts,
    with_timeout,
};

const WAIT: Duration = Duration::from_secs(15);

async fn start(fake: &FakeCloudflare, interval: Duration) -> (RunningExporter, String) {
    start_with(fake, interval, AccountSelection::Fixed(vec!["acc-a".into(), "acc-b".into()])).await
}

async fn start_with(
    fake: &FakeCloudflare,
    interval: Duration,
    accounts: AccountSelection,
) -> (RunningExporter, String) {
    let cloudflare = CloudflareConfig::single(
        client_settings(fake),
        CredentialSource::Token(SecretString::from(TOKEN)),
        accounts,
        // Far beyond any test's wait, so a held refresh never times out.
        Duration::from_secs(60),
    );
    let web = WebConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        telemetry_path: "/metrics".into(),
        security: Default::default(),
        max_requests: 40,
    };
    let exporter = RunningExporter::start(cloudflare, web, interval).await.unwrap();
    let base = format!("http://{}", exporter.local_addr());
    (exporter, base)
}

async fn wait_for_value(url: &str, m: MetricMatch, want: f64) {
    let url = url.to_owned();
    eventually(&format!("{m} == {want}"), WAIT, || {
        let (url, m) = (url.clone(), m.clone());
        async move { (m.try_value_in(&scrape(&url).await) == Some(want)).then_some(()) }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_account_keeps_its_last_good_series_until_it_recovers() {
    let fake = start_fake(two_accounts()).await;
    let (exporter, base) = start(&fake, Duration::from_millis(200)).await;
    let url = format!("{base}/metrics");
    wait_for_value(&url, metric("cloudflare_access_saml_up").label("account_id", "acc-b"), 1.0).await;
    let expiry = metric("cloudflare_access_saml_certificate_not_after_timestamp_seconds")
        .label("account_id", "acc-b")
        .label("certificate_set_uid", "set-b1");
    let before = expiry.value_in(&scrape(&url).await);

    fake.inject(Fault {
        path_contains: "/accounts/acc-b/".into(),
        times: None,
        kind: FaultKind::Respond { status: 500, headers: vec![], body: "oops".into() },
    });
    wait_for_value(&url, metric("cloudflare_access_saml_up").label("account_id", "acc-b"), 0.0).await;
    let during = scrape(&url).await;
    assert_eq!(expiry.value_in(&during), before, "last good value kept");
    assert!(
        metric("cloudflare_access_saml_refresh_errors_total")
            .label("account_id", "acc-b")
            .label("reason", "server_error")
            .value_in(&during)
            >= 1.0
    );
    metric("cloudflare_access_saml_refresh_errors_total")
        .label("account_id", "acc-a")
        .label("reason", "server_error")
        .assert_value(&during, 0.0);
    metric("cloudflare_access_saml_up").label("account_id", "acc-a").assert_value(&during, 1.0);
    assert!(
        metric("cloudflare_access_saml_api_requests_total")
            .label("endpoint", "saml_certificates")
            .label("code", "500")
            .value_in(&during)
            >= 1.0
    );

    fake.clear_faults();
    wait_for_value(&url, metric("cloudflare_access_saml_up").label("account_id", "acc-b"), 1.0).await;
    exporter.stop().await;
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn what_a_successful_walk_no_longer_lists_disappears() {
    let fake = start_fake(two_accounts()).await;
    let (exporter, base) = start(&fake, Duration::from_millis(200)).await;
    let url = format!("{base}/metrics");
    let set = metric("cloudflare_access_saml_certificate_set_rotation_in_progress")
        .label("certificate_set_uid", "set-b2");
    wait_for_value(&url, set.clone(), 0.0).await;

    fake.update_data(|d| {
        let b = d.accounts.iter_mut().find(|a| a.id == "acc-b").unwrap();
        b.sets.retain(|s| s.uid != "set-b2");
        b.identity_providers.retain(|i| i.id != "idp-b2");
    });
    eventually("set-b2 to disappear", WAIT, || {
        let (url, set) = (url.clone(), set.clone());
        async move { set.samples_in(&scrape(&url).await).is_empty().then_some(()) }
    })
    .await;
    let after = scrape(&url).await;
    metric("cloudflare_access_saml_certificate_not_after_timestamp_seconds")
        .label("certificate_set_uid", "set-b2")
        .assert_absent(&after);
    metric("cloudflare_access_saml_identity_provider_info")
        .label("identity_provider_id", "idp-b2")
        .assert_absent(&after);
    metric("cloudflare_access_saml_certificate_sets").label("account_id", "acc-b").assert_value(&after, 1.0);
    exporter.stop().await;
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ready_only_after_every_account_was_refreshed_once() {
    let fake = start_fake(two_accounts()).await;
    // Every request waits at the fake until released: the first refresh is
    // in flight, and stays so, while the test looks.
    let hold = fake.hold("");
    let (exporter, base) = start(&fake, Duration::from_secs(60)).await;
    with_timeout(hold.until_held(1)).await;
    let (status, _) = get(&format!("{base}/-/ready")).await;
    assert_eq!(status, 503);
    assert_eq!(get(&format!("{base}/-/healthy")).await.0, 200);
    // Unknown health is no series, not a 0 that would read as a failure.
    let before = scrape(&format!("{base}/metrics")).await;
    metric("cloudflare_access_saml_up").label("account_id", "acc-a").assert_absent(&before);
    hold.release();
    eventually("ready", WAIT, || {
        let base = base.clone();
        async move { (get(&format!("{base}/-/ready")).await.0 == 200).then_some(()) }
    })
    .await;
    let after = scrape(&format!("{base}/metrics")).await;
    metric("cloudflare_access_saml_up").label("account_id", "acc-a").assert_value(&after, 1.0);
    exporter.stop().await;
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_have_the_exact_content_type_and_days_match_the_timestamp() {
    let fake = start_fake(two_accounts()).await;
    let (exporter, base) = start(&fake, Duration::from_secs(60)).await;
    let url = format!("{base}/metrics");
    wait_for_value(&url, metric("cloudflare_access_saml_up").label("account_id", "acc-a"), 1.0).await;
    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(response.headers()["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    let scrape = Scrape::parse(&response.text().await.unwrap());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
    let labels = |m: &str| metric(m).label("certificate_set_uid", "set-a");
    let not_after =
        labels("cloudflare_access_saml_certificate_not_after_timestamp_seconds").value_in(&scrape);
    let days = labels("cloudflare_access_saml_certificate_days_until_expiry").value_in(&scrape);
    assert!(((not_after - now) / 86_400.0 - days).abs() < 0.001, "days {days} vs not_after {not_after}");
    assert!((days - 100.0).abs() < 0.01, "minted to expire in 100 days: {days}");

    let (status, landing) = get(&format!("{base}/")).await;
    assert_eq!(status, 200);
    for link in ["href=\"/metrics\"", "href=\"/-/healthy\"", "href=\"/-/ready\""] {
        assert!(landing.contains(link), "{landing}");
    }
    assert_eq!(get(&format!("{base}/nope")).await.0, 404);
    let post = reqwest::Client::new().post(&url).send().await.unwrap();
    assert_eq!(post.status().as_u16(), 405);
    exporter.stop().await;
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let fake = start_fake(two_accounts()).await;
    let (exporter, base) = start(&fake, Duration::from_secs(60)).await;
    let mut stream = tokio::net::TcpStream::connect(exporter.local_addr()).await.unwrap();
    stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let limit = cloudflare_saml_exporter::web::server::HEADER_READ_TIMEOUT + Duration::from_secs(5);
    // Reading to the end returns only once the exporter closes the
    // connection (a 408 before closing is fine; a reset is a close too).
    let mut answered = Vec::new();
    let read = tokio::time::timeout(limit, stream.read_to_end(&mut answered)).await;
    assert!(
        read.is_ok(),
        "connection still open after {limit:?}: the header-read timeout does not apply; it sent {:?}",
        String::from_utf8_lossy(&answered)
    );
    // Normal scrapes still work.
    assert_eq!(get(&format!("{base}/metrics")).await.0, 200);
    exporter.stop().await;
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn discovery_walks_every_page_of_accounts_within_the_documented_page_size() {
    // GET /accounts allows at most 50 per page (the SAML lists allow 1000);
    // the fake refuses more, so asking for too much fails this test.
    let accounts = (0..55).map(|i| account(&format!("acc-{i:02}"), vec![], vec![])).collect();
    let fake = start_fake(data(accounts)).await;
    let (exporter, base) = start_with(&fake, Duration::from_secs(60), AccountSelection::Discover).await;
    // Discovery finishes before `start` returns: every account of both
    // pages, and no other, has its error counters from the first scrape on.
    let first = scrape(&format!("{base}/metrics")).await;
    let known: BTreeSet<&str> = metric("cloudflare_access_saml_refresh_errors_total")
        .samples_in(&first)
        .into_iter()
        .map(|s| s.labels["account_id"].as_str())
        .collect();
    let expected: BTreeSet<String> = (0..55).map(|i| format!("acc-{i:02}")).collect();
    assert_eq!(known, expected.iter().map(String::as_str).collect(), "accounts discovered");
    let pages: Vec<String> =
        fake.requests().into_iter().map(|r| r.uri).filter(|u| u.contains("/accounts?")).collect();
    assert!(pages.iter().all(|u| u.contains("per_page=50")), "{pages:?}");
    assert!(pages.iter().any(|u| u.contains("page=2&")), "two pages for 55 accounts: {pages:?}");
    exporter.stop().await;
    fake.stop().await;
}
