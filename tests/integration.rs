//! The integration test binary: one link step, one module per topic.
//!
//! Run with `cargo test --test integration`.

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
// Alert rules, dashboard and the real Prometheus + Alertmanager.
mod oncall;
// The fault matrix against the real binary, with the token-leak check.
mod faults;
// TLS, mutual TLS, basic auth, scrape limits and slow clients.
mod security;
// Helm chart, systemd unit, Debian package and Dockerfile against real tools.
mod deploy;
// `encryption plan | create-set | rotate | pem` against the fake API.
mod encryption;
// The status page in headless Chromium.
mod browser;
// Scale: many accounts, a shared token's quota, shards, several credentials.
mod scale;
// Property tests: decoding, inventory, inspection and header parsers never panic.
mod properties;
