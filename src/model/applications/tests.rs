//! Unit tests of `applications`: who loses their login, and SaaS certificates.

use super::*;

fn inventory(json: serde_json::Value) -> ApplicationInventory {
    ApplicationInventory::build(serde_json::from_value(json).expect("applications decode"))
}

fn ids(apps: &[&ApplicationRecord]) -> Vec<String> {
    apps.iter().map(|a| a.id.clone()).collect()
}

fn account_idps() -> Vec<String> {
    ["saml-a", "saml-b", "otp"].map(str::to_owned).to_vec()
}

fn certificate_pem() -> String {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, "Cloudflare Access SaaS");
    params.self_signed(&key).unwrap().pem()
}

#[test]
fn an_empty_allowed_list_lets_every_idp_in_and_so_has_a_fallback() {
    let apps = inventory(serde_json::json!([{"id": "wiki", "type": "self_hosted", "allowed_idps": []}]));
    let impact = apps.impact("saml-a", &account_idps());
    assert_eq!(ids(&impact.applications), ["wiki"]);
    assert!(impact.without_fallback.is_empty());
}

#[test]
fn an_empty_allowed_list_in_an_account_with_one_idp_has_no_fallback() {
    let apps = inventory(serde_json::json!([{"id": "wiki", "type": "self_hosted"}]));
    let impact = apps.impact("saml-a", &["saml-a".to_owned()]);
    assert_eq!(ids(&impact.without_fallback), ["wiki"]);
}

#[test]
fn two_allowed_idps_give_each_other_a_fallback() {
    let apps = inventory(
        serde_json::json!([{"id": "grafana", "type": "self_hosted", "allowed_idps": ["saml-a", "saml-b"]}]),
    );
    for idp in ["saml-a", "saml-b"] {
        let impact = apps.impact(idp, &account_idps());
        assert_eq!(ids(&impact.applications), ["grafana"], "{idp}");
        assert!(impact.without_fallback.is_empty(), "{idp}");
    }
    assert!(apps.impact("otp", &account_idps()).applications.is_empty());
}

#[test]
fn the_only_allowed_idp_or_the_auto_redirect_one_has_no_fallback() {
    let apps = inventory(serde_json::json!([
        {"id": "payroll", "type": "self_hosted", "allowed_idps": ["saml-a"], "auto_redirect_to_identity": true},
        {"id": "crm", "type": "self_hosted", "allowed_idps": ["saml-b"]},
        {"id": "hr", "type": "self_hosted", "allowed_idps": ["saml-b", "otp"], "auto_redirect_to_identity": true},
    ]));
    assert_eq!(ids(&apps.impact("saml-a", &account_idps()).without_fallback), ["payroll"]);
    let b = apps.impact("saml-b", &account_idps());
    assert_eq!(ids(&b.applications), ["crm", "hr"]);
    assert_eq!(ids(&b.without_fallback), ["crm", "hr"]);
    let otp = apps.impact("otp", &account_idps());
    assert_eq!(ids(&otp.applications), ["hr"]);
    assert!(otp.without_fallback.is_empty());
}

#[test]
fn an_allowed_idp_the_account_no_longer_has_is_no_fallback() {
    let apps = inventory(
        serde_json::json!([{"id": "crm", "type": "self_hosted", "allowed_idps": ["deleted", "saml-a"]}]),
    );
    assert_eq!(ids(&apps.impact("saml-a", &account_idps()).without_fallback), ["crm"]);
}

#[test]
fn bookmarks_have_no_login_and_applications_without_id_are_left_out() {
    let apps = inventory(serde_json::json!([
        {"id": "status", "type": "bookmark", "allowed_idps": []},
        {"name": "no id", "type": "self_hosted"},
    ]));
    assert_eq!(apps.applications.len(), 1);
    assert!(apps.impact("saml-a", &account_idps()).applications.is_empty());
}

#[test]
fn saml_saas_applications_have_their_signing_certificate_inspected() {
    let pem = certificate_pem();
    let apps = inventory(serde_json::json!([
        {"id": "good", "type": "saas", "saas_app": {"auth_type": "saml", "public_key": pem}},
        {"id": "broken", "type": "saas", "saas_app": {"auth_type": "saml", "public_key": "-----BEGIN CERTIFICATE-----\nMIIC...\n-----END CERTIFICATE-----"}},
        {"id": "missing", "type": "saas", "saas_app": {"auth_type": "saml"}},
        {"id": "oidc", "type": "saas", "saas_app": {"auth_type": "oidc", "public_key": "{}"}},
    ]));
    let found: Vec<(String, Result<String, &str>)> = apps
        .saas_signing()
        .map(|(app, cert)| {
            let cert = cert.as_ref().map(|f| f.subject.clone()).map_err(|e| e.reason());
            (app.id.clone(), cert)
        })
        .collect();
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found[0].0, "broken");
    assert_eq!(found[0].1, Err("bad_pem"));
    assert!(matches!(&found[1].1, Ok(subject) if subject.contains("Cloudflare Access SaaS")), "{found:?}");
    assert_eq!(found[2], ("missing".to_owned(), Err("no_certificate")));
}
