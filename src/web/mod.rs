//! Serving over HTTP: the server with its routes and bounded shutdown
//! ([`server`]) and `--web.config.file` (TLS, basic auth, headers;
//! [`config_file`]).
//!
//! May use: [`crate::model`] and [`crate::exposition`]. Never calls Cloudflare.

pub mod config_file;
pub mod server;
