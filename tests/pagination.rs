//! Walking every page through the real client against the fake API, with
//! either kind of credentials, and the fake's create-a-set endpoint.

use std::sync::Arc;
use std::time::Duration;

use cloudflare_saml_exporter::cloudflare::client::CloudflareClient;
use cloudflare_saml_exporter::cloudflare::credentials::CredentialSource;
use cloudflare_saml_exporter::counters::ExporterCounters;
use fake_cloudflare::FakeCloudflare;
use secrecy::SecretString;
use serde_json::Value;

use crate::support::fixtures::ACC;
use crate::support::{TOKEN, account, client_settings, data, saml_idp, set_expiring_in, start_fake};

async fn fake_with_sets(uids: &[&str]) -> FakeCloudflare {
    let template = set_expiring_in("template", 100);
    let sets = uids
        .iter()
        .map(|uid| {
            let mut set = template.clone();
            set.uid = (*uid).to_owned();
            set
        })
        .collect();
    let idps = (0..7).map(|i| saml_idp(&format!("idp-{i}"), None)).collect();
    start_fake(data(vec![account(ACC, sets, idps)])).await
}

fn client(fake: &FakeCloudflare) -> CloudflareClient {
    client_with(fake, CredentialSource::Token(SecretString::from(TOKEN)))
}

fn client_with(fake: &FakeCloudflare, credentials: CredentialSource) -> CloudflareClient {
    CloudflareClient::new(client_settings(fake), credentials, Arc::new(ExporterCounters::new())).unwrap()
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("set-{i:03}")).collect()
}

fn list_requests(fake: &FakeCloudflare) -> Vec<String> {
    fake.requests().into_iter().filter(|r| r.uri.contains("saml_certificates")).map(|r| r.uri).collect()
}

#[tokio::test]
async fn several_pages_when_the_server_caps_per_page_below_the_request() {
    let uids = names(57);
    let fake = fake_with_sets(&uids.iter().map(String::as_str).collect::<Vec<_>>()).await;
    fake.update_knobs(|k| k.page_cap = 10);
    let sets = client(&fake).list_certificate_sets(ACC).await.unwrap();
    assert_eq!(sets.iter().map(|s| s.uid.clone()).collect::<Vec<_>>(), uids);
    let requests = list_requests(&fake);
    assert_eq!(requests.len(), 6, "{requests:#?}");
    assert!(requests.iter().all(|r| r.contains("per_page=1000")), "asks for the documented maximum");
    assert!(requests[5].contains("page=6"));
    fake.stop().await;
}

#[tokio::test]
async fn a_list_without_result_info_ends_on_the_empty_page() {
    let uids = names(57);
    let fake = fake_with_sets(&uids.iter().map(String::as_str).collect::<Vec<_>>()).await;
    fake.update_knobs(|k| k.omit_result_info = true);
    let sets = client(&fake).list_certificate_sets(ACC).await.unwrap();
    assert_eq!(sets.len(), 57);
    let requests = list_requests(&fake);
    assert_eq!(requests.len(), 2, "the short page is not trusted as the last: {requests:#?}");
    fake.stop().await;
}

#[tokio::test]
async fn an_empty_list_costs_one_request() {
    let fake = fake_with_sets(&[]).await;
    assert!(client(&fake).list_certificate_sets(ACC).await.unwrap().is_empty());
    assert_eq!(list_requests(&fake).len(), 1);
    fake.stop().await;
}

