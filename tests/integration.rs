//! The integration test binary, the fast tier: one link step, one module
//! per topic, no external program and no long wait. Run with
//! `cargo test --test integration` (plain `cargo test` runs it too).
//!
//! What needs a tool (promtool, Prometheus, Chromium, Helm, systemd,
//! cargo-deb) or minutes of waiting is in the end-to-end tier,
//! `tests/end_to_end/main.rs`, behind the `end-to-end` feature.

mod support;

// Certificate inspection against real rcgen certificates.
mod inspection;
// Page walking through the real client against the fake API.
mod pagination;
// Refresh semantics, readiness and serving, in process.
mod exporter;
// --state.file: a restart during an outage, a corrupt file.
mod state_file;
// The built binary: demo, check, configuration errors, signals.
mod binary;
// Alert rules and dashboard, read and checked against the demo's scrape.
mod oncall;
// The fault matrix against the real binary, with the token-leak check.
mod faults;
// TLS, mutual TLS, basic auth, scrape limits and slow clients.
mod security;
// Helm chart values, runbook URLs and the Dockerfile, read as files.
mod deploy;
// `encryption plan | create-set | rotate | pem` against the fake API.
mod encryption;
// `signing plan | sync` against the fake API and the fake IdP metadata host.
mod signing;
// Scale: many accounts, a shared token's quota, shards, several credentials.
mod scale;
// Hostile inputs: each attack reproduced, its bound asserted.
mod hostile;
// IdP metadata against Cloudflare: drift states, conditional requests, hostile documents.
mod idp_metadata;
// The applications collector: blast radius, SaaS certificates, a refused list.
mod applications;
// /calendar.ics and `check --output ics` against the demo.
mod calendar;
// Property tests: decoding, inventory, inspection and header parsers never panic.
mod properties;
