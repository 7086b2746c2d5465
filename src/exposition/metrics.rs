//! The exposition as the rest of the crate uses it: the [`Metrics`] counters
//! and renderer, the text format's [`CONTENT_TYPE`], the [`layout`] of runs
//! a render can be cut into, and every metric definition with [`ALL`].

pub use crate::exposition::counters::Metrics;
pub use crate::exposition::definitions::*;
pub use crate::exposition::render::{CONTENT_TYPE, Run, interleave, layout};
