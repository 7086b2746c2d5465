//! Turning state into the Prometheus text format: every metric's name and
//! help text, and the rendering of `/metrics` from the state and the
//! exporter's own counters.
//!
//! - `definitions`: every metric, defined once with its help text and source;
//! - `state_series`: one function per entity turning the state into samples;
//! - `application_series`: the applications collector's samples of an account;
//! - `metadata_series`: the identity providers' published metadata and its
//!   comparison with Cloudflare, as samples;
//! - `own_series`: the exporter's own counters and gauges as samples;
//! - `families`: the family builder those functions share;
//! - `render`: families to text, whole or cut into runs that change apart;
//! - [`metrics`]: the paths the rest of the crate uses.
//!
//! May use: [`crate::clock`], [`crate::counters`], [`crate::model`]. Knows
//! nothing of HTTP, and counts nothing itself.

mod application_series;
mod definitions;
mod families;
mod metadata_series;
pub mod metrics;
mod own_series;
mod render;
mod state_series;

#[cfg(test)]
mod golden;
