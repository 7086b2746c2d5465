//! Property tests of the pure code that reads what Cloudflare sends: the v4
//! list decoding and the inventory built from it (arbitrary bytes, arbitrary
//! JSON, envelopes of the right shape with wrong types, well-typed envelopes),
//! `/metrics` rendered from that inventory, certificate inspection (arbitrary
//! text, a real PEM and DER with random corruption), and the rate-limit header
//! parsers, and the `--web.config.file` loader. None of it may panic,
//! whatever arrives.

use std::sync::OnceLock;
use std::time::Duration;

use cloudflare_saml_exporter::cloudflare::rate_limit_headers::{
    parse_ratelimit_remaining, parse_retry_after,
};
use cloudflare_saml_exporter::cloudflare::wire::{CertificateSet, IdentityProvider, decode_list};
use cloudflare_saml_exporter::exposition::metrics::Metrics;
use cloudflare_saml_exporter::fake::mint::{KeyKind, MintedCertificate, mint_certificate};
use cloudflare_saml_exporter::model::inspect::{CertificateFacts, InspectError, inspect_der, inspect_pem};
use cloudflare_saml_exporter::model::inventory::AccountInventory;
use cloudflare_saml_exporter::model::state::ExporterState;
use cloudflare_saml_exporter::web::config_file::{WebConfigError, parse_web_config, web_security};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;
use serde_json::error::Category;
use sha2::{Digest, Sha256};

/// Cases per property: enough to shake out shapes, few enough for debug builds.
const CASES: u32 = 256;

const NOT_BEFORE: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
const NOT_AFTER: i64 = 1_798_761_600; // 2027-01-01T00:00:00Z

/// One real P-256 certificate, minted once for the whole binary.
fn minted() -> &'static MintedCertificate {
    static CERT: OnceLock<MintedCertificate> = OnceLock::new();
    CERT.get_or_init(|| mint_certificate("p", KeyKind::P256, NOT_BEFORE, NOT_AFTER).expect("mint"))
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

/// Keys the API's objects use, plus a few it does not.
const KEYS: &[&str] = &[
    "success",
    "errors",
    "messages",
    "result",
    "result_info",
    "code",
    "message",
    "page",
    "per_page",
    "count",
    "total_count",
    "total_pages",
    "uid",
    "id",
    "type",
    "name",
    "config",
    "enable_encryption",
    "saml_certificate_set_id",
    "updated_at",
    "current_certificate",
    "previous_certificate",
    "public_certificate",
    "not_after",
    "",
    "unknown",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(KEYS).prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

/// RFC 3339-ish times: valid ones, near misses and impossible dates.
fn time_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-6][0-9]:[0-6][0-9](\\.[0-9]{1,12})?(Z|z|[+-][0-2][0-9]:[0-5][0-9])",
        "[0-9 :TZ+.-]{0,30}",
        Just("2027-01-01T00:00:00Z".to_owned()),
        Just("9999-12-31T23:59:60Z".to_owned()),
        Just("soon".to_owned()),
    ]
}

const BEGIN: &str = "-----BEGIN CERTIFICATE-----\n";

/// PEM-ish text: the real certificate, pieces of it, bare markers, junk.
fn pem_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(minted().pem.clone()),
        1 => any::<Index>().prop_map(|at| {
            let pem = &minted().pem;
            pem[..at.index(pem.len() + 1)].to_owned()
        }),
        1 => "[A-Za-z0-9+/=\n]{0,80}".prop_map(|body| format!("{BEGIN}{body}\n-----END CERTIFICATE-----\n")),
        1 => Just(BEGIN.to_owned()),
        1 => any::<String>(),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z0-9-]{0,12}",
        1 => Just("saml".to_owned()),
        1 => Just(" ".to_owned()),
        2 => any::<String>(),
        1 => time_text(),
        1 => pem_text(),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        // Non-finite floats become null, as serde_json would write them.
        any::<f64>().prop_map(Value::from),
        text().prop_map(Value::String),
    ]
}

