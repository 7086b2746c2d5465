//! The applications collector against the fake API: each IdP's blast
//! radius for every shape of `allowed_idps`, SaaS applications' SAML signing
//! certificates, a token that may not read applications, and no request at
//! all with the collector off; and an account named on the command line
//! learning its display name.

use std::time::Duration;

use cloudflare_saml_exporter::clock::unix_now;
use fake_cloudflare::mint::{KeyKind, mint_certificate};
use fake_cloudflare::{FakeApplication, FakeSaasApplication, Fault, FaultKind};

use crate::support::{
    Exporter, Scrape, TOKEN, account, data, get, metric, saml_idp, scrape_until, start_fake, up_of,
};

const ACCOUNT: &str = "a99a0000000000000000000000000000";
const OKTA: &str = "idp-okta";
const ENTRA: &str = "idp-entra";
const PING: &str = "idp-ping";
const WAIT: Duration = Duration::from_secs(60);

fn app(id: &str, kind: &str, allowed: &[&str], auto_redirect: bool) -> FakeApplication {
    FakeApplication {
        id: id.to_owned(),
        name: format!("App {id}"),
        domain: format!("{id}.example.com"),
        kind: kind.to_owned(),
        allowed_idps: allowed.iter().map(|s| (*s).to_owned()).collect(),
        auto_redirect_to_identity: auto_redirect,
        saas: None,
    }
}

fn saas(id: &str, allowed: &[&str], public_key: String) -> FakeApplication {
    FakeApplication {
        domain: format!("team.cloudflareaccess.com/cdn-cgi/access/sso/saml/{id}"),
        saas: Some(FakeSaasApplication {
            auth_type: "saml".to_owned(),
            public_key,
            sp_entity_id: format!("https://{id}.example.com/saml"),
            consumer_service_url: format!("https://{id}.example.com/saml/acs"),
            idp_entity_id: format!("https://team.cloudflareaccess.com/cdn-cgi/access/sso/saml/{id}"),
        }),
        ..app(id, "saas", allowed, false)
    }
}

/// Three SAML IdPs and one application of each shape.
fn fleet_data(saas_days: i64) -> fake_cloudflare::FakeData {
    let now = unix_now() as i64;
    let saas_pem =
        mint_certificate("saas", KeyKind::P256, now - 86_400, now + saas_days * 86_400).expect("mint").pem;
    let mut account =
        account(ACCOUNT, Vec::new(), vec![saml_idp(OKTA, None), saml_idp(ENTRA, None), saml_idp(PING, None)]);
    account.applications = vec![
        app("wiki", "self_hosted", &[], false),
        app("grafana", "self_hosted", &[OKTA, PING], false),
        app("payroll", "self_hosted", &[ENTRA], true),
        app("status", "bookmark", &[], false),
        saas("salesforce", &[PING], saas_pem),
        saas(
            "legacy-crm",
            &[OKTA, ENTRA],
            "-----BEGIN CERTIFICATE-----\nMIIC...\n-----END CERTIFICATE-----\n".to_owned(),
        ),
    ];
    data(vec![account])
}

/// `serve` for [`ACCOUNT`] against `fake`, with the applications collector on.
fn collecting(fake: &fake_cloudflare::FakeCloudflare) -> crate::support::process::ExporterProcess {
    Exporter::serve()
        .api(&fake.base_url())
        .account(ACCOUNT)
        .token(TOKEN)
        .arg("--collector.applications")
        .spawn()
}

fn of(scraped: &Scrape, name: &str, idp: &str) -> Option<f64> {
    metric(name).label("account_id", ACCOUNT).label("identity_provider_id", idp).try_value_in(scraped)
}

fn applications_up(scraped: &Scrape) -> Option<f64> {
    metric("cloudflare_access_saml_applications_up").label("account_id", ACCOUNT).try_value_in(scraped)
}

