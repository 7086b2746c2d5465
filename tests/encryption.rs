//! `encryption plan | create-set | rotate | pem`, driving the real binary
//! against the fake API: dry runs send no write (the fake's request log
//! says so), `--apply` sends exactly one, the rotation guard holds, and the
//! token never shows in any output.

use std::process::Output;

use cloudflare_saml_exporter::clock::unix_now;
use fake_cloudflare::demo_data::{ACCOUNT_A, ACCOUNT_B, DEMO_TOKEN, demo, sets};
use fake_cloudflare::{FakeCloudflare, FakeData, FakeSet};
use serde_json::Value;

use crate::support::fixtures::ACC;
pub(crate) use crate::support::output::{assert_exit, stderr, stdout};
use crate::support::{Exporter, TOKEN, TempDir, account, data, saml_idp, set_expiring_in, start_fake};

/// Runs `encryption ARGS` against `fake` with `token`, logging at debug
/// level so that a leak in any log line would show.
fn run_with(fake: &FakeCloudflare, token: &str, args: &[&str]) -> Output {
    Exporter::bare()
        .arg("encryption")
        .args(args)
        .api(&fake.base_url())
        .token(token)
        .args(["--log.level", "debug"])
        .run()
}

fn run(fake: &FakeCloudflare, args: &[&str]) -> Output {
    run_with(fake, TOKEN, args)
}

/// The writes the fake has received, as `METHOD path`.
fn writes(fake: &FakeCloudflare) -> Vec<String> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.uri))
        .collect()
}

/// A copy of the fake's data as it is now.
fn snapshot(fake: &FakeCloudflare) -> FakeData {
    let mut copy = None;
    fake.update_data(|d| copy = Some(d.clone()));
    copy.expect("the fake's data")
}

fn set_in(fake: &FakeCloudflare, account_id: &str, uid: &str) -> FakeSet {
    let data = snapshot(fake);
    let account = data.accounts.iter().find(|a| a.id == account_id).expect("the account");
    account.sets.iter().find(|s| s.uid == uid).expect("the set").clone()
}

/// [`ACC`]: `idp-new` without a set, `idp-stalled` on `stalled` (20 days,
/// not rotating), `idp-rotating` on `rotating` (with a previous certificate
/// of 9 days).
fn fixture() -> FakeData {
    let mut rotating = set_expiring_in("rotating", 355);
    rotating.previous = set_expiring_in("rotating-old", 9).current;
    data(vec![account(
        ACC,
        vec![set_expiring_in("stalled", 20), rotating],
        vec![
            saml_idp("idp-new", None),
            saml_idp("idp-stalled", Some("stalled")),
            saml_idp("idp-rotating", Some("rotating")),
        ],
    )])
}

