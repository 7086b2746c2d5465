//! The status page at `/` and its JSON twin `/status.json`: a timeline of
//! every dated certificate ([`render_timeline`]), the graded report `check`
//! prints (worst first, coloured by the alert thresholds) and the
//! exporter's health per account. Plain HTML, CSS and inline SVG, no
//! script, nothing loaded from elsewhere, every text from the API escaped;
//! the page's own Content-Security-Policy allows nothing but its stylesheet.
//!
//! Both are rendered together from one read of the state and cached like `/metrics`
//! ([`StatusCache`]): a request only builds the report when the state
//! changed or the last render is older than [`MAX_AGE`], so the failed
//! refresh counts in the health table can be up to that much behind.
//!
//! [`MAX_AGE`]: crate::web::render_cache::MAX_AGE

use crate::printable::printable;
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use data_encoding::BASE64;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::time::Instant;

use crate::clock::format_rfc3339;
use crate::clock::unix_now;
use crate::counters::ExporterCounters;
use crate::model::report::{CheckReport, Severity, Thresholds};
use crate::model::state::ExporterState;
use crate::web::render_cache::{RenderCache, Renderer, Rendering};

mod timeline;

pub use timeline::render_timeline;

/// How often the browser reloads the page, in seconds.
pub const RELOAD_SECONDS: u32 = 60;

/// The refresh health of one account.
#[derive(Debug, Clone, Serialize)]
pub struct AccountHealth {
    /// Account ID.
    pub account_id: String,
    /// `None` until the first refresh ended, then whether the last one succeeded.
    pub up: Option<bool>,
    /// Unix time of the last successful refresh.
    pub last_success: Option<f64>,
    /// How long the last refresh took, in seconds.
    pub last_duration: Option<f64>,
    /// Failed refreshes since the exporter started.
    pub errors: u64,
}

/// What the page shows, gathered at one instant.
#[derive(Debug, Clone)]
pub struct StatusView {
    /// The graded rows, as `check` would print them.
    pub report: CheckReport,
    /// One entry per watched account.
    pub health: Vec<AccountHealth>,
    /// Credentials waiting out a rate-limit answer, with when the wait
    /// ends (Unix seconds).
    pub waits: Vec<(String, f64)>,
    /// When it was gathered (Unix seconds).
    pub now: f64,
}

impl StatusView {
    /// Grades the state as of `now`. An account whose last refresh failed
    /// gets a critical row, as `check` gives one, and keeps its last good rows.
    pub fn gather(state: &ExporterState, counters: &ExporterCounters, now: f64) -> Self {
        let snapshot = state.snapshot();
        let accounts = &snapshot.accounts;
        let failures = accounts
            .iter()
            .filter(|(_, status)| status.attempted && !status.up)
            .map(|(id, status)| {
                let shown = if status.inventory.is_some() {
                    "the last refresh failed; its other rows are from the last successful one"
                } else {
                    "no refresh has succeeded yet"
                };
                (id.clone(), shown.to_owned())
            })
            .collect();
        let health = accounts
            .iter()
            .map(|(id, status)| AccountHealth {
                account_id: id.clone(),
                up: status.attempted.then_some(status.up),
                last_success: status.last_success,
                last_duration: status.last_duration,
                errors: counters.refresh_errors_of(id),
            })
            .collect();
        let report = CheckReport::build(failures, accounts, now, Thresholds::ALERTS)
            .with_metadata(&snapshot, now)
            .with_tokens(&counters.token_expiries(), now);
        let waits = counters.blocked_until().into_iter().filter(|(_, until)| *until > now).collect();
        Self { report, health, waits, now }
    }

    /// The report as `check --output json` prints it.
    pub fn json(&self) -> String {
        self.report.to_json()
    }

