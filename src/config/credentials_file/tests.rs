//! `--config.file`: what is accepted, and how each mistake is named.

use std::num::NonZeroU32;
use std::path::Path;

use super::{ConfigFile, CredentialDefaults, parse_config_file};
use crate::cloudflare::credentials::CredentialSource;
use crate::config::CredentialConfig;
use crate::refresh::AccountSelection;

const SECRET: &str = "s3cr3t-VALUE-4711";

fn parse(text: &str) -> Result<Vec<CredentialConfig>, String> {
    parse_file(text)?.credentials.ok_or_else(|| "no credentials".to_owned())
}

fn parse_file(text: &str) -> Result<ConfigFile, String> {
    let env = |name: &str| match name {
        "CF_A" | "CF_KEY" => Some(SECRET.to_owned()),
        "CF_EMAIL" => Some("ops@example.com".to_owned()),
        _ => None,
    };
    parse_config_file(text, Path::new("/nonexistent"), defaults(300), &env)
}

fn refused(text: &str) -> String {
    let err = parse(text).expect_err("refused");
    assert!(!err.contains(SECRET), "the secret is shown: {err}");
    err
}

#[test]
fn the_documented_example_is_accepted() {
    let credentials = parse(
        "credentials:\n\
         \x20 - name: tenant-a\n\
         \x20   api_token_env: CF_A\n\
         \x20 - name: tenant-b\n\
         \x20   email_env: CF_EMAIL\n\
         \x20   api_key_env: CF_KEY\n\
         \x20   accounts: [0123456789abcdef0123456789abcdef, acc20000000000000000000000000000]\n\
         \x20   max_requests_per_5m: 120\n",
    )
    .unwrap();
    assert_eq!(credentials.len(), 2);
    let (a, b) = (&credentials[0], &credentials[1]);
    assert_eq!(
        (a.name.as_str(), &a.accounts, a.max_requests_per_5m.get()),
        ("tenant-a", &AccountSelection::Discover, 300)
    );
    assert!(matches!(a.source, CredentialSource::Token(_)));
    assert_eq!(
        (b.name.as_str(), &b.accounts, b.max_requests_per_5m.get()),
        (
            "tenant-b",
            &AccountSelection::Fixed(vec![
                "0123456789abcdef0123456789abcdef".into(),
                "acc20000000000000000000000000000".into()
            ]),
            120
        )
    );
    assert!(matches!(&b.source, CredentialSource::GlobalKey { email, .. } if email == "ops@example.com"));
}

