//! cloudflare-saml-exporter: a Prometheus exporter that keeps on-call ahead
//! of Cloudflare Access SAML encryption certificate expiry.
//!
//! Data flows one way: the API ([`cloudflare`]) gives pages, the pages
//! become each account's inventory ([`model`]), the [`refresh`] records the
//! inventories in the state, [`exposition`] turns the state into text, and
//! [`web`] serves the bytes. [`commands`] wires everything. The folders
//! name the layers:
//!
//! - [`cloudflare`]: the API client: wire format, pages, credentials, budget, errors;
//! - [`model`]: certificate inspection, the per-account inventory, the shared state;
//! - [`idp`]: fetching the identity providers' own SAML metadata, in the background;
//! - [`refresh`]: reads accounts in the background and records them in the state;
//! - [`exposition`]: metric definitions and the `/metrics` rendering;
//! - [`web`]: the HTTP server, TLS and basic auth;
//! - [`commands`]: `serve`, `demo`, `check` and `encryption`, wired from a validated [`config`];
//! - [`counters`]: the exporter's own counters, written by the client and the
//!   refresh, read by the exposition and the status page;
//! - [`cli`]: the command line; [`telemetry`]: logging; [`clock`], [`locks`],
//!   [`printable`] and [`shutdown`]: time, locks, text safe to show and the
//!   shutdown signal for every layer;
//! - [`operator_file`]: reading a file the operator named, bounded and only
//!   if it is a regular file;
//!
//! The fake Cloudflare API of the demo and the tests is its own crate,
//! `crates/fake-cloudflare`, behind the default `demo` feature.
//!
//! Each folder (or single-file module) uses only the modules of its row,
//! and its `mod.rs` says the same in a "May use:" line. Test code (every
//! module declared under `#[cfg(test)]`, such as each `tests.rs`) may also
//! use the last column. The `layering` unit test holds the same matrix as data, reads
//! every `crate::` path under `src/` (code and doc comments) and fails on
//! any other edge, naming the file and line.
//!
//! | module | may use | its tests may also use |
//! |---|---|---|
//! | `clock` | nothing | |
//! | `printable` | nothing | |
//! | `locks` | nothing | |
//! | `shutdown` | nothing | |
//! | `operator_file` | nothing | |
//! | `counters` | `locks` | |
//! | `cloudflare` | `counters`, `locks`, `operator_file`, `printable` | |
//! | `model` | `clock`, `cloudflare`, `locks`, `printable` | |
//! | `idp` | `clock`, `counters`, `model`, `printable`, `shutdown` | |
//! | `refresh` | `clock`, `cloudflare`, `counters`, `locks`, `model`, `shutdown` | |
//! | `exposition` | `clock`, `counters`, `model` | `cloudflare` |
//! | `web` | `clock`, `counters`, `exposition`, `locks`, `model`, `operator_file`, `printable`, `shutdown` | `cloudflare` |
//! | `cli` | `model` | |
//! | `config` | `cli`, `cloudflare`, `idp`, `operator_file`, `refresh`, `web` | |
//! | `telemetry` | `cli`, `config` | |
//! | `commands` | `cli`, `clock`, `cloudflare`, `config`, `counters`, `exposition`, `idp`, `locks`, `model`, `printable`, `refresh`, `shutdown`, `telemetry`, `web` | |
//! | `layering` (tests only) | nothing | |

pub mod cli;
pub mod clock;
pub mod cloudflare;
pub mod commands;
pub mod config;
pub mod counters;
pub mod exposition;
pub mod idp;
pub mod locks;
pub mod model;
pub mod operator_file;
pub mod printable;
pub mod refresh;
pub mod shutdown;
pub mod telemetry;
pub mod web;

#[cfg(test)]
mod layering;

/// The source revision this binary was built from; `None` outside git
/// (then `build_info` has no `revision` label rather than a placeholder).
pub const REVISION: Option<&str> = option_env!("CLOUDFLARE_SAML_EXPORTER_REVISION");
