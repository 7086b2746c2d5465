//! Property tests of the pure code that reads what Cloudflare sends: the v4
//! list decoding and the inventory built from it (arbitrary bytes, arbitrary
//! JSON, envelopes of the right shape with wrong types, well-typed envelopes),
//! `/metrics` rendered from that inventory, certificate inspection (arbitrary
//! text, a real PEM and DER with random corruption), and the rate-limit header
//! parsers, and the `--web.config.file` loader. None of it may panic,
//! whatever arrives.

mod strategies;

use std::time::Duration;

use cloudflare_saml_exporter::cloudflare::rate_limit_headers::{
    MAX_WAIT, parse_ratelimit_remaining, parse_retry_after,
};
use cloudflare_saml_exporter::cloudflare::wire::{CertificateSet, IdentityProvider, decode_list};
use cloudflare_saml_exporter::counters::ExporterCounters;
use cloudflare_saml_exporter::exposition;
use cloudflare_saml_exporter::model::inspect::{CertificateFacts, InspectError, inspect_der, inspect_pem};
use cloudflare_saml_exporter::model::inventory::AccountInventory;
use cloudflare_saml_exporter::model::state::ExporterState;
use cloudflare_saml_exporter::web::config_file::{WebConfigError, parse_web_config, web_security};
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::Value;
use serde_json::error::Category;
use sha2::{Digest, Sha256};
use strategies::{
    NOT_AFTER, NOT_BEFORE, Shape, any_json, certificate_set, corrupt, corruption, envelope,
    identity_provider, minted, pem_text, web_config_text,
};

/// Cases per property: enough to shake out shapes, few enough for debug builds.
const CASES: u32 = 256;

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
    let has_id = |i: &&IdentityProvider| i.id.as_deref().is_some_and(|id| !id.trim().is_empty());
    let saml_count = idps.iter().filter(|i| i.is_saml()).filter(has_id).count();
    let skipped = idps.iter().filter(|i| i.is_saml()).count() - saml_count;
    let inventory = AccountInventory::build(sets, idps);
    prop_assert_eq!(inventory.sets.len(), set_count, "every set is kept");
    prop_assert_eq!(inventory.identity_providers.len(), saml_count, "every SAML IdP with an id is kept");
    let skip_warnings = inventory.warnings.iter().filter(|w| w.ends_with("has no id; skipped")).count();
    prop_assert_eq!(skip_warnings, skipped, "each SAML IdP without id is a warning");
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
    let body = exposition::metrics::render(&state, &ExporterCounters::new(), 0.0);
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

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn arbitrary_bytes_never_panic_the_decoders_the_inventory_or_the_rendering(
        bytes in vec(any::<u8>(), 0..1024),
    ) {
        let (sets_err, idps_err) = decode_build_render(&bytes, &bytes)?;
        // What is not JSON at all is refused as such, never as an I/O error.
        if serde_json::from_slice::<Value>(&bytes).is_err() {
            prop_assert!(sets_err.is_some() && idps_err.is_some(), "non-JSON decoded: {:?}", bytes);
        }
        for err in [sets_err, idps_err].into_iter().flatten() {
            prop_assert!(err.classify() != Category::Io, "{}", err);
            prop_assert!(!err.to_string().is_empty());
        }
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
    fn the_rate_limit_header_parsers_never_panic_and_never_wait_past_cloudflares_window(text in any::<String>()) {
        if let Some(wait) = parse_retry_after(&text) {
            prop_assert!(wait <= MAX_WAIT);
        }
        // A remaining quota is only ever read from an `r=` parameter that
        // holds its digits.
        if let Some(remaining) = parse_ratelimit_remaining(&text) {
            prop_assert!(text.contains("r=") && text.contains(&remaining.to_string()), "{} from {:?}", remaining, text);
        }
    }

    #[test]
    fn retry_after_in_whole_seconds_is_honoured_up_to_cloudflares_window(n in any::<u64>()) {
        prop_assert_eq!(parse_retry_after(&n.to_string()), Some(Duration::from_secs(n).min(MAX_WAIT)));
        prop_assert_eq!(parse_retry_after(&format!(" {n}\t")), Some(Duration::from_secs(n).min(MAX_WAIT)));
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
