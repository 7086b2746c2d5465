//! Unit tests of `calendar`: the RFC 5545 text rules, and which events a
//! small inventory gives.

use std::sync::{Arc, OnceLock};

use fake_cloudflare::mint::{KeyKind, mint_certificate};
use serde_json::json;

use super::ics::{date, date_time, escape_text, push_line};
use super::*;
use crate::model::applications::ApplicationInventory;
use crate::model::state::{AccountStatus, ApplicationsStatus};

const NOW: i64 = 1_800_000_000; // 2027-01-15T08:00:00Z
const DAY: i64 = 86_400;
const ACCOUNT: &str = "acc00000000000000000000000000000";

fn folded(line: &str) -> String {
    let mut out = String::new();
    push_line(&mut out, line);
    out
}

#[test]
fn a_line_of_75_octets_stays_whole_and_the_76th_octet_folds() {
    let exact = "x".repeat(75);
    assert_eq!(folded(&exact), format!("{exact}\r\n"));
    let over = "x".repeat(76);
    assert_eq!(folded(&over), format!("{}\r\n x\r\n", "x".repeat(75)));
    // Continuation lines hold 74 octets after their space.
    let long = "y".repeat(75 + 74 + 1);
    assert_eq!(folded(&long), format!("{}\r\n {}\r\n y\r\n", "y".repeat(75), "y".repeat(74)));
}

#[test]
fn folding_never_splits_a_multi_byte_character() {
    // 74 octets, then a 2-octet é that would end at octet 76: it moves on.
    let line = format!("{}é", "a".repeat(74));
    assert_eq!(folded(&line), format!("{}\r\n é\r\n", "a".repeat(74)));
    // A 4-octet character exactly filling the line stays on it.
    let line = format!("{}😀z", "a".repeat(71));
    assert_eq!(folded(&line), format!("{}😀\r\n z\r\n", "a".repeat(71)));
    let mixed = "Ünïcödé ✓ ".repeat(30);
    let out = folded(&mixed);
    for physical in out.split_terminator("\r\n") {
        assert!(physical.len() <= 75, "{} octets: {physical:?}", physical.len());
    }
    assert_eq!(out.replace("\r\n ", "").trim_end_matches("\r\n"), mixed);
}

#[test]
fn text_escapes_backslash_semicolon_comma_and_line_breaks() {
    assert_eq!(escape_text(r"a\b;c,d"), r"a\\b\;c\,d");
    assert_eq!(escape_text("one\ntwo\r\nthree\rfour"), r"one\ntwo\nthree\nfour");
    assert_eq!(escape_text("Okta – prod"), "Okta – prod");
}

#[test]
fn dates_are_utc_days_and_stamps_utc_times() {
    assert_eq!(date(NOW), Some("20270115".into()));
    assert_eq!(date(NOW - NOW % DAY - 1), Some("20270114".into()));
    assert_eq!(date_time(NOW), "20270115T080000Z");
    assert_eq!(date(253_402_300_800), None, "year 10000");
}

/// A PEM certificate expiring `days` after `NOW`.
fn certificate(name: &str, days: i64) -> (String, String) {
    let minted = mint_certificate(name, KeyKind::P256, NOW - 300 * DAY, NOW + days * DAY).unwrap();
    let facts = crate::model::inspect::inspect_pem(&minted.pem).unwrap();
    (minted.pem, facts.sha256_fingerprint)
}

struct Fixture {
    state: StateSnapshot,
    /// Fingerprints of the IdP's old and new signing certificate, the SaaS one.
    fingerprints: [String; 3],
}