#[test]
fn a_relative_token_file_is_relative_to_the_config_file() {
    let dir = std::env::temp_dir().join(format!("cse-credfile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("token-a"), "t").unwrap();
    let env = |_: &str| None;
    let text = "credentials:\n  - name: a\n    api_token_file: token-a\n";
    let file = parse_config_file(text, &dir, defaults(5), &env).unwrap();
    let credentials = file.credentials.unwrap();
    assert!(matches!(&credentials[0].source, CredentialSource::TokenFile(p) if *p == dir.join("token-a")));
    let missing = parse_config_file(text, Path::new("/nonexistent"), defaults(5), &env);
    assert!(missing.unwrap_err().contains("api_token_file"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn inline_secrets_are_refused_by_name_without_their_value() {
    for key in ["api_token", "api_key"] {
        let err = refused(&format!("credentials:\n  - name: a\n    {key}: {SECRET}\n"));
        assert!(err.contains(&format!("{key}:")) && err.contains("credentials[0] (a)"), "{err}");
    }
    // Even when the line with the secret is also bad YAML.
    let err = refused(&format!("credentials:\n  - name: a\n    api_token: \"{SECRET}\n"));
    assert!(err.contains("not valid YAML") && err.contains("line"), "{err}");
    let err = refused(&format!("credentials: [{{name: a, api_token: {SECRET}}}]]\n"));
    assert!(err.contains("not valid YAML"), "{err}");
}

#[test]
fn mistakes_are_named() {
    let cases = [
        ("credentials:\n  - name: a\n    api_token_env: CF_A\n    acounts: [x]\n", "acounts"),
        ("credential:\n  - name: a\n", "credential"),
        ("credentials: []\n", "lists no credential"),
        (
            "credentials:\n  - name: a\n    api_token_env: CF_A\n  - name: a\n    api_token_env: CF_A\n",
            "used by another credential",
        ),
        (
            "credentials:\n  - name: a\n    api_token_env: CF_A\n    accounts: [\"11111111111111111111111111111111\"]\n  - name: b\n    api_token_env: CF_A\n    accounts: [\"22222222222222222222222222222222\", \"11111111111111111111111111111111\"]\n",
            "account 11111111111111111111111111111111 is also listed under credential a",
        ),
        ("credentials:\n  - name: a\n    api_token_env: CF_NOT_SET\n", "CF_NOT_SET is not set"),
        ("credentials:\n  - name: a\n", "names no secret"),
        ("credentials:\n  - name: a\n    api_token_env: CF_A\n    email_env: CF_EMAIL\n", "only one of"),
        ("credentials:\n  - name: a\n    email_env: CF_EMAIL\n", "go together"),
        ("credentials:\n  - name: a b\n    api_token_env: CF_A\n", "credentials[0].name"),
        ("credentials:\n  - name: a\n    api_token_env: CF_A\n    accounts: [../x]\n", "accounts"),
        ("credentials:\n  - name: a\n    api_token_env: CF_A\n    accounts: [acc-a]\n", "32 hexadecimal"),
        (
            "credentials:\n  - name: a\n    api_token_env: CF_A\n    accounts: [12345678901234567890123456789012]\n",
            "quote an account ID",
        ),
        ("credentials:\n  - name: a\n    api_token_env: CF_A\n    accounts: []\n", "leave it out"),
        ("credentials:\n  - name: a\n    api_token_env: CF_A\n    max_requests_per_5m: 0\n", "at least 1"),
    ];
    for (text, expected) in cases {
        let err = refused(text);
        assert!(err.contains(expected), "{text:?}: {err}");
    }
}

#[test]
fn a_value_of_the_wrong_type_is_named_by_its_path_and_not_echoed() {
    let pasted = "Abc-SUPERSECRET123_xyz0123456789abcdefGHIJ";
    let cases = [
        (
            "credentials:\n  - name: a\n    api_token_env: CF_A\n  - name: b\n    api_token_env: CF_A\n    max_requests_per_5m: many\n",
            "credentials[1].max_requests_per_5m: wrong type (string), expected u32",
        ),
        (
            &*format!("credentials:\n  - name: a\n    api_token_env: CF_A\n    accounts: {pasted}\n"),
            "credentials[0].accounts: wrong type (string), expected a sequence",
        ),
        ("credentials:\n  - api_token_env: CF_A\n", "credentials[0]: missing field `name`"),
        (
            "credentials:\n  - name: [a]\n    api_token_env: CF_A\n",
            "credentials[0].name: wrong type (sequence)",
        ),
    ];
    for (text, expected) in cases {
        let err = refused(text);
        assert!(err.contains(expected), "{text:?}: {err}");
        assert!(!err.contains(pasted), "{err}");
    }
}

#[test]
fn a_token_pasted_where_a_name_or_path_belongs_is_not_echoed() {
    let pasted = "Abc-SUPERSECRET123_xyz0123456789abcdefGHIJ";
    for key in ["api_token_env", "api_token_file"] {
        let err = parse(&format!("credentials:\n  - name: a\n    {key}: {pasted}\n")).unwrap_err();
        assert!(!err.contains(pasted) && err.contains(key), "{err}");
    }
    let err = refused("credentials:\n  - name: a\n    api_token_env: CF_MISSING\n");
    assert!(err.contains("CF_MISSING is not set"), "a real variable name is named: {err}");
    let err = refused("credentials:\n  - name: a\n    api_token_file: /run/secrets/cf-a\n");
    assert!(err.contains("/run/secrets/cf-a"), "a real path is named: {err}");
}

const METADATA: &str = "identity_provider_metadata:\n\
     \x20 - account: 0123456789abcdef0123456789abcdef\n\
     \x20   identity_provider: Example AD FS\n\
     \x20   url: https://adfs.example.com/FederationMetadata/2007-06/FederationMetadata.xml\n\
     \x20 - account: 0123456789ABCDEF0123456789ABCDEF\n\
     \x20   identity_provider: 1d7a0001-0000-4000-8000-000000000001\n\
     \x20   url: http://127.0.0.1:8080/metadata\n\
     \x20   entity_id: http://www.okta.com/exk1\n";

#[test]
fn a_file_may_hold_only_metadata_sources_and_then_credentials_come_from_elsewhere() {
    let file = parse_file(METADATA).unwrap();
    assert!(file.credentials.is_none());
    assert_eq!(file.metadata.len(), 2);
    assert_eq!(file.metadata[0].identity_provider, "Example AD FS");
    assert_eq!(file.metadata[0].entity_id, None);
    assert_eq!(file.metadata[1].account_id, "0123456789abcdef0123456789abcdef", "lower-cased");
    assert_eq!(file.metadata[1].entity_id.as_deref(), Some("http://www.okta.com/exk1"));
    assert_eq!(file.metadata[1].url.as_str(), "http://127.0.0.1:8080/metadata");
}

#[test]
fn a_file_may_hold_credentials_and_metadata_sources_together() {
    let text = format!("credentials:\n  - name: a\n    api_token_env: CF_A\n{METADATA}");
    let file = parse_file(&text).unwrap();
    assert_eq!(file.credentials.map(|c| c.len()), Some(1));
    assert_eq!(file.metadata.len(), 2);
}

#[test]
fn metadata_source_mistakes_name_the_entry_and_key() {
    let entry = |account: &str, idp: &str, url: &str| {
        format!(
            "identity_provider_metadata:\n  - account: {account}\n    identity_provider: {idp}\n    url: {url}\n"
        )
    };
    let good = "0123456789abcdef0123456789abcdef";
    for (text, expected) in [
        (entry("acme", "x", "https://idp.example/m"), "identity_provider_metadata[0].account"),
        (entry(good, "\"  \"", "https://idp.example/m"), "identity_provider_metadata[0].identity_provider"),
        (entry(good, "x", "http://idp.example/m"), "must be https"),
        (entry(good, "x", "ftp://idp.example/m"), "must be https"),
        (entry(good, "x", "not a url"), "identity_provider_metadata[0].url: not a URL"),
        (
            format!("{}    entity_id: \"\"\n", entry(good, "x", "https://idp.example/m")),
            "entity_id: is empty",
        ),
        (format!("{}    color: red\n", entry(good, "x", "https://idp.example/m")), "color"),
        (
            format!(
                "{}{}",
                entry(good, "x", "https://idp.example/m"),
                entry(good, "x", "https://idp.example/n").replace("identity_provider_metadata:\n", "")
            ),
            "listed twice",
        ),
        ("identity_provider_metadata: []\n".to_owned(), "neither credentials nor identity_provider_metadata"),
    ] {
        let err = parse_file(&text).err().unwrap_or_else(|| panic!("accepted:\n{text}"));
        assert!(err.contains(expected), "{expected:?} not in {err:?} for\n{text}");
    }
}

fn defaults(max_requests_per_5m: u32) -> CredentialDefaults {
    CredentialDefaults {
        max_requests_per_5m: NonZeroU32::new(max_requests_per_5m).unwrap(),
        applications: false,
    }
}

#[test]
fn a_credential_may_turn_the_applications_collector_on_or_off_for_itself() {
    let env = |_: &str| Some("token".to_owned());
    let text = "credentials:\n  - name: a\n    api_token_env: A\n    collector_applications: true\n  - name: b\n    api_token_env: B\n";
    let off = parse_config_file(text, Path::new("/nonexistent"), defaults(300), &env).unwrap();
    let on_by_flag = CredentialDefaults { applications: true, ..defaults(300) };
    let on = parse_config_file(text, Path::new("/nonexistent"), on_by_flag, &env).unwrap();
    let collects = |file: &ConfigFile| -> Vec<bool> {
        file.credentials.as_ref().unwrap().iter().map(|c| c.applications).collect()
    };
    assert_eq!(collects(&off), [true, false]);
    assert_eq!(collects(&on), [true, true]);
}
