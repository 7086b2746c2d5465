//! Unit tests of `error`.

use super::*;

#[test]
fn status_errors_map_to_stable_reasons() {
    let status = |status| ApiError::Status { endpoint: Endpoint::Accounts, status, errors: vec![] };
    assert_eq!(status(401).reason().label(), "token_invalid");
    assert_eq!(status(403).reason().label(), "forbidden");
    assert_eq!(status(404).reason().label(), "not_found");
    assert_eq!(status(502).reason().label(), "server_error");
    assert_eq!(status(400).reason().label(), "api_error");
    for reason in Reason::ALL {
        assert!(!reason.label().is_empty());
    }
}

#[test]
fn labels_are_the_published_ones_in_order() {
    let labels = Reason::ALL.map(Reason::label);
    assert_eq!(
        labels,
        [
            "rate_limited",
            "unauthorized",
            "forbidden",
            "not_found",
            "server_error",
            "timeout",
            "transport",
            "decode",
            "api_error",
            "token_invalid",
            "account_too_large",
        ]
    );
    assert_eq!(Reason::Forbidden.to_string(), "forbidden");
}

#[test]
fn all_lists_every_reason_once() {
    // Where each reason sits in ALL, in declaration order. No wildcard
    // arm: a new variant does not compile until it is given a place here,
    // which is the prompt to put it into ALL at that place.
    fn place(reason: Reason) -> usize {
        match reason {
            Reason::RateLimited => 0,
            Reason::Unauthorized => 1,
            Reason::Forbidden => 2,
            Reason::NotFound => 3,
            Reason::ServerError => 4,
            Reason::Timeout => 5,
            Reason::Transport => 6,
            Reason::Decode => 7,
            Reason::ApiError => 8,
            Reason::TokenInvalid => 9,
            Reason::AccountTooLarge => 10,
        }
    }
    for (index, reason) in Reason::ALL.into_iter().enumerate() {
        assert_eq!(place(reason), index, "{reason:?} is out of place in Reason::ALL");
        assert_eq!(reason as usize, index, "Reason::ALL is not in declaration order");
    }
}

#[test]
fn only_server_errors_timeouts_and_transport_failures_are_transient() {
    let transient: Vec<&str> =
        Reason::ALL.into_iter().filter(|r| r.is_transient()).map(Reason::label).collect();
    assert_eq!(transient, ["server_error", "timeout", "transport"]);
    let refresh = ApiError::RefreshTimeout { after: Duration::from_secs(30) };
    assert_eq!(refresh.reason(), Reason::Timeout);
    assert!(refresh.is_transient());
    assert_eq!(refresh.to_string(), "refresh: timed out after 30s");
}

#[test]
fn messages_carry_cloudflare_codes() {
    let err = ApiError::Status {
        endpoint: Endpoint::SamlCertificates,
        status: 403,
        errors: vec![ApiMessage { code: 10000, message: "Authentication error".into() }],
    };
    assert_eq!(err.to_string(), "saml_certificates: HTTP 403: 10000 Authentication error");
    assert_eq!(err.codes(), vec![10000]);
}

#[test]
fn a_403_says_whether_the_token_a_permission_or_the_account_is_at_fault() {
    let refused = |code: i64, message: &str| ApiError::Status {
        endpoint: Endpoint::CreateCertificateSet,
        status: 403,
        errors: vec![ApiMessage { code, message: message.to_owned() }],
    };
    assert_eq!(refused(9109, "Invalid access token").reason(), Reason::TokenInvalid);
    assert_eq!(refused(1000, "Invalid API Token").reason(), Reason::TokenInvalid);
    assert_eq!(refused(10000, "Authentication error").reason(), Reason::Forbidden);
    let feature = refused(12129, "SAML encryption not enabled for organization");
    assert_eq!(feature.reason(), Reason::Forbidden);
    assert!(feature.advice().unwrap().contains("not a permission"), "a feature, not a permission");
    assert!(refused(10000, "Authentication error").advice().unwrap().contains("lacks a permission"));
    let credentials = ApiError::Credentials { endpoint: Endpoint::Accounts, detail: "gone".into() };
    assert_eq!(credentials.reason(), Reason::Unauthorized, "no credentials loaded: nothing was refused");
}
