//! `signing sync` against the fake: a dry run sends nothing; `--apply`
//! sends one PUT, the identity provider exactly as read but for
//! `config.idp_public_certs`, which gains the published certificate;
//! `--prune` drops the one no longer published.

use cloudflare_saml_exporter::model::inspect::inspect_pem;
use fake_cloudflare::demo_data::{ACCOUNT_A, DEMO_TOKEN, identity_providers};
use serde_json::Value;

use super::{Demo, assert_exit, json, stdout};

/// The IdP as a GET answers it (`result`).
async fn get_identity_provider(demo: &Demo, idp: &str) -> Value {
    let url = format!("{}/accounts/{ACCOUNT_A}/access/identity_providers/{idp}", demo.fake.base_url());
    let answer: Value =
        reqwest::Client::new().get(url).bearer_auth(DEMO_TOKEN).send().await.unwrap().json().await.unwrap();
    answer["result"].clone()
}

/// `value` without `config.idp_public_certs`.
fn without_certificates(mut value: Value) -> Value {
    value["config"].as_object_mut().expect("a config").remove("idp_public_certs");
    value
}

/// The SHA-256 fingerprints of the PEM entries of `certificates`.
fn fingerprints(certificates: &[Value]) -> Vec<String> {
    certificates
        .iter()
        .map(|c| {
            inspect_pem(c.as_str().unwrap()).map_or_else(|_| "unreadable".into(), |f| f.sha256_fingerprint)
        })
        .collect()
}

/// The single PUT the fake received, its body as JSON.
fn the_put(demo: &Demo) -> Value {
    let writes = demo.writes();
    assert_eq!(writes.len(), 1, "exactly one write: {:?}", writes.iter().map(|w| &w.uri).collect::<Vec<_>>());
    assert_eq!(writes[0].method, "PUT");
    assert!(writes[0].uri.ends_with(identity_providers::PING_FEDERATE), "{}", writes[0].uri);
    serde_json::from_str(&writes[0].body).expect("a JSON body")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_sends_nothing_and_apply_sends_the_identity_provider_back_with_the_new_certificate() {
    let demo = Demo::start().await;
    let config = demo.config();
    let sync = ["sync", "--identity-provider", identity_providers::PING_FEDERATE];

    let dry = demo.run(&config, &sync);
    assert_exit(&dry, 0);
    let text = stdout(&dry);
    assert!(text.starts_with("Dry run: nothing was sent"), "{text}");
    assert!(text.contains(&format!("PUT {}/accounts/{ACCOUNT_A}", demo.fake.base_url())), "{text}");
    assert!(text.contains("before (3 entries)") && text.contains("after (4 entries)"), "{text}");
    assert!(!text.contains("BEGIN CERTIFICATE"), "no certificate body is printed: {text}");
    assert!(demo.writes().is_empty(), "a dry run wrote");

    let read = get_identity_provider(&demo, identity_providers::PING_FEDERATE).await;
    let plan = json(&demo.run(&config, &["plan", "--account-id", ACCOUNT_A, "--output", "json"]));
    let ping =
        plan["identity_providers"].as_array().unwrap().iter().find(|r| r["state"] == "rollover_pending");
    let new = ping.expect("PingFederate is pending")["to_add"][0]["sha256_fingerprint"].clone();

    let applied = demo.run(&config, &[&sync[..], &["--apply", "--output", "json"]].concat());
    assert_exit(&applied, 0);
    let report = json(&applied);
    assert_eq!((report["dry_run"].as_bool(), report["changed"].as_bool()), (Some(false), Some(true)));
    let sent = the_put(&demo);
    let listed = sent["config"]["idp_public_certs"].as_array().expect("a list").clone();
    let before = read["config"]["idp_public_certs"].as_array().expect("a list").clone();
    assert_eq!(listed[..before.len()], before[..], "the entries read kept byte for byte, in order");
    assert_eq!(listed.len(), before.len() + 1);
    assert_eq!(
        fingerprints(&listed[before.len()..]),
        [new.as_str().unwrap()],
        "the new certificate appended"
    );
    assert_eq!(without_certificates(sent), without_certificates(read), "every other field as read");
    // Cloudflare now holds every certificate the IdP publishes.
    let after = json(&demo.run(&config, &["plan", "--account-id", ACCOUNT_A, "--output", "json"]));
    let ping = after["identity_providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["identity_provider_id"] == identity_providers::PING_FEDERATE)
        .cloned();
    assert_eq!(ping.map(|r| r["state"].clone()), Some("in_sync".into()), "{after}");
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn prune_removes_the_certificate_no_longer_published_and_in_sync_sends_nothing() {
    let demo = Demo::start().await;
    let config = demo.config();
    let read = get_identity_provider(&demo, identity_providers::PING_FEDERATE).await;
    let before = read["config"]["idp_public_certs"].as_array().unwrap().clone();
    let prune = ["sync", "--identity-provider", "PingFederate (demo)", "--prune", "--apply"];
    let out = demo.run(&config, &prune);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("[0] removed"), "{}", stdout(&out));
    let sent = the_put(&demo);
    let listed = sent["config"]["idp_public_certs"].as_array().unwrap().clone();
    // The 3-day certificate (entry 0) goes; the published one, pasted twice
    // (PEM and wrapped base64), stays as read; the next one is appended.
    assert_eq!(listed[..2], before[1..], "{listed:?}");
    assert_eq!(listed.len(), 3);
    assert_eq!(without_certificates(sent), without_certificates(read));

    // Okta is in sync: nothing to send, even with --apply.
    let okta = demo.run(&config, &["sync", "--identity-provider", identity_providers::OKTA, "--apply"]);
    assert_exit(&okta, 0);
    assert!(stdout(&okta).contains("nothing to send"), "{}", stdout(&okta));
    assert_eq!(demo.writes().len(), 1, "no PUT for an IdP in sync");
    demo.stop().await;
}
