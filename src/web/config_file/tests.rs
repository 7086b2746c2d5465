//! Unit tests of `config_file`.

use super::*;

#[test]
fn a_syntax_error_does_not_echo_the_file() {
    // The parser quotes the lines around the error, the hash's included.
    let hash = "$2y$10$abcdefghijklmnopqrstuvCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    let text = format!("basic_auth_users:\n  prometheus: {hash}\n  broken: [\n");
    let err = parse_web_config(&text).unwrap_err().to_string();
    assert!(!err.contains(hash) && !err.contains('\n'), "{err}");
    assert!(err.contains("line"), "says where: {err}");
}

#[test]
fn unknown_keys_and_headers_are_named() {
    let load = |text: &str| {
        web_security(parse_web_config(text).unwrap(), Path::new("/nonexistent")).unwrap_err().to_string()
    };
    let err = load("tls_server_config:\n  cert_fil: x\n");
    assert!(err.contains("cert_fil") && err.contains("not a known key"), "{err}");
    let err = load("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [x]\n");
    assert!(err.contains("cipher_suites") && err.contains("not supported"), "{err}");
    let err = load("rate_limit:\n  interval: 1s\n");
    assert!(err.contains("rate_limit") && err.contains("--web.max-requests"), "{err}");
    let err = parse_web_config("http_server_config:\n  header: {}\n").unwrap_err().to_string();
    assert!(err.contains("header"), "{err}");
    let err = headers([("Server".to_owned(), "x".to_owned())].into()).unwrap_err().to_string();
    assert!(err.contains("Server"), "{err}");
    let err = headers([("X-Frame-Options".to_owned(), "bogus".to_owned())].into()).unwrap_err().to_string();
    assert!(err.contains("bogus"), "{err}");
}

#[test]
fn tls_versions_and_client_auth_types_are_typed_values() {
    let parsed = parse_web_config("tls_server_config:\n  min_version: TLS13\n").unwrap();
    let tls = parsed.tls_server_config.unwrap();
    assert_eq!((tls.min_version, tls.max_version), (TlsVersion::Tls13, TlsVersion::Tls13));
    assert_eq!(tls.client_auth_type, ClientAuthType::NoClientCert);
    let err = parse_web_config("tls_server_config:\n  min_version: TLS10\n").unwrap_err().to_string();
    assert!(err.contains("TLS10") && err.contains("TLS12"), "names the value and the choices: {err}");
    let err =
        parse_web_config("tls_server_config:\n  client_auth_type: Sometimes\n").unwrap_err().to_string();
    assert!(err.contains("Sometimes") && err.contains("RequireAndVerifyClientCert"), "{err}");
}
