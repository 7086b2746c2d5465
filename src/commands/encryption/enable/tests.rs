//! Unit tests of `enable`.

use serde_json::json;

use super::*;

fn okta_like() -> Value {
    json!({
        "id": "idp-1", "name": "Okta", "type": "saml", "read_only": false,
        "config": {"enable_encryption": false, "issuer_url": "https://idp.example.com", "idp_public_certs": ["MII..."],
                   "a_field_from_next_year": {"nested": [1, 2]}},
        "scim_config": {"enabled": true, "user_deprovision": true, "identity_update_behavior": "automatic"},
        "saml_certificate_set": {"uid": "set-1"}
    })
}

#[test]
fn only_the_two_fields_change_and_everything_else_is_sent_back_as_read() {
    let read = okta_like();
    let updated = with_encryption(&read, "set-1");
    assert_eq!(updated["config"]["enable_encryption"], json!(true));
    assert_eq!(updated["saml_certificate_set_id"], json!("set-1"));
    let mut put_back = updated.clone();
    put_back["config"]["enable_encryption"] = read["config"]["enable_encryption"].clone();
    put_back.as_object_mut().unwrap().remove("saml_certificate_set_id");
    assert_eq!(put_back, read, "scim_config and unknown fields kept");
    let fields: Vec<&str> = changes(&read, &updated).iter().map(|c| c.field).collect();
    assert_eq!(fields, ["config.enable_encryption", "saml_certificate_set_id"]);
    assert!(changes(&updated, &with_encryption(&updated, "set-1")).is_empty(), "already on: no change");
}

#[test]
fn a_redacted_value_is_found_wherever_it_is() {
    assert_eq!(redacted_field(&okta_like(), ""), None);
    let mut secret = okta_like();
    secret["scim_config"]["secret"] = json!("**********");
    assert_eq!(redacted_field(&secret, "").as_deref(), Some("scim_config.secret"));
    let listed = json!({"config": {"keys": ["a", "****"]}});
    assert_eq!(redacted_field(&listed, "").as_deref(), Some("config.keys[1]"));
}
