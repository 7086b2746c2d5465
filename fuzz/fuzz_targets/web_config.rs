//! Fuzzes the `--web.config.file` loader: arbitrary text through the YAML
//! parser and, when it parses, through validation (headers, bcrypt hashes,
//! TLS settings; the TLS files it names are looked up in a directory that
//! does not exist). Every outcome must be a config or a `WebConfigError`.

#![no_main]

use std::path::Path;

use cloudflare_saml_exporter::web::config_file::{parse_web_config, web_security};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(file) = parse_web_config(&text) {
        let _ = web_security(file, Path::new("/nonexistent/cloudflare-saml-exporter-fuzz"));
    }
});
