//! Many fake accounts read by an in-process exporter: the accounts, `serve`
//! from a command line, what counts as trouble in a scrape, and the
//! 100-account run both tiers use (on a roomy budget in the fast tier, on
//! the default flags in the end-to-end tier).

use std::time::Duration;

use clap::Parser;
use cloudflare_saml_exporter::cli::{Cli, Command};
use cloudflare_saml_exporter::commands::serve::RunningExporter;
use cloudflare_saml_exporter::config::ServeConfig;
use fake_cloudflare::FakeAccount;

use super::fixtures::{TOKEN, account, data, saml_idp, set_expiring_in, start_fake};
use super::http::scrape_until;
use super::metrics::{Scrape, metric, up_of};

/// `n` accounts `{prefix}0…0`, `{prefix}0…1`… (Cloudflare's 32 hex digits,
/// so `prefix` is hex) with one set used by one SAML IdP each.
pub fn accounts(prefix: &str, n: usize) -> Vec<FakeAccount> {
    let template = set_expiring_in("template", 90);
    (0..n)
        .map(|i| {
            let id = format!("{prefix}{i:0width$}", width = 32 - prefix.len());
            let mut set = template.clone();
            set.uid = format!("set-{id}");
            let idp = saml_idp(&format!("idp-{id}"), Some(&set.uid));
            account(&id, vec![set], vec![idp])
        })
        .collect()
}

/// `serve` in process from a command line (plus a free loopback port),
/// with `env` as its environment.
pub async fn serve(argv: &[&str], env: &[(&str, &str)]) -> (RunningExporter, String) {
    let line = ["cloudflare-saml-exporter", "serve", "--web.listen-address", "127.0.0.1:0"];
    let cli = Cli::try_parse_from(line.iter().chain(argv)).expect("arguments parse");
    let Some(Command::Serve(args)) = cli.command else { panic!("serve expected") };
    let lookup = |name: &str| env.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned());
    let config = ServeConfig::new(&args, &lookup).expect("valid configuration");
    let exporter = RunningExporter::start(config.cloudflare, config.web, config.refresh_interval)
        .await
        .expect("the exporter starts");
    let url = format!("http://{}/metrics", exporter.local_addr());
    (exporter, url)
}

/// The IDs of `accounts`, in order.
pub fn ids(accounts: &[FakeAccount]) -> Vec<String> {
    accounts.iter().map(|a| a.id.clone()).collect()
}

/// Every refresh error counted, and every request answered 429 or 403.
pub fn trouble(scrape: &Scrape) -> Vec<String> {
    scrape
        .samples
        .iter()
        .filter(|s| {
            (s.name == "cloudflare_access_saml_refresh_errors_total" && s.value != 0.0)
                || (s.name == "cloudflare_access_saml_api_requests_total"
                    && ["429", "403"].contains(&s.labels["code"].as_str()))
        })
        .map(|s| format!("{} {:?} {}", s.name, s.labels, s.value))
        .collect()
}

/// Serves 100 fake accounts with `extra` flags and waits (up to `limit`)
/// until all are up: no error or 429 at any poll (waiting for the budget is
/// never a failure), two list requests per account (the floor) and the
/// cycle equal to the interval.
pub async fn a_hundred_accounts_come_up(extra: &[&str], limit: Duration) {
    let all = accounts("acc", 100);
    let fake = start_fake(data(all.clone())).await;
    let base_url = fake.base_url();
    let argv: Vec<&str> =
        ["--api-base-url", base_url.as_str()].into_iter().chain(extra.iter().copied()).collect();
    let (exporter, url) = serve(&argv, &[("CLOUDFLARE_API_TOKEN", TOKEN)]).await;
    let ids = ids(&all);
    let done = scrape_until(&url, "100 accounts up", limit, |s| {
        assert!(trouble(s).is_empty(), "{:?}", trouble(s));
        ids.iter().all(|id| up_of(s, id) == Some(1.0))
    })
    .await;
    assert_eq!(fake.rate_limit_refusals(), 0);
    let lists = fake.requests().iter().filter(|r| r.uri.contains("/access/")).count();
    assert_eq!(lists, 200, "two requests per account in a pass: the floor");
    metric("cloudflare_access_saml_refresh_cycle_seconds")
        .label("credential", "default")
        .assert_value(&done, 300.0);
    exporter.stop().await;
    fake.stop().await;
}
