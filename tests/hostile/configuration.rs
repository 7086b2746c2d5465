//! Hostile inputs: configuration.
