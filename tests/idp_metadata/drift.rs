//! Each drift state, from the metadata host and the fake API to the
//! metrics, `check` and the status page, and the comparison following
//! Cloudflare and the IdP as they change.

use std::time::Duration;

use fake_cloudflare::Published;

use super::*;
use crate::support::{
    Exporter, TOKEN, TempDir, account, data, get, saml_idp, scrape_until, start_fake, up_of,
};

const WAIT: Duration = Duration::from_secs(60);
const IN_SYNC: &str = "idp-in-sync";
const ROLLOVER: &str = "idp-rollover";
const MISMATCH: &str = "idp-mismatch";
const UNREACHABLE: &str = "idp-unreachable";

/// An IdP of [`ACCOUNT`] with these certificates pasted, named `name`.
fn idp(id: &str, name: &str, pasted: &[&MintedCertificate]) -> fake_cloudflare::FakeIdentityProvider {
    fake_cloudflare::FakeIdentityProvider {
        name: name.to_owned(),
        signing_certificates: pasted.iter().map(|c| c.pem.clone()).collect(),
        issuer_url: ISSUER.to_owned(),
        ..saml_idp(id, None)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_state_shows_in_the_metrics_check_and_the_status_page() {
    let (current, next, other) = (
        signing_certificate("current", 300),
        signing_certificate("next", 700),
        signing_certificate("other", 500),
    );
    let fake = start_fake(data(vec![account(
        ACCOUNT,
        Vec::new(),
        vec![
            idp(IN_SYNC, "Okta", &[&current]),
            idp(ROLLOVER, "AD FS", &[&current]),
            idp(MISMATCH, "Entra ID", &[&current]),
            idp(UNREACHABLE, "Shibboleth", &[&current]),
        ],
    )]))
    .await;
    let host = start_metadata_host().await;
    host.set("/okta", Published::Document(document(&[&current])));
    host.set("/adfs", Published::Document(document(&[&current, &next])));
    host.set("/entra", Published::Document(document(&[&other])));
    host.set("/shibboleth", Published::Status(503));
    let dir = TempDir::new("idp-metadata-states");
    // Okta by its exact name, the others by ID.
    let config = config_file(
        &dir,
        &[
            ("Okta", host.url("/okta").to_string()),
            (ROLLOVER, host.url("/adfs").to_string()),
            (MISMATCH, host.url("/entra").to_string()),
            (UNREACHABLE, host.url("/shibboleth").to_string()),
        ],
    );
    let exporter = Exporter::serve()
        .api(&fake.base_url())
        .account(ACCOUNT)
        .token(TOKEN)
        .arg("--config.file")
        .arg(&config)
        .spawn();
    let scraped = scrape_until(&exporter.metrics_url, "every drift state", WAIT, |s| {
        drift_of(s, MISMATCH).is_some() && metadata_up_of(s, UNREACHABLE) == Some(0.0)
    })
    .await;
    assert_eq!(drift_of(&scraped, IN_SYNC).as_deref(), Some("in_sync"), "named by its exact name");
    assert_eq!(drift_of(&scraped, ROLLOVER).as_deref(), Some("rollover_pending"));
    assert_eq!(drift_of(&scraped, MISMATCH).as_deref(), Some("mismatch"));
    assert_eq!(drift_of(&scraped, UNREACHABLE), None, "never read: no drift series");
    assert!(metadata_errors_of(&scraped, UNREACHABLE, "http_status") >= 1.0);
    assert_eq!(metadata_errors_of(&scraped, UNREACHABLE, "dtd"), 0.0, "every reason starts at 0");
    assert_eq!(up_of(&scraped, ACCOUNT), Some(1.0), "an unreachable IdP is not Cloudflare's failure");
    let published = |idp: &str, in_cloudflare: &str| {
        metric("cloudflare_access_saml_identity_provider_metadata_signing_certificate_not_after_timestamp_seconds")
            .label("identity_provider_id", idp)
            .label("in_cloudflare", in_cloudflare)
            .samples_in(&scraped)
            .into_iter()
            .map(|s| s.labels["sha256_fingerprint"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(published(ROLLOVER, "false"), vec![fingerprint(&next)]);
    assert_eq!(published(ROLLOVER, "true"), vec![fingerprint(&current)]);
    assert_eq!(published(MISMATCH, "false"), vec![fingerprint(&other)]);

    let (_, page) = get(&exporter.url("/")).await;
    for shown in ["in sync", "rollover pending", "mismatch", "metadata unreadable (reason http_status)"] {
        assert!(page.contains(shown), "the status page lacks {shown:?}");
    }
    let check = Exporter::check()
        .api(&fake.base_url())
        .account(ACCOUNT)
        .token(TOKEN)
        .arg("--config.file")
        .arg(&config)
        .run();
    let table = String::from_utf8_lossy(&check.stdout);
    assert_eq!(check.status.code(), Some(2), "a mismatch is critical:\n{table}");
    let row =
        |idp: &str| table.lines().find(|l| l.contains(" metadata ") && l.contains(idp)).map(str::to_owned);
    assert!(row("Entra ID").is_some_and(|r| r.contains("CRITICAL") && r.contains("mismatch")), "{table}");
    assert!(
        row("AD FS").is_some_and(|r| r.contains("WARNING") && r.contains(&fingerprint(&next)[..16])),
        "{table}"
    );
    assert!(row("Okta").is_some_and(|r| r.contains("OK") && r.contains("in sync")), "{table}");
    assert!(row("Shibboleth").is_some_and(|r| r.contains("WARNING") && r.contains("http_status")), "{table}");
    // The IdPs' requests went to the IdPs, none to Cloudflare's budget.
    assert!(
        fake.requests().iter().all(|r| r.uri.contains("/client/v4/")),
        "only API requests reached the fake API"
    );
    host.stop().await;
    fake.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_comparison_follows_a_paste_into_cloudflare_and_a_switch_at_the_idp() {
    let (current, next) = (signing_certificate("current", 300), signing_certificate("next", 700));
    let fake =
        start_fake(data(vec![account(ACCOUNT, Vec::new(), vec![idp(ROLLOVER, "AD FS", &[&current])])])).await;
    let host = start_metadata_host().await;
    host.set("/adfs", Published::Document(document(&[&current, &next])));
    let dir = TempDir::new("idp-metadata-follow");
    let config = config_file(&dir, &[(ROLLOVER, host.url("/adfs").to_string())]);
    let exporter = Exporter::serve()
        .api(&fake.base_url())
        .account(ACCOUNT)
        .token(TOKEN)
        .args(["--idp-metadata.refresh-interval", "1s", "--config.file"])
        .arg(&config)
        .spawn();
    let url = exporter.metrics_url.clone();
    let state_is = |wanted: &'static str| move |s: &Scrape| drift_of(s, ROLLOVER).as_deref() == Some(wanted);
    scrape_until(&url, "rollover pending", WAIT, state_is("rollover_pending")).await;

    // Unchanged documents are asked for conditionally and answered 304.
    crate::support::with_timeout(host.wait_for_requests(3)).await;
    let conditional = host.requests().iter().filter(|r| r.if_none_match.is_some()).count();
    assert!(conditional >= 2, "later reads send If-None-Match: {:?}", host.requests());
    let scraped =
        scrape_until(&url, "still rollover pending after 304s", WAIT, state_is("rollover_pending")).await;
    assert_eq!(metadata_up_of(&scraped, ROLLOVER), Some(1.0), "a 304 is a successful read");

    // Someone pastes the next certificate: in sync at Cloudflare's next read.
    fake.update_data(|data| {
        data.accounts[0].identity_providers[0].signing_certificates.push(next.pem.clone());
    });
    scrape_until(&url, "in sync after the paste", WAIT, state_is("in_sync")).await;

    // The IdP switches to a certificate Cloudflare has never seen, and the
    // old ones leave its metadata: a mismatch at the next metadata read.
    let surprise = signing_certificate("surprise", 900);
    host.set("/adfs", Published::Document(document(&[&surprise])));
    scrape_until(&url, "mismatch after the switch", WAIT, state_is("mismatch")).await;

    // The IdP becomes unreachable: the last good comparison stays.
    host.set("/adfs", Published::Status(500));
    let scraped =
        scrape_until(&url, "metadata down", WAIT, |s| metadata_up_of(s, ROLLOVER) == Some(0.0)).await;
    assert_eq!(drift_of(&scraped, ROLLOVER).as_deref(), Some("mismatch"), "kept while unreachable");
    host.stop().await;
    fake.stop().await;
}
