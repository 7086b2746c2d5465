//! The report's grading of signing certificates.

use std::sync::Arc;

use serde_json::json;

use super::*;
use fake_cloudflare::mint::{KeyKind, mint_certificate};

const NOW: i64 = 1_800_000_000;
const DAY: i64 = 86_400;
const THRESHOLDS: Thresholds = Thresholds::ALERTS;

/// A PEM signing certificate expiring `days` after `NOW`.
fn expiring_in(days: i64) -> String {
    mint_certificate("signing", KeyKind::P256, NOW - 300 * DAY, NOW + days * DAY).unwrap().pem
}

/// The report of one account whose only SAML IdP lists `entries`.
fn report(entries: Vec<String>) -> CheckReport {
    let idps = serde_json::from_value(json!([
        {"id": "idp", "name": "Okta", "type": "saml", "config": {"idp_public_certs": entries}}
    ]))
    .unwrap();
    let status = AccountStatus {
        inventory: Some(Arc::new(AccountInventory::build(Vec::new(), idps))),
        ..AccountStatus::default()
    };
    CheckReport::build(
        Vec::new(),
        &[("acc00000000000000000000000000000".into(), status)],
        NOW as f64,
        THRESHOLDS,
    )
}

fn signing_states(report: &CheckReport) -> Vec<Severity> {
    report.rows.iter().filter(|r| r.slot == "signing").map(|r| r.state).collect()
}

#[test]
fn signing_certificates_are_graded_by_the_latest_one() {
    let rollover = report(vec![expiring_in(3), expiring_in(400)]);
    assert_eq!(signing_states(&rollover), [Severity::Ok, Severity::Ok]);
    assert_eq!(rollover.exit_code, 0);
    assert!(rollover.rows.iter().any(|r| r.note.contains("a later one is listed")), "{rollover:?}");

    let superseded = report(vec![expiring_in(-3), expiring_in(400)]);
    assert_eq!(superseded.status, Severity::Info);
    assert_eq!(superseded.exit_code, 0);

    for (days, state, exit) in [
        (20, Severity::Warning, 1),
        (5, Severity::Critical, 2),
        (-1, Severity::Critical, 2),
        (40, Severity::Ok, 0),
    ] {
        let one = report(vec![expiring_in(days)]);
        assert_eq!(signing_states(&one), [state], "{days} days");
        assert_eq!(one.exit_code, exit, "{days} days");
        let row = one.rows.iter().find(|r| r.slot == "signing").unwrap();
        assert_eq!(row.identity_providers, ["Okta"]);
        assert!((row.days_left.unwrap() - days as f64).abs() < 1e-9, "{row:?}");
    }
}

#[test]
fn an_unreadable_signing_entry_is_a_warning_naming_its_position() {
    let report = report(vec![expiring_in(400), "-----BEGIN CERTIFICATE-----\nMII...\n".into()]);
    assert_eq!(report.exit_code, 1);
    assert_eq!(report.rows[0].state, Severity::Warning);
    assert_eq!(report.rows[0].note, "signing certificate entry 1 unreadable (bad_pem)");
    assert!(report.to_table().contains("signing"));
}

#[test]
fn tables_align_every_column_but_the_last() {
    let rows = vec![vec!["a".to_owned(), "long cell".to_owned(), "x".to_owned()]];
    assert_eq!(align_columns(&["A", "B", "C"], &rows), "A  B          C\na  long cell  x\n");
}
