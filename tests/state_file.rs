//! `--state.file` through the real binary against the fake API: a restart
//! during a Cloudflare outage serves the last good series, and a corrupt
//! file is survived and replaced.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use cloudflare_saml_exporter::model::snapshot::{AccountSnapshot, decode};
use fake_cloudflare::{Fault, FaultKind};

use crate::support::fixtures::{ACC_A, ACC_B};
use crate::support::{Exporter, TOKEN, TempDir, eventually, get, metric, scrape, start_fake, two_accounts};
use crate::support::{Scrape, scrape_until, up_of};

const WAIT: Duration = Duration::from_secs(30);

/// The file's accounts, once it decodes with exactly `accounts`.
async fn until_file_holds(path: &Path, accounts: &[&str]) -> BTreeMap<String, AccountSnapshot> {
    eventually(&format!("{} to hold {accounts:?}", path.display()), WAIT, || async {
        let decoded = decode(&std::fs::read(path).ok()?).ok()?;
        decoded.keys().eq(accounts.iter()).then_some(decoded)
    })
    .await
}

#[cfg(unix)]
fn assert_owner_only(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{} has mode {mode:o}", path.display());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restart_during_an_outage_serves_the_state_files_series_without_up_then_with_up_0() {
    let fake = start_fake(two_accounts()).await;
    let dir = TempDir::new("state-restart");
    let path = dir.join("state.json");
    // Discovery, so that the restart also has to fall back to the file's accounts.
    let exporter = || Exporter::serve().api(&fake.base_url()).token(TOKEN).arg("--state.file").arg(&path);

    let mut first = exporter().spawn();
    first.until_ready().await;
    let written = until_file_holds(&path, &[ACC_A, ACC_B]).await;
    let before = scrape(&first.metrics_url).await;
    assert_eq!(first.terminate(WAIT).code(), Some(0));
    assert_owner_only(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(TOKEN), "the token never reaches the state file");
    let on_disk = decode(text.as_bytes()).unwrap();
    assert!(on_disk[ACC_B].last_success_timestamp_seconds >= written[ACC_B].last_success_timestamp_seconds);

    // Cloudflare is down: every call fails, and the account reads are held
    // first, so the scrape below sees the exporter before any refresh ends.
    fake.inject(Fault {
        path_contains: String::new(),
        times: None,
        kind: FaultKind::Respond { status: 500, headers: vec![], body: "down".into() },
    });
    let hold = fake.hold("/access/");
    let second = exporter().spawn();
    second.wait_for_stderr("account discovery failed; watching the state file's accounts", WAIT);
    let (status, _) = get(&second.url("/-/ready")).await;
    assert_eq!(status, 200, "accounts restored from the state file are ready");
    let restored = scrape(&second.metrics_url).await;
    let expiry = |set: &str| {
        metric("cloudflare_access_saml_certificate_not_after_timestamp_seconds")
            .label("account_id", if set == "set-a" { ACC_A } else { ACC_B })
            .label("certificate_set_uid", set)
            .label("slot", "current")
    };
    for set in ["set-a", "set-b1", "set-b2"] {
        assert_eq!(expiry(set).value_in(&restored), expiry(set).value_in(&before), "{set}");
    }
    metric("cloudflare_access_saml_identity_provider_info")
        .label("identity_provider_id", "idp-b2")
        .value_in(&restored);
    for account in [ACC_A, ACC_B] {
        metric("cloudflare_access_saml_up").label("account_id", account).assert_absent(&restored);
        let last_success = metric("cloudflare_access_saml_last_refresh_success_timestamp_seconds")
            .label("account_id", account);
        let from_file = on_disk[account].last_success_timestamp_seconds;
        assert!((last_success.value_in(&restored) - from_file).abs() < 1e-3, "{account}: {from_file}");
    }

    hold.release();
    let url = second.metrics_url.clone();
    let both_down = |s: &Scrape| up_of(s, ACC_A) == Some(0.0) && up_of(s, ACC_B) == Some(0.0);
    let after = scrape_until(&url, "up 0 for both accounts", WAIT, both_down).await;
    assert_eq!(expiry("set-b1").value_in(&after), expiry("set-b1").value_in(&before), "last good value kept");
    assert_eq!(decode(&std::fs::read(&path).unwrap()).unwrap(), on_disk, "failures never rewrite the file");
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_corrupt_state_file_is_logged_with_its_path_ignored_and_replaced() {
    let fake = start_fake(two_accounts()).await;
    let dir = TempDir::new("state-corrupt");
    let path = dir.join("state.json");
    std::fs::write(&path, "{\"version\": 1, \"accounts\": {\"acca0000000000000000000000000000\": tru")
        .unwrap();

    let exporter = Exporter::serve()
        .api(&fake.base_url())
        .token(TOKEN)
        .account(ACC_A)
        .arg("--state.file")
        .arg(&path)
        .spawn();
    let logged = exporter.wait_for_stderr("ignoring the state file", WAIT);
    assert!(logged.contains(&path.display().to_string()) && logged.contains("level=warn"), "{logged}");
    exporter.until_ready().await;
    let metrics = scrape(&exporter.metrics_url).await;
    metric("cloudflare_access_saml_up").label("account_id", ACC_A).assert_value(&metrics, 1.0);
    let replaced = until_file_holds(&path, &[ACC_A]).await;
    assert_eq!(replaced[ACC_A].certificate_sets[0].uid, "set-a");
    assert_owner_only(&path);
    fake.stop().await;
}
