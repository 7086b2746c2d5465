//! Hostile inputs: a Cloudflare API that sends too much, waits too long or
//! says the same wrong thing differently every time.

use std::time::Duration;

use fake_cloudflare::{Fault, FaultKind};

use crate::support::memory::Memory;
use crate::support::{Exporter, Scrape, TOKEN, metric, scrape_until, start_fake, two_accounts};

const A: &str = "acca0000000000000000000000000000";
const B: &str = "accb0000000000000000000000000000";
const WAIT: Duration = Duration::from_secs(60);

fn up(scrape: &Scrape, account: &str) -> Option<f64> {
    metric("cloudflare_access_saml_up").label("account_id", account).try_value_in(scrape)
}

fn errors(scrape: &Scrape, account: &str, reason: &str) -> f64 {
    metric("cloudflare_access_saml_refresh_errors_total")
        .label("account_id", account)
        .label("reason", reason)
        .try_value_in(scrape)
        .unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread")]
async fn endless_pages_just_under_the_body_cap_cost_one_account_and_a_bounded_memory() {
    let fake = start_fake(two_accounts()).await;
    // The defaults: a 64 MiB body cap and 64 MiB per account in all.
    let exporter = Exporter::serve().api(&fake.base_url()).account(&format!("{A},{B}")).token(TOKEN).spawn();
    let url = exporter.metrics_url.clone();
    let warm =
        scrape_until(&url, "both accounts up", WAIT, |s| up(s, A) == Some(1.0) && up(s, B) == Some(1.0))
            .await;
    let expiry_of_b = |s: &Scrape| {
        metric("cloudflare_access_saml_certificate_not_after_timestamp_seconds")
            .label("certificate_set_uid", "set-b1")
            .try_value_in(s)
    };
    assert!(expiry_of_b(&warm).is_some());
    let before = exporter.memory();

    // Pages of 60 MiB, each bringing a new IdP, and the list never ends.
    fake.inject(Fault {
        path_contains: format!("/accounts/{B}/access/identity_providers"),
        times: None,
        kind: FaultKind::HugePages(60 << 20),
    });
    let hit = scrape_until(&url, "B refused as too large, twice", WAIT, |s| {
        errors(s, B, "account_too_large") >= 2.0
    })
    .await;
    assert_eq!(up(&hit, B), Some(0.0), "B reports the failure");
    assert_eq!(up(&hit, A), Some(1.0), "A is unaffected");
    assert_eq!(errors(&hit, A, "account_too_large"), 0.0);
    assert_eq!(expiry_of_b(&hit), expiry_of_b(&warm), "B keeps its last good values");
    let pages: Vec<String> = fake
        .requests()
        .into_iter()
        .filter(|r| {
            r.uri.contains(&format!("/accounts/{B}/access/identity_providers")) && r.uri.contains("page=3")
        })
        .map(|r| r.uri)
        .collect();
    assert!(pages.is_empty(), "a third page was asked for: {pages:?}");
    let after = exporter.memory();
    eprintln!(
        "60 MiB pages: peak RSS {:.0} MB, warm {:.0} MB",
        Memory::mb(after.peak),
        Memory::mb(before.resident)
    );
    assert!(
        after.peak < 400_000_000,
        "peak RSS {:.0} MB (warm {:.0} MB) with 60 MiB pages",
        Memory::mb(after.peak),
        Memory::mb(before.resident)
    );
    fake.stop().await;
}
