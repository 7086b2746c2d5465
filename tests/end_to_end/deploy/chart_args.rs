//! The chart's container arguments run by the real binary: every flag the
//! chart passes exists and validates, so a chart that renders is a pod that
//! starts.

use std::os::unix::fs::PermissionsExt;

use super::chart::{args, only, rendered};
use crate::support::pki::pki;
use crate::support::{Exporter, TOKEN, TempDir, start_fake, two_accounts, with_timeout};

/// `args` with the pod's paths moved into `dir`, the downward API's shard
/// filled in, the listen address on loopback and logfmt logs.
fn localised(args: Vec<&str>, dir: &TempDir, shard: &str) -> Vec<String> {
    args.into_iter()
        .map(|arg| match arg.split_once('=') {
            Some(("--web.listen-address", _)) => "--web.listen-address=127.0.0.1:0".to_owned(),
            Some(("--shard", "$(SHARD)")) => format!("--shard={shard}"),
            // The harness reads the listen address from logfmt lines.
            Some(("--log.format", _)) => "--log.format=logfmt".to_owned(),
            Some((flag, path)) if path.starts_with("/etc/") || path.starts_with("/var/lib/") => {
                let name = path.rsplit('/').next().expect("a file name");
                format!("{flag}={}", dir.join(name).display())
            }
            _ => arg.to_owned(),
        })
        .collect()
}

/// The fake's token in `dir/name`, as a secret volume would hold it.
fn mounted_token(dir: &TempDir, name: &str) -> std::path::PathBuf {
    let token = dir.join(name);
    std::fs::write(&token, TOKEN).unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    token
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sharded_pods_arguments_start_the_real_exporter() {
    with_timeout(async {
        let fake = start_fake(two_accounts()).await;
        let dir = TempDir::new("chart-args");
        let token = mounted_token(&dir, "cf-tenant-a");
        // What `cloudflare.configSecret` holds in a real cluster.
        let config = format!("credentials:\n  - name: tenant-a\n    api_token_file: {}\n", token.display());
        std::fs::write(dir.join("config.yml"), config).unwrap();

        let objects = rendered("sharded");
        let set = only(&objects, "StatefulSet");
        let mut argv = localised(args(set), &dir, "1");
        assert!(argv.iter().any(|a| a.starts_with("--config.file=")), "{argv:?}");
        assert!(argv.iter().any(|a| a.starts_with("--state.file=")), "{argv:?}");
        assert!(argv.iter().any(|a| a == "--shard=1"), "{argv:?}");
        argv.extend(["--api-base-url".to_owned(), fake.base_url()]);
        let exporter = Exporter::serve_exactly(&argv).spawn();
        exporter.until_ready().await;
        fake.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_single_pods_arguments_start_the_real_exporter() {
    with_timeout(async {
        let fake = start_fake(two_accounts()).await;
        let dir = TempDir::new("chart-args-single");
        mounted_token(&dir, "token");

        let objects = rendered("monitoring");
        let deployment = only(&objects, "Deployment");
        let mut argv: Vec<String> = localised(args(deployment), &dir, "0")
            .into_iter()
            // The rendering names an example account; read the fake's instead.
            .filter(|a| !a.starts_with("--account-id="))
            .collect();
        assert!(argv.iter().any(|a| a.starts_with("--api-token-file=")), "{argv:?}");
        argv.extend(["--api-base-url".to_owned(), fake.base_url()]);
        let exporter = Exporter::serve_exactly(&argv).spawn();
        exporter.until_ready().await;
        fake.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pods_arguments_with_idp_metadata_sources_start_the_real_exporter() {
    with_timeout(async {
        let fake = start_fake(two_accounts()).await;
        let dir = TempDir::new("chart-args-idp-metadata");
        mounted_token(&dir, "token");
        // What the idpMetadata.caSecret holds: a PEM CA.
        std::fs::write(dir.join("ca.crt"), pki(dir.path()).server_ca_pem).unwrap();

        let objects = rendered("idp-metadata");
        // The chart's config file as rendered, its URLs moved to a closed loopback
        // port so that no test reaches out: the exporter must accept the file.
        let map = objects.iter().find(|o| o["kind"] == "ConfigMap").expect("the idp-metadata ConfigMap");
        let config: String = map["data"]["config.yml"]
            .as_str()
            .unwrap()
            .lines()
            .map(|line| match line.split_once("url: ") {
                Some((indent, _)) => format!("{indent}url: https://127.0.0.1:9/metadata.xml\n"),
                None => format!("{line}\n"),
            })
            .collect();
        std::fs::write(dir.join("config.yml"), config).unwrap();

        let deployment = only(&objects, "Deployment");
        let mut argv: Vec<String> = localised(args(deployment), &dir, "0")
            .into_iter()
            // The rendering names an example account; read the fake's instead.
            .filter(|a| !a.starts_with("--account-id="))
            .collect();
        for flag in [
            "--config.file=",
            "--api-token-file=",
            "--idp-metadata.ca-file=",
            "--idp-metadata.refresh-interval=",
        ] {
            assert!(argv.iter().any(|a| a.starts_with(flag)), "{flag} missing from {argv:?}");
        }
        argv.extend(["--api-base-url".to_owned(), fake.base_url()]);
        let exporter = Exporter::serve_exactly(&argv).spawn();
        exporter.until_ready().await;
        fake.stop().await;
    })
    .await;
}
