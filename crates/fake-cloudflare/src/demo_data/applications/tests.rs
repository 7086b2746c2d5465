//! Unit tests of the demo's applications: each one's IdPs belong to its
//! account, and each SaaS `public_key` is the certificate (or the breakage)
//! its scenario needs, read down to the DER's `notAfter`.

use time::OffsetDateTime;
use time::macros::format_description;

use super::super::{ACCOUNT_A, ACCOUNT_B, DAY, demo};
use super::{LEGACY_CRM, NOTION, SALESFORCE, ZENDESK};
use crate::data::FakeData;
use crate::test_support::pasted_certificates;

const NOW: i64 = 1_700_000_000;

fn public_key(data: &FakeData, account: &str, id: &str) -> String {
    let account = data.account(account).expect("the account");
    let app = account.applications.iter().find(|a| a.id == id).expect("the application");
    app.saas.as_ref().expect("a SaaS application").public_key.clone()
}

/// The first DER element of `der`: its tag, its contents and what follows.
fn element(der: &[u8]) -> (u8, &[u8], &[u8]) {
    let (tag, first) = (der[0], der[1]);
    let (length, header) = match first {
        0..0x80 => (usize::from(first), 2),
        _ => {
            let octets = usize::from(first & 0x7f);
            (der[2..2 + octets].iter().fold(0, |n, &b| n << 8 | usize::from(b)), 2 + octets)
        }
    };
    (tag, &der[header..header + length], &der[header + length..])
}

/// The `notAfter` of a certificate's DER, as its UTCTime text; panics (a
/// test failure) when the DER is not an X.509 certificate's outline.
fn not_after(der: &[u8]) -> String {
    let (tag, certificate, rest) = element(der);
    assert_eq!((tag, rest.len()), (0x30, 0), "one SEQUENCE, nothing after it");
    let (tag, tbs, signature) = element(certificate);
    assert_eq!(tag, 0x30, "tbsCertificate");
    assert!(!signature.is_empty(), "the signature algorithm and signature follow");
    let (tag, _, tbs) = element(tbs);
    assert_eq!(tag, 0xa0, "an explicit version");
    let (tag, _, tbs) = element(tbs);
    assert_eq!(tag, 0x02, "the serial number");
    let (_, _, tbs) = element(tbs);
    let (_, _, tbs) = element(tbs);
    let (tag, validity, _) = element(tbs);
    assert_eq!(tag, 0x30, "validity");
    let (_, _, validity) = element(validity);
    let (tag, not_after, _) = element(validity);
    assert_eq!(tag, 0x17, "a UTCTime");
    String::from_utf8(not_after.to_vec()).expect("ASCII")
}

fn utc_time(unix: i64) -> String {
    let format = format_description!("[year repr:last_two][month][day][hour][minute][second]Z");
    OffsetDateTime::from_unix_timestamp(unix).unwrap().format(&format).unwrap()
}

#[test]
fn salesforce_has_a_real_certificate_expiring_in_ten_days() {
    let data = demo(NOW).unwrap();
    let ders = pasted_certificates(&[public_key(&data, ACCOUNT_A, SALESFORCE)]);
    assert_eq!(ders.len(), 1);
    assert_eq!(not_after(&ders[0]), utc_time(NOW + 10 * DAY));
}

#[test]
fn zendesk_has_a_healthy_certificate_and_legacy_crm_an_unreadable_one() {
    let data = demo(NOW).unwrap();
    let ders = pasted_certificates(&[public_key(&data, ACCOUNT_A, ZENDESK)]);
    assert_eq!(ders.iter().map(|d| not_after(d)).collect::<Vec<_>>(), [utc_time(NOW + 400 * DAY)]);
    let broken = public_key(&data, ACCOUNT_B, LEGACY_CRM);
    assert!(broken.starts_with("-----BEGIN CERTIFICATE-----") && broken.contains("..."), "{broken}");
    assert!(pasted_certificates(&[broken]).is_empty(), "does not decode");
}

#[test]
fn notion_has_a_jwks_and_no_certificate() {
    let data = demo(NOW).unwrap();
    let key = public_key(&data, ACCOUNT_A, NOTION);
    assert!(key.starts_with("{\"keys\":[") && !key.contains("CERTIFICATE"), "{key}");
}

#[test]
fn every_allowed_idp_is_an_idp_of_the_account_and_ids_are_unique() {
    let data = demo(NOW).unwrap();
    let mut ids = std::collections::HashSet::new();
    for account in &data.accounts {
        for app in &account.applications {
            assert!(ids.insert(app.id.as_str()), "{} is not unique", app.id);
            for idp in &app.allowed_idps {
                assert!(account.identity_providers.iter().any(|i| &i.id == idp), "{}: {idp}", app.name);
            }
            assert!(!app.auto_redirect_to_identity || app.allowed_idps.len() == 1, "{}", app.name);
        }
    }
    assert_eq!(ids.len(), 9);
}
