//! The scale benchmark: the exporter on its default flags (budget 300 per
//! 5 minutes, interval 5 minutes) against the in-process fake Cloudflare
//! with its per-token limit on (1200 per 300 s), for 100 and 1000 accounts.
//! For each it prints the time until every account is up against the
//! budget's lower bound, the requests made against the floor (two per
//! account plus the discovery pages and the token check), and the 429s. The 1000-account run is
//! bounded in time (`SCALE_LIMIT_S`, default 150 s) and reports its progress
//! against what the budget allows and the refresh cycle.
//!
//! Run: `cargo bench --bench scale` (`SCALE_ACCOUNTS=100,1000`,
//! `SCALE_LIMIT_S=150`, `SCALE_BUDGET=300`).

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use cloudflare_saml_exporter::cloudflare::budget::time_for_turns;
use cloudflare_saml_exporter::refresh::schedule::pass_requests;
use fake_cloudflare::FakeCloudflare;

#[path = "fleet/mod.rs"]
mod fleet;

use fleet::{fake_data, start_exporter};
const PROGRESS_EVERY: Duration = Duration::from_secs(15);

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn main() {
    // `cargo test --all-targets` runs bench targets too; only `cargo bench`
    // passes `--bench`.
    if !std::env::args().any(|a| a == "--bench") {
        println!("scale benchmark: run it with `cargo bench --bench scale`");
        return;
    }
    let sizes: Vec<usize> =
        env_or("SCALE_ACCOUNTS", "100,1000").split(',').filter_map(|n| n.trim().parse().ok()).collect();
    let limit =
        Duration::from_secs(env_or("SCALE_LIMIT_S", "150").parse().expect("SCALE_LIMIT_S in seconds"));
    let budget: NonZeroU32 = env_or("SCALE_BUDGET", "300").parse().expect("SCALE_BUDGET a positive number");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    for accounts in sizes {
        runtime.block_on(run(accounts, budget, limit));
    }
}

/// Accounts up, and the refresh cycle, from one scrape.
async fn progress(url: &str) -> (usize, Option<f64>) {
    let text = reqwest::get(url).await.expect("scrape").text().await.expect("scrape body");
    let up =
        text.lines().filter(|l| l.starts_with("cloudflare_access_saml_up{") && l.ends_with(" 1")).count();
    let cycle = text
        .lines()
        .find(|l| l.starts_with("cloudflare_access_saml_refresh_cycle_seconds{"))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok());
    (up, cycle)
}

/// Requests of a first pass: both lists of every account, the discovery
/// pages, and the token check (`GET /user/tokens/verify`).
fn first_pass_requests(accounts: usize) -> u64 {
    pass_requests(accounts, true, 1, false) + 1
}

/// The most accounts the budget lets a fresh exporter read within `elapsed`.
fn budget_allows(elapsed: Duration, accounts: usize, budget: NonZeroU32) -> usize {
    // The first pass reads both lists of every account (one set list per
    // pass), beside the credential's token check.
    let listing = first_pass_requests(accounts) - 2 * accounts as u64;
    (0..=accounts).rev().find(|n| time_for_turns(listing + 2 * *n as u64, budget) <= elapsed).unwrap_or(0)
}

async fn run(accounts: usize, budget: NonZeroU32, limit: Duration) {
    let fake =
        FakeCloudflare::start("127.0.0.1:0".parse().unwrap(), fake_data(accounts, 1)).await.expect("fake");
    let started = Instant::now();
    let (exporter, url) = start_exporter(&fake.base_url(), &budget.to_string()).await;
    let floor = first_pass_requests(accounts);
    let lower_bound = time_for_turns(floor, budget);
    // A run the time limit can hold gets room to finish; a longer one stops there.
    let bound = if lower_bound <= limit { lower_bound.mul_f64(1.5) + Duration::from_secs(30) } else { limit };
    println!("== {accounts} accounts, budget {budget} per 5 min, interval 300 s ==");
    println!(
        "lower bound of the first pass: {:.1} s ({floor} requests); time limit: {:.0} s",
        lower_bound.as_secs_f64(),
        bound.as_secs_f64()
    );
    let mut next_report = PROGRESS_EVERY;
    let (up, cycle, elapsed) = loop {
        let (up, cycle) = progress(&url).await;
        let elapsed = started.elapsed();
        if up == accounts || elapsed >= bound {
            break (up, cycle, elapsed);
        }
        if elapsed >= next_report {
            println!(
                "  {:>5.0} s: {up}/{accounts} up (the budget allows {}), cycle {} s",
                elapsed.as_secs_f64(),
                budget_allows(elapsed, accounts, budget),
                cycle.map_or("?".into(), |c| format!("{c:.0}"))
            );
            next_report += PROGRESS_EVERY;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let requests = fake.requests().len() as u64;
    let refused = fake.rate_limit_refusals();
    if up == accounts {
        let ratio = elapsed.as_secs_f64() / lower_bound.as_secs_f64().max(0.001);
        println!(
            "all {accounts} up after {:.1} s = {ratio:.2} x the lower bound ({:.1} s)",
            elapsed.as_secs_f64(),
            lower_bound.as_secs_f64()
        );
        println!("requests: {requests} (floor {floor}); 429s: {refused}");
    } else {
        println!(
            "stopped after {:.0} s: {up}/{accounts} up (the budget allows {}); requests: {requests}; 429s: {refused}",
            elapsed.as_secs_f64(),
            budget_allows(elapsed, accounts, budget)
        );
    }
    println!("refresh cycle: {} s", cycle.map_or("?".into(), |c| format!("{c:.0}")));
    exporter.stop().await;
    fake.stop().await;
}