/// One account: a rotating set used by an IdP whose name needs escaping, a
/// set nobody uses with an unreadable PEM, the IdP's signing rollover, a
/// SAML SaaS application and an unreadable one. Minted once: keys are slow.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let rfc3339 = |days: i64| format_rfc3339(NOW + days * DAY);
        let (old, old_fingerprint) = certificate("old signing", 10);
        let (new, new_fingerprint) = certificate("new signing", 400);
        let (saas, saas_fingerprint) = certificate("saas", 200);
        let sets = serde_json::from_value(json!([
            {"uid": "set-rotating", "updated_at": rfc3339(-5),
             "current_certificate": {"uid": "cert-new", "public_certificate": "x", "not_after": rfc3339(360)},
             "previous_certificate": {"uid": "cert-old", "public_certificate": "x", "not_after": rfc3339(25)}},
            {"uid": "set-unused", "updated_at": rfc3339(-5),
             "current_certificate": {"uid": "cert-unused", "public_certificate": "x", "not_after": rfc3339(45)}},
            {"uid": "set-undated", "updated_at": rfc3339(-5),
             "current_certificate": {"uid": "cert-undated", "public_certificate": "x"}}
        ]))
        .unwrap();
        let idps = serde_json::from_value(json!([
            {"id": "idp-1", "name": "Okta;\u{1b}[31m, prod\nforged", "type": "saml",
             "saml_certificate_set_id": "set-rotating",
             "config": {"enable_encryption": true, "idp_public_certs": [old, new]}}
        ]))
        .unwrap();
        let applications = ApplicationInventory::build(
            serde_json::from_value(json!([
                {"id": "app-1", "name": "Wiki", "domain": "wiki.example.com", "type": "saas",
                 "saas_app": {"auth_type": "saml", "public_key": saas}},
                {"id": "app-2", "type": "saas", "saas_app": {"auth_type": "saml", "public_key": "broken"}}
            ]))
            .unwrap(),
        );
        let status = AccountStatus {
            inventory: Some(Arc::new(AccountInventory::build(sets, idps))),
            applications: Some(ApplicationsStatus {
                inventory: Some(Arc::new(applications)),
                ..ApplicationsStatus::default()
            }),
            ..AccountStatus::default()
        };
        Fixture {
            state: StateSnapshot { accounts: vec![(ACCOUNT.into(), status)], metadata: Vec::new() },
            fingerprints: [old_fingerprint, new_fingerprint, saas_fingerprint],
        }
    })
}

fn tokens() -> Vec<(String, f64)> {
    vec![("default".into(), (NOW + 90 * DAY) as f64)]
}

fn context<'a>(now: i64, runbook_base: &'a str, tokens: &'a [(String, f64)]) -> CalendarContext<'a> {
    CalendarContext { now, runbook_base, tokens }
}

#[test]
fn each_dated_action_is_one_deadline_on_its_day_in_date_order() {
    let found = deadlines(&fixture().state, &tokens());
    let got: Vec<(DeadlineKind, i64)> = found.iter().map(|d| (d.kind, (d.at - NOW) / DAY)).collect();
    assert_eq!(
        got,
        [
            (DeadlineKind::IdentityProviderSigning, 10),
            (DeadlineKind::Rotation, 15), // the unused set: 45 days left, rotated 30 days before
            (DeadlineKind::HandOver, 25),
            (DeadlineKind::Token, 90),
            (DeadlineKind::SaasSigning, 200),
            (DeadlineKind::Rotation, 330),
            (DeadlineKind::IdentityProviderSigning, 400),
        ],
        "{found:#?}"
    );
    let rotation = &found[1];
    assert_eq!(
        rotation.summary,
        "Cloudflare rotates the SAML encryption certificate of set set-unused (no identity provider)"
    );
    assert!(found[2].summary.contains("set-rotating expires (Okta;"), "{}", found[2].summary);
    assert!(found[0].facts.iter().any(|f| f.contains("A later signing certificate is listed")));
    assert!(!found[6].facts.iter().any(|f| f.contains("A later signing certificate is listed")));
    let [old, new, saas] = &fixture().fingerprints;
    assert!(found[0].facts.iter().any(|f| f.contains(old.as_str())));
    assert!(found[6].facts.iter().any(|f| f.contains(new.as_str())));
    assert!(found[4].facts.iter().any(|f| f.contains(saas.as_str()) && f.contains("expires")));
    assert_eq!(found[3].account_id, None);
}

