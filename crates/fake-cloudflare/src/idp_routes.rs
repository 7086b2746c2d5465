//! The fake's single identity provider endpoints: read one, and replace one
//! with a PUT as Cloudflare does (the whole object; the fake keeps what it
//! models, `config.enable_encryption`, `config.idp_public_certs` and
//! `saml_certificate_set_id`, and the
//! request body stays in the request log for tests to compare).

use serde_json::Value;

use crate::data::FakeData;
use crate::responses::{Answer, failure, idp_json, no_route, respond, success};

/// Cloudflare's answer for an unknown identity provider.
const NO_SUCH_IDP: (u16, u32, &str) = (404, 12130, "Identity provider not found");

/// `GET .../identity_providers/{id}`.
pub(crate) fn get_identity_provider(data: &FakeData, account_id: &str, idp_id: &str) -> Answer {
    let Some(account) = data.account(account_id) else {
        return no_route(&format!("/accounts/{account_id}"));
    };
    match account.identity_providers.iter().find(|i| i.id == idp_id) {
        Some(idp) => respond(200, success(idp_json(idp, &account.sets)).to_string()),
        None => failure(NO_SUCH_IDP.0, NO_SUCH_IDP.1, NO_SUCH_IDP.2),
    }
}

/// `PUT .../identity_providers/{id}`: the body replaces the IdP.
pub(crate) fn put_identity_provider(
    data: &mut FakeData,
    account_id: &str,
    idp_id: &str,
    body: &str,
) -> Answer {
    let Ok(body) = serde_json::from_str::<Value>(body) else {
        return failure(400, 10013, "the request body is not JSON");
    };
    let Some(account) = data.accounts.iter_mut().find(|a| a.id == account_id) else {
        return no_route(&format!("/accounts/{account_id}"));
    };
    let sets: Vec<String> = account.sets.iter().map(|s| s.uid.clone()).collect();
    let Some(idp) = account.identity_providers.iter_mut().find(|i| i.id == idp_id) else {
        return failure(NO_SUCH_IDP.0, NO_SUCH_IDP.1, NO_SUCH_IDP.2);
    };
    let set_id = body.get("saml_certificate_set_id").and_then(Value::as_str).map(str::to_owned);
    let encryption = body.pointer("/config/enable_encryption").and_then(Value::as_bool).unwrap_or(false);
    if encryption && set_id.as_ref().is_none_or(|id| !sets.contains(id)) {
        return failure(
            400,
            12133,
            "enable_encryption requires saml_certificate_set_id to name a set of the account",
        );
    }
    idp.enable_encryption = encryption;
    // The whole object is replaced: a body without the key pastes none.
    idp.signing_certificates = match body.pointer("/config/idp_public_certs") {
        Some(Value::Array(entries)) => entries.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    };
    if set_id.is_some() {
        idp.certificate_set_id = set_id;
    }
    let idp = idp.clone();
    let account = data.account(account_id).expect("found above");
    respond(200, success(idp_json(&idp, &account.sets)).to_string())
}
