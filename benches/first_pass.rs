//! The first pass at network speed: 100 accounts of 3 sets and 3 SAML IdPs
//! each, every API call answered after 50 ms, with a budget that fits
//! (1200 per 5 minutes). Prints the time until every account is up beside
//! a sequential baseline on the same fake (each list of each account read
//! one after the other through the same client) and the ratio; the target
//! is under 1 s and at least 20 times faster.
//!
//! Run: `cargo bench --bench first_pass`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cloudflare_saml_exporter::cloudflare::client::{ClientSettings, CloudflareClient};
use cloudflare_saml_exporter::cloudflare::credentials::CredentialSource;
use cloudflare_saml_exporter::counters::ExporterCounters;
use fake_cloudflare::{FakeCloudflare, Fault, FaultKind};
use secrecy::SecretString;

#[path = "fleet/mod.rs"]
mod fleet;

use fleet::{TOKEN, fake_data, start_exporter};

const ACCOUNTS: usize = 100;
const LATENCY: Duration = Duration::from_millis(50);
const BUDGET: &str = "1200";

fn main() {
    // `cargo test --all-targets` runs bench targets too; only `cargo bench`
    // passes `--bench`.
    if !std::env::args().any(|a| a == "--bench") {
        println!("first-pass benchmark: run it with `cargo bench --bench first_pass`");
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    let (sequential, exporter) = runtime.block_on(async {
        let fake = slow_fake().await;
        let sequential = sequential_baseline(&fake).await;
        fake.stop().await;
        let fake = slow_fake().await;
        let exporter = exporter_first_pass(&fake).await;
        fake.stop().await;
        (sequential, exporter)
    });
    let ratio = sequential.as_secs_f64() / exporter.as_secs_f64();
    println!(
        "== {ACCOUNTS} accounts x 3 sets + 3 IdPs, {} ms per API call, budget {BUDGET} per 5 min ==",
        LATENCY.as_millis()
    );
    println!(
        "sequential baseline (every list of every account, one after the other): {:.2} s",
        sequential.as_secs_f64()
    );
    println!(
        "exporter, first pass until every account is up:                     {:.2} s",
        exporter.as_secs_f64()
    );
    let under_a_second = if exporter < Duration::from_secs(1) { "met" } else { "NOT MET" };
    let twenty_times = if ratio >= 20.0 { "met" } else { "NOT MET" };
    println!(
        "target under 1 s: {under_a_second}; {ratio:.1} x faster than sequential, target >= 20 x: {twenty_times}"
    );
    if exporter >= Duration::from_secs(1) || ratio < 20.0 {
        std::process::exit(1);
    }
}

/// The fake with every account call answered after [`LATENCY`].
async fn slow_fake() -> FakeCloudflare {
    let fake =
        FakeCloudflare::start("127.0.0.1:0".parse().unwrap(), fake_data(ACCOUNTS, 3)).await.expect("fake");
    fake.inject(Fault { path_contains: "/access/".into(), times: None, kind: FaultKind::Delay(LATENCY) });
    fake
}

/// Reads both lists of every account one request at a time.
async fn sequential_baseline(fake: &FakeCloudflare) -> Duration {
    let settings = ClientSettings {
        base_url: fake.api_url().clone(),
        request_timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(5),
        max_body_bytes: 64 << 20,
        max_account_bytes: 64 << 20,
        max_requests_per_5m: BUDGET.parse().unwrap(),
    };
    let credentials = CredentialSource::Token(SecretString::from(TOKEN));
    let client =
        CloudflareClient::new(settings, credentials, Arc::new(ExporterCounters::new())).expect("client");
    let started = Instant::now();
    for i in 0..ACCOUNTS {
        let id = format!("{i:032x}");
        client.list_certificate_sets(&id).await.expect("sets");
        client.list_identity_providers(&id).await.expect("identity providers");
    }
    started.elapsed()
}

/// Starts the exporter on the fake and times its first pass.
async fn exporter_first_pass(fake: &FakeCloudflare) -> Duration {
    let started = Instant::now();
    let (exporter, url) = start_exporter(&fake.base_url(), BUDGET).await;
    let took = loop {
        let text = reqwest::get(&url).await.expect("scrape").text().await.expect("body");
        let up =
            text.lines().filter(|l| l.starts_with("cloudflare_access_saml_up{") && l.ends_with(" 1")).count();
        if up == ACCOUNTS {
            break started.elapsed();
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{up}/{ACCOUNTS} up after a minute");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    exporter.stop().await;
    took
}
