//! Metadata that must be refused: a DTD, a 100 MB body, an endless
//! redirect chain, a host that never answers, and entries naming an IdP or
//! account Cloudflare does not have. Each gets its reason; the exporter's
//! memory stays flat and Cloudflare's series are untouched.

use std::time::Duration;

use fake_cloudflare::Published;

use super::*;
use crate::support::memory::Memory;
use crate::support::{Exporter, TOKEN, TempDir, account, data, saml_idp, scrape_until, start_fake, up_of};

const WAIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread")]
async fn hostile_documents_are_refused_with_their_reasons_and_memory_stays_flat() {
    let current = signing_certificate("current", 300);
    let idp = |id: &str| fake_cloudflare::FakeIdentityProvider {
        signing_certificates: vec![current.pem.clone()],
        issuer_url: ISSUER.to_owned(),
        ..saml_idp(id, None)
    };
    let cases = [
        ("idp-dtd", "dtd"),
        ("idp-huge", "too_large"),
        ("idp-redirects", "redirects"),
        ("idp-hang", "timeout"),
        ("idp-missing", "identity_provider_not_found"),
    ];
    let idps = cases.iter().filter(|(id, _)| *id != "idp-missing").map(|(id, _)| idp(id)).collect();
    let fake = start_fake(data(vec![account(ACCOUNT, Vec::new(), idps)])).await;
    let host = start_metadata_host().await;
    let billion_laughs = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE md [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n{}",
        document(&[&current]).trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
    );
    host.set("/dtd", Published::Document(billion_laughs));
    host.set("/huge", Published::Huge { bytes: 100 << 20 });
    host.set("/redirects", Published::RedirectLoop);
    host.set("/hang", Published::Hang);
    host.set("/missing", Published::Document(document(&[&current])));
    let dir = TempDir::new("idp-metadata-hostile");
    let entries: Vec<(&str, String)> = cases
        .iter()
        .map(|(id, _)| (*id, host.url(&format!("/{}", id.trim_start_matches("idp-"))).to_string()))
        .collect();
    let config = config_file(&dir, &entries);
    let exporter = Exporter::serve()
        .api(&fake.base_url())
        .account(ACCOUNT)
        .token(TOKEN)
        .args(["--idp-metadata.refresh-interval", "1s", "--idp-metadata.timeout", "2s", "--config.file"])
        .arg(&config)
        .spawn();
    let url = exporter.metrics_url.clone();
    let warm = scrape_until(&url, "the account up", WAIT, |s| up_of(s, ACCOUNT) == Some(1.0)).await;
    let cloudflare_series = |s: &Scrape| {
        let mut lines: Vec<String> = s
            .text
            .lines()
            .filter(|l| {
                l.starts_with("cloudflare_access_saml_identity_provider_signing_certificate_not_after")
            })
            .map(str::to_owned)
            .collect();
        lines.sort();
        lines
    };
    let before = cloudflare_series(&warm);
    assert_eq!(before.len(), 4, "{before:?}");
    // Each refused at least three times: a leak per attempt would show.
    let refused = scrape_until(&url, "every hostile document refused three times", WAIT, |s| {
        cases.iter().all(|(id, reason)| metadata_errors_of(s, id, reason) >= 3.0)
    })
    .await;
    for (id, _) in cases {
        assert_eq!(metadata_up_of(&refused, id), Some(0.0), "{id}");
        assert_eq!(drift_of(&refused, id), None, "{id}: nothing was ever read");
    }
    assert_eq!(up_of(&refused, ACCOUNT), Some(1.0));
    assert_eq!(cloudflare_series(&refused), before, "Cloudflare's series are untouched");
    let memory = exporter.memory();
    eprintln!(
        "hostile metadata: peak RSS {:.0} MB, now {:.0} MB",
        Memory::mb(memory.peak),
        Memory::mb(memory.resident)
    );
    // The body cap is 10 MiB: a reader that kept 100 MB bodies, or one per
    // attempt, would be far past this.
    assert!(memory.peak < 120_000_000, "peak RSS {:.0} MB", Memory::mb(memory.peak));
    host.stop().await;
    fake.stop().await;
}
