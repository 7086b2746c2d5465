//! The demo's servers, started and stopped together: the fake Cloudflare
//! API with fresh demo data, the demo identity providers' metadata host,
//! and the exporter reading both.

use std::net::SocketAddr;
use std::time::Duration;

use fake_cloudflare::demo_data::{DEMO_TOKEN, demo};
use fake_cloudflare::metadata_server::FakeIdentityProviderMetadata;
use fake_cloudflare::{FakeCloudflare, FakeData};
use secrecy::SecretString;

use super::DemoError;
use crate::clock::unix_now;
use crate::cloudflare::client::ClientSettings;
use crate::cloudflare::credentials::CredentialSource;
use crate::commands::serve::RunningExporter;
use crate::config::{CloudflareConfig, DemoConfig, IdpMetadataConfig};
use crate::idp::fetch::FetchSettings;
use crate::idp::source::MetadataSource;
use crate::refresh::AccountSelection;

/// A running demo: the fake API and the exporter reading it.
#[derive(Debug)]
pub struct RunningDemo {
    /// The fake Cloudflare API.
    pub fake: FakeCloudflare,
    /// The demo identity providers' metadata host.
    pub metadata: FakeIdentityProviderMetadata,
    /// The exporter.
    pub exporter: RunningExporter,
}

impl RunningDemo {
    /// Starts the fake API with fresh demo data, then the exporter.
    pub async fn start(config: DemoConfig) -> Result<Self, DemoError> {
        let data = demo(unix_now() as i64)?;
        // The IdPs' metadata host beside the fake API, on its own port: its
        // requests never count against Cloudflare's budget.
        let metadata = FakeIdentityProviderMetadata::start((config.fake_api_listen.ip(), 0).into()).await?;
        let idp_metadata = publish(&data, &metadata);
        let fake = FakeCloudflare::start(config.fake_api_listen, data).await?;
        let chaos = config.fake_api_chaos;
        // A token with a TTL, as a careful operator would make: its expiry shows.
        let token_expires_on = unix_now() as i64 + 300 * 86_400;
        fake.update_knobs(|k| {
            k.chaos = chaos;
            k.token_expires_on = Some(token_expires_on);
        });
        let base_url = fake.api_url().clone();
        let cloudflare = CloudflareConfig::single(
            ClientSettings {
                base_url,
                request_timeout: Duration::from_secs(10),
                connect_timeout: Duration::from_secs(5),
                max_body_bytes: 64 * 1024 * 1024,
                max_account_bytes: 64 * 1024 * 1024,
                max_requests_per_5m: std::num::NonZeroU32::new(300).expect("non-zero"),
            },
            CredentialSource::Token(SecretString::from(DEMO_TOKEN)),
            AccountSelection::Discover,
            Duration::from_secs(20),
        );
        // As `serve` by default: sets from the IdP list, the set list hourly;
        // and the applications collector on, so the blast radius shows.
        let mut cloudflare = CloudflareConfig { set_list_interval: Duration::from_secs(3600), ..cloudflare };
        cloudflare.credentials[0].applications = true;
        let telemetry_path = config.web.telemetry_path.clone();
        let scheme = if config.web.security.tls.is_some() { "https" } else { "http" };
        let exporter = RunningExporter::start_with_idp_metadata(
            cloudflare,
            config.web,
            config.refresh_interval,
            idp_metadata,
        )
        .await?;
        let shown = printable(exporter.local_addr());
        println!("Fake Cloudflare API:  {}  (token: {DEMO_TOKEN})", fake.base_url());
        println!("Fake IdP metadata:    {}", metadata.url("/"));
        println!("Exporter metrics:     {scheme}://{shown}{telemetry_path}");
        println!("Exporter landing:     {scheme}://{shown}/");
        println!(
            "Try the check command: CLOUDFLARE_API_TOKEN={DEMO_TOKEN} cloudflare-saml-exporter check --api-base-url {} \
             --collector.applications",
            fake.base_url()
        );
        Ok(Self { fake, metadata, exporter })
    }

    /// Stops the exporter, then the fake API and the metadata host.
    pub async fn stop(self) {
        self.exporter.stop().await;
        self.fake.stop().await;
        self.metadata.stop().await;
    }
}

/// Publishes the demo IdPs' metadata on `host`, and the exporter's
/// configuration to read it: every minute, so a change shows quickly.
fn publish(data: &FakeData, host: &FakeIdentityProviderMetadata) -> IdpMetadataConfig {
    let sources = data
        .published_metadata
        .iter()
        .map(|published| {
            host.set(&published.path, published.published.clone());
            MetadataSource {
                account_id: published.account_id.clone(),
                identity_provider: published.identity_provider_id.clone(),
                url: host.url(&published.path),
                entity_id: None,
            }
        })
        .collect();
    IdpMetadataConfig {
        sources,
        refresh_interval: Duration::from_secs(60),
        fetch: FetchSettings { timeout: Duration::from_secs(10), extra_roots_pem: None },
    }
}

/// A clickable address: the unspecified address is reachable on loopback.
fn printable(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() { SocketAddr::from(([127, 0, 0, 1], addr.port())) } else { addr }
}
