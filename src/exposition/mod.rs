//! Turning state into the Prometheus text format: every metric's name and
//! help text, the exporter's own counters, and the rendering of `/metrics`.
//!
//! May use: [`crate::model`]. Knows nothing of HTTP.

pub mod metrics;

#[cfg(test)]
mod golden;
