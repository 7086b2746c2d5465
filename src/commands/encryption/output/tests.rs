//! Unit tests of `output`.

use super::*;

#[test]
fn suggestions_carry_a_non_default_base_url_only() {
    let default = Url::parse(DEFAULT_API_BASE_URL).unwrap();
    assert_eq!(
        suggest(&default, "rotate", "--account-id a --certificate-set s --apply"),
        "cloudflare-saml-exporter encryption rotate --account-id a --certificate-set s --apply"
    );
    let fake = Url::parse("http://127.0.0.1:4711/client/v4").unwrap();
    assert!(suggest(&fake, "pem", "x").ends_with(" --api-base-url http://127.0.0.1:4711/client/v4"));
}

#[test]
fn the_enable_encryption_change_names_the_command_the_flag_and_the_set() {
    let base = Url::parse(DEFAULT_API_BASE_URL).unwrap();
    let change = enable_encryption_change(&base, "acc00000000000000000000000000000", "idp-1", "set-1");
    assert!(change.contains(
        "cloudflare-saml-exporter encryption enable --account-id acc00000000000000000000000000000 --identity-provider idp-1 \
         --certificate-set set-1 --apply"
    ));
    assert!(
        change.contains("enable_encryption: true") && change.contains("saml_certificate_set_id: \"set-1\"")
    );
    assert!(!change.contains("jq") && !change.contains("curl"), "no hand-run commands: {change}");
}

#[test]
fn an_empty_previous_certificate_is_no_certificate() {
    assert!(CertificateView::new(Some(&Certificate::default()), 0).is_none());
    let api_only = Certificate {
        uid: Some("c".into()),
        public_certificate: Some("-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n".into()),
        not_after: Some("1970-01-11T00:00:00Z".into()),
        is_current: None,
    };
    let view = CertificateView::new(Some(&api_only), 0).unwrap();
    assert_eq!(view.days_left, Some(10.0), "the API's date when the PEM does not parse");
    assert!(view.parse_error.is_some() && view.sha256_fingerprint.is_none());
    assert_eq!(view.expiry_text(), "1970-01-11T00:00:00Z (10.0 days left)");
}
