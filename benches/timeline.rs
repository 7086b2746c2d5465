//! The status page of 5,000 certificates (50 accounts × 100 certificate
//! sets, each used by its own SAML IdP, expiring from 20 days ago to 400
//! days ahead) rendered as a request after a state change renders it: the
//! report graded from the state, the HTML with its timeline, and the JSON
//! (`StatusPages::render`). Prints the median render beside the 50 ms
//! budget (issue 23) and the ratio, and the timeline alone; exits 1 when
//! the budget is missed.
//!
//! Run: `cargo bench --bench timeline`.

use std::time::{Duration, Instant};

use cloudflare_saml_exporter::clock::unix_now;
use cloudflare_saml_exporter::counters::ExporterCounters;
use cloudflare_saml_exporter::model::inventory::AccountInventory;
use cloudflare_saml_exporter::model::state::ExporterState;
use cloudflare_saml_exporter::web::status_page::{StatusPages, StatusView, render_timeline};
use fake_cloudflare::mint::{KeyKind, mint_certificate};
use serde_json::json;

const ACCOUNTS: usize = 50;
const SETS: usize = 100;
/// Distinct expiries: minting one per set would take longer than the bench.
const EXPIRIES: usize = 100;
const BUDGET: Duration = Duration::from_millis(50);
const RUNS: usize = 31;
const DAY: i64 = 86_400;

fn main() {
    // `cargo test --all-targets` runs bench targets too; only `cargo bench`
    // passes `--bench`.
    if !std::env::args().any(|a| a == "--bench") {
        println!("timeline benchmark: run it with `cargo bench --bench timeline`");
        return;
    }
    let now = unix_now();
    let state = state(now as i64);
    let counters = ExporterCounters::new();
    let page = median(|| {
        let pages = StatusPages::render(&state, &counters, "/metrics", now);
        std::hint::black_box(pages.html.len() + pages.json.len());
    });
    let gather = median(|| {
        std::hint::black_box(StatusView::gather(&state, &counters, now).report.rows.len());
    });
    let view = StatusView::gather(&state, &counters, now);
    let html_only = median(|| {
        std::hint::black_box(view.html("/metrics").len());
    });
    let json_only = median(|| {
        std::hint::black_box(view.json().len());
    });
    let timeline = median(|| {
        std::hint::black_box(render_timeline(&view.report.rows, now).len());
    });
    let html = view.html("/metrics");
    let svg = render_timeline(&view.report.rows, now);
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let ratio = page.as_secs_f64() / BUDGET.as_secs_f64();
    println!(
        "== status page of {} certificates ({ACCOUNTS} accounts x {SETS} sets), median of {RUNS} ==",
        view.report.rows.len()
    );
    println!(
        "status page (report, HTML with timeline, JSON): {:.2} ms; {} bytes of HTML",
        ms(page),
        html.len()
    );
    println!(
        "  of which: grading {:.2} ms, HTML {:.2} ms, JSON {:.2} ms",
        ms(gather),
        ms(html_only),
        ms(json_only)
    );
    println!(
        "timeline alone:                                 {:.2} ms; {} bytes of SVG",
        ms(timeline),
        svg.len()
    );
    let met = if page < BUDGET { "met" } else { "NOT MET" };
    println!("budget {} ms: {ratio:.2} x the budget: {met}", BUDGET.as_millis());
    if page >= BUDGET {
        std::process::exit(1);
    }
}

/// The median time of [`RUNS`] calls of `render`, after a few to warm up.
fn median(mut render: impl FnMut()) -> Duration {
    for _ in 0..3 {
        render();
    }
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            render();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

/// Every account read once, its sets' expiries spread from 20 days ago to
/// 400 days ahead.
fn state(now: i64) -> ExporterState {
    let certificates: Vec<String> = (0..EXPIRIES)
        .map(|i| {
            let expires = now - 20 * DAY + (i as i64 * 420 * DAY) / EXPIRIES as i64 + 3_600;
            mint_certificate("bench", KeyKind::P256, now - 400 * DAY, expires).expect("mint").pem
        })
        .collect();
    let ids: Vec<String> = (0..ACCOUNTS).map(|a| format!("{a:032x}")).collect();
    let state = ExporterState::default();
    state.set_accounts(&ids);
    for (a, id) in ids.iter().enumerate() {
        let sets = (0..SETS)
            .map(|s| {
                let pem = &certificates[(a * SETS + s * 7) % EXPIRIES];
                json!({"uid": format!("set-{a}-{s}"), "updated_at": "2026-01-01T00:00:00Z",
                       "current_certificate": {"uid": format!("cert-{a}-{s}"), "public_certificate": pem}})
            })
            .collect::<Vec<_>>();
        let idps = (0..SETS)
            .map(|s| {
                json!({"id": format!("idp-{a}-{s}"), "name": format!("IdP {a}-{s}"), "type": "saml",
                       "saml_certificate_set_id": format!("set-{a}-{s}"), "config": {"enable_encryption": true}})
            })
            .collect::<Vec<_>>();
        let inventory = AccountInventory::build(
            serde_json::from_value(json!(sets)).expect("sets"),
            serde_json::from_value(json!(idps)).expect("IdPs"),
        );
        state.record_success(id, inventory, 0.1, now as f64);
    }
    state
}
