//! Validation of the command line into a `Config`.

use super::*;
use crate::cli::{Cli, Command};
use clap::Parser;

const A: &str = "0123456789abcdef0123456789abcdef";
const B: &str = "fedcba9876543210fedcba9876543210";

fn serve(argv: &[&str], env: &[(&str, &str)]) -> Result<ServeConfig, ConfigError> {
    let cli = Cli::try_parse_from(std::iter::once("cloudflare-saml-exporter").chain(argv.iter().copied()))
        .expect("arguments parse");
    let args = match cli.command {
        Some(Command::Serve(args)) => args,
        None => cli.serve,
        Some(other) => panic!("unexpected command {other:?}"),
    };
    let lookup = |name: &str| env.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned());
    ServeConfig::new(&args, &lookup)
}

#[test]
fn no_credentials_names_every_option() {
    let err = serve(&[], &[]).unwrap_err().to_string();
    for option in ["CLOUDFLARE_API_TOKEN", "--api-token-file", "CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY"] {
        assert!(err.contains(option), "{err}");
    }
}

#[test]
fn serve_is_the_default_command_with_documented_defaults() {
    let config = serve(&["--account-id", A, "--account-id", B], &[("CLOUDFLARE_API_TOKEN", "t")]).unwrap();
    assert_eq!(config.cloudflare.credentials[0].accounts, AccountSelection::Fixed(vec![A.into(), B.into()]));
    assert_eq!(config.web.listen, "0.0.0.0:19380".parse().unwrap());
    assert_eq!(config.web.telemetry_path, "/metrics");
    assert_eq!(config.refresh_interval, Duration::from_secs(300));
    assert_eq!(config.cloudflare.client.base_url.as_str(), "https://api.cloudflare.com/client/v4");
    let explicit = serve(&["serve", "--refresh-interval", "90s"], &[("CLOUDFLARE_API_TOKEN", "t")]).unwrap();
    assert_eq!(explicit.refresh_interval, Duration::from_secs(90));
    assert_eq!(explicit.cloudflare.credentials[0].accounts, AccountSelection::Discover);
    assert_eq!(explicit.cloudflare.credentials.len(), 1);
    assert_eq!(explicit.cloudflare.credentials[0].name, "default");
    assert_eq!(explicit.cloudflare.credentials[0].max_requests_per_5m.get(), 300);
    assert_eq!(explicit.cloudflare.shard, Shard::ALL);
}

#[test]
fn plain_http_is_refused_unless_loopback() {
    let env = [("CLOUDFLARE_API_TOKEN", "t")];
    let err = serve(&["--api-base-url", "http://api.example.com/client/v4"], &env).unwrap_err();
    assert!(err.to_string().contains("clear text"), "{err}");
    for ok in ["http://127.0.0.1:8080/client/v4", "http://[::1]:1/", "http://localhost:9/"] {
        serve(&["--api-base-url", ok], &env).unwrap();
    }
}

#[test]
fn global_key_needs_both_halves() {
    assert!(matches!(serve(&[], &[("CLOUDFLARE_EMAIL", "a@b.c")]), Err(ConfigError::HalfGlobalKey)));
    let config = serve(&[], &[("CLOUDFLARE_EMAIL", "a@b.c"), ("CLOUDFLARE_API_KEY", "k")]).unwrap();
    assert!(matches!(config.cloudflare.credentials[0].source, CredentialSource::GlobalKey { .. }));
}

#[test]
fn bad_values_name_the_option() {
    let env = [("CLOUDFLARE_API_TOKEN", "t")];
    let err = serve(&["--refresh-interval", "soon"], &env).unwrap_err().to_string();
    assert!(err.contains("--refresh-interval"), "{err}");
    let err = serve(&["--web.listen-address", "nowhere"], &env).unwrap_err().to_string();
    assert!(err.contains("--web.listen-address"), "{err}");
}

#[test]
fn account_ids_are_32_hex_digits_and_lower_cased() {
    let env = [("CLOUDFLARE_API_TOKEN", "t")];
    let upper = A.to_ascii_uppercase();
    let config = serve(&["--account-id", &format!(" {upper} ,{A},{B}")], &env).unwrap();
    assert_eq!(config.cloudflare.credentials[0].accounts, AccountSelection::Fixed(vec![A.into(), B.into()]));
    for (bad, says) in [
        ("../x", "other than 0-9 and a-f"),
        ("acc-a", "other than 0-9 and a-f"),
        ("0123456789abcdef", "has 16 characters"),
        ("0123456789abcdef0123456789abcdef0", "has 33 characters"),
        ("0123456789abcdef0123456789abcdeg", "other than 0-9 and a-f"),
        ("0123456789abcdef0123456789abcdé", "other than 0-9 and a-f"),
    ] {
        let err = serve(&["--account-id", &format!("{A},{bad}")], &env).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("invalid --account-id"), "{text}");
        assert!(text.contains(bad) && text.contains("32 hexadecimal") && text.contains(says), "{text}");
    }
}