    /// The HTML page; `telemetry_path` is where `/metrics` is served.
    pub fn html(&self, telemetry_path: &str) -> String {
        let mut page = String::with_capacity(4096 + self.report.rows.len() * 400);
        let status = self.report.status;
        let _ = write!(
            page,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\
             <meta http-equiv=\"refresh\" content=\"{RELOAD_SECONDS}\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{} · Cloudflare Access SAML certificates</title>\n<style>{STYLE}</style></head>\n<body>\n\
             <h1>Cloudflare Access SAML certificates</h1>\n",
            content_security_policy(),
            status.label()
        );
        let _ = writeln!(
            page,
            "<p class=\"summary {}\">Status: <strong>{}</strong> · {} · as of {} · this page reloads every {RELOAD_SECONDS} s</p>",
            class(status),
            status.label(),
            counts(&self.report),
            format_rfc3339(self.now as i64)
        );
        self.timeline(&mut page);
        let _ = writeln!(
            page,
            "<p class=\"legend\">Critical: expired, or under {} days left · Warning: under {} days left \
             · Info: rotation hand-over or coverage gap</p>",
            Thresholds::ALERTS.crit_days,
            Thresholds::ALERTS.warn_days
        );
        for (credential, until) in &self.waits {
            let _ = writeln!(
                page,
                "<p class=\"summary warning\">Cloudflare's rate limit: credential <strong>{}</strong> calls the API \
                 again at {} (in {} s); its accounts keep their last values until then.</p>",
                escape(credential),
                format_rfc3339(*until as i64),
                (until - self.now).ceil() as u64
            );
        }
        self.rows(&mut page);
        self.health(&mut page);
        let metrics = escape(telemetry_path);
        let _ = write!(
            page,
            "<h2>Links</h2>\n<ul class=\"links\"><li><a href=\"{metrics}\">Metrics</a></li>\
             <li><a href=\"/status.json\">This report as JSON</a></li>\
             <li><a href=\"/runbook\">Runbook: what to do for each alert</a></li>\
             <li><a href=\"/-/healthy\">Health</a></li><li><a href=\"/-/ready\">Readiness</a></li></ul>\n\
             <footer>cloudflare-saml-exporter {}</footer>\n</body></html>\n",
            env!("CARGO_PKG_VERSION")
        );
        page
    }

    fn timeline(&self, page: &mut String) {
        let t = Thresholds::ALERTS;
        let _ = writeln!(
            page,
            "<figure class=\"timeline-figure\">{}<figcaption class=\"legend\">Timeline: a mark per dated \
             certificate, coloured like its row below (point at it for the row, click it to go there); the \
             bands are the alert thresholds (expired, under {} days, under {} days left). Crowded, the marks \
             become a bar per day, as tall as how many; those more than {} days away are counted on the \
             right.</figcaption></figure>",
            render_timeline(&self.report.rows, self.now),
            t.crit_days,
            t.warn_days,
            timeline::HORIZON_DAYS
        );
    }

    fn rows(&self, page: &mut String) {
        page.push_str("<h2>Certificates and identity providers</h2>\n");
        if self.report.rows.is_empty() {
            page.push_str("<p>No certificate sets or SAML identity providers known yet.</p>\n");
            return;
        }
        let with_applications = self.report.rows.iter().any(|r| r.applications.is_some());
        let applications_head = if with_applications { "<th>Applications</th>" } else { "" };
        let _ = writeln!(
            page,
            "<table class=\"report\"><thead><tr><th>Account</th><th>Set</th><th>Slot</th><th>IdPs</th>\
             <th>Not after</th><th>Days left</th><th>State</th>{applications_head}<th>Note</th></tr></thead><tbody>",
        );
        for (index, row) in self.report.rows.iter().enumerate() {
            let dash = |s: &str| if s.is_empty() { "-".to_owned() } else { escape(s) };
            let days = row.days_left.map_or_else(|| "-".to_owned(), |d| format!("{d:.1}"));
            let applications = if with_applications {
                format!("<td>{}</td>", dash(row.applications.as_deref().unwrap_or("")))
            } else {
                String::new()
            };
            // The same runbook section the alert for this row links to.
            let runbook = row.runbook_anchor().map_or(String::new(), |anchor| {
                format!(" <a class=\"runbook\" href=\"/runbook#{anchor}\">runbook</a>")
            });
            let _ = writeln!(
                page,
                "<tr class=\"{}\" id=\"row-{index}\"><td class=\"id\">{}</td><td class=\"id\">{}</td><td>{}</td><td>{}</td>\
                 <td class=\"date\">{}</td><td class=\"num\">{days}</td><td class=\"state\">{}</td>{applications}<td>{}{runbook}</td></tr>",
                class(row.state),
                account_cell(row.account_name.as_deref(), &row.account_id),
                dash(&row.certificate_set_uid),
                escape(&row.slot),
                dash(&row.identity_providers.join(", ")),
                dash(row.not_after.as_deref().unwrap_or("")),
                row.state.label(),
                escape(&row.note),
            );
        }
        page.push_str("</tbody></table>\n");
    }

