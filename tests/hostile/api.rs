//! Hostile inputs: api.
