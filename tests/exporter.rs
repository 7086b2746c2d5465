//! The exporter in process against the fake API: refresh semantics,
//! readiness and what `/metrics` serves, signing certificates included.

use std::collections::BTreeSet;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use cloudflare_saml_exporter::cloudflare::credentials::CredentialSource;
use cloudflare_saml_exporter::commands::serve::RunningExporter;
use cloudflare_saml_exporter::config::{CloudflareConfig, WebConfig};
use cloudflare_saml_exporter::refresh::AccountSelection;
use fake_cloudflare::mint::{KeyKind, mint_certificate};
use fake_cloudflare::{FakeCloudflare, Fault, FaultKind};
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::fixtures::{ACC_A, ACC_B};
use crate::support::metrics::MetricMatch;
use crate::support::scrape_until;
use crate::support::{
    Scrape, TOKEN, account, client_settings, data, eventually, get, metric, saml_idp, scrape, start_fake,
    two_accounts, with_timeout,
};

const WAIT: Duration = Duration::from_secs(15);

async fn start(fake: &FakeCloudflare, interval: Duration) -> (RunningExporter, String) {
    start_with(fake, interval, AccountSelection::Fixed(vec![ACC_A.into(), ACC_B.into()])).await
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
        write_timeout: Duration::from_secs(30),
        external_url: None,
    };
    let exporter = RunningExporter::start(cloudflare, web, interval).await.unwrap();
    let base = format!("http://{}", exporter.local_addr());
    (exporter, base)
}

