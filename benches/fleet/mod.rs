//! The fake Cloudflare data the refresh benchmarks read: `n` accounts with
//! IDs of Cloudflare's shape, each with `per_account` certificate sets, each
//! set used by its own SAML identity provider; and the exporter started on
//! its default flags against it.

use clap::Parser;
use cloudflare_saml_exporter::cli::{Cli, Command};
use cloudflare_saml_exporter::commands::serve::RunningExporter;
use cloudflare_saml_exporter::config::ServeConfig;
use fake_cloudflare::clock::rfc3339;
use fake_cloudflare::mint::{KeyKind, mint_certificate};
use fake_cloudflare::{FakeAccount, FakeCertificate, FakeData, FakeIdentityProvider, FakeSet};

/// The token the fake accepts.
pub const TOKEN: &str = "bench-token";

/// `n` accounts of `per_account` sets and as many SAML IdPs.
pub fn fake_data(n: usize, per_account: usize) -> FakeData {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let minted = mint_certificate("bench", KeyKind::P256, now - 86_400, now + 90 * 86_400).expect("mint");
    let accounts = (0..n)
        .map(|i| {
            let (sets, identity_providers) = (0..per_account)
                .map(|j| {
                    let set = FakeSet {
                        uid: format!("set-{i:04}-{j}"),
                        created_at: rfc3339(now - 86_400),
                        updated_at: rfc3339(now - 86_400),
                        current: Some(FakeCertificate {
                            uid: format!("cert-{i:04}-{j}"),
                            pem: minted.pem.clone(),
                            not_after: rfc3339(minted.not_after),
                        }),
                        previous: None,
                    };
                    let idp = FakeIdentityProvider {
                        id: format!("idp-{i:04}-{j}"),
                        name: format!("IdP {i}-{j}"),
                        kind: "saml".into(),
                        enable_encryption: true,
                        certificate_set_id: Some(set.uid.clone()),
                        signing_certificates: Vec::new(),
                        issuer_url: "https://idp.example.com/saml".to_owned(),
                    };
                    (set, idp)
                })
                .unzip();
            FakeAccount {
                id: format!("{i:032x}"),
                name: format!("Account {i}"),
                account_type: Default::default(),
                sets,
                identity_providers,
                applications: Vec::new(),
            }
        })
        .collect();
    FakeData {
        token: TOKEN.into(),
        global_key: None,
        account_owned_token: false,
        scoped_tokens: vec![],
        accounts,
        published_metadata: Vec::new(),
    }
}

/// `serve` in process on its default flags but the API and the budget
/// (`--cloudflare.max-requests-per-5m`), logging only warnings; returns it
/// and its `/metrics` URL.
pub async fn start_exporter(api_base_url: &str, budget: &str) -> (RunningExporter, String) {
    let argv = [
        "cloudflare-saml-exporter",
        "serve",
        "--web.listen-address",
        "127.0.0.1:0",
        "--api-base-url",
        api_base_url,
        "--cloudflare.max-requests-per-5m",
        budget,
        "--log.level",
        "warn",
    ];
    let Some(Command::Serve(args)) = Cli::try_parse_from(argv).expect("arguments").command else {
        unreachable!()
    };
    let env = |name: &str| (name == "CLOUDFLARE_API_TOKEN").then(|| TOKEN.to_owned());
    let config = ServeConfig::new(&args, &env).expect("configuration");
    let exporter =
        RunningExporter::start(config.cloudflare, config.web, config.refresh_interval).await.expect("start");
    let url = format!("http://{}/metrics", exporter.local_addr());
    (exporter, url)
}
