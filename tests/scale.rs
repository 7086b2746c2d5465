//! Refresh at scale against the fake with Cloudflare's per-token limit on:
//! many accounts all up with no error and no 429, a token mostly spent by
//! other clients, three shards, and two credentials from a config file.
//! (The default-flag pacing itself is proven in virtual time in the
//! scheduler's own tests; here budgets and intervals keep the tests short.
//! The same 100 accounts on the default flags, about 140 s of waiting, are
//! in the end-to-end tier: `tests/end_to_end/scale.rs`.)

use std::collections::BTreeMap;
use std::time::Duration;

use fake_cloudflare::{FakeAccount, FakeCloudflare, FakeData, RateLimit, ScopedToken};

use crate::support::fleet::{a_hundred_accounts_come_up, accounts, ids, serve, trouble};
use crate::support::{Exporter, Scrape, TOKEN, TempDir, data, metric, scrape, start_fake};
use crate::support::{eventually, scrape_until, up_of};

const WAIT: Duration = Duration::from_secs(40);

/// Waits until every account of `ids` is up on `url`; returns that scrape.
async fn until_all_up(url: &str, ids: &[String]) -> Scrape {
    let all_up = |s: &Scrape| ids.iter().all(|id| up_of(s, id) == Some(1.0));
    scrape_until(url, &format!("{} accounts up", ids.len()), WAIT, all_up).await
}

