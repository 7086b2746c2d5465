//! Unit tests of `credentials`.

use super::*;

#[cfg(unix)]
#[test]
fn a_token_file_readable_by_others_or_a_foreign_group_is_flagged() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("cse-perm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("token");
    std::fs::write(&path, "t").unwrap();
    let source = CredentialSource::TokenFile(path.clone());
    let flagged = |mode| {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        source.loosely_permitted_file().is_some()
    };
    // The test's own file belongs to its own group, as a Kubernetes secret
    // mounted for the pod's fsGroup does.
    let results = [flagged(0o600), flagged(0o640), flagged(0o440), flagged(0o604), flagged(0o644)];
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(results, [false, false, false, true, true]);
}

#[test]
fn debug_output_never_shows_the_secret() {
    let token = CredentialSource::Token(SecretString::from("tok-very-secret"));
    let key = CredentialSource::GlobalKey {
        email: "ops@example.com".into(),
        key: SecretString::from("key-very-secret"),
    };
    for shown in [format!("{token:?}"), format!("{key:?}"), format!("{:?}", token.load().unwrap())] {
        assert!(!shown.contains("very-secret"), "{shown}");
    }
}

#[test]
fn a_credential_no_header_can_carry_is_named_but_not_shown() {
    let key = CredentialSource::GlobalKey {
        email: "ops@example.com".into(),
        key: SecretString::from("key\u{7}very-secret"),
    };
    let err = key.load().unwrap_err().to_string();
    assert!(err.contains("CLOUDFLARE_API_KEY") && !err.contains("very-secret"), "{err}");
    let token = CredentialSource::Token(SecretString::from("tok\nvery-secret"));
    let err = token.load().unwrap_err().to_string();
    assert!(err.contains("CLOUDFLARE_API_TOKEN") && !err.contains("very-secret"), "{err}");
}

#[test]
fn a_token_file_is_trimmed_and_an_empty_one_refused() {
    let dir = std::env::temp_dir().join(format!("cse-cred-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("token");
    std::fs::write(&path, "  abc123\n").unwrap();
    let Auth::Bearer(token) = CredentialSource::TokenFile(path.clone()).load().unwrap() else {
        panic!("expected a bearer token");
    };
    assert_eq!(token.expose_secret(), "abc123");
    std::fs::write(&path, "\n").unwrap();
    let err = CredentialSource::TokenFile(path.clone()).load().unwrap_err();
    assert!(err.to_string().contains("is empty"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
