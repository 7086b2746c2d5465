//! cloudflare-saml-exporter: a Prometheus exporter that keeps on-call ahead
//! of Cloudflare Access SAML encryption certificate expiry.
//!
//! A background [`refresh`] walks every page of each account's SAML
//! certificate sets and identity providers ([`client`], [`pages`]), inspects
//! every certificate ([`inspect`]), builds an [`inventory`] and stores it in
//! the shared [`state`]; [`server`] renders it as [`metrics`] on each scrape.
//! [`fake`] is a fake Cloudflare API used by the `demo` command and the tests.

pub mod api;
pub mod app;
pub mod check;
pub mod cli;
pub mod client;
pub mod config;
pub mod credentials;
pub mod demo;
pub mod error;
pub mod fake;
pub mod inspect;
pub mod inventory;
pub mod metrics;
pub mod pages;
pub mod ratelimit;
pub mod refresh;
pub mod server;
pub mod shutdown;
pub mod state;
pub mod telemetry;
pub mod web_config;

/// The source revision this binary was built from; `None` outside git
/// (then `build_info` has no `revision` label rather than a placeholder).
pub const REVISION: Option<&str> = option_env!("CLOUDFLARE_SAML_EXPORTER_REVISION");
