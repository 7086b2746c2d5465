//! `encryption enable` against the fake: the PUT sends the identity
//! provider back exactly as read except the two fields, and nothing is sent
//! without `--apply`.

use serde_json::Value;

use super::{assert_exit, fixture, run, snapshot, stderr, stdout, writes};
use crate::support::fixtures::ACC;
use crate::support::{TOKEN, start_fake};

/// The IdP as a GET answers it (`result`), read the way the command reads it.
async fn get_identity_provider(fake: &fake_cloudflare::FakeCloudflare, idp: &str) -> Value {
    let url = format!(
        "{}/accounts/acc00000000000000000000000000000/access/identity_providers/{idp}",
        fake.base_url()
    );
    let answer: Value =
        reqwest::Client::new().get(url).bearer_auth(TOKEN).send().await.unwrap().json().await.unwrap();
    answer["result"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn enable_sends_the_identity_provider_back_as_read_but_for_the_two_fields_and_only_with_apply() {
    let fake = start_fake(fixture()).await;
    // `idp-stalled` has its set but encryption off.
    fake.update_data(|d| d.accounts[0].identity_providers[1].enable_encryption = false);
    let enable = ["enable", "--account-id", ACC, "--identity-provider", "idp-stalled"];
    let dry = run(&fake, &enable);
    assert_exit(&dry, 0);
    assert!(stdout(&dry).contains("Dry run: nothing was sent"), "{}", stdout(&dry));
    assert!(stdout(&dry).contains("config.enable_encryption: false -> true"), "{}", stdout(&dry));
    assert!(writes(&fake).is_empty(), "a dry run sends nothing: {:?}", writes(&fake));

    let read = get_identity_provider(&fake, "idp-stalled").await;
    let applied = run(&fake, &[&enable[..], &["--apply"]].concat());
    assert_exit(&applied, 0);
    let puts: Vec<_> = fake.requests().into_iter().filter(|r| r.method == "PUT").collect();
    assert_eq!(puts.len(), 1, "one PUT");
    let mut sent: Value = serde_json::from_str(&puts[0].body).expect("a JSON body");
    assert_eq!(sent["config"]["enable_encryption"], Value::Bool(true));
    assert_eq!(sent["saml_certificate_set_id"], "stalled");
    // Put the two fields back as read: what remains is the GET, every field.
    sent["config"]["enable_encryption"] = read["config"]["enable_encryption"].clone();
    match read.get("saml_certificate_set_id") {
        Some(id) => sent["saml_certificate_set_id"] = id.clone(),
        None => drop(sent.as_object_mut().unwrap().remove("saml_certificate_set_id")),
    }
    assert_eq!(sent, read, "scim_config and every other field as read");
    assert!(snapshot(&fake).accounts[0].identity_providers[1].enable_encryption, "the fake took it");
    assert!(
        stdout(&applied).contains(
            "encryption pem --account-id acc00000000000000000000000000000 --certificate-set stalled"
        )
    );

    let again = run(&fake, &[&enable[..], &["--apply"]].concat());
    assert_exit(&again, 0);
    assert!(stdout(&again).contains("already on"), "{}", stdout(&again));
    assert_eq!(fake.requests().iter().filter(|r| r.method == "PUT").count(), 1, "nothing sent again");
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn enable_without_a_set_is_refused_with_the_command_that_makes_one() {
    let fake = start_fake(fixture()).await;
    let out = run(&fake, &["enable", "--account-id", ACC, "--identity-provider", "idp-new", "--apply"]);
    assert_exit(&out, 3);
    assert!(stderr(&out).contains(
        "encryption create-set --account-id acc00000000000000000000000000000 --identity-provider idp-new"
    ));
    assert!(writes(&fake).is_empty());
    fake.stop().await;
}
