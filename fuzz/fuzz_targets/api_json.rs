//! Fuzzes the Cloudflare v4 list decoding and everything downstream of it:
//! arbitrary bytes go through `decode_list` for certificate sets and identity
//! providers, whatever decodes is built into an `AccountInventory` (which
//! inspects every PEM inside), and the inventory is rendered as `/metrics`.
//!
//! Input layout: the bytes before the first NUL are the certificate-set
//! response, the bytes after it the identity-provider response (NUL cannot
//! appear in valid JSON, so the split never hides a document). Without a NUL,
//! the whole input is offered to both decoders.

#![no_main]

use cloudflare_saml_exporter::cloudflare::wire::{CertificateSet, IdentityProvider, decode_list};
use cloudflare_saml_exporter::model::inventory::AccountInventory;
use cloudflare_saml_exporter::counters::ExporterCounters;
use cloudflare_saml_exporter::exposition::metrics::render;
use cloudflare_saml_exporter::model::state::ExporterState;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (sets_body, idps_body) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, data),
    };
    let sets = decode_list::<CertificateSet>(sets_body);
    let idps = decode_list::<IdentityProvider>(idps_body);
    if sets.is_err() && idps.is_err() {
        return;
    }
    // One side failing still leaves the other worth building and rendering.
    let sets = sets.map(|envelope| envelope.result.unwrap_or_default()).unwrap_or_default();
    let idps = idps.map(|envelope| envelope.result.unwrap_or_default()).unwrap_or_default();
    let set_count = sets.len();
    let inventory = AccountInventory::build(sets, idps);
    assert_eq!(inventory.sets.len(), set_count, "every set is kept");
    for set in &inventory.sets {
        assert!(
            matches!(set.certificates.len(), 1 | 2),
            "a set has a current and maybe a previous certificate"
        );
    }

    let state = ExporterState::default();
    state.set_accounts(&["a".into()]);
    state.record_success("a", inventory, 0.1, 0.0);
    let body = render(&state, &ExporterCounters::new(), 0.0);
    let text = std::str::from_utf8(&body).expect("/metrics is UTF-8");
    // Label values are escaped, so no value can break a sample onto a new line.
    for line in text.lines() {
        assert!(
            line.starts_with("# ") || line.starts_with("cloudflare_access_saml_"),
            "stray line in /metrics: {line:?}"
        );
    }
});