#[tokio::test(flavor = "multi_thread")]
async fn each_idp_shows_who_signs_in_through_it_and_who_has_no_other_way_in() {
    let fake = start_fake(fleet_data(10)).await;
    let exporter = collecting(&fake);
    let scraped = scrape_until(&exporter.metrics_url, "the applications series", WAIT, |s| {
        applications_up(s) == Some(1.0)
    })
    .await;
    let applications = "cloudflare_access_saml_identity_provider_applications";
    let alone = "cloudflare_access_saml_identity_provider_applications_without_fallback";
    // wiki (all IdPs) + grafana + legacy-crm for Okta; wiki + payroll + legacy-crm for Entra;
    // wiki + grafana + salesforce for Ping. The bookmark counts for none.
    assert_eq!(of(&scraped, applications, OKTA), Some(3.0));
    assert_eq!(of(&scraped, applications, ENTRA), Some(3.0));
    assert_eq!(of(&scraped, applications, PING), Some(3.0));
    // Payroll allows only Entra (and redirects to it); Salesforce only Ping.
    assert_eq!(of(&scraped, alone, OKTA), Some(0.0));
    assert_eq!(of(&scraped, alone, ENTRA), Some(1.0));
    assert_eq!(of(&scraped, alone, PING), Some(1.0));
    let info =
        metric("cloudflare_access_saml_application_info").label("account_id", ACCOUNT).samples_in(&scraped);
    assert_eq!(info.len(), 6, "one info series per application");
    let payroll = info.iter().find(|s| s.labels["application_id"] == "payroll").expect("payroll's info");
    assert_eq!(payroll.labels["type"], "self_hosted");
    assert_eq!(payroll.labels["domain"], "payroll.example.com");

    let not_after =
        metric("cloudflare_access_saml_saas_application_signing_certificate_not_after_timestamp_seconds")
            .label("application_id", "salesforce")
            .value_in(&scraped);
    let days = (not_after - unix_now()) / 86_400.0;
    assert!((9.0..=10.0).contains(&days), "Salesforce's certificate has {days} days left");
    metric("cloudflare_access_saml_saas_application_signing_certificate_parse_error")
        .label("application_id", "legacy-crm")
        .label("reason", "bad_pem")
        .assert_value(&scraped, 1.0);
    metric("cloudflare_access_saml_saas_application_signing_certificate_not_after_timestamp_seconds")
        .label("application_id", "legacy-crm")
        .assert_absent(&scraped);

    let (_, page) = get(&exporter.url("/")).await;
    assert!(page.contains("<th>Applications</th>"), "the status page lacks the applications column");
    assert!(page.contains("App payroll (no fallback)"), "the status page does not name Payroll");
    let check = Exporter::check()
        .api(&fake.base_url())
        .account(ACCOUNT)
        .token(TOKEN)
        .arg("--collector.applications")
        .run();
    let table = String::from_utf8_lossy(&check.stdout);
    let saas_row = table.lines().find(|l| l.contains(" saas ") && l.contains("App salesforce")).unwrap_or("");
    assert!(saas_row.contains("WARNING") && saas_row.contains("under 30 days left"), "{table}");
    assert!(table.lines().any(|l| l.contains(" saas ") && l.contains("unreadable (bad_pem)")), "{table}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_that_may_not_read_applications_costs_only_the_applications() {
    let fake = start_fake(fleet_data(200)).await;
    fake.inject(Fault {
        path_contains: "/access/apps".to_owned(),
        times: None,
        kind: FaultKind::Respond {
            status: 403,
            headers: Vec::new(),
            body: r#"{"success":false,"errors":[{"code":10000,"message":"Authentication error"}],"messages":[],"result":null}"#.to_owned(),
        },
    });
    let exporter = collecting(&fake);
    let scraped =
        scrape_until(&exporter.metrics_url, "applications_up 0", WAIT, |s| applications_up(s) == Some(0.0))
            .await;
    assert_eq!(up_of(&scraped, ACCOUNT), Some(1.0), "the account itself was read");
    let errors = metric("cloudflare_access_saml_applications_errors_total")
        .label("account_id", ACCOUNT)
        .label("reason", "forbidden")
        .value_in(&scraped);
    assert!(errors >= 1.0);
    metric("cloudflare_access_saml_identity_provider_applications").assert_absent(&scraped);
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_collector_off_no_application_is_asked_for() {
    let fake = start_fake(fleet_data(200)).await;
    let exporter = Exporter::serve().api(&fake.base_url()).account(ACCOUNT).token(TOKEN).spawn();
    let scraped =
        scrape_until(&exporter.metrics_url, "the account read", WAIT, |s| up_of(s, ACCOUNT) == Some(1.0))
            .await;
    assert_eq!(applications_up(&scraped), None);
    metric("cloudflare_access_saml_application_info").assert_absent(&scraped);
    let asked: Vec<String> =
        fake.requests().into_iter().map(|r| r.uri).filter(|uri| uri.contains("/access/apps")).collect();
    assert!(asked.is_empty(), "{asked:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_named_account_learns_its_name_and_shows_it_beside_its_id() {
    let fake = start_fake(fleet_data(200)).await;
    // The collector gives the account rows (its SaaS applications) to show the name on.
    let exporter = collecting(&fake);
    let named = |s: &Scrape| {
        metric("cloudflare_access_saml_account_info")
            .label("account_id", ACCOUNT)
            .samples_in(s)
            .first()
            .map(|s| s.labels["account_name"].clone())
    };
    let scraped =
        scrape_until(&exporter.metrics_url, "the account's name", WAIT, |s| named(s).is_some()).await;
    assert_eq!(named(&scraped).as_deref(), Some(format!("Account {ACCOUNT}").as_str()));
    let asked =
        fake.requests().into_iter().filter(|r| r.uri.ends_with(&format!("/accounts/{ACCOUNT}"))).count();
    assert_eq!(asked, 1, "one GET /accounts/{{id}} a day");
    let (_, page) = get(&exporter.url("/")).await;
    assert!(page.contains(&format!("Account {ACCOUNT}<br><span class=\"sub\">{ACCOUNT}</span>")), "{page}");
}
