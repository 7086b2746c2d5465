//! Turning state into the Prometheus text format: every metric's name and
//! help text, the exporter's own counters, and the rendering of `/metrics`.
//!
//! - `definitions`: every metric, defined once with its help text and source;
//! - `counters`: the exporter's own counters and the render entry point;
//! - `state_series`: one function per entity turning the state into samples;
//! - `families`: the family builder those functions share;
//! - `render`: families to text, whole or cut into runs that change apart;
//! - [`metrics`]: the paths the rest of the crate uses.
//!
//! May use: [`crate::model`], and the refresh-error reasons of
//! [`crate::cloudflare::error`] to create their counters. Knows nothing of HTTP.

mod counters;
mod definitions;
mod families;
pub mod metrics;
mod render;
mod state_series;

#[cfg(test)]
mod golden;