#[tokio::test]
async fn duplicates_across_pages_are_kept_once() {
    let fake = fake_with_sets(&["a", "b", "b", "c", "a"]).await;
    fake.update_knobs(|k| k.page_cap = 2);
    let sets = client(&fake).list_certificate_sets(ACC).await.unwrap();
    assert_eq!(sets.iter().map(|s| s.uid.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
    fake.stop().await;
}

#[tokio::test]
async fn identity_providers_are_walked_the_same_way() {
    let fake = fake_with_sets(&[]).await;
    fake.update_knobs(|k| k.page_cap = 3);
    let idps = client(&fake).list_identity_providers(ACC).await.unwrap();
    assert_eq!(idps.len(), 7);
    let pages = fake.requests().iter().filter(|r| r.uri.contains("identity_providers")).count();
    assert_eq!(pages, 3);
    fake.stop().await;
}

#[tokio::test]
async fn a_wrong_token_is_forbidden_with_cloudflares_code() {
    let fake = fake_with_sets(&["a"]).await;
    fake.update_data(|d| d.token = "another".into());
    let err = client(&fake).list_certificate_sets(ACC).await.unwrap_err();
    assert_eq!(err.reason().label(), "forbidden");
    assert_eq!(err.codes(), vec![10000]);
    assert!(err.to_string().contains("10000 Authentication error"), "{err}");
    fake.stop().await;
}

/// POSTs the create-a-set call for `idp` of account `acc00000000000000000000000000000` with the fake's
/// token; returns the status and the parsed envelope.
async fn create_set(fake: &FakeCloudflare, idp: &str) -> (u16, Value) {
    let url = format!(
        "{}/accounts/acc00000000000000000000000000000/access/identity_providers/{idp}/saml_certificate",
        fake.base_url()
    );
    let response = reqwest::Client::new()
        .post(&url)
        .bearer_auth(TOKEN)
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("POST {url}: {e}: {body}")))
}

#[tokio::test]
async fn creating_a_set_is_201_then_200_with_the_same_set_and_404_for_an_unknown_idp() {
    let fake = fake_with_sets(&["existing"]).await;
    let before = client(&fake).list_certificate_sets(ACC).await.unwrap();
    assert_eq!(before.len(), 1);

    let (status, created) = create_set(&fake, "idp-3").await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["success"], true, "{created}");
    let set = &created["result"];
    let uid = set["uid"].as_str().expect("result.uid").to_owned();
    assert!(!uid.is_empty() && uid != "existing", "{set}");
    for field in ["created_at", "updated_at"] {
        assert!(set[field].as_str().is_some_and(|v| !v.is_empty()), "{field}: {set}");
    }
    let current = &set["current_certificate"];
    assert!(current["public_certificate"].as_str().unwrap_or("").contains("BEGIN CERTIFICATE"), "{set}");
    assert!(current["not_after"].as_str().is_some_and(|v| !v.is_empty()), "{set}");

    // Idempotent: the IdP has a set now, so the same call returns it unchanged.
    let (status, again) = create_set(&fake, "idp-3").await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["success"], true, "{again}");
    assert_eq!(again["result"], *set, "the second call returns the set the first one made");

    let (status, unknown) = create_set(&fake, "no-such-idp").await;
    assert_eq!(status, 404, "{unknown}");
    assert_eq!(unknown["success"], false, "{unknown}");
    let message = unknown["errors"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("Identity provider not found"), "{unknown}");

    // The lists the exporter reads show the new set once, and the IdP using it.
    let sets = client(&fake).list_certificate_sets(ACC).await.unwrap();
    let uids: Vec<&str> = sets.iter().map(|s| s.uid.as_str()).collect();
    assert_eq!(uids, ["existing", uid.as_str()], "one set added, by the first call only");
    let idps = client(&fake).list_identity_providers(ACC).await.unwrap();
    let assigned: Vec<(&str, Option<&str>)> =
        idps.iter().map(|i| (i.id.as_deref().unwrap_or(""), i.certificate_set_uid())).collect();
    for (id, set_id) in assigned {
        let expected = (id == "idp-3").then_some(uid.as_str());
        assert_eq!(set_id, expected, "certificate set of {id}");
    }
    fake.stop().await;
}

const EMAIL: &str = "ops@example.com";
const GLOBAL_KEY: &str = "global-key-0c1d2e";

fn global_key(key: &str) -> CredentialSource {
    CredentialSource::GlobalKey { email: EMAIL.to_owned(), key: SecretString::from(key) }
}

