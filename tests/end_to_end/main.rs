//! The end-to-end test tier: the tests that drive external programs
//! (promtool, Prometheus, Alertmanager, Chromium, the test venv's Helm SDK and icalendar,
//! systemd-analyze, cargo-deb and dpkg-deb, Python) or wait minutes. It is
//! built only with the `end-to-end` feature:
//!
//! ```text
//! cargo test --features end-to-end --test end_to_end
//! ```
//!
//! `./scripts/install-test-tools.sh` installs every tool; a missing one fails
//! its test with the tool's name, never skips it. The fast tier,
//! `tests/integration.rs`, shares [`support`] and needs none of them: only
//! this tier has [`tools`].

// This tier uses only part of the shared support (its re-exports included);
// the fast tier, which uses nearly all of it, keeps the unused-code lints.
#[allow(dead_code, unused_imports)]
#[path = "../support/mod.rs"]
mod support;
mod tools;

// promtool on the alert rules and their unit tests; the demo's alerts through
// the real Prometheus and Alertmanager.
mod oncall;
// promtool on the demo's /metrics and on the example web config.
mod promtool;
// The status page and its timeline in headless Chromium, with screenshots.
mod browser;
// Helm chart, systemd unit and Debian package against real tools.
mod deploy;
// /calendar.ics through the icalendar package of the test venv.
mod calendar;
// 100 accounts on the default flags: about 140 s of waiting for the budget.
mod scale;
