//! Validation of the command line into a `Config`.

use super::*;
use crate::cli::{Cli, Command};
use clap::Parser;

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
    let config =
        serve(&["--account-id", "abc", "--account-id", "def"], &[("CLOUDFLARE_API_TOKEN", "t")]).unwrap();
    assert_eq!(config.cloudflare.accounts, AccountSelection::Fixed(vec!["abc".into(), "def".into()]));
    assert_eq!(config.web.listen, "0.0.0.0:19380".parse().unwrap());
    assert_eq!(config.web.telemetry_path, "/metrics");
    assert_eq!(config.refresh_interval, Duration::from_secs(300));
    assert_eq!(config.cloudflare.client.base_url.as_str(), "https://api.cloudflare.com/client/v4");
    let explicit = serve(&["serve", "--refresh-interval", "90s"], &[("CLOUDFLARE_API_TOKEN", "t")]).unwrap();
    assert_eq!(explicit.refresh_interval, Duration::from_secs(90));
    assert_eq!(explicit.cloudflare.accounts, AccountSelection::Discover);
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
    assert!(matches!(config.cloudflare.credentials, CredentialSource::GlobalKey { .. }));
}

#[test]
fn bad_values_name_the_option() {
    let env = [("CLOUDFLARE_API_TOKEN", "t")];
    let err = serve(&["--refresh-interval", "soon"], &env).unwrap_err().to_string();
    assert!(err.contains("--refresh-interval"), "{err}");
    let err = serve(&["--account-id", "../x"], &env).unwrap_err().to_string();
    assert!(err.contains("--account-id"), "{err}");
    let err = serve(&["--web.listen-address", "nowhere"], &env).unwrap_err().to_string();
    assert!(err.contains("--web.listen-address"), "{err}");
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
}
