//! The built binary, driven as a user would: `demo`, `check`, configuration
//! mistakes and signals.

use std::time::Duration;

use cloudflare_saml_exporter::clock::parse_rfc3339;
use cloudflare_saml_exporter::exposition::metrics::ALL;
use fake_cloudflare::demo_data::{ACCOUNT_A, ACCOUNT_B, DEMO_TOKEN, sets};
use x509_parser::pem::Pem;

use crate::support::process::ExporterProcess;
use crate::support::{
    Exporter, Scrape, TOKEN, TempDir, account, data, metric, saml_idp, scrape, set_expiring_in, start_fake,
};

/// The demo on loopback, logging at debug level, once it is ready.
async fn ready_demo() -> (ExporterProcess, Scrape) {
    let demo = Exporter::demo().args(["--log.level", "debug"]).spawn();
    demo.until_demo_complete().await;
    let scrape = scrape(&demo.metrics_url).await;
    (demo, scrape)
}

/// The API's certificate sets of an account, as raw JSON.
async fn api_sets(fake: &str, account_id: &str) -> Vec<serde_json::Value> {
    let body: serde_json::Value = reqwest::Client::new()
        .get(format!("{fake}/accounts/{account_id}/access/saml_certificates?per_page=1000"))
        .bearer_auth(DEMO_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["result"].as_array().unwrap().clone()
}

fn pem_not_after(pem: &str) -> Option<i64> {
    let (block, _) = Pem::read(std::io::Cursor::new(pem.as_bytes())).ok()?;
    Some(block.parse_x509().ok()?.validity().not_after.timestamp())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_serves_every_family_with_values_from_the_certificates() {
    let (mut demo, scrape) = ready_demo().await;
    let fake = demo.fake_api_url().to_owned();

    // Only a credential that waited out a rate-limit answer has this one.
    for def in
        ALL.iter().filter(|def| def.name != "cloudflare_access_saml_api_blocked_until_timestamp_seconds")
    {
        assert!(scrape.names().contains(def.name), "family {} missing from the demo scrape", def.name);
        assert!(scrape.text.contains(&format!("# HELP {} ", def.name)), "no HELP for {}", def.name);
    }
    assert!(scrape.text.contains("Values come from a background refresh"));

    // Every certificate's not_after equals the one inside its PEM (or the API's when unreadable).
    let mut checked = 0;
    for account_id in [ACCOUNT_A, ACCOUNT_B] {
        for set in api_sets(&fake, account_id).await {
            for slot in ["current", "previous"] {
                let cert = &set[format!("{slot}_certificate")];
                let Some(pem) = cert["public_certificate"].as_str() else { continue };
                let expected = pem_not_after(pem)
                    .unwrap_or_else(|| parse_rfc3339(cert["not_after"].as_str().unwrap()).unwrap());
                let uid = cert["uid"].as_str().unwrap();
                metric("cloudflare_access_saml_certificate_not_after_timestamp_seconds")
                    .label("account_id", account_id)
                    .label("certificate_uid", uid)
                    .label("slot", slot)
                    .assert_value(&scrape, expected as f64);
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 8, "7 sets, one of them rotating");

    let set = |name: &str, uid: &str| metric(name).label("certificate_set_uid", uid);
    let idp = |name: &str, id: &str| metric(name).label("identity_provider_id", id);
    set("cloudflare_access_saml_certificate_set_rotation_in_progress", sets::ROTATING)
        .assert_value(&scrape, 1.0);
    set("cloudflare_access_saml_certificate_set_rotation_in_progress", sets::OVERDUE)
        .assert_value(&scrape, 0.0);
    set("cloudflare_access_saml_certificate_set_identity_providers", sets::UNUSED).assert_value(&scrape, 0.0);
    set("cloudflare_access_saml_certificate_set_identity_providers", sets::HEALTHY)
        .assert_value(&scrape, 1.0);
    metric("cloudflare_access_saml_certificate_parse_error")
        .label("certificate_set_uid", sets::UNREADABLE)
        .label("reason", "bad_pem")
        .assert_value(&scrape, 1.0);
    set("cloudflare_access_saml_certificate_info", sets::UNREADABLE).assert_absent(&scrape);
    set("cloudflare_access_saml_certificate_not_after_mismatch", sets::MISMATCH).assert_value(&scrape, 1.0);
    set("cloudflare_access_saml_certificate_not_after_mismatch", sets::HEALTHY).assert_value(&scrape, 0.0);
    let expired_days =
        set("cloudflare_access_saml_certificate_days_until_expiry", sets::EXPIRED).value_in(&scrape);
    assert!((expired_days + 3.0).abs() < 0.01, "expired 3 days ago: {expired_days}");
    let previous_days = metric("cloudflare_access_saml_certificate_days_until_expiry")
        .label("certificate_set_uid", sets::ROTATING)
        .label("slot", "previous")
        .value_in(&scrape);
    assert!((previous_days - 10.0).abs() < 0.01, "{previous_days}");
    metric("cloudflare_access_saml_certificate_key_bits")
        .label("certificate_set_uid", sets::HEALTHY)
        .assert_value(&scrape, 2048.0);
    let info = set("cloudflare_access_saml_certificate_info", sets::HEALTHY).samples_in(&scrape);
    assert_eq!(info[0].labels["key_algorithm"], "rsa");
    assert_eq!(info[0].labels["signature_algorithm"], "sha256WithRSAEncryption");
    assert_eq!(info[0].labels["sha256_fingerprint"].len(), 64);

    // Identity providers: Auth0 has no set, Keycloak a dangling one, Google is not SAML.
    idp(
        "cloudflare_access_saml_identity_provider_certificate_set_missing",
        "1d7b0004-0000-4000-8000-000000000004",
    )
    .assert_value(&scrape, 1.0);
    idp(
        "cloudflare_access_saml_identity_provider_certificate_set_dangling",
        "1d7b0005-0000-4000-8000-000000000005",
    )
    .assert_value(&scrape, 1.0);
    idp(
        "cloudflare_access_saml_identity_provider_encryption_enabled",
        "1d7a0004-0000-4000-8000-000000000004",
    )
    .assert_value(&scrape, 0.0);
    idp("cloudflare_access_saml_identity_provider_info", "1d7a0005-0000-4000-8000-000000000005")
        .assert_absent(&scrape);
    let legacy = idp("cloudflare_access_saml_identity_provider_info", "1d7a0004-0000-4000-8000-000000000004")
        .samples_in(&scrape);
    assert_eq!(legacy[0].labels["identity_provider_name"], "Legacy SAML (demo)");
    assert!(
        !legacy[0].labels.contains_key("certificate_set_uid"),
        "no placeholder label: {:?}",
        legacy[0].labels
    );
    for (account_id, sets, without) in [(ACCOUNT_A, 4.0, 1.0), (ACCOUNT_B, 3.0, 1.0)] {
        let acc = |name: &str| metric(name).label("account_id", account_id);
        acc("cloudflare_access_saml_certificate_sets").assert_value(&scrape, sets);
        acc("cloudflare_access_saml_identity_providers_without_certificate_set")
            .assert_value(&scrape, without);
        acc("cloudflare_access_saml_up").assert_value(&scrape, 1.0);
    }
    let build = metric("cloudflare_access_saml_exporter_build_info").samples_in(&scrape);
    assert_eq!(build[0].labels["version"], env!("CARGO_PKG_VERSION"));

    let status = demo.terminate(Duration::from_secs(10));
    assert!(status.success(), "SIGTERM ends the demo cleanly: {status:?}; stderr: {}", demo.stderr());
    assert!(demo.stderr().contains("SIGTERM"), "{}", demo.stderr());
}

#[tokio::test(flavor = "multi_thread")]
async fn check_against_the_demo_exits_2_and_names_the_expired_certificate() {
    let (demo, _) = ready_demo().await;
    let check = || Exporter::check().api(demo.fake_api_url()).token(DEMO_TOKEN);
    let out = check().run();
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{table}\n{}", String::from_utf8_lossy(&out.stderr));
    let expired = table.lines().find(|l| l.contains(sets::EXPIRED)).expect("a row for the expired set");
    assert!(
        expired.contains("CRITICAL") && expired.contains("expired") && expired.contains("Shibboleth"),
        "{expired}"
    );
    let overdue = table.lines().find(|l| l.contains(sets::OVERDUE)).expect("a row for the overdue set");
    assert!(overdue.contains("WARNING"), "{overdue}");
    // Signing certificates: Shibboleth's latest has expired; PingFederate's old one is a rollover.
    let signing = |idp: &str| -> Vec<String> {
        table.lines().filter(|l| l.contains(" signing ") && l.contains(idp)).map(str::to_owned).collect()
    };
    assert!(signing("Shibboleth").iter().any(|l| l.contains("CRITICAL") && l.contains("expired")), "{table}");
    assert_eq!(signing("PingFederate").len(), 2, "old and new, the new one listed twice: {table}");
    assert!(signing("PingFederate").iter().all(|l| l.contains(" OK ")), "{table}");
    assert_eq!(
        signing("JumpCloud").iter().filter(|l| l.contains("WARNING") && l.contains("unreadable")).count(),
        4
    );

    let out = check().args(["--output", "json"]).run();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("check --output json is JSON");
    assert_eq!(report["exit_code"], 2);
    assert_eq!(report["status"], "critical");
}

#[tokio::test(flavor = "multi_thread")]
async fn check_exits_0_when_everything_is_fine_and_1_on_a_warning() {
    let healthy = account(
        "acc00000000000000000000000000000",
        vec![set_expiring_in("fine", 200)],
        vec![saml_idp("i", Some("fine"))],
    );
    let fake = start_fake(data(vec![healthy])).await;
    let check = |extra: &[&str]| Exporter::check().api(&fake.base_url()).token(TOKEN).args(extra).run();
    assert_eq!(check(&[]).status.code(), Some(0));
    assert_eq!(check(&["--warn-days", "300"]).status.code(), Some(1));
    assert_eq!(check(&["--crit-days", "250", "--warn-days", "300"]).status.code(), Some(2));
    fake.update_data(|d| d.token = "rotated".into());
    let out = check(&["--account-id", "acc00000000000000000000000000000"]);
    assert_eq!(out.status.code(), Some(2), "an account that cannot be read is critical");
    assert!(String::from_utf8_lossy(&out.stdout).contains("10000 Authentication error"));
    fake.stop().await;
}

#[test]
fn no_credentials_exits_64_and_names_every_option() {
    let out = Exporter::bare().run();
    assert_eq!(out.status.code(), Some(64));
    let err = String::from_utf8_lossy(&out.stderr);
    for option in ["CLOUDFLARE_API_TOKEN", "--api-token-file", "CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY"] {
        assert!(err.contains(option), "{err}");
    }
}

/// Issue 9: clap's own exit code 2 means CRITICAL to `check`'s callers, so a
/// typo in a cron job paged someone as if a certificate had expired.
#[test]
fn command_line_mistakes_exit_64_while_help_and_version_exit_0() {
    let mistakes: [&[&str]; 4] = [
        &["check", "--warn-dayz", "30"],
        &["check", "--warn-days", "x"],
        &["serve", "--no-such-flag"],
        &["no-such-command"],
    ];
    for args in mistakes {
        let out = Exporter::bare().token("t").args(args.iter().copied()).run();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(64), "{args:?}: {err}");
        assert!(err.contains("error:"), "{args:?} says what is wrong: {err}");
    }
    for args in [&["--help"][..], &["check", "--help"], &["--version"]] {
        let out = Exporter::bare().args(args.iter().copied()).run();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(!out.stdout.is_empty(), "{args:?} prints on stdout");
    }
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let out = Exporter::bare().token("t").api("http://api.example.com/client/v4").run();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("clear text"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_account_owned_token_is_told_to_pass_account_ids() {
    let mut fake_data = data(vec![account("acc00000000000000000000000000000", vec![], vec![])]);
    fake_data.account_owned_token = true;
    let fake = start_fake(fake_data).await;
    let out = Exporter::bare()
        .token(TOKEN)
        .api(&fake.base_url())
        .args(["--web.listen-address", "127.0.0.1:0"])
        .run();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("--account-id") && err.contains("1001"), "{err}");
    fake.stop().await;
}

#[test]
fn a_malformed_account_id_exits_64_naming_it_before_any_request() {
    // The API address is a closed port: asking it anything would fail
    // differently (exit 1 or 2), so 64 shows nothing was sent.
    let closed = "http://127.0.0.1:9/client/v4";
    for command in [&[][..], &["check"], &["encryption", "plan"]] {
        let out =
            Exporter::bare().args(command.iter().copied()).token("t").api(closed).account("acc-a").run();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(64), "{command:?}: {err}");
        assert!(
            err.contains("--account-id") && err.contains("acc-a") && err.contains("32 hexadecimal"),
            "{err}"
        );
    }
    let dir = TempDir::new("bad-account");
    let file = dir.join("credentials.yml");
    std::fs::write(
        &file,
        "credentials:\n  - name: ops\n    api_token_env: CF_T\n    accounts: [0123456789abcdef]\n",
    )
    .unwrap();
    let out =
        Exporter::bare().env("CF_T", "t").api(closed).args(["--config.file", file.to_str().unwrap()]).run();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(64), "{err}");
    assert!(
        err.contains("credentials[0]") && err.contains("0123456789abcdef") && err.contains("16 characters"),
        "{err}"
    );
}