    fn health(&self, page: &mut String) {
        page.push_str(
            "<h2>Exporter health</h2>\n<table class=\"health\"><thead><tr><th>Account</th><th>Up</th>\
             <th>Last success</th><th>Last refresh took</th><th>Failed refreshes</th></tr></thead><tbody>\n",
        );
        for account in &self.health {
            let (up_class, up) = match account.up {
                None => ("info", "pending"),
                Some(true) => ("ok", "yes"),
                Some(false) => ("critical", "no"),
            };
            let last_success = account.last_success.map_or_else(
                || "never".to_owned(),
                |t| format!("{} ({})", format_rfc3339(t as i64), ago(self.now - t)),
            );
            let took = account.last_duration.map_or_else(|| "-".to_owned(), |d| format!("{d:.2} s"));
            let _ = writeln!(
                page,
                "<tr><td class=\"id\">{}</td><td class=\"{up_class}\">{up}</td><td>{last_success}</td>\
                 <td class=\"num\">{took}</td><td class=\"num\">{}</td></tr>",
                escape(&account.account_id),
                account.errors
            );
        }
        page.push_str("</tbody></table>\n");
    }
}

/// The account's name with its ID beside it, or the ID alone.
fn account_cell(name: Option<&str>, account_id: &str) -> String {
    match name {
        Some(name) => format!("{}<br><span class=\"sub\">{}</span>", escape(name), escape(account_id)),
        None => escape(account_id),
    }
}

/// One render of `/` and `/status.json`, made from one read of the state.
#[derive(Debug)]
pub struct StatusPages {
    /// The state generation it shows (at least).
    pub generation: u64,
    /// When it was made (tokio's clock, so tests can advance it).
    pub made_at: Instant,
    /// The HTML page.
    pub html: Bytes,
    /// The report as JSON.
    pub json: Bytes,
}

impl StatusPages {
    /// Both pages for `state` and `counters` as of `now`; `telemetry_path`
    /// is where `/metrics` is served.
    pub fn render(
        state: &ExporterState,
        counters: &ExporterCounters,
        telemetry_path: &str,
        now: f64,
    ) -> Self {
        // The generation is read before the state: the pages are at least as new.
        let generation = state.generation();
        let started = std::time::Instant::now();
        let view = StatusView::gather(state, counters, now);
        let html = Bytes::from(view.html(telemetry_path));
        let json = Bytes::from(view.json());
        tracing::debug!(
            rows = view.report.rows.len(),
            html_bytes = html.len(),
            json_bytes = json.len(),
            render_ms = started.elapsed().as_secs_f64() * 1e3,
            "rendered the status page"
        );
        Self { generation, made_at: Instant::now(), html, json }
    }
}

impl Rendering for StatusPages {
    fn generation(&self) -> u64 {
        self.generation
    }

    fn made_at(&self) -> Instant {
        self.made_at
    }
}

/// The cached status pages of one state and its counters.
pub type StatusCache = RenderCache<StatusPages>;

