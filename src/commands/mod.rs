//! The subcommands, wired from a validated [`crate::config`]: `serve`
//! ([`serve`]), `demo` against the fake API ([`demo`]) and the one-off
//! `check` ([`check`]).
//!
//! May use every layer; nothing below uses this module.

pub mod check;
pub mod demo;
pub mod serve;
