//! `signing plan | sync`, driving the real binary against the fake API with
//! its demo data and the fake IdP metadata host publishing the demo's
//! documents (Okta in sync, PingFederate rollover pending, Entra ID
//! mismatch, Shibboleth of account B unreachable): plan's states and exit
//! codes, and the usage errors; `sync`'s PUT and refusals are in
//! `signing/sync.rs` and `signing/refusals.rs`.

mod refusals;
mod sync;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::Output;

use cloudflare_saml_exporter::clock::unix_now;
use fake_cloudflare::demo_data::{ACCOUNT_A, ACCOUNT_B, DEMO_TOKEN, demo, identity_providers};
use fake_cloudflare::{FakeCloudflare, FakeIdentityProviderMetadata};
use serde_json::Value;

pub(crate) use crate::support::output::{assert_exit, json, stderr, stdout};
use crate::support::{Exporter, TempDir, start_fake};

/// The fake API with the demo data, the metadata host publishing the
/// demo's documents, and a `--config.file` listing them.
struct Demo {
    fake: FakeCloudflare,
    host: FakeIdentityProviderMetadata,
    dir: TempDir,
    /// `(account, identity_provider, url)` of each published document.
    entries: Vec<(String, String, String)>,
}

impl Demo {
    async fn start() -> Self {
        let data = demo(unix_now() as i64).expect("demo data");
        let host = FakeIdentityProviderMetadata::start(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0))
            .await
            .expect("start the fake metadata host");
        let mut entries = Vec::new();
        for published in &data.published_metadata {
            host.set(&published.path, published.published.clone());
            let url = host.url(&published.path).to_string();
            entries.push((published.account_id.clone(), published.identity_provider_id.clone(), url));
        }
        let fake = start_fake(data).await;
        Self { fake, host, dir: TempDir::new("signing"), entries }
    }

    /// A `--config.file` with the entries `keep` accepts (by account and
    /// IdP ID), each naming its IdP by `name(id)`.
    fn config_with(&self, keep: impl Fn(&str, &str) -> bool, name: impl Fn(&str) -> String) -> PathBuf {
        let mut yaml = String::from("identity_provider_metadata:\n");
        for (account, idp, url) in self.entries.iter().filter(|(a, i, _)| keep(a, i)) {
            yaml.push_str(&format!(
                "  - account: {account}\n    identity_provider: {:?}\n    url: {url}\n",
                name(idp)
            ));
        }
        let path = self.dir.join(&format!("config-{}.yml", fastrand::u32(..)));
        std::fs::write(&path, yaml).expect("write the config file");
        path
    }

    /// Every published document, each IdP by its ID.
    fn config(&self) -> PathBuf {
        self.config_with(|_, _| true, str::to_owned)
    }

    /// `signing ARGS --config.file CONFIG` against the fake API.
    fn run(&self, config: &PathBuf, args: &[&str]) -> Output {
        Exporter::bare()
            .arg("signing")
            .args(args)
            .arg("--config.file")
            .arg(config)
            .api(&self.fake.base_url())
            .token(DEMO_TOKEN)
            .args(["--log.level", "debug"])
            .run()
    }

    /// The writes the fake API has received.
    fn writes(&self) -> Vec<fake_cloudflare::RecordedRequest> {
        self.fake.requests().into_iter().filter(|r| r.method != "GET").collect()
    }

    async fn stop(self) {
        self.fake.stop().await;
        self.host.stop().await;
    }
}