/// Any JSON value, with object keys drawn mostly from the API's own.
fn any_json() -> BoxedStrategy<Value> {
    leaf()
        .prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..6).prop_map(Value::Array),
                vec((key(), inner), 0..8).prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
        .boxed()
}

/// How faithfully an envelope follows the documented types.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// Every field has its documented type; required fields are present.
    WellTyped,
    /// Any field may be missing or hold a value of any type.
    Sloppy,
}

/// A field's value: right-typed, or under `Sloppy` sometimes anything at all.
fn typed(shape: Shape, good: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    match shape {
        Shape::WellTyped => good,
        Shape::Sloppy => prop_oneof![12 => good, 1 => any_json()].boxed(),
    }
}

/// `null` or a right-typed value (for the API's optional fields).
fn nullable(good: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    prop_oneof![1 => Just(Value::Null), 4 => good].boxed()
}

fn string(s: impl Strategy<Value = String> + 'static) -> BoxedStrategy<Value> {
    s.prop_map(Value::String).boxed()
}

/// An object of `fields`; required ones are always there unless `Sloppy`,
/// optional ones more often than not.
fn object(shape: Shape, fields: Vec<(&'static str, bool, BoxedStrategy<Value>)>) -> BoxedStrategy<Value> {
    let entries: Vec<BoxedStrategy<Option<(String, Value)>>> = fields
        .into_iter()
        .map(|(name, required, value)| {
            let value = typed(shape, value);
            let entry = value.prop_map(move |v| (name.to_owned(), v));
            match (required, shape) {
                (true, Shape::WellTyped) => entry.prop_map(Some).boxed(),
                (true, Shape::Sloppy) => proptest::option::weighted(0.95, entry).boxed(),
                (false, _) => proptest::option::weighted(0.6, entry).boxed(),
            }
        })
        .collect();
    entries.prop_map(|entries| Value::Object(entries.into_iter().flatten().collect())).boxed()
}

fn certificate(shape: Shape) -> BoxedStrategy<Value> {
    object(
        shape,
        vec![
            ("uid", false, nullable(string(text()))),
            ("public_certificate", false, nullable(string(pem_text()))),
            ("not_after", false, nullable(string(time_text()))),
        ],
    )
}

fn certificate_set(shape: Shape) -> BoxedStrategy<Value> {
    let set_uid = prop_oneof![3 => "set-[0-3]", 1 => text()];
    object(
        shape,
        vec![
            ("uid", true, string(set_uid)),
            ("updated_at", false, nullable(string(time_text()))),
            ("current_certificate", false, nullable(certificate(shape))),
            ("previous_certificate", false, nullable(certificate(shape))),
        ],
    )
}

fn identity_provider(shape: Shape) -> BoxedStrategy<Value> {
    let kind = prop_oneof![3 => Just("saml".to_owned()), 1 => Just("okta".to_owned()), 1 => text()];
    let set_id = prop_oneof![3 => "set-[0-4]", 1 => text()];
    let config = object(
        shape,
        vec![("enable_encryption", false, nullable(any::<bool>().prop_map(Value::Bool).boxed()))],
    );
    object(
        shape,
        vec![
            ("id", true, string(text())),
            ("type", true, string(kind)),
            ("name", false, nullable(string(text()))),
            ("config", false, nullable(config)),
            ("saml_certificate_set_id", false, nullable(string(set_id))),
        ],
    )
}

fn envelope(shape: Shape, item: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    let error = object(
        shape,
        vec![("code", true, any::<i64>().prop_map(Value::from).boxed()), ("message", false, string(text()))],
    );
    let count = || nullable(any::<u64>().prop_map(Value::from).boxed());
    let info = object(
        shape,
        vec![
            ("page", false, count()),
            ("per_page", false, count()),
            ("count", false, count()),
            ("total_count", false, count()),
            ("total_pages", false, count()),
        ],
    );
    object(
        shape,
        vec![
            ("success", true, any::<bool>().prop_map(Value::Bool).boxed()),
            ("errors", false, vec(error, 0..3).prop_map(Value::Array).boxed()),
            ("result", true, nullable(vec(item, 0..5).prop_map(Value::Array).boxed())),
            ("result_info", false, nullable(info)),
        ],
    )
}

/// Ways to damage a byte string.
#[derive(Debug, Clone)]
enum Corruption {
    Overwrite(Index, u8),
    Insert(Index, u8),
    Delete(Index, Index),
    Truncate(Index),
    Swap(Index, Index),
}

fn corruption() -> impl Strategy<Value = Corruption> {
    let byte = prop_oneof![
        3 => proptest::sample::select(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=".to_vec()),
        1 => proptest::sample::select(b"-\n\r \t.".to_vec()),
        1 => any::<u8>(),
    ];
    prop_oneof![
        (any::<Index>(), byte.clone()).prop_map(|(at, b)| Corruption::Overwrite(at, b)),
        (any::<Index>(), byte).prop_map(|(at, b)| Corruption::Insert(at, b)),
        (any::<Index>(), any::<Index>()).prop_map(|(at, len)| Corruption::Delete(at, len)),
        any::<Index>().prop_map(Corruption::Truncate),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Corruption::Swap(a, b)),
    ]
}

fn corrupt(original: &[u8], damage: &[Corruption]) -> Vec<u8> {
    let mut bytes = original.to_vec();
    for c in damage {
        let len = bytes.len();
        match c {
            Corruption::Overwrite(at, b) if len > 0 => bytes[at.index(len)] = *b,
            Corruption::Insert(at, b) => bytes.insert(at.index(len + 1), *b),
            Corruption::Delete(at, n) if len > 0 => {
                let start = at.index(len);
                let end = start + n.index(len - start + 1).min(16);
                bytes.drain(start..end);
            }
            Corruption::Truncate(at) => bytes.truncate(at.index(len + 1)),
            Corruption::Swap(a, b) if len > 0 => bytes.swap(a.index(len), b.index(len)),
            _ => {}
        }
    }
    bytes
}

// ---------------------------------------------------------------------------
// Checks shared by the properties
// ---------------------------------------------------------------------------

/// Decodes both lists, builds and renders whatever decoded. Returns the two
/// decode errors (if any) for the caller to judge.
fn decode_build_render(
    sets_body: &[u8],
    idps_body: &[u8],
) -> Result<(Option<serde_json::Error>, Option<serde_json::Error>), TestCaseError> {
    let (sets, sets_err) = match decode_list::<CertificateSet>(sets_body) {
        Ok(envelope) => (envelope.result.unwrap_or_default(), None),
        Err(err) => (Vec::new(), Some(err)),
    };
    let (idps, idps_err) = match decode_list::<IdentityProvider>(idps_body) {
        Ok(envelope) => (envelope.result.unwrap_or_default(), None),
        Err(err) => (Vec::new(), Some(err)),
    };
    let set_count = sets.len();
    let saml_count = idps.iter().filter(|i| i.is_saml()).count();
    let inventory = AccountInventory::build(sets, idps);
    prop_assert_eq!(inventory.sets.len(), set_count, "every set is kept");
    prop_assert_eq!(inventory.identity_providers.len(), saml_count, "every SAML IdP is kept");
    for set in &inventory.sets {
        prop_assert!(matches!(set.certificates.len(), 1 | 2), "{:?}", set);
    }
    render(inventory)?;
    Ok((sets_err, idps_err))
}

/// Renders one account's inventory as `/metrics` and checks the text is
/// UTF-8 with every line a comment or one of our samples.
fn render(inventory: AccountInventory) -> Result<String, TestCaseError> {
    let state = ExporterState::default();
    state.set_accounts(&["a".into()]);
    state.record_success("a", inventory, 0.1, 0.0);
    let body = Metrics::new().render(&state, 0.0);
    let text = String::from_utf8(body).map_err(|e| TestCaseError::fail(format!("not UTF-8: {e}")))?;
    for line in text.lines() {
        prop_assert!(
            line.starts_with("# ") || line.starts_with("cloudflare_access_saml_"),
            "stray line in /metrics: {:?}",
            line
        );
    }
    Ok(text)
}

/// Valid JSON fails to decode only because of its data: never an I/O error
/// or a premature end. (serde_json reports a struct written as an over-long
/// array, `"config": [null, null]`, as "trailing characters", a syntax error.)
fn valid_json_errors(errors: [Option<serde_json::Error>; 2]) -> Result<(), TestCaseError> {
    for err in errors.into_iter().flatten() {
        match err.classify() {
            Category::Data => {}
            Category::Syntax => prop_assert!(err.to_string().starts_with("trailing characters"), "{}", err),
            Category::Io | Category::Eof => prop_assert!(false, "{}", err),
        }
    }
    Ok(())
}

/// Every inspection failure is one of the four documented reasons.
fn is_documented(result: &Result<CertificateFacts, InspectError>) -> bool {
    match result {
        Ok(facts) => facts.sha256_fingerprint.len() == 64,
        Err(err) => ["missing", "no_certificate", "bad_pem", "bad_der"].contains(&err.reason()),
    }
}

/// YAML-ish text made of the web config's own keys and plausible values, so
/// the loader's validation (not only its YAML parser) gets exercised.
fn web_config_text() -> impl Strategy<Value = String> {
    const WEB_KEYS: &[&str] = &[
        "tls_server_config",
        "http_server_config",
        "basic_auth_users",
        "cert_file",
        "key_file",
        "client_auth_type",
        "client_ca_file",
        "min_version",
        "max_version",
        "headers",
        "http2",
        "X-Frame-Options",
        "Strict-Transport-Security",
        "prom",
    ];
    const WEB_VALUES: &[&str] = &[
        "",
        "TLS12",
        "TLS13",
        "TLS10",
        "RequireAndVerifyClientCert",
        "NoClientCert",
        "deny",
        "bogus",
        "true",
        "server.crt",
        "$2y$04$8f092IsPRhXMPOH1lavPeeEx6lko8CMcF46NNRalEcNkO3hF2UT3G",
        "$2y$99$8f092IsPRhXMPOH1lavPeeEx6lko8CMcF46NNRalEcNkO3hF2UT3G",
        "[a, b]",
        "{}",
    ];
    let line = (0..3usize, proptest::sample::select(WEB_KEYS), proptest::sample::select(WEB_VALUES))
        .prop_map(|(indent, key, value)| format!("{}{key}: {value}", "  ".repeat(indent)));
    vec(line, 0..8).prop_map(|lines| lines.join("\n"))
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn arbitrary_bytes_never_panic_the_decoders_the_inventory_or_the_rendering(
        bytes in vec(any::<u8>(), 0..1024),
    ) {
        decode_build_render(&bytes, &bytes)?;
    }

    #[test]
    fn arbitrary_json_values_either_decode_or_are_rejected_for_their_data(
        sets in any_json(),
        idps in any_json(),
    ) {
        let errors = decode_build_render(sets.to_string().as_bytes(), idps.to_string().as_bytes())?;
        valid_json_errors([errors.0, errors.1])?;
    }

    #[test]
    fn envelopes_of_the_right_shape_with_wrong_types_never_panic(
        sets in envelope(Shape::Sloppy, certificate_set(Shape::Sloppy)),
        idps in envelope(Shape::Sloppy, identity_provider(Shape::Sloppy)),
    ) {
        let errors = decode_build_render(sets.to_string().as_bytes(), idps.to_string().as_bytes())?;
        valid_json_errors([errors.0, errors.1])?;
    }

    #[test]
    fn well_typed_envelopes_always_decode_and_render(
        sets in envelope(Shape::WellTyped, certificate_set(Shape::WellTyped)),
        idps in envelope(Shape::WellTyped, identity_provider(Shape::WellTyped)),
    ) {
        let (sets_err, idps_err) =
            decode_build_render(sets.to_string().as_bytes(), idps.to_string().as_bytes())?;
        prop_assert!(sets_err.is_none(), "{:?} for {}", sets_err, sets);
        prop_assert!(idps_err.is_none(), "{:?} for {}", idps_err, idps);
    }

    #[test]
    fn inspecting_arbitrary_text_never_panics(text in prop_oneof![any::<String>(), pem_text()]) {
        prop_assert!(is_documented(&inspect_pem(&text)));
    }

    #[test]
    fn a_randomly_corrupted_real_pem_inspects_or_gives_a_documented_error(
        damage in vec(corruption(), 0..4),
    ) {
        let pem = &minted().pem;
        let text = String::from_utf8_lossy(&corrupt(pem.as_bytes(), &damage)).into_owned();
        let result = inspect_pem(&text);
        prop_assert!(is_documented(&result), "{:?}", result);
        if damage.is_empty() {
            let facts = result.expect("the untouched certificate parses");
            prop_assert_eq!((facts.not_before, facts.not_after), (NOT_BEFORE, NOT_AFTER));
        }
    }

    #[test]
    fn a_randomly_corrupted_real_der_inspects_with_its_own_fingerprint_or_fails_as_bad_der(
        damage in vec(corruption(), 1..4),
    ) {
        let der = corrupt(&minted().der, &damage);
        match inspect_der(&der) {
            Ok(facts) => prop_assert_eq!(facts.sha256_fingerprint, format!("{:x}", Sha256::digest(&der))),
            Err(err) => prop_assert_eq!(err, InspectError::BadDer),
        }
    }

    #[test]
    fn any_web_config_text_loads_or_is_refused_with_a_named_reason(
        text in prop_oneof![any::<String>(), web_config_text()],
    ) {
        let loaded = parse_web_config(&text)
            .and_then(|file| web_security(file, std::path::Path::new("/nonexistent/cse-properties")));
        if let Err(err) = loaded {
            let named = match &err {
                WebConfigError::Invalid { key, why } => !key.is_empty() && !why.is_empty(),
                WebConfigError::Syntax(why) => !why.is_empty(),
                WebConfigError::Read { .. } => false, // nothing here reads the config file
            };
            prop_assert!(named, "{:?}", err);
        }
    }

    #[test]
    fn the_rate_limit_header_parsers_never_panic_and_never_wait_more_than_a_day(text in any::<String>()) {
        if let Some(wait) = parse_retry_after(&text) {
            prop_assert!(wait <= Duration::from_secs(86_400));
        }
        let _ = parse_ratelimit_remaining(&text);
    }

    #[test]
    fn retry_after_in_whole_seconds_is_honoured_up_to_a_day(n in any::<u64>()) {
        prop_assert_eq!(parse_retry_after(&n.to_string()), Some(Duration::from_secs(n.min(86_400))));
        prop_assert_eq!(parse_retry_after(&format!(" {n}\t")), Some(Duration::from_secs(n.min(86_400))));
    }

    #[test]
    fn the_remaining_quota_is_the_r_parameter_wherever_it_stands(
        n in any::<u64>(),
        t in any::<u32>(),
        r_first in any::<bool>(),
    ) {
        let header = if r_first {
            format!("\"default\";r={n};t={t}")
        } else {
            format!("\"default\";t={t};r={n}")
        };
        prop_assert_eq!(parse_ratelimit_remaining(&header), Some(n));
    }
}
