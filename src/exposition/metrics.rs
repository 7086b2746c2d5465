//! The exposition as the rest of the crate uses it: [`render`] and
//! [`render_runs`] of the state and the exporter's counters, the text
//! format's [`CONTENT_TYPE`], the [`layout`] of runs a render can be cut
//! into, and every metric definition with [`ALL`].

pub use crate::exposition::definitions::*;
pub use crate::exposition::render::{CONTENT_TYPE, Run, interleave, layout, render, render_runs};
