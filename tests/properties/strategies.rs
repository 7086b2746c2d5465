//! What the properties draw from: a real certificate minted once, JSON
//! shaped like (or unlike) Cloudflare's v4 lists, PEM-ish and time-ish text,
//! byte corruptions, and web config text built from its own keys.

use std::sync::OnceLock;

use fake_cloudflare::mint::{KeyKind, MintedCertificate, mint_certificate};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

pub const NOT_BEFORE: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
pub const NOT_AFTER: i64 = 1_798_761_600; // 2027-01-01T00:00:00Z

/// One real P-256 certificate, minted once for the whole binary.
pub fn minted() -> &'static MintedCertificate {
    static CERT: OnceLock<MintedCertificate> = OnceLock::new();
    CERT.get_or_init(|| mint_certificate("p", KeyKind::P256, NOT_BEFORE, NOT_AFTER).expect("mint"))
}

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
pub fn pem_text() -> impl Strategy<Value = String> {
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
pub fn any_json() -> BoxedStrategy<Value> {
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
pub enum Shape {
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

pub fn certificate_set(shape: Shape) -> BoxedStrategy<Value> {
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

pub fn identity_provider(shape: Shape) -> BoxedStrategy<Value> {
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

pub fn envelope(shape: Shape, item: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
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
pub enum Corruption {
    Overwrite(Index, u8),
    Insert(Index, u8),
    Delete(Index, Index),
    Truncate(Index),
    Swap(Index, Index),
}

pub fn corruption() -> impl Strategy<Value = Corruption> {
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

pub fn corrupt(original: &[u8], damage: &[Corruption]) -> Vec<u8> {
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

/// YAML-ish text made of the web config's own keys and plausible values, so
/// the loader's validation (not only its YAML parser) gets exercised.
pub fn web_config_text() -> impl Strategy<Value = String> {
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