#[tokio::test(flavor = "multi_thread")]
async fn create_set_dry_run_sends_no_write_and_apply_sends_one_201_then_200_with_the_same_set() {
    let fake = start_fake(fixture()).await;
    let create = ["create-set", "--account-id", ACC, "--identity-provider", "idp-new"];

    let dry = run(&fake, &create);
    assert_exit(&dry, 0);
    assert!(stdout(&dry).contains("Dry run: nothing was sent"), "{}", stdout(&dry));
    let create_path = format!("/accounts/{ACC}/access/identity_providers/idp-new/saml_certificate");
    assert!(stdout(&dry).contains(&create_path));
    assert!(stdout(&dry).contains("201"), "the dry run says a set would be created");
    assert!(writes(&fake).is_empty(), "a dry run wrote: {:?}", writes(&fake));

    let apply = |format: &str| run(&fake, &[&create[..], &["--apply", "--output", format]].concat());
    let first = apply("json");
    assert_exit(&first, 0);
    assert_eq!(writes(&fake), [format!("POST /client/v4{create_path}")]);
    let first: Value = serde_json::from_slice(&first.stdout).expect("JSON");
    assert_eq!((first["http_status"].as_u64(), first["created"].as_bool()), (Some(201), Some(true)));
    let uid = first["certificate_set"]["uid"].as_str().expect("a set uid").to_owned();
    let created = set_in(&fake, ACC, &uid);
    let pem = &created.current.as_ref().expect("a current certificate").pem;
    assert_eq!(first["certificate_set"]["current"]["public_certificate"].as_str(), Some(pem.as_str()));
    let steps = first["next_steps"].to_string();
    assert!(steps.contains("enable_encryption: true") && steps.contains(&uid), "{steps}");

    let second = apply("table");
    assert_exit(&second, 0);
    assert_eq!(writes(&fake).len(), 2, "one more write, no retry");
    let text = stdout(&second);
    assert!(text.contains(&format!("already has certificate set {uid} (HTTP 200)")), "{text}");
    assert!(text.contains(pem.as_str()), "the same set's PEM is printed");
    assert_eq!(snapshot(&fake).accounts[0].sets.len(), 3, "the second call created nothing");

    // Encryption is still off, so Cloudflare names the set only in the
    // embedded `saml_certificate_set`: the dry run must still find it.
    let again = run(&fake, &create);
    assert_exit(&again, 0);
    let text = stdout(&again);
    assert!(text.contains(&format!("200: the IdP already has certificate set {uid}")), "{text}");
    assert_eq!(writes(&fake).len(), 2, "a dry run wrote");
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rotate_with_a_previous_certificate_is_refused_without_force_and_sends_nothing() {
    let fake = start_fake(fixture()).await;
    let rotate = ["rotate", "--account-id", ACC, "--certificate-set", "rotating", "--apply"];

    let refused = run(&fake, &rotate);
    assert_exit(&refused, 3);
    let message = stderr(&refused);
    let previous = set_in(&fake, ACC, "rotating").previous.expect("a previous certificate");
    let expiry = &previous.not_after[..16];
    assert!(message.contains(&previous.uid) && message.contains(expiry), "names the certificate: {message}");
    assert!(message.contains("--force"), "{message}");
    assert!(writes(&fake).is_empty(), "a refused rotation wrote: {:?}", writes(&fake));

    let json = run(&fake, &[&rotate[..], &["--output", "json"]].concat());
    assert_exit(&json, 3);
    let report: Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(report["status"], "refused");

    // A forced dry run shows the deletion and still sends nothing.
    let forced_dry = run(&fake, &["rotate", "--account-id", ACC, "--certificate-set", "rotating", "--force"]);
    assert_exit(&forced_dry, 0);
    assert!(stdout(&forced_dry).contains("DELETED"), "{}", stdout(&forced_dry));
    assert!(writes(&fake).is_empty());

    let forced = run(&fake, &[&rotate[..], &["--force"]].concat());
    assert_exit(&forced, 0);
    assert_eq!(writes(&fake).len(), 1);
    let after = set_in(&fake, ACC, "rotating");
    assert_ne!(after.previous.expect("a previous certificate").uid, previous.uid, "the old previous is gone");
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rotate_moves_the_current_certificate_to_the_previous_slot_with_one_write() {
    let fake = start_fake(fixture()).await;
    let before = set_in(&fake, ACC, "stalled").current.expect("a current certificate");
    let rotate = ["rotate", "--account-id", ACC, "--certificate-set", "stalled"];

    let dry = run(&fake, &rotate);
    assert_exit(&dry, 0);
    assert!(stdout(&dry).contains("Dry run: nothing was sent"));
    assert!(writes(&fake).is_empty(), "a dry run wrote: {:?}", writes(&fake));

    let applied = run(&fake, &[&rotate[..], &["--apply", "--output", "json"]].concat());
    assert_exit(&applied, 0);
    assert_eq!(
        writes(&fake),
        [format!("POST /client/v4/accounts/{ACC}/access/saml_certificates/stalled/rotate")]
    );
    let after = set_in(&fake, ACC, "stalled");
    let previous = after.previous.expect("the old current certificate in the previous slot");
    assert_eq!((previous.uid.as_str(), previous.pem.as_str()), (before.uid.as_str(), before.pem.as_str()));
    let current = after.current.expect("a new current certificate");
    assert_ne!(current.uid, before.uid);
    let report: Value = serde_json::from_slice(&applied.stdout).expect("JSON");
    assert_eq!(report["after"]["current"]["uid"].as_str(), Some(current.uid.as_str()));
    assert_eq!(report["after"]["previous"]["uid"].as_str(), Some(before.uid.as_str()));
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pem_prints_exactly_the_current_certificate_and_the_previous_on_request() {
    let fake = start_fake(fixture()).await;
    let set = set_in(&fake, ACC, "rotating");
    let pem = |slot: &str| {
        run(&fake, &["pem", "--account-id", ACC, "--certificate-set", "rotating", "--slot", slot])
    };

    let current = pem("current");
    assert_exit(&current, 0);
    assert_eq!(stdout(&current), set.current.expect("current").pem, "exactly the PEM, nothing else");
    assert!(
        fake.requests().iter().any(|r| r.uri.ends_with("/saml_certificates/rotating/pem")),
        "read through the /pem endpoint"
    );
    let previous = pem("previous");
    assert_exit(&previous, 0);
    assert_eq!(stdout(&previous), set.previous.expect("previous").pem);

    let none =
        run(&fake, &["pem", "--account-id", ACC, "--certificate-set", "stalled", "--slot", "previous"]);
    assert_exit(&none, 2);
    assert!(stderr(&none).contains("has no previous certificate"), "{}", stderr(&none));
    assert!(writes(&fake).is_empty());
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_lists_the_right_action_for_each_demo_identity_provider_and_exits_1() {
    let fake = start_fake(demo(unix_now() as i64).expect("demo data")).await;
    let out = run_with(&fake, DEMO_TOKEN, &["plan", "--output", "json"]);
    assert_exit(&out, 1);
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut got: Vec<(String, String)> = report["identity_providers"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| {
            (
                s["identity_provider_name"].as_str().unwrap().to_owned(),
                s["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    got.sort();
    let mut want = [
        ("Okta (demo)", "none"),
        ("Entra ID (demo)", "rotate"),
        ("PingFederate (demo)", "hand-over"),
        ("Legacy SAML (demo)", "create-set"),
        ("Shibboleth (demo)", "rotate"),
        ("OneLogin (demo)", "none"),
        ("JumpCloud SAML (demo)", "none"),
        ("Auth0 (demo)", "create-set"),
        ("Keycloak (demo)", "create-set"),
    ]
    .map(|(name, action)| (name.to_owned(), action.to_owned()));
    want.sort();
    assert_eq!(got, want, "Google Workspace is not SAML and not listed");
    assert_eq!(report["pending"], 6);

    let table = stdout(&run_with(&fake, DEMO_TOKEN, &["plan"]));
    let overdue = format!("encryption rotate --account-id {ACCOUNT_A} --certificate-set {}", sets::OVERDUE);
    assert!(table.contains(&overdue), "the next step is a command to run: {table}");
    let hand_over = format!("encryption pem --account-id {ACCOUNT_A} --certificate-set {}", sets::ROTATING);
    assert!(table.contains(&hand_over), "{table}");
    assert!(table.contains(&format!("--account-id {ACCOUNT_B} --identity-provider")), "{table}");
    assert!(writes(&fake).is_empty(), "plan never writes");
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_exits_0_when_nothing_is_pending_and_prints_the_change_to_enable_encryption() {
    let mut off = saml_idp("idp-off", Some("fine"));
    off.enable_encryption = false;
    let fake = start_fake(data(vec![account(
        ACC,
        vec![set_expiring_in("fine", 200)],
        vec![saml_idp("idp-on", Some("fine")), off],
    )]))
    .await;
    let out = run(&fake, &["plan"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    let row = text.lines().find(|l| l.contains("idp-off")).expect("a row for idp-off");
    assert!(row.contains("enable-encryption"), "{row}");
    // The enable command, no hand-run PUT (issue 19).
    let enable = format!(
        "encryption enable --account-id {ACC} --identity-provider idp-off --certificate-set fine --apply"
    );
    assert!(text.contains(&enable) && text.contains("saml_certificate_set_id: \"fine\""), "{text}");

    fake.update_data(|d| d.accounts[0].identity_providers[1].enable_encryption = true);
    assert_exit(&run(&fake, &["plan"]), 0);
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_identity_provider_exits_2_with_cloudflares_message() {
    let fake = start_fake(fixture()).await;
    let create = ["create-set", "--account-id", ACC, "--identity-provider", "no-such-idp"];
    let applied = run(&fake, &[&create[..], &["--apply"]].concat());
    assert_exit(&applied, 2);
    assert!(stderr(&applied).contains("12130 Identity provider not found"), "{}", stderr(&applied));

    let json = run(&fake, &[&create[..], &["--apply", "--output", "json"]].concat());
    assert_exit(&json, 2);
    let report: Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(report["cloudflare_errors"][0]["message"], "Identity provider not found");

    let dry = run(&fake, &create);
    assert_exit(&dry, 2);
    assert!(stderr(&dry).contains("identity provider no-such-idp not found"), "{}", stderr(&dry));

    let unknown_set = run(&fake, &["rotate", "--account-id", ACC, "--certificate-set", "no-such-set"]);
    assert_exit(&unknown_set, 2);
    assert!(stderr(&unknown_set).contains("SAML certificate set does not exist"), "{}", stderr(&unknown_set));
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pem_out_writes_0644_and_refuses_to_overwrite_before_sending_anything() {
    use std::os::unix::fs::PermissionsExt;
    let fake = start_fake(fixture()).await;
    let dir = TempDir::new("pem-out");
    let file = dir.join("idp-new.pem");
    let path = file.to_str().expect("a UTF-8 path");
    let create =
        ["create-set", "--account-id", ACC, "--identity-provider", "idp-new", "--apply", "--pem-out", path];

    let first = run(&fake, &create);
    assert_exit(&first, 0);
    let written = std::fs::read_to_string(&file).expect("the PEM file");
    let set = snapshot(&fake).accounts[0].sets.last().cloned().expect("the new set");
    assert_eq!(written, set.current.expect("current").pem);
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o644);

    std::fs::write(&file, "keep me").unwrap();
    let refused = run(&fake, &create);
    assert_exit(&refused, 3);
    assert!(stderr(&refused).contains("refusing to overwrite"), "{}", stderr(&refused));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
    assert_eq!(writes(&fake).len(), 1, "the refusal came before the POST");

    assert_exit(&run(&fake, &[&create[..], &["--force"]].concat()), 0);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), written, "--force replaces it");
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_token_never_appears_in_any_output() {
    let fake = start_fake(fixture()).await;
    let commands: [&[&str]; 8] = [
        &["plan"],
        &["plan", "--output", "json"],
        &["create-set", "--account-id", ACC, "--identity-provider", "idp-new", "--apply"],
        &["create-set", "--account-id", ACC, "--identity-provider", "nope", "--apply", "--output", "json"],
        &["rotate", "--account-id", ACC, "--certificate-set", "rotating", "--apply"],
        &["rotate", "--account-id", ACC, "--certificate-set", "stalled", "--apply", "--output", "json"],
        &["pem", "--account-id", ACC, "--certificate-set", "stalled"],
        &["pem", "--account-id", ACC, "--certificate-set", "nope", "--output", "json"],
    ];
    for args in commands {
        let out = run(&fake, args);
        for (stream, text) in [("stdout", stdout(&out)), ("stderr", stderr(&out))] {
            assert!(!text.contains(TOKEN), "the token leaked into {stream} of {args:?}");
        }
    }
    // A refused token: Cloudflare's refusal is shown, the token is not.
    let out =
        run_with(&fake, "wrong-token-9d2e41", &["pem", "--account-id", ACC, "--certificate-set", "stalled"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("10000 Authentication error"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("wrong-token-9d2e41") && !stdout(&out).contains("wrong-token-9d2e41"));
    fake.stop().await;
}

#[test]
fn acting_commands_without_exactly_one_account_are_usage_errors() {
    let out = Exporter::bare()
        .args(["encryption", "rotate", "--certificate-set", "s", "--apply"])
        .token(TOKEN)
        .api("http://127.0.0.1:9/client/v4")
        .run();
    assert_exit(&out, 64);
    assert!(stderr(&out).contains("--account-id"), "{}", stderr(&out));
    let out = Exporter::bare().args(["encryption"]).token(TOKEN).run();
    assert_exit(&out, 64);
}

// `encryption enable`.
mod enable;
// What the commands say when Cloudflare refuses.
mod refusals;
