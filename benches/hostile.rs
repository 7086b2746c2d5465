//! Hostile-input benchmark (issue 20): each attack at its full size against
//! the release binary in its own process, on loopback, printing what it cost
//! beside the bound it must stay within. The tests in `tests/hostile/` assert
//! the same bounds at a size the fast tier can afford; this run gives the
//! figures the README quotes.
//!
//! Run: `cargo bench --bench hostile`. Env: `GARBAGE_SECONDS` (how long the
//! API changes its garbage, default 50), `CLIENT_SECONDS` (how long a
//! never-reading client arrives every second, default 60).

use std::time::{Duration, Instant};

use fake_cloudflare::{Fault, FaultKind};

// The in-process exporter of `fleet` is the other benches'; this one runs the binary.
#[allow(dead_code)]
#[path = "fleet/mod.rs"]
mod fleet;
#[path = "hostile/scenarios.rs"]
mod scenarios;
#[path = "hostile/serving.rs"]
mod serving;

use scenarios::{Outcome, Spawned, memory_of};

const EXPORTER: &str = env!("CARGO_BIN_EXE_cloudflare-saml-exporter");

#[tokio::main]
async fn main() {
    // `cargo test --all-targets` runs bench targets too, without `--bench`.
    if !std::env::args().any(|a| a == "--bench") {
        println!("hostile benchmark: run it with `cargo bench --bench hostile`");
        return;
    }
    let garbage_seconds: u64 =
        std::env::var("GARBAGE_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(50);
    let client_seconds: u64 = std::env::var("CLIENT_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    let mut outcomes = vec![
        endless_huge_pages().await,
        serving::never_reading_clients(EXPORTER, Duration::from_secs(client_seconds)).await,
        serving::password_flood(EXPORTER).await,
        serving::health_while_discovery_hangs(EXPORTER).await,
    ];
    outcomes.extend(changing_garbage(Duration::from_secs(garbage_seconds)).await);
    outcomes.extend(scenarios::configuration_mistakes(EXPORTER));
    println!("\n{:<62} {:>14} {:>14}  verdict", "attack", "measured", "bound");
    let mut missed = 0;
    for outcome in &outcomes {
        println!("{outcome}");
        missed += usize::from(!outcome.met());
    }
    if missed > 0 {
        println!("\n{missed} bound(s) missed");
        std::process::exit(1);
    }
}

/// 15+ pages of 60 MiB for one account (the defaults: 64 MiB per body and per account).
async fn endless_huge_pages() -> Outcome {
    let fake = scenarios::fake().await;
    let exporter = Spawned::serve(EXPORTER, &fake, &[]);
    exporter.until_up(scenarios::ACCOUNT_B).await;
    fake.inject(Fault {
        path_contains: format!("/accounts/{}/access/identity_providers", scenarios::ACCOUNT_B),
        times: None,
        kind: FaultKind::HugePages(60 << 20),
    });
    exporter.until_metric_at_least(
        &format!(
            "cloudflare_access_saml_refresh_errors_total{{account_id=\"{}\",reason=\"account_too_large\"}}",
            scenarios::ACCOUNT_B
        ),
        3.0,
    )
    .await;
    let peak = memory_of(exporter.pid()).peak;
    fake.stop().await;
    Outcome::at_most("endless 60 MiB pages: peak RSS (MB)", peak as f64 / 1e6, 400.0)
}

/// A megabyte of different garbage where a time belongs, on every refresh.
async fn changing_garbage(lasting: Duration) -> Vec<Outcome> {
    let fake = scenarios::fake().await;
    let exporter = Spawned::serve(EXPORTER, &fake, &["--refresh-interval", "1s"]);
    exporter.until_up(scenarios::ACCOUNT_B).await;
    let started = Instant::now();
    const WARM_ROUNDS: u64 = 10;
    let mut warm = None;
    let mut round = 0u64;
    while started.elapsed() < lasting {
        // Warm once the garbage regime runs: ten rounds (5 s) in, its
        // current megabyte and the allocator's first arenas included.
        if round == WARM_ROUNDS {
            warm = Some(memory_of(exporter.pid()).resident);
        }
        round += 1;
        let garbage = format!("{round}-{}", "\u{1b}[2J".repeat(1 << 18));
        fake.update_data(|data| {
            if let Some(account) = data.accounts.iter_mut().find(|a| a.id == scenarios::ACCOUNT_B)
                && let Some(current) = account.sets[0].current.as_mut()
            {
                current.not_after = garbage;
            }
        });
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let (warm, now) = (warm.unwrap_or(1), memory_of(exporter.pid()).resident);
    let log = exporter.stop_and_log();
    fake.stop().await;
    let seconds = lasting.as_secs();
    vec![
        Outcome::at_most(
            &format!("changing garbage for {seconds} s: RSS after / warm"),
            now as f64 / warm as f64,
            1.5,
        ),
        Outcome::at_most(&format!("changing garbage for {seconds} s: log (MB)"), log as f64 / 1e6, 5.0),
    ]
}