#[tokio::test]
async fn the_global_api_key_walks_both_lists_and_a_wrong_key_is_forbidden() {
    let uids = names(12);
    let fake = fake_with_sets(&uids.iter().map(String::as_str).collect::<Vec<_>>()).await;
    fake.update_data(|d| d.global_key = Some((EMAIL.to_owned(), GLOBAL_KEY.to_owned())));
    // Several pages each, so every request of a walk must carry the pair.
    fake.update_knobs(|k| k.page_cap = 5);

    let legacy = client_with(&fake, global_key(GLOBAL_KEY));
    let sets = legacy.list_certificate_sets(ACC).await.unwrap();
    assert_eq!(sets.iter().map(|s| s.uid.clone()).collect::<Vec<_>>(), uids);
    let idps = legacy.list_identity_providers(ACC).await.unwrap();
    assert_eq!(idps.len(), 7);
    let requests = fake.requests();
    assert_eq!(requests.len(), 3 + 2, "{requests:#?}");
    assert!(requests.iter().all(|r| r.authenticated), "{requests:#?}");

    let wrong = client_with(&fake, global_key("not-the-key"));
    for err in [
        wrong.list_certificate_sets(ACC).await.unwrap_err(),
        wrong.list_identity_providers(ACC).await.unwrap_err(),
    ] {
        assert_eq!(err.reason().label(), "forbidden", "{err}");
        assert_eq!(err.codes(), vec![10000]);
    }
    // The right key under another e-mail is no better.
    let other_email = CredentialSource::GlobalKey {
        email: "someone@example.com".to_owned(),
        key: SecretString::from(GLOBAL_KEY),
    };
    let err = client_with(&fake, other_email).list_certificate_sets(ACC).await.unwrap_err();
    assert_eq!(err.reason().label(), "forbidden", "{err}");
    fake.stop().await;
}

#[tokio::test]
async fn the_tokens_status_and_expiry_are_read_and_an_account_owned_token_is_asked_under_its_account() {
    let fake = fake_with_sets(&[]).await;
    fake.update_knobs(|k| {
        k.token_status = "active";
        k.token_expires_on = Some(1_798_761_600);
    });
    let verified = client(&fake).verify_token(Some(ACC)).await.unwrap().expect("a token to verify");
    assert_eq!(verified.status, "active");
    assert_eq!(verified.expires_on.as_deref(), Some("2027-01-01T00:00:00Z"));
    let asked = |fake: &FakeCloudflare| -> Vec<String> {
        fake.requests().into_iter().filter(|r| r.uri.contains("tokens/verify")).map(|r| r.uri).collect()
    };
    assert_eq!(asked(&fake).len(), 1, "a user-owned token: one request");

    fake.update_data(|d| d.account_owned_token = true);
    fake.update_knobs(|k| k.token_status = "disabled");
    let verified = client(&fake).verify_token(Some(ACC)).await.unwrap().unwrap();
    assert_eq!(verified.status, "disabled");
    let uris = asked(&fake);
    assert!(
        uris[1].ends_with("/user/tokens/verify")
            && uris[2].ends_with("/accounts/acc00000000000000000000000000000/tokens/verify"),
        "{uris:#?}"
    );

    let global = CredentialSource::GlobalKey { email: "a@example.com".into(), key: SecretString::from("k") };
    assert!(
        client_with(&fake, global).verify_token(Some(ACC)).await.unwrap().is_none(),
        "no token to verify"
    );
    fake.stop().await;
}

#[tokio::test]
async fn a_server_capping_per_page_while_echoing_the_request_and_no_total_count_is_read_to_the_end() {
    let uids = names(250);
    let fake = fake_with_sets(&uids.iter().map(String::as_str).collect::<Vec<_>>()).await;
    fake.update_knobs(|k| {
        k.page_cap = 100;
        k.echo_requested_per_page = true;
        k.omit_total_count = true;
    });
    let sets = client(&fake).list_certificate_sets(ACC).await.unwrap();
    assert_eq!(sets.iter().map(|s| s.uid.clone()).collect::<Vec<_>>(), uids, "all 250, not the first 100");
    let requests = list_requests(&fake);
    assert_eq!(requests.len(), 4, "100, 100, 50, then the empty page: {requests:#?}");
    fake.stop().await;
}