/// The plan's rows by IdP ID: (state, reason, how many to add, to retire).
fn states(plan: &Value) -> Vec<(String, String, Option<String>, usize, usize)> {
    let rows = plan["identity_providers"].as_array().expect("rows");
    rows.iter()
        .map(|r| {
            let count = |key: &str| r[key].as_array().map_or(0, Vec::len);
            (
                r["identity_provider"].as_str().unwrap_or_default().to_owned(),
                r["state"].as_str().unwrap_or_default().to_owned(),
                r["reason"].as_str().map(str::to_owned),
                count("to_add"),
                count("to_retire"),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_shows_each_state_and_exits_2_while_a_metadata_document_cannot_be_read() {
    let demo = Demo::start().await;
    let config = demo.config();
    let out = demo.run(&config, &["plan", "--output", "json"]);
    assert_exit(&out, 2);
    let plan = json(&out);
    assert_eq!((plan["exit_code"].as_u64(), plan["pending"].as_u64()), (Some(2), Some(2)));
    let row = |id: &str, state: &str, reason: Option<&str>, add: usize, retire: usize| {
        (id.to_owned(), state.to_owned(), reason.map(str::to_owned), add, retire)
    };
    let mut rows = states(&plan);
    rows.sort();
    let mut expected = vec![
        row(identity_providers::OKTA, "in_sync", None, 0, 0),
        row(identity_providers::ENTRA_ID, "mismatch", None, 1, 1),
        // The 3-day certificate is no longer published.
        row(identity_providers::PING_FEDERATE, "rollover_pending", None, 1, 1),
        row(identity_providers::SHIBBOLETH, "unreadable", Some("http_status"), 0, 0),
    ];
    expected.sort();
    assert_eq!(rows, expected);
    let shibboleth =
        plan["identity_providers"].as_array().unwrap().iter().find(|r| r["state"] == "unreadable");
    let shibboleth = shibboleth.expect("Shibboleth's row");
    assert_eq!(shibboleth["account_id"], ACCOUNT_B);
    assert!(shibboleth["error"].as_str().unwrap().contains("503"), "{shibboleth}");

    let table = demo.run(&config, &["plan"]);
    assert_exit(&table, 2);
    let text = stdout(&table);
    let ping =
        plan["identity_providers"].as_array().unwrap().iter().find(|r| r["state"] == "rollover_pending");
    let next = &ping.unwrap()["to_add"][0];
    for shown in ["PingFederate (demo)", "rollover_pending", "mismatch", "unreadable", "in_sync", "to add:"] {
        assert!(text.contains(shown), "{shown} in\n{text}");
    }
    let line = format!(
        "{}  expires {}  sha256 {}",
        next["subject"].as_str().unwrap(),
        next["not_after"].as_str().unwrap(),
        next["sha256_fingerprint"].as_str().unwrap()
    );
    assert!(text.contains(&line), "{line} in\n{text}");
    let sync = format!(
        "signing sync --account-id {ACCOUNT_A} --identity-provider {} --apply --config.file {}",
        identity_providers::PING_FEDERATE,
        config.display()
    );
    assert!(text.contains(&sync), "the next command, as it runs: {sync} in\n{text}");
    assert!(text.contains("--force --apply"), "a mismatch's next command needs --force: {text}");
    assert!(text.contains("pending: 2 of 4 identity providers, 1 unreadable (exit 2)"), "{text}");
    assert!(demo.writes().is_empty(), "plan never writes");
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_exits_1_while_something_is_pending_and_0_when_all_is_in_sync() {
    let demo = Demo::start().await;
    // --account-id narrows the entries to account A: no unreachable host.
    let pending = demo.run(&demo.config(), &["plan", "--account-id", ACCOUNT_A, "--output", "json"]);
    assert_exit(&pending, 1);
    assert_eq!(json(&pending)["identity_providers"].as_array().unwrap().len(), 3);
    // Okta alone, named by its name as it is in Cloudflare: in sync.
    let okta = demo.config_with(|_, idp| idp == identity_providers::OKTA, |_| "Okta (demo)".to_owned());
    let in_sync = demo.run(&okta, &["plan"]);
    assert_exit(&in_sync, 0);
    assert!(stdout(&in_sync).contains("pending: 0 of 1 identity providers, 0 unreadable (exit 0)"));
    assert!(!stdout(&in_sync).contains("next:"), "nothing to do: {}", stdout(&in_sync));
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_exit_64_and_name_what_is_missing() {
    let demo = Demo::start().await;
    let no_file =
        Exporter::bare().args(["signing", "plan"]).api(&demo.fake.base_url()).token(DEMO_TOKEN).run();
    assert_exit(&no_file, 64);
    assert!(
        stderr(&no_file).contains("--config.file") && stderr(&no_file).contains("identity_provider_metadata")
    );
    let empty = demo.config_with(|_, _| false, str::to_owned);
    let out = demo.run(&empty, &["plan"]);
    assert_exit(&out, 64);
    assert!(stderr(&out).contains("--config.file") && stderr(&out).contains("identity_provider_metadata"));

    let config = demo.config();
    let unknown = demo.run(&config, &["sync", "--identity-provider", "Nobody (demo)"]);
    assert_exit(&unknown, 64);
    assert!(stderr(&unknown).contains("no identity_provider_metadata entry"), "{}", stderr(&unknown));
    let out = demo.run(&config, &["sync"]);
    assert_exit(&out, 64);
    assert!(stderr(&out).contains("--identity-provider"), "clap names the missing option");
    // The same name listed in both accounts needs --account-id.
    let twice = demo.config_with(
        |account, idp| {
            (account == ACCOUNT_A && idp == identity_providers::OKTA) || idp == identity_providers::SHIBBOLETH
        },
        |_| "Okta (demo)".to_owned(),
    );
    let ambiguous = demo.run(&twice, &["sync", "--identity-provider", "Okta (demo)"]);
    assert_exit(&ambiguous, 64);
    assert!(stderr(&ambiguous).contains("--account-id"), "{}", stderr(&ambiguous));
    let picked = demo.run(&twice, &["sync", "--identity-provider", "Okta (demo)", "--account-id", ACCOUNT_A]);
    assert_exit(&picked, 0);
    assert!(stdout(&picked).contains("nothing to send"), "{}", stdout(&picked));
    assert!(demo.writes().is_empty());
    demo.stop().await;
}
