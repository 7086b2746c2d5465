//! Unit tests of `output`.

use super::*;

fn suggestions(config_file: &str, ca_file: Option<&str>, base_url: &str) -> Suggestions {
    Suggestions {
        base_url: Url::parse(base_url).unwrap(),
        config_file: PathBuf::from(config_file),
        ca_file: ca_file.map(PathBuf::from),
    }
}

#[test]
fn suggested_commands_work_as_printed() {
    let plain = suggestions("cfg.yml", None, crate::cli::DEFAULT_API_BASE_URL);
    assert_eq!(
        plain.sync("abc", "idp-1", "--apply"),
        "cloudflare-saml-exporter signing sync --account-id abc --identity-provider idp-1 --apply \
         --config.file cfg.yml"
    );
    assert_eq!(plain.plan(), "cloudflare-saml-exporter signing plan --config.file cfg.yml");
    let quoted = suggestions("/etc/my config's.yml", Some("/etc/ca.pem"), "http://127.0.0.1:8/client/v4");
    assert_eq!(
        quoted.plan(),
        "cloudflare-saml-exporter signing plan --config.file '/etc/my config'\\''s.yml' \
         --idp-metadata.ca-file /etc/ca.pem --api-base-url http://127.0.0.1:8/client/v4"
    );
}

#[test]
fn a_certificate_line_is_escaped() {
    let line = CertificateLine {
        subject: "CN=evil\u{1b}[2J".into(),
        not_after: "2030-01-01T00:00:00Z".into(),
        sha256_fingerprint: "ab".into(),
    };
    let text = line.text();
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.ends_with("expires 2030-01-01T00:00:00Z  sha256 ab"), "{text}");
    assert!(verify_advice(&[line]).contains("is ab ("));
}
