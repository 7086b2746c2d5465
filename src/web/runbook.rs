//! The runbook at `/runbook`: `docs/runbook.md`, rendered to HTML when the
//! exporter is built (`build.rs`), so every alert's `runbook_url` can point
//! at the exporter itself and the anchors always match the rules shipped
//! with it. Static: one page, no script, nothing loaded from elsewhere.

use std::sync::OnceLock;

use bytes::Bytes;

/// The runbook's body, rendered at build time.
const BODY: &str = include_str!(concat!(env!("OUT_DIR"), "/runbook.html"));

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;margin:1.5em auto;max-width:60em;padding:0 1em;\
color:#1d1d1f;background:#fff}h1,h2,h3{line-height:1.25}h2{margin-top:2em;border-bottom:1px solid #ddd}\
h1 a,h2 a,h3 a,h4 a{color:inherit;text-decoration:none}code{font-family:ui-monospace,monospace;font-size:.92em;\
background:#f3f3f5;padding:.1em .3em;border-radius:3px}pre{background:#f3f3f5;padding:.8em;overflow-x:auto}\
pre code{padding:0}table{border-collapse:collapse}th,td{border:1px solid #ddd;padding:.3em .6em;text-align:left}\
:target{background:#fff1cc}";

/// The whole page, built once.
pub fn page() -> Bytes {
    static PAGE: OnceLock<Bytes> = OnceLock::new();
    PAGE.get_or_init(|| {
        Bytes::from(format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Runbook · cloudflare-saml-exporter</title>\n<style>{STYLE}</style></head>\n<body>\n\
             <p><a href=\"/\">Status page</a></p>\n{BODY}\n</body></html>\n"
        ))
    })
    .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_heading_has_its_github_anchor() {
        let page = String::from_utf8(page().to_vec()).unwrap();
        assert!(page.contains("id=\"cloudflaresamlcertificateexpired\""), "an alert's section");
        assert!(!page.contains("<script"), "no script");
    }
}
