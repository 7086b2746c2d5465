use super::*;

fn decode(json: &str) -> AccessApplication {
    serde_json::from_str(json).expect("decodes")
}

#[test]
fn a_self_hosted_application_keeps_its_identity_providers_and_auto_redirect() {
    let app = decode(
        r#"{"id":"a1","name":"Payroll","domain":"payroll.example.com","type":"self_hosted",
            "allowed_idps":["idp-1"],"auto_redirect_to_identity":true,"session_duration":"24h"}"#,
    );
    assert_eq!(app.id.as_deref(), Some("a1"));
    assert_eq!(app.kind.as_deref(), Some("self_hosted"));
    assert_eq!(app.allowed_identity_providers().collect::<Vec<_>>(), ["idp-1"]);
    assert_eq!(app.auto_redirect_to_identity, Some(true));
    assert!(app.saas_app.is_none());
}

#[test]
fn an_oidc_saas_application_keeps_neither_its_key_nor_its_client_secret() {
    let app = decode(
        r#"{"id":"a2","type":"saas","saas_app":{"auth_type":"oidc","client_id":"c",
            "client_secret":"do-not-keep-me","public_key":"{\"keys\":[]}"}}"#,
    );
    let saas = app.saas_app.as_ref().expect("saas part");
    assert!(!saas.is_saml());
    assert_eq!(saas.public_key, None);
    let kept = format!("{app:?} {}", serde_json::to_string(&app).unwrap());
    assert!(!kept.contains("do-not-keep-me"), "{kept}");
}

#[test]
fn a_saml_saas_application_keeps_its_signing_certificate() {
    let app = decode(
        r#"{"id":"a3","type":"saas","saas_app":{"auth_type":"saml","public_key":"-----BEGIN CERTIFICATE-----",
            "sp_entity_id":"https://sp.example.com"}}"#,
    );
    let saas = app.saas_app.expect("saas part");
    assert!(saas.is_saml());
    assert_eq!(saas.public_key.as_deref(), Some("-----BEGIN CERTIFICATE-----"));
}

#[test]
fn odd_fields_cost_the_field_not_the_application() {
    let app = decode(
        r#"{"id":"a4","name":7,"type":null,"allowed_idps":["idp-1",5,"  "],
            "auto_redirect_to_identity":"yes","saas_app":"nope"}"#,
    );
    assert_eq!(app.id.as_deref(), Some("a4"));
    assert_eq!(app.name, None);
    assert_eq!(app.allowed_identity_providers().collect::<Vec<_>>(), ["idp-1"]);
    assert_eq!(app.auto_redirect_to_identity, None);
    assert_eq!(app.saas_app, None);
}

#[test]
fn what_is_written_reads_back_the_same() {
    let app = decode(
        r#"{"id":"a5","name":"Wiki","domain":"wiki.example.com","type":"self_hosted","allowed_idps":[],
            "saas_app":{"auth_type":"saml","public_key":"PEM","sp_entity_id":"sp"}}"#,
    );
    let again: AccessApplication = serde_json::from_str(&serde_json::to_string(&app).unwrap()).unwrap();
    assert_eq!(again, app);
}
