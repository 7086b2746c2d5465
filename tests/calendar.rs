//! `/calendar.ics` and `check --output ics` against the demo: one event per
//! dated action, served as `text/calendar`, the same `UID`s from another
//! exporter run on the same data, and the same calendar from `check`.

use std::time::Duration;

use fake_cloudflare::demo_data::DEMO_TOKEN;

use crate::support::process::ExporterProcess;
use crate::support::{Exporter, get, scrape_until};

const TOKEN_EXPIRY: &str = "cloudflare_access_saml_exporter_token_expiry_timestamp_seconds";

const SAAS_EXPIRY: &str =
    "cloudflare_access_saml_saas_application_signing_certificate_not_after_timestamp_seconds";

/// Waits until the exporter knows its token's expiry (checked beside the
/// first pass, so possibly after it is ready) and the SaaS applications'
/// certificates.
async fn until_every_deadline_known(exporter: &ExporterProcess) {
    scrape_until(&exporter.metrics_url, "the token's and SaaS expiries", Duration::from_secs(30), |s| {
        let names = s.names();
        names.contains(TOKEN_EXPIRY) && names.contains(SAAS_EXPIRY)
    })
    .await;
}

/// GETs `/calendar.ics`: its content type and body.
async fn calendar(exporter: &ExporterProcess) -> (String, String) {
    let response = reqwest::Client::new()
        .get(exporter.url("/calendar.ics"))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("GET /calendar.ics");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    (content_type, response.text().await.unwrap())
}

/// The calendar's content lines, unfolded, without the `DTSTAMP`s (the
/// time of rendering, the one thing two renders of the same data differ in).
fn without_stamps(calendar: &str) -> Vec<String> {
    calendar
        .replace("\r\n ", "")
        .split_terminator("\r\n")
        .filter(|l| !l.starts_with("DTSTAMP:"))
        .map(str::to_owned)
        .collect()
}

fn uids(calendar: &str) -> Vec<String> {
    without_stamps(calendar).iter().filter_map(|l| l.strip_prefix("UID:")).map(str::to_owned).collect()
}

/// The demo's dated actions, counted from what it reports elsewhere: each
/// encryption, signing and SaaS certificate row with an expiry of
/// `/status.json` (a current certificate's is its rotation), and each
/// token expiry of `/metrics`.
async fn dated_actions(demo: &ExporterProcess) -> usize {
    let (status, body) = get(&demo.url("/status.json")).await;
    assert_eq!(status, 200);
    let report: serde_json::Value = serde_json::from_str(&body).unwrap();
    let certificates = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| matches!(row["slot"].as_str(), Some("current" | "previous" | "signing" | "saas")))
        .filter(|row| row["not_after"].is_string())
        .count();
    let (_, metrics) = get(&demo.metrics_url).await;
    let tokens = metrics.lines().filter(|l| l.starts_with(TOKEN_EXPIRY)).count();
    assert_eq!(tokens, 1, "the demo's token expires");
    certificates + tokens
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_calendar_has_one_event_per_dated_action_and_check_prints_the_same() {
    let demo = Exporter::demo().spawn();
    demo.until_demo_complete().await;
    until_every_deadline_known(&demo).await;
    let (content_type, served) = calendar(&demo).await;
    assert_eq!(content_type, "text/calendar; charset=utf-8");
    assert!(served.starts_with("BEGIN:VCALENDAR\r\n") && served.ends_with("END:VCALENDAR\r\n"));
    for line in served.split_terminator("\r\n") {
        assert!(line.len() <= 75 && !line.contains(['\r', '\n']), "folded at 75 octets, CRLF only: {line:?}");
    }
    let expected = dated_actions(&demo).await;
    assert!(expected >= 20, "the demo has every kind of deadline: {expected}");
    assert_eq!(served.matches("BEGIN:VEVENT\r\n").count(), expected, "{served}");
    let unique = uids(&served).into_iter().collect::<std::collections::BTreeSet<_>>();
    assert_eq!(unique.len(), expected, "one UID per event");

    // A second exporter, as after a restart, on the same data: the same
    // events, so a calendar that reads it again updates rather than duplicates.
    let again =
        Exporter::serve().api(demo.fake_api_url()).token(DEMO_TOKEN).arg("--collector.applications").spawn();
    again.until_ready().await;
    until_every_deadline_known(&again).await;
    let (_, restarted) = calendar(&again).await;
    assert_eq!(uids(&restarted), uids(&served));
    assert_eq!(without_stamps(&restarted), without_stamps(&served));
    drop(again);

    let out = Exporter::check()
        .api(demo.fake_api_url())
        .token(DEMO_TOKEN)
        .args(["--collector.applications", "--output", "ics"])
        .run();
    let printed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "the report's exit code: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(without_stamps(&printed), without_stamps(&served), "{printed}");
}

#[test]
fn only_check_prints_a_calendar() {
    for args in [&["check", "--output", "ical"][..], &["encryption", "plan", "--output", "ics"]] {
        let out = Exporter::bare().args(args).token(DEMO_TOKEN).run_within(Duration::from_secs(10));
        assert_eq!(out.status.code(), Some(64), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains("--output"), "{args:?}");
    }
}