#[test]
fn the_state_file_is_optional_and_must_name_a_file() {
    let token = [("CLOUDFLARE_API_TOKEN", "t")];
    assert_eq!(serve(&[], &token).unwrap().state_file, None);
    let config = serve(&["--state.file", "/var/lib/cse/state.json"], &token).unwrap();
    assert_eq!(config.state_file, Some(PathBuf::from("/var/lib/cse/state.json")));
    let dir = std::env::temp_dir();
    let err = serve(&["--state.file", dir.to_str().unwrap()], &token).unwrap_err().to_string();
    assert!(err.starts_with("invalid --state.file") && err.contains("names a directory"), "{err}");
    let err = serve(&["--state.file", "/dev/zero"], &token).unwrap_err().to_string();
    assert!(
        err.starts_with("invalid --state.file")
            && err.contains("/dev/zero")
            && err.contains("not a regular file"),
        "{err}"
    );
}

#[test]
fn shards_that_do_not_exist_are_refused() {
    let env = [("CLOUDFLARE_API_TOKEN", "t")];
    let config = serve(&["--shard", "2", "--total-shards", "3"], &env).unwrap();
    assert_eq!((config.cloudflare.shard.ordinal(), config.cloudflare.shard.total()), (2, 3));
    let err = serve(&["--shard", "3", "--total-shards", "3"], &env).unwrap_err().to_string();
    assert!(err.contains("--shard 3") && err.contains("--total-shards 3"), "{err}");
    let err =
        Cli::try_parse_from(["cloudflare-saml-exporter", "--total-shards", "0"]).unwrap_err().to_string();
    assert!(err.contains("--total-shards") && err.contains("from 1 to 10000"), "{err}");
}

#[test]
fn a_config_file_replaces_the_credential_flags() {
    let dir = std::env::temp_dir().join(format!("cse-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("credentials.yml");
    std::fs::write(&file, "credentials:\n  - name: a\n    api_token_env: CF_A\n    accounts: [0123456789abcdef0123456789abcdef]\n").unwrap();
    let path = file.to_str().unwrap();
    let env = [("CF_A", "token-a")];
    let config = serve(&["--config.file", path, "--cloudflare.max-requests-per-5m", "50"], &env).unwrap();
    let credential = &config.cloudflare.credentials[0];
    assert_eq!((credential.name.as_str(), credential.max_requests_per_5m.get()), ("a", 50));
    for extra in [["--account-id", B], ["--api-token-file", path]] {
        let err = serve(&["--config.file", path, extra[0], extra[1]], &env).unwrap_err().to_string();
        assert!(err.contains("--config.file") && err.contains(extra[0]), "{err}");
    }
    let err = serve(&["--config.file", "/nonexistent/credentials.yml"], &env).unwrap_err().to_string();
    assert!(err.contains("/nonexistent/credentials.yml") && err.contains("cannot be read"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_token_file_is_read_at_start_and_one_that_gives_no_token_is_a_usage_error() {
    let dir = std::env::temp_dir().join(format!("cse-config-token-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("token");
    std::fs::write(&file, " \n").unwrap();
    let path = file.to_str().unwrap();
    let dir_path = dir.to_str().unwrap();
    for (given, says) in
        [(path, "is empty"), ("/dev/zero", "is a character device"), (dir_path, "is a directory")]
    {
        let err = serve(&["--api-token-file", given], &[]).unwrap_err();
        assert!(matches!(err, ConfigError::TokenFile(_)), "{err:?}");
        let text = err.to_string();
        assert!(
            text.starts_with("--api-token-file") && text.contains(given) && text.contains(says),
            "{text}"
        );
    }
    std::fs::write(&file, "tok\n").unwrap();
    let config = serve(&["--api-token-file", path], &[]).unwrap();
    assert!(matches!(&config.cloudflare.credentials[0].source, CredentialSource::TokenFile(p) if p == &file));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_telemetry_path_may_not_hide_one_of_the_exporters_own_pages() {
    for path in crate::web::RESERVED_PATHS {
        let err = serve(&["--web.telemetry-path", path], &[("CLOUDFLARE_API_TOKEN", "t")]).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("--web.telemetry-path") && message.contains("own pages"),
            "{path}: {message}"
        );
    }
    let fine = serve(&["--web.telemetry-path", "/probe/metrics"], &[("CLOUDFLARE_API_TOKEN", "t")]).unwrap();
    assert_eq!(fine.web.telemetry_path, "/probe/metrics");
}

#[test]
fn the_applications_collector_is_off_unless_asked_and_the_last_flag_wins() {
    let token = [("CLOUDFLARE_API_TOKEN", "t")];
    let collects = |argv: &[&str]| serve(argv, &token).unwrap().cloudflare.credentials[0].applications;
    assert!(!collects(&[]));
    assert!(collects(&["--collector.applications"]));
    assert!(!collects(&["--collector.applications", "--no-collector.applications"]));
    assert!(collects(&["--no-collector.applications", "--collector.applications"]));
}

#[test]
fn the_external_url_is_an_absolute_http_url_kept_without_its_trailing_slash() {
    let token = [("CLOUDFLARE_API_TOKEN", "t")];
    let external = |url: &str| serve(&["--web.external-url", url], &token).map(|c| c.web.external_url);
    assert_eq!(
        external("https://cf.example.com/saml/").unwrap().as_deref(),
        Some("https://cf.example.com/saml")
    );
    for bad in
        ["/relative", "ftp://x.example.com", "https://x.example.com/?a=1", "https://x.example.com/#top"]
    {
        let err = external(bad).unwrap_err().to_string();
        assert!(err.contains("--web.external-url"), "{bad}: {err}");
    }
    assert_eq!(serve(&[], &token).unwrap().web.external_url, None);
}
