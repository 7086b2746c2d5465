//! The Access applications list, `GET /accounts/{id}/access/apps`, and an
//! application object in Cloudflare's published shape: what every type
//! carries, the login settings of the types that have a login, and a SaaS
//! application's `saas_app` (SAML or OIDC).

use serde_json::{Value, json};

use crate::data::{FakeAccount, FakeApplication, FakeSaasApplication};
use crate::fnv::fnv1a_64;
use crate::knobs::Knobs;
use crate::responses::{ListLimits, Pagination, list};

/// Every application's `created_at` and `updated_at`: the fake never edits
/// one, so a fixed time in the past is as true as any.
const CREATED_AT: &str = "2024-03-01T09:00:00Z";

/// The documented default page size. Cloudflare documents no maximum for
/// this list; 1000 is the other Access lists' and keeps a client that asks
/// for more from relying on an undocumented limit.
const LIMITS: ListLimits = ListLimits { default: 25, max: 1000 };

/// One page of `account`'s applications.
pub(crate) fn list_applications(
    account: &FakeAccount,
    page: u64,
    requested: Option<u64>,
    knobs: &Knobs,
    pagination: &Pagination,
) -> Result<Value, String> {
    let items = account.applications.iter().map(application_json).collect();
    list(items, page, requested, LIMITS, knobs, pagination)
}

/// An application object.
pub(crate) fn application_json(app: &FakeApplication) -> Value {
    let mut value = json!({
        "id": app.id, "uid": app.id, "name": app.name, "domain": app.domain, "type": app.kind,
        "aud": audience(&app.id), "app_launcher_visible": true,
        "created_at": CREATED_AT, "updated_at": CREATED_AT, "policies": [], "tags": [],
    });
    // A bookmark is only a tile in the App Launcher: its published schema has
    // no login settings, and an empty `allowed_idps` would claim every IdP.
    if app.kind != "bookmark" {
        value["allowed_idps"] = json!(app.allowed_idps);
        value["auto_redirect_to_identity"] = json!(app.auto_redirect_to_identity);
        value["session_duration"] = json!("24h");
    }
    if let Some(saas) = &app.saas {
        value["saas_app"] = saas_json(saas, &app.domain);
    }
    value
}

/// `saas_app`; an `auth_type` other than `oidc` is SAML, Cloudflare's
/// default when it is unset.
fn saas_json(saas: &FakeSaasApplication, domain: &str) -> Value {
    if saas.auth_type == "oidc" {
        return json!({
            "auth_type": "oidc",
            "client_id": saas.sp_entity_id,
            "redirect_uris": [saas.consumer_service_url],
            "grant_types": ["authorization_code_with_pkce"],
            "scopes": ["openid", "email", "profile", "groups"],
            "access_token_lifetime": "5m",
            "allow_pkce_without_client_secret": false,
            "public_key": saas.public_key,
            "created_at": CREATED_AT, "updated_at": CREATED_AT,
        });
    }
    json!({
        "auth_type": saas.auth_type,
        "public_key": saas.public_key,
        "sp_entity_id": saas.sp_entity_id,
        "consumer_service_url": saas.consumer_service_url,
        "idp_entity_id": saas.idp_entity_id,
        "name_id_format": "email",
        "sso_endpoint": format!("https://{domain}"),
        "created_at": CREATED_AT, "updated_at": CREATED_AT,
    })
}

/// The application's audience tag: 64 hex digits, stable for its ID so
/// that every run of the demo shows the same one.
fn audience(id: &str) -> String {
    (0u8..4).map(|salt| format!("{:016x}", fnv1a_64(&[&[salt], id.as_bytes()].concat()))).collect()
}

#[cfg(test)]
mod tests;
