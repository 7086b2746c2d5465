//! The demo's status page in a real browser: Debian's `chromium`, headless,
//! dumps the DOM it rendered and takes a screenshot (kept under `target/`,
//! never in git) for people to look at.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use fake_cloudflare::demo_data::{ACCOUNT_B, sets};

use crate::support::Exporter;
use crate::support::TempDir;
use crate::tools::{run, tool};

const CHROMIUM: &str = "chromium";

/// Where the screenshot goes: cargo's scratch directory under `target/`.
fn screenshot_path() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("status-page.png")
}

/// Runs headless Chromium with a fresh profile and nothing that phones
/// home; fails clearly when Chromium is not installed.
fn chromium(args: &[&str], url: &str) -> Output {
    let mut command = tool(CHROMIUM, "Debian package `chromium`");
    // Removed when dropped, even when the run fails its deadline.
    let profile = TempDir::new("chromium");
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            // Containers often give /dev/shm only 64 MB, too little for a screenshot.
            "--disable-dev-shm-usage",
            "--window-size=1400,1100",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url);
    let out = run(&mut command);
    assert!(
        out.status.success(),
        "chromium {args:?} failed: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn chromium_shows_the_expired_certificate_of_the_demo_first() {
    let mut demo = Exporter::demo().spawn();
    demo.until_demo_complete().await;
    let page = demo.url("/");

    let dom = String::from_utf8(chromium(&["--dump-dom"], &page).stdout).expect("UTF-8 DOM");
    assert!(dom.contains("<title>CRITICAL · Cloudflare Access SAML certificates</title>"), "{dom}");
    assert!(!dom.contains("<script"), "no script: {dom}");
    let report = &dom[dom.find("<table class=\"report\">").expect("the report table")..];
    let first = report.split("<tr").nth(2).expect("a first row after the header"); // [0] before, [1] header
    for expected in
        ["class=\"critical\"", ACCOUNT_B, sets::EXPIRED, "Shibboleth (demo)", "CRITICAL", "expired"]
    {
        assert!(first.contains(expected), "the first row lacks {expected}: <tr{first}");
    }
    let health = &dom[dom.find("<table class=\"health\">").expect("the health table")..];
    assert_eq!(health.matches(">yes<").count(), 2, "both demo accounts up: {health}");

    let shot = screenshot_path();
    let _ = std::fs::remove_file(&shot);
    chromium(&[&format!("--screenshot={}", shot.display())], &page);
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", shot.display()));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000, "{} bytes", png.len());
    eprintln!("status page screenshot: {}", shot.display());
    demo.terminate(Duration::from_secs(10));
}
