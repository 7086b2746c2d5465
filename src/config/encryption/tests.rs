//! Unit tests of `encryption`.

use super::*;
use clap::Parser;

use crate::cli::{Cli, Command};

const A: &str = "0123456789abcdef0123456789abcdef";

fn config(args: &[&str]) -> Result<EncryptionConfig, ConfigError> {
    let cli = Cli::try_parse_from(["cloudflare-saml-exporter", "encryption"].iter().chain(args)).unwrap();
    let Some(Command::Encryption(args)) = cli.command else { panic!("not encryption") };
    let env = |name: &str| (name == "CLOUDFLARE_API_TOKEN").then(|| "t0ken".to_owned());
    EncryptionConfig::new(&args, &env)
}

#[test]
fn acting_commands_need_exactly_one_account() {
    let err = config(&["rotate", "--certificate-set", "s"]).unwrap_err().to_string();
    assert!(err.contains("--account-id") && err.contains("one account"), "{err}");
    let err = config(&["pem", "--account-id", &format!("{A},{}", "f".repeat(32)), "--certificate-set", "s"])
        .unwrap_err()
        .to_string();
    assert!(err.contains("exactly one account"), "{err}");
    let ok = config(&["pem", "--account-id", A, "--certificate-set", "s", "--slot", "previous"]).unwrap();
    assert_eq!(
        ok.action,
        EncryptionAction::Pem { account_id: A.into(), set_uid: "s".into(), slot: PemSlot::Previous }
    );
    assert_eq!(config(&["plan"]).unwrap().action, EncryptionAction::Plan);
}

#[test]
fn ids_that_would_change_the_url_path_are_refused() {
    for bad in ["../../accounts", "a/b", "x?y", "", "a b"] {
        let err = config(&["rotate", "--account-id", A, "--certificate-set", bad]).unwrap_err().to_string();
        assert!(err.contains("--certificate-set"), "{bad}: {err}");
        let err =
            config(&["create-set", "--account-id", A, "--identity-provider", bad]).unwrap_err().to_string();
        assert!(err.contains("--identity-provider"), "{bad}: {err}");
    }
}

#[test]
fn create_set_is_a_dry_run_unless_apply() {
    let action = config(&["create-set", "--account-id", A, "--identity-provider", "i"]).unwrap().action;
    assert!(matches!(action, EncryptionAction::CreateSet { apply: false, pem_out: None, .. }), "{action:?}");
}
