//! Unit tests of `signing`.

use super::*;

#[test]
fn text_that_is_no_certificate_gets_its_reason() {
    let reason = |text: &str| parse_entry(text).error.map(SigningParseError::reason);
    assert_eq!(reason(""), Some("no_certificate"));
    assert_eq!(reason(" \r\n"), Some("no_certificate"));
    assert_eq!(
        reason("-----BEGIN PUBLIC KEY-----\naGVsbG8=\n-----END PUBLIC KEY-----\n"),
        Some("no_certificate")
    );
    assert_eq!(reason("not a certificate!"), Some("bad_base64"));
    assert_eq!(reason("aGVsbG8gd29ybGQ="), Some("bad_der"));
    assert_eq!(
        reason("-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----"),
        Some("bad_der")
    );
    assert_eq!(reason("-----BEGIN CERTIFICATE-----\nMIIC...\n-----END CERTIFICATE-----"), Some("bad_pem"));
    assert_eq!(reason("-----BEGIN CERTIFICATE-----\nMIIC\n"), Some("bad_pem"));
    assert_eq!(reason("-----BEGIN CERTIFICATE"), Some("bad_pem"));
}

#[test]
fn non_string_entries_keep_their_position() {
    let parsed = SigningCertificates::parse(&[None, Some("%%%".into())]);
    assert_eq!(parsed.entries, 2);
    let unreadable: Vec<(usize, &str)> =
        parsed.unreadable.iter().map(|u| (u.position, u.error.reason())).collect();
    assert_eq!(unreadable, [(0, "no_certificate"), (1, "bad_base64")]);
    assert_eq!(parsed.latest_not_after(), None);
}

proptest::proptest! {
    #[test]
    fn arbitrary_text_never_panics_and_fails_with_a_reason(
        text in proptest::prop_oneof![
            proptest::prelude::any::<String>(),
            "[A-Za-z0-9+/= \r\n-]{0,200}",
            "(-----(BEGIN|END) [A-Z ]{0,12}-----|[A-Za-z0-9+/=]{0,40}|\r?\n| ){0,12}",
        ]
    ) {
        let parsed = parse_entry(&text);
        proptest::prop_assert!(parsed.error.is_some() || !parsed.certificates.is_empty());
    }
}
