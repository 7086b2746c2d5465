//! Serving over HTTP: the server with its routes and bounded shutdown
//! ([`server`]), pages rendered once and shared between requests until the
//! state changes or a second passes ([`render_cache`]), used by `/metrics`
//! ([`exposition_cache`], gzip when the client takes it: [`negotiation`]),
//! the status page at `/` and `/status.json` ([`status_page`]), the
//! deadlines calendar at `/calendar.ics` ([`calendar_page`]) and the
//! runbook at `/runbook` ([`runbook`]),
//! `--web.config.file` parsed and validated ([`config_file`]), TLS set-up ([`tls`]) and basic auth ([`basic_auth`]),
//! each connection's state ([`connection`]) and the deadline for writing a
//! response ([`write_deadline`]).
//!
//! May use: [`crate::clock`], [`crate::counters`], [`crate::exposition`],
//! [`crate::locks`], [`crate::model`], [`crate::operator_file`] (to read
//! the web config and its TLS files), [`crate::printable`] and
//! [`crate::shutdown`]. Never calls
//! Cloudflare; its tests build inventories from the API's wire types.

pub mod basic_auth;
pub mod body;
pub mod calendar_page;
pub mod config_file;
pub mod connection;
pub mod exposition_cache;
pub mod negotiation;
pub mod render_cache;
pub mod runbook;
pub mod server;
pub mod status_page;
pub mod stitched_gzip;
pub mod tls;
pub mod write_deadline;

/// The paths the exporter serves besides the metrics: `--web.telemetry-path`
/// may be none of them, or it would hide a page (as `/` once hid the
/// status page).
pub const RESERVED_PATHS: [&str; 6] =
    ["/", "/status.json", "/calendar.ics", "/runbook", "/-/healthy", "/-/ready"];
