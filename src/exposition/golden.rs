//! The golden test of the exposition: a fixed state rendered at a fixed time
//! must give exactly the committed text, so refactoring the renderer cannot
//! change a byte of `/metrics` unnoticed.

use serde_json::json;

use crate::cloudflare::error::Reason;
use crate::cloudflare::wire as api;
use crate::counters::ExporterCounters;
use crate::exposition::metrics::render;
use crate::model::inventory::AccountInventory;
use crate::model::state::ExporterState;

const GOLDEN_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/exposition/golden.txt");
const GOLDEN: &str = include_str!("../../tests/fixtures/exposition/golden.txt");
const RSA_CURRENT: &str = include_str!("../../tests/fixtures/exposition/rsa2048-current.pem");
const P256_PREVIOUS: &str = include_str!("../../tests/fixtures/exposition/p256-previous.pem");
const ED25519_CURRENT: &str = include_str!("../../tests/fixtures/exposition/ed25519-current.pem");
/// Stands for the build-info labels, which change with every commit.
const BUILD_LABELS: &str = "@BUILD_LABELS@";
/// A scrape time with a fraction, so `days_until_expiry` is not whole.
const NOW: f64 = 1_760_000_000.25;

/// Account with two sets, a broken certificate, a set without certificate,
/// and SAML IdPs that use a set, have none, or name a set that is gone; one
/// IdP rolls its signing certificate over (PEM, CRLF PEM, the same one again
/// as bare base64, and two unreadable entries); its last refresh failed after
/// an earlier success.
const FLAKY: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
/// Account whose only refresh succeeded.
const STEADY: &str = "1f2e3d4c5b6a79880716253443526170";
/// Account whose first refresh has not finished.
const FRESH: &str = "2222222222222222aaaaaaaaaaaaaaaa";

/// The base64 body of a PEM, without armor; `line_end` joins its lines.
fn bare_base64(pem: &str, line_end: &str) -> String {
    pem.lines().filter(|l| !l.starts_with("-----")).collect::<Vec<_>>().join(line_end)
}

fn flaky_inventory() -> AccountInventory {
    let sets: Vec<api::CertificateSet> = serde_json::from_value(json!([
        {"uid": "set-rotating", "updated_at": "2024-03-21T10:30:00Z",
         "current_certificate": {"uid": "cert-current", "public_certificate": RSA_CURRENT,
                                 "not_after": "2027-01-15T08:00:00Z"},
         // The API's not_after is an hour off the PEM's: a mismatch.
         "previous_certificate": {"uid": "cert-previous", "public_certificate": P256_PREVIOUS,
                                  "not_after": "2025-10-09T09:53:20Z"}},
        {"uid": "set-broken", "updated_at": "yesterday",
         "current_certificate": {"uid": "cert-broken", "public_certificate": "not a certificate",
                                 "not_after": "2026-06-01T00:00:00Z"}},
        {"uid": "set-empty", "updated_at": "2025-01-02T03:04:05Z"}
    ]))
    .expect("fixture sets decode");
    let idps: Vec<api::IdentityProvider> = serde_json::from_value(json!([
        {"id": "idp-uses-set", "name": "Okta \"prod\" \\ EU", "type": "saml",
         "saml_certificate_set_id": "set-rotating", "config": {"enable_encryption": true,
         "idp_public_certs": [P256_PREVIOUS, RSA_CURRENT.replace('\n', "\r\n"),
                              bare_base64(RSA_CURRENT, ""), "not a certificate!", null]}},
        {"id": "idp-no-set", "name": "", "type": "saml",
         "config": {"idp_public_certs": [bare_base64(ED25519_CURRENT, "\n")]}},
        {"id": "idp-dangling", "name": "dangling\nsecond line", "type": "saml",
         "saml_certificate_set_id": "set-gone", "config": {"enable_encryption": true}},
        {"id": "idp-oidc", "name": "not saml", "type": "okta",
         "config": {"client_id": "x", "idp_public_certs": [RSA_CURRENT]}}
    ]))
    .expect("fixture identity providers decode");
    AccountInventory::build(sets, idps)
}

fn steady_inventory() -> AccountInventory {
    let sets: Vec<api::CertificateSet> = serde_json::from_value(json!([
        {"uid": "set-plain", "updated_at": "2024-12-31T23:59:59Z",
         "current_certificate": {"public_certificate": ED25519_CURRENT}}
    ]))
    .expect("fixture sets decode");
    let idps: Vec<api::IdentityProvider> = serde_json::from_value(json!([
        {"id": "idp-plain", "name": "Azure", "type": "saml",
         "saml_certificate_set_id": "set-plain", "config": {"enable_encryption": false,
         "idp_public_certs": [format!("{P256_PREVIOUS}{ED25519_CURRENT}")]}}
    ]))
    .expect("fixture identity providers decode");
    AccountInventory::build(sets, idps)
}

fn fixed_exposition() -> String {
    let state = ExporterState::default();
    state.set_accounts(&[FLAKY.to_owned(), STEADY.to_owned(), FRESH.to_owned()]);
    state.record_success(FLAKY, flaky_inventory(), 1.5, 1_759_999_000.0);
    state.record_failure(FLAKY, 30.125);
    state.record_success(STEADY, steady_inventory(), 0.75, 1_759_999_900.5);

    let counters = ExporterCounters::new();
    for account in [FLAKY, STEADY, FRESH] {
        counters.init_account(account, Reason::ALL.map(Reason::label));
    }
    counters.record_refresh_error(FLAKY, Reason::Timeout.label());
    counters.record_refresh_error(FLAKY, Reason::Timeout.label());
    counters.record_api_request("saml_certificates", "200");
    counters.record_api_request("saml_certificates", "200");
    counters.record_api_request("identity_providers", "200");
    counters.record_api_request("identity_providers", "error");
    counters.set_rate_limit_remaining("default", 1187);
    counters.set_rate_limit_remaining("tenant-b", 12);
    counters.set_refresh_cycle("default", 300.0);
    counters.set_refresh_cycle("tenant-b", 2000.0);
    counters.set_shard(1, 3);
    String::from_utf8(render(&state, &counters, NOW)).expect("exposition is UTF-8")
}

/// The build-info labels of this build, as the renderer writes them.
fn build_labels() -> String {
    let version = format!("version=\"{}\"", env!("CARGO_PKG_VERSION"));
    match crate::REVISION {
        Some(revision) => format!("{version},revision=\"{revision}\""),
        None => version,
    }
}

#[test]
fn a_fixed_state_renders_exactly_the_golden_exposition() {
    let rendered = fixed_exposition();
    let labels = build_labels();
    assert!(rendered.contains(&format!("{{{labels}}}")), "build info labels not as expected:\n{rendered}");
    if std::env::var_os("UPDATE_EXPOSITION_GOLDEN").is_some() {
        std::fs::write(GOLDEN_PATH, rendered.replace(&labels, BUILD_LABELS)).expect("golden file written");
        return;
    }
    let expected = GOLDEN.replace(BUILD_LABELS, &labels);
    if rendered != expected {
        let first_difference = rendered
            .lines()
            .zip(expected.lines())
            .position(|(got, want)| got != want)
            .unwrap_or_else(|| rendered.lines().count().min(expected.lines().count()));
        panic!(
            "exposition differs from {GOLDEN_PATH} from line {}:\n--- got\n{rendered}\n--- want\n{expected}",
            first_difference + 1
        );
    }
}
