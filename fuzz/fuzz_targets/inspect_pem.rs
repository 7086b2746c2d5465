//! Fuzzes certificate inspection: arbitrary bytes as PEM text (lossily
//! decoded as UTF-8) through `inspect_pem` and, as a pasted signing
//! certificate entry, through `parse_entry`, and as DER through `inspect_der`.
//! None may panic; every failure must be one of the documented errors.

#![no_main]

use cloudflare_saml_exporter::model::inspect::{inspect_der, inspect_pem};
use cloudflare_saml_exporter::model::signing::parse_entry;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = inspect_pem(&text);
    let _ = parse_entry(&text);
    let _ = inspect_der(data);
});