/// An empty status page cache; the first request renders.
pub fn status_cache(
    state: Arc<ExporterState>,
    counters: Arc<ExporterCounters>,
    telemetry_path: String,
) -> StatusCache {
    let source = Arc::clone(&state);
    let renderer: Renderer<StatusPages> =
        Arc::new(move || StatusPages::render(&source, &counters, &telemetry_path, unix_now()));
    RenderCache::with_renderer(state, renderer)
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1d1d1f;background:#fff}\
h1{font-size:1.5em;margin:0 0 .4em}h2{font-size:1.15em;margin:1.6em 0 .5em}\
table{border-collapse:collapse;width:100%}th,td{padding:.3em .6em;text-align:left;vertical-align:top;\
border-bottom:1px solid #ddd}th{background:#f3f3f5;position:sticky;top:0}\
td.id{font-family:ui-monospace,monospace;font-size:.92em;white-space:nowrap}td.date{white-space:nowrap}td.num{text-align:right;font-variant-numeric:tabular-nums}\
td.state{font-weight:600}.sub{color:#666;font-size:.85em}.summary{padding:.5em .8em;border-radius:4px}.legend{color:#555}\
.critical{background:#fbe0de}tr.critical td.state,.summary.critical strong{color:#b3261e}\
.warning{background:#fff1cc}tr.warning td.state,.summary.warning strong{color:#8a5a00}\
.info{background:#e4effa}.ok{background:#e5f4e8}footer{margin-top:2em;color:#777}\
tr:target td{box-shadow:inset 0 2px #1d1d1f,inset 0 -2px #1d1d1f}\
.timeline-figure{margin:1em 0;overflow-x:auto}.timeline{display:block;width:100%;min-width:760px;height:auto;\
font:10px system-ui,sans-serif}.timeline text{fill:#333}.timeline .band.expired{fill:#f4c7c3}\
.timeline .band.critical{fill:#fbe0de}.timeline .band.warning{fill:#fff1cc}.timeline .band.ok{fill:#e5f4e8}\
.timeline .band.later{fill:#f3f3f5}.timeline .axis,.timeline .tick{stroke:#888}.timeline .grid{stroke:#fff;\
stroke-width:1.5}.timeline .today{stroke:#1d1d1f;stroke-width:2}.timeline .today-label,\
.timeline .later-count{font-weight:600}.timeline .later-count{font-size:12px}.timeline .dot{stroke:#fff;\
stroke-width:1}.timeline .dot.critical{fill:#b3261e}.timeline .dot.warning{fill:#d08c00}\
.timeline .dot.info{fill:#2f6fb0}.timeline .dot.ok{fill:#2e7d32}.timeline .count{font-size:8px}\
.timeline a:hover .dot,.timeline a:focus .dot{stroke:#1d1d1f;stroke-width:2}";

/// The page's Content-Security-Policy: nothing may load or run, and the
/// only style is the page's own stylesheet, by its hash; a `style`
/// attribute or an injected `<style>` would be refused.
fn content_security_policy() -> &'static str {
    static POLICY: OnceLock<String> = OnceLock::new();
    POLICY.get_or_init(|| {
        let hash = BASE64.encode(&Sha256::digest(STYLE.as_bytes()));
        format!("default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'")
    })
}

/// The CSS class of a severity.
fn class(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::Warning => "warning",
        Severity::Info => "info",
        Severity::Ok => "ok",
    }
}

fn counts(report: &CheckReport) -> String {
    let count = |s: Severity| report.rows.iter().filter(|r| r.state == s).count();
    format!(
        "{} critical, {} warning, {} info, {} ok",
        count(Severity::Critical),
        count(Severity::Warning),
        count(Severity::Info),
        count(Severity::Ok)
    )
}

fn ago(seconds: f64) -> String {
    let s = seconds.max(0.0) as u64;
    match s {
        0..60 => format!("{s} s ago"),
        60..3600 => format!("{} min ago", s / 60),
        3600..172_800 => format!("{} h ago", s / 3600),
        _ => format!("{} days ago", s / 86_400),
    }
}

/// Escapes text for HTML element content and quoted attribute values,
/// control characters included ([`printable`]).
pub fn escape(text: &str) -> String {
    let text = printable(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
