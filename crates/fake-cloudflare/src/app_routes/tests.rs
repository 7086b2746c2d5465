//! Unit tests of `app_routes`: the application objects' shape, and the
//! list as a client walks it over HTTP.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use serde_json::{Value, json};
use url::Url;

use super::application_json;
use crate::demo_data::{ACCOUNT_A, ACCOUNT_B, DEMO_TOKEN, applications, demo, identity_providers};
use crate::knobs::{Fault, FaultKind};
use crate::server::FakeCloudflare;
use crate::test_support::{Fetched, fetch};

/// The demo's application `id` of `account`, as served.
fn served(account: &str, id: &str) -> Value {
    let data = demo(1_700_000_000).unwrap();
    let account = data.account(account).expect("the account");
    application_json(account.applications.iter().find(|a| a.id == id).expect("the application"))
}

#[test]
fn only_a_saas_application_carries_saas_app() {
    let data = demo(1_700_000_000).unwrap();
    for app in data.accounts.iter().flat_map(|a| &a.applications) {
        let value = application_json(app);
        assert_eq!(value["type"] == "saas", value.get("saas_app").is_some(), "{}", app.name);
        assert_eq!((&value["id"], &value["uid"]), (&json!(app.id), &json!(app.id)));
        assert_eq!(value["aud"].as_str().map(str::len), Some(64), "{}", app.name);
        assert_eq!((&value["policies"], &value["tags"]), (&json!([]), &json!([])));
    }
}

#[test]
fn a_self_hosted_application_lists_its_idps_and_auto_redirect() {
    let payroll = served(ACCOUNT_A, applications::PAYROLL);
    assert_eq!(payroll["allowed_idps"], json!([identity_providers::ENTRA_ID]));
    assert_eq!(payroll["auto_redirect_to_identity"], true);
    assert_eq!(
        (&payroll["domain"], &payroll["session_duration"]),
        (&json!("payroll.example.com"), &json!("24h"))
    );
    let wiki = served(ACCOUNT_A, applications::WIKI);
    assert_eq!((&wiki["allowed_idps"], &wiki["auto_redirect_to_identity"]), (&json!([]), &json!(false)));
    let grafana = served(ACCOUNT_A, applications::GRAFANA);
    assert_eq!(grafana["allowed_idps"], json!([identity_providers::OKTA, identity_providers::PING_FEDERATE]));
}

#[test]
fn a_bookmark_has_no_login_settings() {
    let bookmark = served(ACCOUNT_A, applications::STATUS_PAGE);
    assert_eq!(bookmark["type"], "bookmark");
    for key in ["allowed_idps", "auto_redirect_to_identity", "session_duration", "saas_app"] {
        assert!(bookmark.get(key).is_none(), "{key}: {bookmark}");
    }
}

#[test]
fn a_saml_saas_app_names_both_entities_and_its_sso_endpoint() {
    let salesforce = served(ACCOUNT_A, applications::SALESFORCE);
    let saas = &salesforce["saas_app"];
    assert_eq!((&saas["auth_type"], &saas["name_id_format"]), (&json!("saml"), &json!("email")));
    let endpoint = format!(
        "https://example-corp.cloudflareaccess.com/cdn-cgi/access/sso/saml/{}",
        applications::SALESFORCE
    );
    assert_eq!((&saas["sso_endpoint"], &saas["idp_entity_id"]), (&json!(endpoint), &json!(endpoint)));
    assert_eq!(format!("https://{}", salesforce["domain"].as_str().unwrap()), endpoint);
    assert_eq!(saas["sp_entity_id"], "https://example-corp.my.salesforce.com");
    assert!(
        saas["consumer_service_url"].as_str().unwrap().starts_with("https://example-corp.my.salesforce.com")
    );
    assert!(saas["public_key"].as_str().unwrap().starts_with("-----BEGIN CERTIFICATE-----\n"));
    assert_eq!(salesforce["allowed_idps"], json!([identity_providers::PING_FEDERATE]));
}

