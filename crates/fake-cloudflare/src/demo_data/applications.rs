//! The demo's Access applications: one for each way an identity provider's
//! trouble reaches an application (its only way in, one of several, every
//! IdP, none at all), and Cloudflare's own SAML signing certificates
//! towards SaaS applications (expiring, healthy, unreadable). Their IDs are
//! the constants here; the builders are for `demo()` only.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL;

use super::{DAY, identity_providers};
use crate::data::{FakeApplication, FakeSaasApplication};
use crate::fnv::fnv1a_64;
use crate::mint::{KeyKind, MintError, mint_certificate};

/// Payroll (demo), account A, self-hosted: Entra ID only, with
/// auto-redirect. Entra ID's metadata is in mismatch, and this application
/// has no other IdP to fall back on.
pub const PAYROLL: &str = "a9a00001-0000-4000-8000-000000000001";
/// Wiki (demo), account A, self-hosted: no `allowed_idps`, so every IdP of
/// the account, each with the others as fallback.
pub const WIKI: &str = "a9a00002-0000-4000-8000-000000000002";
/// Grafana (demo), account A, self-hosted: Okta and PingFederate, each the
/// other's fallback.
pub const GRAFANA: &str = "a9a00003-0000-4000-8000-000000000003";
/// Status page (demo), account A: a bookmark, which has no login and so
/// depends on no IdP.
pub const STATUS_PAGE: &str = "a9a00004-0000-4000-8000-000000000004";
/// Salesforce (demo), account A, SaaS SAML via PingFederate: Cloudflare's
/// signing certificate towards Salesforce expires in about 10 days.
pub const SALESFORCE: &str = "a9a00005-0000-4000-8000-000000000005";
/// Zendesk (demo), account A, SaaS SAML via every IdP: a healthy signing
/// certificate (about 400 days).
pub const ZENDESK: &str = "a9a00006-0000-4000-8000-000000000006";
/// Notion (demo), account A, SaaS OIDC via Okta: its `public_key` is a
/// JWKS, not a certificate, so it has no certificate to watch.
pub const NOTION: &str = "a9a00007-0000-4000-8000-000000000007";
/// Lab portal (demo), account B, self-hosted: Shibboleth only, whose
/// metadata host is unreachable.
pub const LAB_PORTAL: &str = "a9b00001-0000-4000-8000-000000000001";
/// Legacy CRM (demo), account B, SaaS SAML via every IdP: its signing
/// certificate is abbreviated with `...`, as in Cloudflare's docs, and
/// does not parse.
pub const LEGACY_CRM: &str = "a9b00002-0000-4000-8000-000000000002";

/// Account A's Zero Trust team domain.
const TEAM_A: &str = "example-corp.cloudflareaccess.com";
/// Account B's Zero Trust team domain.
const TEAM_B: &str = "example-labs.cloudflareaccess.com";

/// Notion's `client_id`, which Cloudflare generates as 64 hex digits.
const NOTION_CLIENT_ID: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0a9a0000700004000800000000000007a";

/// Account A's applications as of `now`.
pub(super) fn account_a(now: i64) -> Result<Vec<FakeApplication>, MintError> {
    let expiring = cloudflare_signing(TEAM_A, now, 10)?;
    let healthy = cloudflare_signing(TEAM_A, now, 400)?;
    Ok(vec![
        FakeApplication {
            auto_redirect_to_identity: true,
            ..self_hosted(PAYROLL, "Payroll (demo)", "payroll.example.com", &[identity_providers::ENTRA_ID])
        },
        self_hosted(WIKI, "Wiki (demo)", "wiki.example.com", &[]),
        self_hosted(
            GRAFANA,
            "Grafana (demo)",
            "grafana.example.com",
            &[identity_providers::OKTA, identity_providers::PING_FEDERATE],
        ),
        FakeApplication {
            kind: "bookmark".to_owned(),
            ..self_hosted(STATUS_PAGE, "Status page (demo)", "status.example.com", &[])
        },
        saml(
            SALESFORCE,
            "Salesforce (demo)",
            TEAM_A,
            &[identity_providers::PING_FEDERATE],
            (
                "https://example-corp.my.salesforce.com",
                "https://example-corp.my.salesforce.com?so=00D5e000000demo",
            ),
            expiring,
        ),
        saml(
            ZENDESK,
            "Zendesk (demo)",
            TEAM_A,
            &[],
            ("https://example-corp.zendesk.com", "https://example-corp.zendesk.com/access/saml"),
            healthy,
        ),
        FakeApplication {
            id: NOTION.to_owned(),
            name: "Notion (demo)".to_owned(),
            domain: format!("{TEAM_A}/cdn-cgi/access/sso/oidc/{NOTION_CLIENT_ID}"),
            kind: "saas".to_owned(),
            allowed_idps: vec![identity_providers::OKTA.to_owned()],
            auto_redirect_to_identity: false,
            saas: Some(FakeSaasApplication {
                auth_type: "oidc".to_owned(),
                public_key: jwks(),
                sp_entity_id: NOTION_CLIENT_ID.to_owned(),
                consumer_service_url: "https://www.notion.so/sso/oidc/callback".to_owned(),
                idp_entity_id: String::new(),
            }),
        },
    ])
}