#[test]
fn uids_depend_on_what_the_action_is_never_on_its_date_or_the_time_of_rendering() {
    let first = deadlines(&fixture().state, &tokens());
    let later_token = [("default".to_owned(), (NOW + 400 * DAY) as f64)];
    let second = deadlines(&fixture().state, &later_token);
    let uids = |all: &[Deadline]| {
        let mut uids: Vec<String> = all.iter().map(|d| d.uid.clone()).collect();
        uids.sort();
        uids
    };
    assert_eq!(uids(&first), uids(&second), "a token renewed keeps its event");
    let mut distinct = uids(&first);
    distinct.dedup();
    assert_eq!(distinct.len(), first.len(), "every action has its own UID");
    assert!(first.iter().all(|d| d.uid.len() == 32 + 1 + UID_DOMAIN.len() && d.uid.ends_with(UID_DOMAIN)));

    let render_at = |now| render(&fixture().state, &context(now, "", &tokens()));
    let (a, b) = (render_at(NOW), render_at(NOW + 3600));
    let without_stamps = |text: &str| -> Vec<String> {
        text.lines().filter(|l| !l.starts_with("DTSTAMP:")).map(str::to_owned).collect()
    };
    assert_ne!(a, b);
    assert_eq!(without_stamps(&a), without_stamps(&b));
}

#[test]
fn the_calendar_is_well_formed_rfc_5545() {
    let text = render(&fixture().state, &context(NOW, "https://exporter.example/runbook", &tokens()));
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"), "{text}");
    assert!(text.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
    for property in ["CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:"] {
        assert!(text.contains(&format!("\r\n{property}")), "{property}");
    }
    assert!(!text.replace("\r\n", "").contains(['\r', '\n']), "only CRLF ends lines");
    for line in text.split_terminator("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        assert!(!line.chars().any(|c| c.is_control()), "{line:?}");
    }
    let unfolded = text.replace("\r\n ", "");
    let events: Vec<&str> = unfolded.split("BEGIN:VEVENT\r\n").skip(1).collect();
    assert_eq!(events.len(), 7);
    for event in &events {
        for property in [
            "UID:",
            "DTSTAMP:20270115T080000Z",
            "DTSTART;VALUE=DATE:",
            "DTEND;VALUE=DATE:",
            "SUMMARY:",
            "DESCRIPTION:Account: acc00000000000000000000000000000\\n",
            "SEQUENCE:0",
            "TRANSP:TRANSPARENT",
            "TRIGGER:-P1D",
        ] {
            let needed = if property.starts_with("DESCRIPTION:Account") && event.contains("token") {
                "DESCRIPTION:Credential: default\\n"
            } else {
                property
            };
            assert!(
                event.contains(&format!("\r\n{needed}")) || event.starts_with(needed),
                "{needed} in {event}"
            );
        }
    }
    // The hand-over's date, the API's names escaped and without controls,
    // and the runbook link as URL and in the description.
    let hand_over = events.iter().find(|e| e.contains("Hand-over deadline")).unwrap();
    assert!(
        hand_over.contains("DTSTART;VALUE=DATE:20270209\r\nDTEND;VALUE=DATE:20270210\r\n"),
        "{hand_over}"
    );
    assert!(hand_over.contains(r"Okta\;\\u{1b}[31m\, prod\\u{a}forged"), "{hand_over}");
    let link = "https://exporter.example/runbook#cloudflaresamlpreviouscertificateexpiringsoon";
    assert!(hand_over.contains(&format!("\r\nURL:{link}\r\n")), "{hand_over}");
    assert!(hand_over.contains(&format!("\\nRunbook: {link}\r\n")), "{hand_over}");
}

#[test]
fn without_a_runbook_base_there_are_no_links_and_names_show_when_known() {
    let mut state = fixture().state.clone();
    state.accounts[0].1.name = Some("Example, Inc.".to_owned());
    let context = CalendarContext { now: NOW, runbook_base: "", tokens: &[] };
    let text = render(&state, &context).replace("\r\n ", "");
    assert!(!text.contains("\r\nURL:") && !text.contains("Runbook:"));
    assert!(text.contains(&format!("DESCRIPTION:Account: Example\\, Inc. ({ACCOUNT})\\n")), "{text}");
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 6, "no token, no token event");
}

#[test]
fn an_empty_state_is_an_empty_calendar() {
    let text = render(&StateSnapshot::default(), &context(NOW, "", &[]));
    assert!(
        text.starts_with("BEGIN:VCALENDAR\r\n")
            && text.ends_with("X-PUBLISHED-TTL:PT6H\r\nEND:VCALENDAR\r\n")
    );
    assert!(!text.contains("VEVENT"));
}
