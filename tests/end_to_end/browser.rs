//! The status page in a real browser: Debian's `chromium`, headless, dumps
//! the DOM it rendered and takes screenshots (kept under `target/`, never in
//! git) for people to look at: the demo's page, one certificate's and
//! 5,000 certificates'. The page's own Content-Security-Policy is in force:
//! Chromium's console log must not mention it.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use cloudflare_saml_exporter::clock::unix_now;
use fake_cloudflare::clock::rfc3339;
use fake_cloudflare::demo_data::{ACCOUNT_B, sets};
use fake_cloudflare::mint::{KeyKind, mint_certificate};
use fake_cloudflare::{FakeAccount, FakeCertificate, FakeSet};

use crate::support::{Exporter, TOKEN, TempDir, account, data, saml_idp, set_expiring_in, start_fake};
use crate::tools::{run, tool};

const CHROMIUM: &str = "chromium";

/// Where a screenshot goes: cargo's scratch directory under `target/`.
fn screenshot_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(name)
}

/// Runs headless Chromium with a fresh profile and nothing that phones
/// home, its console on stderr; fails clearly when Chromium is not
/// installed.
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
            // The console, CSP refusals included, on stderr.
            "--enable-logging=stderr",
            "--v=0",
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

/// The DOM Chromium rendered from `url`, once it checked that the page
/// carries its policy, runs no script and broke none of the policy.
fn rendered_dom(url: &str) -> String {
    let out = chromium(&["--dump-dom"], url);
    let dom = String::from_utf8(out.stdout).expect("UTF-8 DOM");
    assert!(dom.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-"
    ));
    assert!(!dom.contains("<script"), "no script: {dom}");
    let console = String::from_utf8_lossy(&out.stderr);
    let refused: Vec<&str> = console.lines().filter(|l| l.contains("Content Security Policy")).collect();
    assert!(refused.is_empty(), "the page broke its policy: {refused:#?}");
    dom
}

/// Screenshots `url` into `target/` as `name`.
fn screenshot(url: &str, name: &str) {
    let shot = screenshot_path(name);
    let _ = std::fs::remove_file(&shot);
    chromium(&[&format!("--screenshot={}", shot.display())], url);
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", shot.display()));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000, "{} bytes", png.len());
    eprintln!("status page screenshot: {}", shot.display());
}

/// The value of `name` in the start tag `tag`.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    tag[start..].split('"').next()
}

fn number(tag: &str, name: &str) -> f64 {
    attribute(tag, name).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("no number {name} in <{tag}>"))
}

/// The timeline as drawn: its start tags (without `<`), by what they are.
struct Timeline<'a> {
    tags: Vec<&'a str>,
}

impl<'a> Timeline<'a> {
    fn of(dom: &'a str) -> Self {
        let start = dom.find("<svg class=\"timeline\"").expect("the timeline");
        let end = start + dom[start..].find("</svg>").expect("its end");
        let tags = dom[start..end].split('<').filter_map(|t| t.split('>').next()).collect();
        Self { tags }
    }

    fn today(&self) -> f64 {
        let line = self.tags.iter().find(|t| t.starts_with("line class=\"today\"")).expect("today's line");
        number(line, "data-x")
    }

    fn band(&self, name: &str) -> (f64, f64) {
        let rect =
            self.tags.iter().find(|t| t.starts_with(&format!("rect class=\"band {name}\""))).expect(name);
        (number(rect, "x"), number(rect, "x") + number(rect, "width"))
    }

    fn marks(&self) -> Vec<&'a str> {
        self.tags.iter().copied().filter(|t| t.starts_with("a ") && t.contains("class=\"mark\"")).collect()
    }

    /// The x of the mark linking to the table row `id`.
    fn x_of(&self, id: &str) -> f64 {
        let href = format!("href=\"#{id}\"");
        let mark = self
            .marks()
            .into_iter()
            .find(|t| t.contains(&href))
            .unwrap_or_else(|| panic!("no mark for {id}"));
        number(mark, "data-x")
    }

    /// Items drawn (marks may stand for several) and counted as later.
    fn counted(&self) -> f64 {
        let drawn: f64 = self.marks().iter().map(|t| number(t, "data-count")).sum();
        let later = self.tags.iter().find(|t| t.starts_with("a ") && t.contains("class=\"later\""));
        drawn + later.map_or(0.0, |t| number(t, "data-count"))
    }
}

/// The `id` of the first table row containing every one of `parts`.
fn row_id<'a>(dom: &'a str, parts: &[&str]) -> &'a str {
    let table = &dom[dom.find("<table class=\"report\">").expect("the report table")..];
    let row = table.split("<tr").find(|r| parts.iter().all(|p| r.contains(p))).expect("the row");
    attribute(row, "id").expect("an id")
}