/// Requests to the account's two Access lists, per account.
fn reads_per_account(fake: &FakeCloudflare) -> BTreeMap<String, usize> {
    let mut reads = BTreeMap::new();
    for request in fake.requests() {
        if let Some(rest) = request.uri.split("/accounts/").nth(1)
            && rest.contains("/access/saml_certificates")
        {
            *reads.entry(rest.split('/').next().unwrap_or("").to_owned()).or_insert(0) += 1;
        }
    }
    reads
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_accounts_are_all_up_with_no_error_no_429_and_the_floor_of_requests() {
    // A budget whose burst covers the pass: the point here is the end
    // result, not the pacing (see the scheduler's virtual-time tests).
    a_hundred_accounts_come_up(&["--cloudflare.max-requests-per-5m", "1200"], WAIT).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_mostly_spent_by_other_clients_draws_no_429() {
    let all = accounts("acc", 40);
    let fake = start_fake(data(all.clone())).await;
    // Other clients spend 1150 of each window's 1200; the exporter needs 81
    // requests, so it must wait for the window to reset at least once. A
    // 2-second window keeps the test short; a 429 would block for 5 minutes.
    fake.update_knobs(|k| {
        k.rate_limit =
            Some(RateLimit { window: Duration::from_secs(2), others_spent: 1150, ..RateLimit::default() })
    });
    let argv = ["--api-base-url", &fake.base_url(), "--cloudflare.max-requests-per-5m", "1200"];
    let (exporter, url) = serve(&argv, &[("CLOUDFLARE_API_TOKEN", TOKEN)]).await;
    let done = until_all_up(&url, &ids(&all)).await;
    assert_eq!(fake.rate_limit_refusals(), 0, "the exporter drew a 429");
    assert!(trouble(&done).is_empty(), "{:?}", trouble(&done));
    let remaining = metric("cloudflare_access_saml_api_rate_limit_remaining")
        .label("credential", "default")
        .value_in(&done);
    assert!(remaining <= 50.0, "the remaining quota is exported: {remaining}");
    exporter.stop().await;
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn three_shards_read_each_discovered_account_exactly_once_between_them() {
    let all = accounts("acc", 30);
    let fake = start_fake(data(all.clone())).await;
    let mut replicas = Vec::new();
    for shard in ["0", "1", "2"] {
        let argv = [
            "--api-base-url",
            &fake.base_url(),
            "--shard",
            shard,
            "--total-shards",
            "3",
            "--refresh-interval",
            "10m",
        ];
        replicas.push(serve(&argv, &[("CLOUDFLARE_API_TOKEN", TOKEN)]).await);
    }
    let mut served: Vec<String> = Vec::new();
    for (_, url) in &replicas {
        let first = scrape(url).await;
        let mine: Vec<String> = metric("cloudflare_access_saml_refresh_errors_total")
            .label("reason", "timeout")
            .samples_in(&first)
            .into_iter()
            .map(|s| s.labels["account_id"].clone())
            .collect();
        assert!(!mine.is_empty() && mine.len() < 30, "a replica serves a part: {}", mine.len());
        let done = until_all_up(url, &mine).await;
        assert!(trouble(&done).is_empty(), "{:?}", trouble(&done));
        served.extend(mine);
    }
    served.sort();
    assert_eq!(served, ids(&all), "every account served by exactly one replica");
    let reads = reads_per_account(&fake);
    assert_eq!(reads.len(), 30);
    assert!(reads.values().all(|n| *n == 1), "each account read once among the replicas: {reads:?}");
    let discoveries = fake.requests().iter().filter(|r| r.uri.contains("/accounts?")).count();
    assert_eq!(discoveries, 3, "each replica discovers on its own");
    for (exporter, _) in replicas {
        exporter.stop().await;
    }
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_credentials_from_a_config_file_each_read_only_their_own_accounts() {
    let (a, b) = (accounts("aa", 6), accounts("bb", 4));
    let scoped =
        |token: &str, accounts: &[FakeAccount]| ScopedToken { token: token.into(), accounts: ids(accounts) };
    let fake = start_fake(FakeData {
        scoped_tokens: vec![scoped("token-a", &a), scoped("token-b", &b)],
        ..data([a.clone(), b.clone()].concat())
    })
    .await;
    let dir = TempDir::new("credentials");
    std::fs::write(dir.join("token-b"), "token-b\n").unwrap();
    let b_ids = ids(&b).join(", ");
    let config = format!(
        "credentials:\n  - name: tenant-a\n    api_token_env: CF_TOKEN_A\n  - name: tenant-b\n    api_token_file: token-b\n    accounts: [{b_ids}]\n    max_requests_per_5m: 60\n"
    );
    std::fs::write(dir.join("credentials.yml"), config).unwrap();
    let path = dir.join("credentials.yml");
    let argv = ["--api-base-url", &fake.base_url(), "--config.file", path.to_str().unwrap()];
    let (exporter, url) = serve(&argv, &[("CF_TOKEN_A", "token-a")]).await;
    let done = until_all_up(&url, &[ids(&a), ids(&b)].concat()).await;
    // The fake refuses a token on another's account: any mix-up is a 403.
    assert!(trouble(&done).is_empty(), "{:?}", trouble(&done));
    for credential in ["tenant-a", "tenant-b"] {
        metric("cloudflare_access_saml_refresh_cycle_seconds")
            .label("credential", credential)
            .assert_value(&done, 300.0);
        metric("cloudflare_access_saml_api_rate_limit_remaining")
            .label("credential", credential)
            .value_in(&done);
    }
    assert!(reads_per_account(&fake).values().all(|n| *n == 1));
    exporter.stop().await;
    fake.stop().await;
}

#[test]
fn bad_sharding_and_inline_secrets_exit_64_without_echoing_the_secret() {
    let out = Exporter::bare().token(TOKEN).args(["--shard", "3", "--total-shards", "3"]).run();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--shard 3"));
    let dir = TempDir::new("inline-secret");
    let path = dir.join("credentials.yml");
    std::fs::write(&path, "credentials:\n  - name: a\n    api_token: s3cr3t-value-99\n").unwrap();
    let out = Exporter::bare().args(["--config.file", path.to_str().unwrap()]).run();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(64), "{stderr}");
    assert!(stderr.contains("api_token") && !stderr.contains("s3cr3t-value-99"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn after_the_first_pass_a_refresh_costs_one_request_and_a_rotation_shows_within_an_interval() {
    let all = accounts("acc", 20);
    let fake = start_fake(data(all.clone())).await;
    // A budget that fits a pass into each 1 s interval, so passes follow the
    // interval rather than the budget (Cloudflare's own limit turned off).
    fake.update_knobs(|k| k.rate_limit = None);
    let argv = [
        "--api-base-url",
        &fake.base_url(),
        "--cloudflare.max-requests-per-5m",
        "12000",
        "--refresh-interval",
        "1s",
    ];
    let (exporter, url) = serve(&argv, &[("CLOUDFLARE_API_TOKEN", TOKEN)]).await;
    until_all_up(&url, &ids(&all)).await;
    let idp_lists = |requests: &[fake_cloudflare::RecordedRequest]| {
        requests.iter().filter(|r| r.uri.contains("/access/identity_providers")).count()
    };
    // The first pass and five more.
    eventually("six passes", WAIT, || {
        std::future::ready((idp_lists(&fake.requests()) >= 6 * 20).then_some(()))
    })
    .await;
    let requests = fake.requests();
    let reads = idp_lists(&requests);
    let account_requests = requests.iter().filter(|r| r.uri.contains("/access/")).count();
    // The first pass reads both lists of every account: 40 requests.
    let per_read = (account_requests - 40) as f64 / (reads - 20) as f64;
    assert!(
        per_read <= 1.2,
        "{} requests for {} account reads after the first pass",
        account_requests - 40,
        reads - 20
    );

    // Cloudflare rotates a set: the IdP list embeds it, so the next pass sees it.
    fake.update_data(|d| {
        let set = &mut d.accounts[7].sets[0];
        let mut next = set.current.clone().expect("a current certificate");
        next.uid = "rotated-in".into();
        set.previous = set.current.replace(next);
    });
    let rotating = |s: &Scrape| {
        metric("cloudflare_access_saml_certificate_set_rotation_in_progress")
            .label("account_id", &all[7].id)
            .try_value_in(s)
            == Some(1.0)
    };
    // One interval (1 s) until the account's slot comes round, a second for
    // the page cache (`/metrics` renders at most once a second) and one of
    // slack for a loaded machine: not the hour until the next set list.
    scrape_until(&url, "the rotation within one interval", Duration::from_secs(3), rotating).await;
    exporter.stop().await;
    fake.stop().await;
}
