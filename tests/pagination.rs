//! Walking every page through the real client against the fake API.

use std::sync::Arc;
use std::time::Duration;

use cloudflare_saml_exporter::client::{ClientSettings, CloudflareClient};
use cloudflare_saml_exporter::credentials::CredentialSource;
use cloudflare_saml_exporter::fake::FakeCloudflare;
use cloudflare_saml_exporter::metrics::Metrics;
use secrecy::SecretString;

use crate::support::{TOKEN, account, data, saml_idp, set_expiring_in};

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
    FakeCloudflare::start("127.0.0.1:0".parse().unwrap(), data(vec![account("acc", sets, idps)]))
        .await
        .unwrap()
}

fn client(fake: &FakeCloudflare) -> CloudflareClient {
    CloudflareClient::new(
        ClientSettings {
            base_url: fake.base_url().parse().unwrap(),
            request_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
            max_body_bytes: 1 << 20,
            max_requests_per_5m: std::num::NonZeroU32::new(300).unwrap(),
        },
        CredentialSource::Token(SecretString::from(TOKEN)),
        Arc::new(Metrics::new()),
    )
    .unwrap()
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
    let sets = client(&fake).list_certificate_sets("acc").await.unwrap();
    assert_eq!(sets.iter().map(|s| s.uid.clone()).collect::<Vec<_>>(), uids);
    let requests = list_requests(&fake);
    assert_eq!(requests.len(), 6, "{requests:#?}");
    assert!(requests.iter().all(|r| r.contains("per_page=1000")), "asks for the documented maximum");
    assert!(requests[5].contains("page=6"));
    fake.stop().await;
}

#[tokio::test]
async fn a_short_page_without_result_info_is_the_last() {
    let uids = names(57);
    let fake = fake_with_sets(&uids.iter().map(String::as_str).collect::<Vec<_>>()).await;
    fake.update_knobs(|k| k.omit_result_info = true);
    let sets = client(&fake).list_certificate_sets("acc").await.unwrap();
    assert_eq!(sets.len(), 57);
    assert_eq!(list_requests(&fake).len(), 1);
    fake.stop().await;
}

#[tokio::test]
async fn an_empty_list_costs_one_request() {
    let fake = fake_with_sets(&[]).await;
    assert!(client(&fake).list_certificate_sets("acc").await.unwrap().is_empty());
    assert_eq!(list_requests(&fake).len(), 1);
    fake.stop().await;
}

#[tokio::test]
async fn duplicates_across_pages_are_kept_once() {
    let fake = fake_with_sets(&["a", "b", "b", "c", "a"]).await;
    fake.update_knobs(|k| k.page_cap = 2);
    let sets = client(&fake).list_certificate_sets("acc").await.unwrap();
    assert_eq!(sets.iter().map(|s| s.uid.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
    fake.stop().await;
}

#[tokio::test]
async fn identity_providers_are_walked_the_same_way() {
    let fake = fake_with_sets(&[]).await;
    fake.update_knobs(|k| k.page_cap = 3);
    let idps = client(&fake).list_identity_providers("acc").await.unwrap();
    assert_eq!(idps.len(), 7);
    let pages = fake.requests().iter().filter(|r| r.uri.contains("identity_providers")).count();
    assert_eq!(pages, 3);
    fake.stop().await;
}

#[tokio::test]
async fn a_wrong_token_is_forbidden_with_cloudflares_code() {
    let fake = fake_with_sets(&["a"]).await;
    fake.update_data(|d| d.token = "another".into());
    let err = client(&fake).list_certificate_sets("acc").await.unwrap_err();
    assert_eq!(err.reason(), "forbidden");
    assert_eq!(err.codes(), vec![10000]);
    assert!(err.to_string().contains("10000 Authentication error"), "{err}");
    fake.stop().await;
}
