//! Serving over HTTP: the server with its routes and bounded shutdown
//! ([`server`]), the rendered `/metrics` cached and shared between scrapes
//! ([`exposition_cache`]) with gzip when the client takes it
//! ([`negotiation`]), the status page at `/` and `/status.json`
//! ([`status_page`]), `--web.config.file` parsed and validated
//! ([`config_file`]), TLS set-up ([`tls`]) and basic auth ([`basic_auth`]).
//!
//! May use: [`crate::model`] and [`crate::exposition`]. Never calls Cloudflare.

pub mod basic_auth;
pub mod config_file;
pub mod exposition_cache;
pub mod negotiation;
pub mod server;
pub mod status_page;
pub mod tls;
