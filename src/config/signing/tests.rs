//! Unit tests of `signing`: the file and its entries are required,
//! `--account-id` narrows them, and `sync` picks its candidates.

use std::io::Write as _;

use clap::Parser;

use super::*;
use crate::cli::{Cli, Command};

const A: &str = "0123456789abcdef0123456789abcdef";
const B: &str = "fedcba9876543210fedcba9876543210";

/// A config file with `entries` (account, identity_provider) under
/// identity_provider_metadata, deleted when dropped.
struct File(PathBuf);

impl File {
    fn with(entries: &[(&str, &str)]) -> Self {
        let path = std::env::temp_dir().join(format!(
            "signing-config-{}-{}.yml",
            std::process::id(),
            fastrand::u64(..)
        ));
        let mut file = std::fs::File::create(&path).unwrap();
        if entries.is_empty() {
            writeln!(file, "identity_provider_metadata: []").unwrap();
        } else {
            writeln!(file, "identity_provider_metadata:").unwrap();
        }
        for (account, idp) in entries {
            writeln!(
                file,
                "  - {{account: {account}, identity_provider: {idp}, url: \"https://{idp}.example.com/md\"}}"
            )
            .unwrap();
        }
        File(path)
    }
}

impl Drop for File {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn config(args: &[&str]) -> Result<SigningConfig, ConfigError> {
    let cli = Cli::try_parse_from(["cloudflare-saml-exporter", "signing"].iter().chain(args)).unwrap();
    let Some(Command::Signing(args)) = cli.command else { panic!("not signing") };
    let env = |name: &str| (name == "CLOUDFLARE_API_TOKEN").then(|| "t0ken".to_owned());
    SigningConfig::new(&args, &env)
}

fn accounts(config: &SigningConfig) -> Vec<(&str, &str)> {
    config.metadata.sources.iter().map(|s| (s.account_id.as_str(), s.identity_provider.as_str())).collect()
}

#[test]
fn the_commands_need_identity_provider_metadata_in_a_config_file() {
    let err = config(&["plan"]).unwrap_err().to_string();
    assert!(err.contains("--config.file") && err.contains("identity_provider_metadata"), "{err}");
    let empty = File::with(&[]);
    let err = config(&["plan", "--config.file", empty.0.to_str().unwrap()]).unwrap_err().to_string();
    assert!(err.contains("--config.file") && err.contains("identity_provider_metadata"), "{err}");
}

#[test]
fn account_id_narrows_the_entries() {
    let file = File::with(&[(A, "Okta"), (B, "Okta"), (B, "Ping")]);
    let path = file.0.to_str().unwrap();
    let all = config(&["plan", "--config.file", path]).unwrap();
    assert_eq!(all.action, SigningAction::Plan);
    assert_eq!(all.metadata.sources.len(), 3);
    assert_eq!(all.config_file, file.0);
    let only_b = config(&["plan", "--config.file", path, "--account-id", B]).unwrap();
    assert_eq!(accounts(&only_b), [(B, "Okta"), (B, "Ping")]);
    let err = config(&["plan", "--config.file", path, "--account-id", &"c".repeat(32)]).unwrap_err();
    assert!(err.to_string().contains("--account-id"), "{err}");
}

#[test]
fn sync_takes_the_entry_written_as_asked_and_needs_account_id_for_two() {
    let file = File::with(&[(A, "Okta"), (B, "Okta"), (B, "Ping")]);
    let path = file.0.to_str().unwrap();
    let sync = |extra: &[&str]| config(&[&["sync", "--config.file", path][..], extra].concat());
    let err = sync(&["--identity-provider", "Okta"]).unwrap_err().to_string();
    assert!(err.contains("--account-id") && err.contains(A) && err.contains(B), "{err}");
    let picked = sync(&["--identity-provider", "Okta", "--account-id", B, "--apply", "--prune"]).unwrap();
    assert_eq!(accounts(&picked), [(B, "Okta")]);
    assert_eq!(
        picked.action,
        SigningAction::Sync { identity_provider: "Okta".into(), apply: true, prune: true, force: false }
    );
    // Not written as any entry: every entry may be it, once resolved.
    let by_id = sync(&["--identity-provider", "idp-123", "--force"]).unwrap();
    assert_eq!(by_id.metadata.sources.len(), 3);
    let err = sync(&["--identity-provider", "  "]).unwrap_err().to_string();
    assert!(err.contains("--identity-provider"), "{err}");
}
