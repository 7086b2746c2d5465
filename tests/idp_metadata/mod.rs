//! Identity provider metadata against Cloudflare (issue 21), end to end
//! through the real binary: the fake Cloudflare API and a fake IdP
//! metadata host, each on its own loopback port, and a `--config.file`
//! listing where each IdP publishes.

// Each drift state in the metrics, `check` and the status page; a paste
// into Cloudflare and a switch at the IdP followed; conditional requests.
mod drift;
// DTDs, 100 MB bodies, endless redirects, hangs and misnamed entries:
// refused with their reasons, memory flat, Cloudflare's series untouched.
mod hostile;

use std::path::PathBuf;

use fake_cloudflare::mint::{KeyKind, MintedCertificate, mint_certificate};
use fake_cloudflare::{FakeIdentityProviderMetadata, MetadataDocument};

use crate::support::{Scrape, TempDir, metric};

/// Account holding the IdPs of these tests.
pub const ACCOUNT: &str = "acc1d000000000000000000000000000";
/// The entity ID every test IdP has in Cloudflare and in its metadata.
pub const ISSUER: &str = "https://idp.example.com/saml";

/// A signing certificate, valid from a year ago for `days` more days.
pub fn signing_certificate(name: &str, days: i64) -> MintedCertificate {
    let now = cloudflare_saml_exporter::clock::unix_now() as i64;
    mint_certificate(name, KeyKind::P256, now - 365 * 86_400, now + days * 86_400).expect("mint")
}

/// The certificate's SHA-256 fingerprint, lower-case hex, as the series label it.
pub fn fingerprint(certificate: &MintedCertificate) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(&certificate.der).iter().map(|b| format!("{b:02x}")).collect()
}

/// A metadata document for [`ISSUER`] listing `certificates`.
pub fn document(certificates: &[&MintedCertificate]) -> String {
    MetadataDocument::new(ISSUER, certificates.iter().map(|c| c.der.clone()).collect()).render()
}

/// The fake metadata host on a free loopback port.
pub async fn start_metadata_host() -> FakeIdentityProviderMetadata {
    FakeIdentityProviderMetadata::start("127.0.0.1:0".parse().unwrap())
        .await
        .expect("start the metadata host")
}

/// A `--config.file` with only `identity_provider_metadata:`, one entry per
/// `(identity provider, url)` of [`ACCOUNT`].
pub fn config_file(dir: &TempDir, entries: &[(&str, String)]) -> PathBuf {
    let mut text = String::from("identity_provider_metadata:\n");
    for (idp, url) in entries {
        text.push_str(&format!("  - account: {ACCOUNT}\n    identity_provider: \"{idp}\"\n    url: {url}\n"));
    }
    let path = dir.join("config.yml");
    std::fs::write(&path, text).expect("write the config file");
    path
}

/// The drift state of `idp` (the one whose series is 1), if any.
pub fn drift_of(scrape: &Scrape, idp: &str) -> Option<String> {
    metric("cloudflare_access_saml_identity_provider_signing_certificate_drift")
        .label("identity_provider_id", idp)
        .samples_in(scrape)
        .into_iter()
        .find(|sample| sample.value == 1.0)
        .and_then(|sample| sample.labels.get("state").cloned())
}

/// `metadata_up` of `idp`.
pub fn metadata_up_of(scrape: &Scrape, idp: &str) -> Option<f64> {
    metric("cloudflare_access_saml_identity_provider_metadata_up")
        .label("identity_provider_id", idp)
        .try_value_in(scrape)
}

/// How often reading `idp`'s metadata failed for `reason`.
pub fn metadata_errors_of(scrape: &Scrape, idp: &str, reason: &str) -> f64 {
    metric("cloudflare_access_saml_identity_provider_metadata_errors_total")
        .label("identity_provider_id", idp)
        .label("reason", reason)
        .try_value_in(scrape)
        .unwrap_or(0.0)
}
