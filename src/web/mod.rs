//! Serving over HTTP: the server with its routes and bounded shutdown
//! ([`server`]), `--web.config.file` parsed and validated ([`config_file`]),
//! TLS set-up ([`tls`]) and basic auth ([`basic_auth`]).
//!
//! May use: [`crate::model`] and [`crate::exposition`]. Never calls Cloudflare.

pub mod basic_auth;
pub mod config_file;
pub mod server;
pub mod tls;