#[test]
fn an_oidc_saas_app_has_a_client_redirects_and_a_jwks_not_a_certificate() {
    let notion = served(ACCOUNT_A, applications::NOTION);
    let saas = &notion["saas_app"];
    assert_eq!(saas["auth_type"], "oidc");
    assert_eq!(saas["client_id"].as_str().map(str::len), Some(64));
    assert_eq!(saas["redirect_uris"], json!(["https://www.notion.so/sso/oidc/callback"]));
    assert!(saas.get("sp_entity_id").is_none() && saas.get("sso_endpoint").is_none(), "{saas}");
    let jwks: Value = serde_json::from_str(saas["public_key"].as_str().unwrap()).expect("a JWKS");
    assert_eq!((&jwks["keys"][0]["kty"], &jwks["keys"][0]["use"]), (&json!("RSA"), &json!("sig")));
}

async fn start() -> FakeCloudflare {
    let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
    FakeCloudflare::start(addr, demo(1_700_000_000).unwrap()).await.expect("a loopback port")
}

async fn get(fake: &FakeCloudflare, path_and_query: &str) -> (Fetched, Value) {
    let url = Url::parse(&format!("{}{path_and_query}", fake.base_url())).unwrap();
    let fetched =
        fetch(&url, &[("authorization", &format!("Bearer {DEMO_TOKEN}"))]).await.expect("an answer");
    let body = serde_json::from_slice(&fetched.body).expect("JSON");
    (fetched, body)
}

#[tokio::test]
async fn the_list_pages_through_every_application_once() {
    let fake = start().await;
    let (mut seen, mut page) = (Vec::new(), 1);
    loop {
        let (fetched, body) =
            get(&fake, &format!("/accounts/{ACCOUNT_A}/access/apps?per_page=2&page={page}")).await;
        assert_eq!(fetched.status, 200, "{body}");
        let info = &body["result_info"];
        assert_eq!(
            (&info["page"], &info["per_page"], &info["total_count"]),
            (&json!(page), &json!(2), &json!(7))
        );
        seen.extend(body["result"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_owned()));
        if page >= info["total_pages"].as_u64().unwrap() {
            break;
        }
        page += 1;
    }
    assert_eq!(page, 4);
    let data = demo(1_700_000_000).unwrap();
    let expected: Vec<&str> =
        data.account(ACCOUNT_A).unwrap().applications.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(seen, expected);
    let (_, body) = get(&fake, &format!("/accounts/{ACCOUNT_B}/access/apps")).await;
    assert_eq!((&body["result_info"]["per_page"], &body["result_info"]["count"]), (&json!(25), &json!(2)));
    let (fetched, body) = get(&fake, &format!("/accounts/{ACCOUNT_A}/access/apps?per_page=1001")).await;
    assert_eq!((fetched.status.as_u16(), &body["errors"][0]["code"]), (400, &json!(1004)));
    fake.stop().await;
}

#[tokio::test]
async fn an_unknown_account_has_no_route() {
    let fake = start().await;
    let (fetched, body) = get(&fake, "/accounts/00000000000000000000000000000000/access/apps").await;
    assert_eq!((fetched.status.as_u16(), &body["errors"][0]["code"]), (404, &json!(7003)));
    fake.stop().await;
}

#[tokio::test]
async fn a_fault_answers_the_list_403_as_a_token_without_access_read_would_be() {
    let fake = start().await;
    fake.inject(Fault {
        path_contains: "/access/apps".to_owned(),
        times: Some(1),
        kind: FaultKind::Respond {
            status: 403,
            headers: Vec::new(),
            body: json!({"success": false, "errors": [{"code": 10000, "message": "Authentication error"}],
                "messages": [], "result": null})
            .to_string(),
        },
    });
    let path = format!("/accounts/{ACCOUNT_A}/access/apps");
    let (fetched, body) = get(&fake, &path).await;
    assert_eq!((fetched.status.as_u16(), &body["errors"][0]["code"]), (403, &json!(10000)));
    let (other, _) = get(&fake, &format!("/accounts/{ACCOUNT_A}/access/identity_providers")).await;
    assert_eq!(other.status, 200, "the fault is aimed at the applications only");
    let (again, _) = get(&fake, &path).await;
    assert_eq!(again.status, 200, "used up");
    fake.stop().await;
}
