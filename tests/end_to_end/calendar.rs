//! The demo's `/calendar.ics` through a strict RFC 5545 parser, the
//! `icalendar` Python package of the test venv
//! (`tests/end_to_end/ics_check.py`): it parses without an error, and every
//! event has what calendars need to import and later update it.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::Value;

use crate::support::{Exporter, get, repo, scrape_until};
use crate::tools::{run_with_input, venv_python};

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_calendar_parses_and_every_event_can_be_imported() {
    let demo = Exporter::demo().spawn();
    demo.until_demo_complete().await;
    scrape_until(&demo.metrics_url, "the token's expiry", Duration::from_secs(30), |s| {
        s.names().contains("cloudflare_access_saml_exporter_token_expiry_timestamp_seconds")
    })
    .await;
    let (status, calendar) = get(&demo.url("/calendar.ics")).await;
    assert_eq!(status, 200);
    let output =
        run_with_input(venv_python().arg(repo("tests/end_to_end/ics_check.py")), calendar.as_bytes());
    assert!(
        output.status.success(),
        "icalendar refused /calendar.ics:\n{}\n{calendar}",
        String::from_utf8_lossy(&output.stderr)
    );
    let parsed: Value = serde_json::from_slice(&output.stdout).expect("ics_check.py prints JSON");
    assert_eq!(parsed["name"], "VCALENDAR");
    assert_eq!(parsed["errors"], serde_json::json!([]), "{calendar}");
    let properties = &parsed["properties"];
    for (name, value) in [("VERSION", "2.0"), ("CALSCALE", "GREGORIAN"), ("METHOD", "PUBLISH")] {
        assert_eq!(properties[name], value, "{name}");
    }
    assert!(properties["PRODID"].is_string() && properties["X-WR-CALNAME"].is_string());

    let events = parsed["events"].as_array().unwrap();
    assert_eq!(events.len(), calendar.matches("BEGIN:VEVENT").count());
    assert!(events.len() >= 20, "every kind of the demo's deadlines: {}", events.len());
    let mut uids = BTreeSet::new();
    for event in events {
        let uid = event["UID"].as_str().expect("a UID");
        assert!(uids.insert(uid), "UID {uid} twice");
        assert!(uid.ends_with("@cloudflare-saml-exporter"), "{uid}");
        assert_eq!(event["DTSTAMP"]["utc"], true, "DTSTAMP is a UTC time: {event}");
        assert!(event["DTSTART"]["date"].is_string(), "an all-day DTSTART: {event}");
        assert!(event["DTEND"]["date"].as_str() > event["DTSTART"]["date"].as_str(), "{event}");
        assert!(!event["SUMMARY"].as_str().expect("a SUMMARY").is_empty());
        let description = event["DESCRIPTION"].as_str().expect("a DESCRIPTION");
        assert!(
            description.starts_with("Account: ") || description.starts_with("Credential: "),
            "{description}"
        );
        assert!(description.contains("\nWhat to do: "), "escaped line breaks come back: {description}");
        assert_eq!(event["alarms"][0]["TRIGGER"]["duration"], -86_400.0, "{event}");
    }
    // Escaped commas and semicolons come back as written.
    assert!(
        events.iter().any(|e| e["DESCRIPTION"].as_str().unwrap().contains("after the rotation, load")),
        "{events:?}"
    );
}
