//! Hostile inputs: a Cloudflare API that sends too much, waits too long or
//! says the same wrong thing differently every time.

use std::time::Duration;

use fake_cloudflare::{Fault, FaultKind};

use crate::support::memory::Memory;
use crate::support::{
    Exporter, Scrape, TOKEN, errors_of, get, metric, scrape_until, start_fake, two_accounts, up_of,
};

const A: &str = "acca0000000000000000000000000000";
const B: &str = "accb0000000000000000000000000000";
const WAIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread")]
async fn endless_pages_just_under_the_body_cap_cost_one_account_and_a_bounded_memory() {
    let fake = start_fake(two_accounts()).await;
    // The defaults: a 64 MiB body cap and 64 MiB per account in all.
    let exporter = Exporter::serve().api(&fake.base_url()).account(&format!("{A},{B}")).token(TOKEN).spawn();
    let url = exporter.metrics_url.clone();
    let warm = scrape_until(&url, "both accounts up", WAIT, |s| {
        up_of(s, A) == Some(1.0) && up_of(s, B) == Some(1.0)
    })
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
        errors_of(s, B, "account_too_large") >= 2.0
    })
    .await;
    assert_eq!(up_of(&hit, B), Some(0.0), "B reports the failure");
    assert_eq!(up_of(&hit, A), Some(1.0), "A is unaffected");
    assert_eq!(errors_of(&hit, A, "account_too_large"), 0.0);
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

#[tokio::test(flavor = "multi_thread")]
async fn a_different_malformed_time_on_every_refresh_keeps_memory_flat_and_the_log_small() {
    let fake = start_fake(two_accounts()).await;
    let exporter = Exporter::serve().api(&fake.base_url()).account(B).token(TOKEN).spawn();
    let url = exporter.metrics_url.clone();
    scrape_until(&url, "B up", WAIT, |s| up_of(s, B) == Some(1.0)).await;
    let lists = format!("/accounts/{B}/access/identity_providers");
    let reads = |fake: &fake_cloudflare::FakeCloudflare| {
        fake.requests().iter().filter(|r| r.uri.contains(&lists)).count()
    };
    // A leak keeps at least the megabyte of each round, so it grows RSS
    // by at least 20 MB between the middle and the last third of the
    // rounds; bounded memory plateaus once the allocator has warmed up.
    // The peaks of each third are compared, not single samples: RSS
    // swings by a few MB as the allocator returns memory.
    const ROUNDS: usize = 60;
    const GARBAGE: usize = 1 << 20;
    let mut resident = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        // A megabyte of garbage, different every time, where a time belongs.
        let garbage = format!("{round}-{}", "\u{1b}[2J".repeat(GARBAGE / 4));
        fake.update_data(|data| {
            let account = data.accounts.iter_mut().find(|a| a.id == B).expect("B");
            let current = account.sets[0].current.as_mut().expect("a current certificate");
            current.not_after = garbage;
        });
        let seen = reads(&fake);
        crate::support::eventually("another read of B", WAIT, || {
            let done = reads(&fake) > seen;
            async move { done.then_some(()) }
        })
        .await;
        resident.push(exporter.memory().resident);
    }
    let peak_of = |third: usize| {
        let span = ROUNDS / 3;
        resident[third * span..(third + 1) * span].iter().copied().max().unwrap_or(0)
    };
    let (middle, last) = (peak_of(1), peak_of(2));
    let log = exporter.stderr();
    eprintln!(
        "{ROUNDS} MB of changing garbage: peak RSS {:.0} MB in the middle third, {:.0} MB in the last, log {} bytes",
        Memory::mb(middle),
        Memory::mb(last),
        log.len()
    );
    assert!(log.len() < 5_000_000, "the log grew to {} bytes", log.len());
    assert!(!log.contains('\u{1b}'), "a raw escape reached the log");
    let leak_floor = (ROUNDS / 3 * GARBAGE) as u64;
    assert!(
        last < middle + leak_floor / 2,
        "RSS kept growing: peak {:.0} MB in the middle third, {:.0} MB in the last",
        Memory::mb(middle),
        Memory::mb(last)
    );
    fake.stop().await;
}

/// Answers A's next request with `status` and `header`, and checks that the
/// wait it asks for is capped at Cloudflare's window and shown.
async fn a_wait_is_capped_and_shown(status: u16, header: (&str, &str)) {
    let fake = start_fake(two_accounts()).await;
    let exporter = Exporter::serve().api(&fake.base_url()).account(A).token(TOKEN).spawn();
    let url = exporter.metrics_url.clone();
    scrape_until(&url, "A up", WAIT, |s| up_of(s, A) == Some(1.0)).await;
    let blocked_until = |s: &Scrape| {
        metric("cloudflare_access_saml_api_blocked_until_timestamp_seconds")
            .label("credential", "default")
            .try_value_in(s)
    };
    let now = || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
    let body = r#"{"success":true,"errors":[],"messages":[],"result":[],"result_info":{"page":1,"per_page":1000,"count":0,"total_count":0}}"#;
    fake.inject(Fault {
        path_contains: format!("/accounts/{A}/"),
        times: Some(1),
        kind: FaultKind::Respond {
            status,
            headers: vec![(header.0.into(), header.1.into())],
            body: body.into(),
        },
    });
    let asked = now();
    let blocked = scrape_until(&url, &format!("a wait after {}", header.0), WAIT, |s| {
        blocked_until(s).is_some_and(|until| until > asked + 200.0)
    })
    .await;
    let until = blocked_until(&blocked).unwrap();
    assert!(until <= now() + 301.0, "{}: waits until {} s from now", header.0, until - now());
    let (code, page) = get(&exporter.url("/")).await;
    assert_eq!(code, 200);
    assert!(
        page.contains("calls the API") && page.contains("again at"),
        "the status page shows the wait: {page}"
    );
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_after_of_years_is_a_wait_of_five_minutes_and_shown() {
    a_wait_is_capped_and_shown(429, ("Retry-After", "999999999")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ratelimit_reset_of_years_is_a_wait_of_five_minutes_and_shown() {
    a_wait_is_capped_and_shown(200, ("Ratelimit", "\"default\";r=0;t=99999999999")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn control_characters_from_cloudflare_reach_no_table_raw() {
    let mut data = two_accounts();
    // A name Cloudflare would store as given, with a terminal escape and a
    // line break that would forge a row of the table.
    data.accounts[0].identity_providers[0].name = "Okta\u{1b}[2J\nacca0000 forged OK".into();
    let fake = start_fake(data).await;
    let message = "no\u{1b}]0;pwned\u{7}\nACCOUNT forged row";
    fake.inject(Fault {
        path_contains: format!("/accounts/{B}/"),
        times: None,
        kind: FaultKind::Respond {
            status: 403,
            headers: vec![],
            body: serde_json::json!({"success": false, "errors": [{"code": 10000, "message": message}], "messages": [], "result": null}).to_string(),
        },
    });
    let out = Exporter::check().api(&fake.base_url()).account(&format!("{A},{B}")).token(TOKEN).run();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    for text in [&stdout, &stderr] {
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "a raw control character: {text:?}");
        assert!(
            !text.lines().any(|l| l.starts_with("ACCOUNT forged") || l.starts_with("acca0000 forged")),
            "{text}"
        );
    }
    assert!(stdout.contains("\\u{1b}"), "the escape is shown escaped: {stdout}");
    fake.stop().await;
}
