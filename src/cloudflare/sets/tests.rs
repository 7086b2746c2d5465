//! Unit tests of `sets`.

use super::*;

fn reply(status: u16, body: &str) -> Reply {
    Reply { status, body: body.as_bytes().to_vec() }
}

#[test]
fn a_set_is_decoded_from_its_envelope() {
    let body = r#"{"success":true,"errors":[],"result":{"uid":"s1","created_at":"x","updated_at":"y",
            "current_certificate":{"uid":"c1","public_certificate":"PEM","not_after":"2027-05-07T19:11:00Z",
            "is_current":true},"previous_certificate":{}}}"#;
    let set: CertificateSet = decode(Endpoint::CertificateSet, &reply(200, body)).unwrap();
    assert_eq!(set.uid, "s1");
    assert_eq!(set.current_certificate.certificate().unwrap().uid.as_deref(), Some("c1"));
    assert!(set.previous_certificate.is_empty());
}

#[test]
fn failure_and_a_missing_result_are_errors_with_the_endpoint() {
    let failed = r#"{"success":false,"errors":[{"code":12130,"message":"Identity provider not found"}],"result":null}"#;
    let err = decode::<CertificateSet>(Endpoint::CreateCertificateSet, &reply(200, failed)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "create_saml_certificate_set: Cloudflare reported failure: 12130 Identity provider not found"
    );
    let empty = r#"{"success":true,"errors":[],"result":null}"#;
    let err = decode::<CertificateSet>(Endpoint::RotateCertificateSet, &reply(200, empty)).unwrap_err();
    assert!(err.to_string().contains("success without a result"), "{err}");
    let err = decode::<CertificateSet>(Endpoint::CertificateSet, &reply(200, "<html>")).unwrap_err();
    assert_eq!(err.reason().label(), "decode");
}

#[test]
fn paths_are_the_documented_ones() {
    assert_eq!(rotate_path("a", "s"), "/accounts/a/access/saml_certificates/s/rotate");
    assert_eq!(create_path("a", "i"), "/accounts/a/access/identity_providers/i/saml_certificate");
}
