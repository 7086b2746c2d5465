//! Hostile inputs: serving.