#[tokio::test(flavor = "multi_thread")]
async fn chromium_shows_the_expired_certificate_of_the_demo_first_and_on_the_timeline() {
    let mut demo = Exporter::demo().spawn();
    demo.until_demo_complete().await;
    let page = demo.url("/");

    let dom = rendered_dom(&page);
    assert!(dom.contains("<title>CRITICAL · Cloudflare Access SAML certificates</title>"), "{dom}");
    let report = &dom[dom.find("<table class=\"report\">").expect("the report table")..];
    let first = report.split("<tr").nth(2).expect("a first row after the header"); // [0] before, [1] header
    for expected in
        ["class=\"critical\"", ACCOUNT_B, sets::EXPIRED, "Shibboleth (demo)", "CRITICAL", "expired"]
    {
        assert!(first.contains(expected), "the first row lacks {expected}: <tr{first}");
    }
    let health = &dom[dom.find("<table class=\"health\">").expect("the health table")..];
    assert_eq!(health.matches(">yes<").count(), 2, "both demo accounts up: {health}");

    let timeline = Timeline::of(&dom);
    let today = timeline.today();
    let expired = timeline.x_of(row_id(&dom, &[sets::EXPIRED, "<td>current</td>"]));
    assert!(expired < today, "the expired certificate at x {expired}, today at {today}");
    let (from, to) = timeline.band("warning");
    let overdue = timeline.x_of(row_id(&dom, &[sets::OVERDUE, "<td>current</td>"]));
    assert!(from < overdue && overdue < to, "the 20-day certificate at x {overdue}, warning {from}..{to}");
    // OneLogin's signing certificate with 5 days left (its 2-day sibling is superseded).
    let (from, to) = timeline.band("critical");
    let five = timeline.x_of(row_id(&dom, &["OneLogin (demo)", "<td>signing</td>", "class=\"critical\""]));
    assert!(from < five && five < to, "the 5-day certificate at x {five}, critical {from}..{to}");

    screenshot(&page, "status-page.png");
    demo.terminate(Duration::from_secs(10));
}

/// `serve` against the fake with `accounts` (discovered), its budget roomy
/// enough to read them at once; the status page once every account is read.
async fn serve_status_page(accounts: Vec<FakeAccount>, expected_rows: usize, name: &str) -> String {
    let fake = start_fake(data(accounts)).await;
    // One read, then quiet while Chromium renders: `serve()` refreshes every 300 ms.
    let api = fake.base_url();
    let exporter = Exporter::serve_exactly([
        "--web.listen-address",
        "127.0.0.1:0",
        "--api-base-url",
        &api,
        "--refresh-interval",
        "5m",
        "--cloudflare.max-requests-per-5m",
        "3000",
    ])
    .token(TOKEN)
    .spawn();
    exporter.until_ready().await;
    let page = exporter.url("/");
    let dom = rendered_dom(&page);
    let last = format!(" id=\"row-{}\"", expected_rows - 1);
    assert!(
        dom.contains(&last) && !dom.contains(&format!(" id=\"row-{expected_rows}\"")),
        "{expected_rows} rows"
    );
    screenshot(&page, name);
    fake.stop().await;
    dom
}

#[tokio::test(flavor = "multi_thread")]
async fn one_certificate_is_one_mark_in_its_band() {
    let accounts = vec![account(
        "acc10000000000000000000000000000",
        vec![set_expiring_in("set-one", 20)],
        vec![saml_idp("idp-one", Some("set-one"))],
    )];
    let dom = serve_status_page(accounts, 1, "status-page-1-certificate.png").await;
    let timeline = Timeline::of(&dom);
    assert_eq!(timeline.marks().len(), 1);
    let (from, to) = timeline.band("warning");
    let x = timeline.x_of("row-0");
    assert!(from < x && x < to, "20 days at x {x}, warning {from}..{to}");
}

#[tokio::test(flavor = "multi_thread")]
async fn five_thousand_certificates_are_grouped_by_day() {
    // 100 expiries from 20 days ago to 400 ahead, shared by 50 accounts of 100 sets.
    let expiries: Vec<_> = (0..100).map(|i| set_expired_or_not(i * 42 / 10 - 20)).collect();
    let accounts = (0..50)
        .map(|a| {
            let id = format!("acc5{a:028}");
            let (sets, idps) = (0..100)
                .map(|s| {
                    let mut set = expiries[(a * 100 + s * 7) % 100].clone();
                    set.uid = format!("set-{a}-{s}");
                    let idp = saml_idp(&format!("idp-{a}-{s}"), Some(&set.uid));
                    (set, idp)
                })
                .unzip();
            account(&id, sets, idps)
        })
        .collect();
    let dom = serve_status_page(accounts, 5_000, "status-page-5000-certificates.png").await;
    let timeline = Timeline::of(&dom);
    let marks = timeline.marks().len();
    assert!((2..=200).contains(&marks), "one mark per day at most: {marks}");
    assert_eq!(timeline.counted(), 5_000.0, "every certificate drawn or counted");
}

/// A set whose current certificate expires in `days` days (ago, when
/// negative), issued a year before.
fn set_expired_or_not(days: i64) -> FakeSet {
    let now = unix_now() as i64;
    let minted =
        mint_certificate("test", KeyKind::P256, now - 365 * 86_400, now + days * 86_400).expect("mint");
    FakeSet {
        uid: "template".to_owned(),
        created_at: rfc3339(now - 400 * 86_400),
        updated_at: rfc3339(now - 3_600),
        current: Some(FakeCertificate {
            uid: format!("cert-{days}"),
            pem: minted.pem,
            not_after: rfc3339(minted.not_after),
        }),
        previous: None,
    }
}