/// Account B's applications.
pub(super) fn account_b() -> Vec<FakeApplication> {
    vec![
        self_hosted(LAB_PORTAL, "Lab portal (demo)", "portal.example-labs.org", &[identity_providers::SHIBBOLETH]),
        saml(
            LEGACY_CRM,
            "Legacy CRM (demo)",
            TEAM_B,
            &[],
            ("https://crm.example-labs.org/saml/metadata", "https://crm.example-labs.org/saml/acs"),
            "-----BEGIN CERTIFICATE-----\nMIIDpDCCAoygAwIBAgIGAYt1dmFsZTANBgkqhkiG9w0BAQsFADCBkjELMAkGA1UE...\n-----END CERTIFICATE-----"
                .to_owned(),
        ),
    ]
}

fn self_hosted(id: &str, name: &str, domain: &str, allowed_idps: &[&str]) -> FakeApplication {
    FakeApplication {
        id: id.to_owned(),
        name: name.to_owned(),
        domain: domain.to_owned(),
        kind: "self_hosted".to_owned(),
        allowed_idps: allowed_idps.iter().map(|&idp| idp.to_owned()).collect(),
        auto_redirect_to_identity: false,
        saas: None,
    }
}

/// A SaaS SAML application of the team `team`; `sp` is the service
/// provider's entity ID and assertion consumer URL.
fn saml(
    id: &str,
    name: &str,
    team: &str,
    allowed_idps: &[&str],
    sp: (&str, &str),
    public_key: String,
) -> FakeApplication {
    // Cloudflare's SSO endpoint for the application doubles as its domain
    // and its entity ID towards the service provider.
    let domain = format!("{team}/cdn-cgi/access/sso/saml/{id}");
    FakeApplication {
        domain: domain.clone(),
        kind: "saas".to_owned(),
        saas: Some(FakeSaasApplication {
            auth_type: "saml".to_owned(),
            public_key,
            sp_entity_id: sp.0.to_owned(),
            consumer_service_url: sp.1.to_owned(),
            idp_entity_id: format!("https://{domain}"),
        }),
        ..self_hosted(id, name, "", allowed_idps)
    }
}

/// Cloudflare's signing certificate (PEM) for a SaaS application of
/// `team`, valid from a year before `now` to `expires_days` after it.
fn cloudflare_signing(team: &str, now: i64, expires_days: i64) -> Result<String, MintError> {
    Ok(mint_certificate(team, KeyKind::Rsa(2048), now - 365 * DAY, now + expires_days * DAY)?.pem)
}

/// An OIDC application's `public_key`: a JWKS with one RSA signing key.
fn jwks() -> String {
    let modulus: Vec<u8> =
        (0..256).map(|i| if i == 0 { 0xc0 | fastrand::u8(..) } else { fastrand::u8(..) }).collect();
    format!(
        r#"{{"keys":[{{"kty":"RSA","use":"sig","alg":"RS256","kid":"{:016x}","e":"AQAB","n":"{}"}}]}}"#,
        fnv1a_64(&modulus),
        BASE64URL.encode(&modulus)
    )
}

#[cfg(test)]
mod tests;