async fn wait_for_value(url: &str, m: MetricMatch, want: f64) {
    scrape_until(url, &format!("{m} == {want}"), WAIT, |s| m.try_value_in(s) == Some(want)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_account_keeps_its_last_good_series_until_it_recovers() {
    let fake = start_fake(two_accounts()).await;
    let (exporter, base) = start(&fake, Duration::from_millis(200)).await;
    let url = format!("{base}/metrics");
    wait_for_value(&url, metric("cloudflare_access_saml_up").label("account_id", ACC_B), 1.0).await;
    let expiry = metric("cloudflare_access_saml_certificate_not_after_timestamp_seconds")
        .label("account_id", ACC_B)
        .label("certificate_set_uid", "set-b1");
    let before = expiry.value_in(&scrape(&url).await);

    fake.inject(Fault {
        path_contains: "/accounts/accb0000000000000000000000000000/".into(),
        times: None,
        kind: FaultKind::Respond { status: 500, headers: vec![], body: "oops".into() },
    });
    wait_for_value(&url, metric("cloudflare_access_saml_up").label("account_id", ACC_B), 0.0).await;
    let during = scrape(&url).await;
    assert_eq!(expiry.value_in(&during), before, "last good value kept");
    assert!(
        metric("cloudflare_access_saml_refresh_errors_total")
            .label("account_id", ACC_B)
            .label("reason", "server_error")
            .value_in(&during)
            >= 1.0
    );
    metric("cloudflare_access_saml_refresh_errors_total")
        .label("account_id", ACC_A)
        .label("reason", "server_error")
        .assert_value(&during, 0.0);
    metric("cloudflare_access_saml_up").label("account_id", ACC_A).assert_value(&during, 1.0);
    // A pass that does not list the sets reads only the IdP list, so the
    // first 500 may be counted on either endpoint.
    let server_errors: f64 = metric("cloudflare_access_saml_api_requests_total")
        .label("code", "500")
        .samples_in(&during)
        .iter()
        .map(|sample| sample.value)
        .sum();
    assert!(server_errors >= 1.0, "no 500 counted: {:?}", during.text);

    fake.clear_faults();
    wait_for_value(&url, metric("cloudflare_access_saml_up").label("account_id", ACC_B), 1.0).await;
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
        let b = d.accounts.iter_mut().find(|a| a.id == ACC_B).unwrap();
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
    metric("cloudflare_access_saml_certificate_sets").label("account_id", ACC_B).assert_value(&after, 1.0);
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
    metric("cloudflare_access_saml_up").label("account_id", ACC_A).assert_absent(&before);
    hold.release();
    eventually("ready", WAIT, || {
        let base = base.clone();
        async move { (get(&format!("{base}/-/ready")).await.0 == 200).then_some(()) }
    })
    .await;
    let after = scrape(&format!("{base}/metrics")).await;
    metric("cloudflare_access_saml_up").label("account_id", ACC_A).assert_value(&after, 1.0);
    exporter.stop().await;
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_have_the_exact_content_type_and_days_match_the_timestamp() {
    let fake = start_fake(two_accounts()).await;
    let (exporter, base) = start(&fake, Duration::from_secs(60)).await;
    let url = format!("{base}/metrics");
    wait_for_value(&url, metric("cloudflare_access_saml_up").label("account_id", ACC_A), 1.0).await;
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
    let accounts = (0..55).map(|i| account(&format!("acc{i:029}"), vec![], vec![])).collect();
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
    let expected: BTreeSet<String> = (0..55).map(|i| format!("acc{i:029}")).collect();
    assert_eq!(known, expected.iter().map(String::as_str).collect(), "accounts discovered");
    let pages: Vec<String> =
        fake.requests().into_iter().map(|r| r.uri).filter(|u| u.contains("/accounts?")).collect();
    assert!(pages.iter().all(|u| u.contains("per_page=50")), "{pages:?}");
    assert!(pages.iter().any(|u| u.contains("page=2&")), "two pages for 55 accounts: {pages:?}");
    exporter.stop().await;
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_certificates_are_served_by_the_metric_contract() {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let mint =
        |days: i64| mint_certificate("signing", KeyKind::P256, now - 86_400, now + days * 86_400).unwrap();
    let (old, new) = (mint(3), mint(400));
    let mut idp = saml_idp("idp-roll", None);
    idp.signing_certificates = vec![
        old.pem.replace('\n', "\r\n"),
        BASE64.encode(&new.der),
        new.pem.clone(),
        "-----BEGIN CERTIFICATE-----\nMIIC...\n-----END CERTIFICATE-----".into(),
    ];
    let bare = saml_idp("idp-none", None);
    let fake = start_fake(data(vec![account(ACC_A, vec![], vec![idp, bare])])).await;
    let (exporter, base) =
        start_with(&fake, Duration::from_secs(60), AccountSelection::Fixed(vec![ACC_A.into()])).await;
    let url = format!("{base}/metrics");
    wait_for_value(&url, metric("cloudflare_access_saml_up").label("account_id", ACC_A), 1.0).await;
    let scrape = scrape(&url).await;

    let idp = |name: &str, id: &str| {
        metric(&format!("cloudflare_access_saml_identity_provider_{name}"))
            .label("account_id", ACC_A)
            .label("identity_provider_id", id)
    };
    idp("signing_certificates", "idp-roll").assert_value(&scrape, 4.0);
    idp("signing_certificates", "idp-none").assert_value(&scrape, 0.0);
    idp("signing_certificate_latest_not_after_timestamp_seconds", "idp-roll")
        .assert_value(&scrape, new.not_after as f64);
    idp("signing_certificate_latest_not_after_timestamp_seconds", "idp-none").assert_absent(&scrape);
    idp("signing_certificate_parse_error", "idp-roll")
        .label("position", "3")
        .label("reason", "bad_pem")
        .assert_value(&scrape, 1.0);
    assert_eq!(idp("signing_certificate_parse_error", "idp-roll").samples_in(&scrape).len(), 1);
    // The new certificate is listed twice and counted once.
    assert_eq!(
        idp("signing_certificate_not_after_timestamp_seconds", "idp-roll").samples_in(&scrape).len(),
        2
    );
    for cert in [&old, &new] {
        let fingerprint = format!("{:x}", Sha256::digest(&cert.der));
        let one = |name: &str| idp(name, "idp-roll").label("sha256_fingerprint", &fingerprint);
        one("signing_certificate_not_after_timestamp_seconds").assert_value(&scrape, cert.not_after as f64);
        one("signing_certificate_not_before_timestamp_seconds").assert_value(&scrape, cert.not_before as f64);
        one("signing_certificate_key_bits").assert_value(&scrape, 256.0);
        one("signing_certificate_info")
            .label("subject", "CN=signing, O=Cloudflare Access (fake)")
            .label("issuer", "CN=signing, O=Cloudflare Access (fake)")
            .label("key_algorithm", "ecdsa")
            .label("signature_algorithm", "ecdsa-with-SHA256")
            .assert_value(&scrape, 1.0);
    }
    exporter.stop().await;
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_come_gzip_compressed_when_asked_and_head_gives_the_headers_only() {
    use std::io::Read as _;
    let fake = start_fake(two_accounts()).await;
    let (exporter, base) = start(&fake, Duration::from_secs(60)).await;
    let url = format!("{base}/metrics");
    wait_for_value(&url, metric("cloudflare_access_saml_up").label("account_id", ACC_B), 1.0).await;
    let client = reqwest::Client::new();

    let plain = client.get(&url).send().await.unwrap();
    assert_eq!(plain.headers()["vary"], "Accept-Encoding");
    assert!(plain.headers().get("content-encoding").is_none(), "no gzip unless asked");
    let plain = plain.text().await.unwrap();

    let zipped = client.get(&url).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    assert_eq!(zipped.headers()["vary"], "Accept-Encoding");
    assert_eq!(zipped.headers()["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    let zipped = zipped.bytes().await.unwrap();
    let mut decoded = String::new();
    flate2::read::GzDecoder::new(&zipped[..]).read_to_string(&mut decoded).expect("a valid gzip body");
    assert!(zipped.len() * 3 < decoded.len(), "{} bytes for {}", zipped.len(), decoded.len());
    // Two scrapes may straddle a re-render: only days_until_expiry may differ.
    let comparable = |text: &str| -> Vec<String> {
        crate::support::Scrape::parse(text)
            .samples
            .into_iter()
            .map(|s| match s.name.as_str() {
                "cloudflare_access_saml_certificate_days_until_expiry" => {
                    format!("{} {:?}", s.name, s.labels)
                }
                _ => format!("{} {:?} {}", s.name, s.labels, s.value),
            })
            .collect()
    };
    assert_eq!(comparable(&decoded), comparable(&plain));

    for accept in [None, Some("gzip")] {
        let mut head = client.head(&url);
        if let Some(accept) = accept {
            head = head.header("accept-encoding", accept);
        }
        let head = head.send().await.unwrap();
        assert_eq!(head.status().as_u16(), 200);
        assert_eq!(head.headers()["vary"], "Accept-Encoding");
        assert_eq!(head.headers().get("content-encoding").is_some(), accept.is_some());
        let length: usize = head.headers()["content-length"].to_str().unwrap().parse().unwrap();
        let expected = if accept.is_some() { zipped.len() } else { plain.len() };
        assert!(length.abs_diff(expected) * 50 < expected, "HEAD says {length}, GET gave {expected}");
        assert!(head.bytes().await.unwrap().is_empty());
    }
    exporter.stop().await;
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_status_page_and_its_json_grade_every_certificate() {
    let fake = start_fake(two_accounts()).await;
    let (exporter, base) = start(&fake, Duration::from_secs(60)).await;
    wait_for_value(
        &format!("{base}/metrics"),
        metric("cloudflare_access_saml_up").label("account_id", ACC_B),
        1.0,
    )
    .await;
    let response = reqwest::get(format!("{base}/status.json")).await.unwrap();
    assert_eq!(response.headers()["content-type"], "application/json");
    let report: serde_json::Value = response.json().await.unwrap();
    assert_eq!(report["status"], "ok", "{report:#}");
    let sets: Vec<&str> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["certificate_set_uid"].as_str().unwrap())
        .collect();
    // Grouped by account: B holds the soonest expiry, so both of its sets come first.
    assert_eq!(sets, ["set-b1", "set-b2", "set-a"], "soonest expiry first, by account: {report:#}");
    assert_eq!(
        report["rows"][0]["account_name"],
        format!("Account {ACC_B}"),
        "named accounts learn their names"
    );

    let (status, page) = get(&format!("{base}/")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Status: <strong>OK</strong>"), "{page}");
    assert!(page.find("set-b1").unwrap() < page.find("set-a").unwrap(), "{page}");
    assert!(page.contains("IdP idp-b1"), "{page}");
    exporter.stop().await;
    fake.stop().await;
}
