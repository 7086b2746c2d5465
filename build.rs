//! Records the git revision for `cloudflare_access_saml_exporter_build_info`,
//! and renders `docs/runbook.md` to the HTML served at `/runbook`, with one
//! anchor per heading (GitHub's: lower case, spaces to `-`, other
//! punctuation dropped), so every alert's `runbook_url` anchor exists there.

use std::path::Path;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

fn main() {
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    println!("cargo:rerun-if-changed=docs/runbook.md");
    println!("cargo:rerun-if-env-changed=CLOUDFLARE_SAML_EXPORTER_REVISION");
    render_runbook();
    if std::env::var_os("CLOUDFLARE_SAML_EXPORTER_REVISION").is_some() {
        return;
    }
    let revision = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    if let Some(revision) = revision {
        println!("cargo:rustc-env=CLOUDFLARE_SAML_EXPORTER_REVISION={revision}");
    }
}

/// `docs/runbook.md` as HTML in `$OUT_DIR/runbook.html`.
fn render_runbook() {
    let markdown = std::fs::read_to_string("docs/runbook.md").expect("docs/runbook.md is readable");
    let mut events: Vec<Event<'_>> = Parser::new_ext(&markdown, Options::ENABLE_TABLES).collect();
    // Headings get GitHub's anchors: the text of each heading, slugged,
    // with -1, -2, ... for repeats.
    let mut seen = std::collections::HashMap::<String, usize>::new();
    let mut at = 0;
    while at < events.len() {
        if let Event::Start(Tag::Heading { level, .. }) = &events[at] {
            let level: HeadingLevel = *level;
            let mut text = String::new();
            let mut end = at + 1;
            while !matches!(events[end], Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[end] {
                    text.push_str(t);
                }
                end += 1;
            }
            let mut slug: String = text
                .to_lowercase()
                .chars()
                .filter_map(|c| match c {
                    ' ' => Some('-'),
                    c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                    _ => None,
                })
                .collect();
            let count = seen.entry(slug.clone()).or_insert(0);
            if *count > 0 {
                slug = format!("{slug}-{count}");
            }
            *count += 1;
            let tag = match level {
                HeadingLevel::H1 => "h1",
                HeadingLevel::H2 => "h2",
                HeadingLevel::H3 => "h3",
                HeadingLevel::H4 => "h4",
                HeadingLevel::H5 => "h5",
                HeadingLevel::H6 => "h6",
            };
            events[at] = Event::Html(format!("<{tag} id=\"{slug}\"><a href=\"#{slug}\">").into());
            events[end] = Event::Html(format!("</a></{tag}>\n").into());
            at = end;
        }
        at += 1;
    }
    let mut body = String::new();
    html::push_html(&mut body, events.into_iter());
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR is set")).join("runbook.html");
    std::fs::write(out, body).expect("OUT_DIR is writable");
}
