//! Fuzzes reading an identity provider's SAML metadata: arbitrary bytes
//! through `idp_metadata::signing_certificates`, with no entityID and with
//! one the seeds use. It must never panic, and every failure must carry one
//! of the documented reasons.

#![no_main]

use cloudflare_saml_exporter::model::idp_metadata::{REASONS, signing_certificates};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for entity_id in [None, Some("https://idp.example.org/idp/shibboleth")] {
        match signing_certificates(data, entity_id) {
            Ok(found) => assert!(!found.certificates.is_empty()),
            Err(error) => assert!(REASONS.contains(&error.reason())),
        }
    }
});
