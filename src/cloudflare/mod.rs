//! Everything that talks to Cloudflare: the v4 wire format ([`wire`]), the
//! HTTP client with its request budget ([`client`]), walking paginated lists
//! ([`pages`]), credentials held in `secrecy` types ([`credentials`]), the
//! rate-limit headers ([`rate_limit`]) and the API error with its stable
//! reason ([`error`]).
//!
//! May use: the exporter's own counters in [`crate::exposition`]. Knows
//! nothing of inventories, state or serving.

pub mod client;
pub mod credentials;
pub mod error;
pub mod pages;
pub mod rate_limit;
pub mod wire;
