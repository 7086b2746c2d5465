//! cloudflare-saml-exporter: a Prometheus exporter that keeps on-call ahead
//! of Cloudflare Access SAML encryption certificate expiry.
//!
//! Data flows one way, and the folders name the layers:
//!
//! - [`cloudflare`]: the API client: wire format, pages, credentials, budget, errors;
//! - [`model`]: certificate inspection, the per-account inventory, the shared state;
//! - [`refresh`]: reads accounts in the background and records them in the state;
//! - [`exposition`]: metric definitions and the `/metrics` rendering;
//! - [`web`]: the HTTP server, TLS and basic auth;
//! - [`commands`]: `serve`, `demo` and `check`, wired from a validated [`config`].

pub mod cli;
pub mod clock;
pub mod cloudflare;
pub mod commands;
pub mod config;
pub mod exposition;
pub mod locks;
pub mod model;
pub mod refresh;
pub mod shutdown;
pub mod telemetry;
pub mod web;

/// The source revision this binary was built from; `None` outside git
/// (then `build_info` has no `revision` label rather than a placeholder).
pub const REVISION: Option<&str> = option_env!("CLOUDFLARE_SAML_EXPORTER_REVISION");
