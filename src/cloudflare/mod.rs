//! Everything that talks to Cloudflare: the v4 wire format ([`wire`]; the
//! Access applications list's in [`application`]) and
//! its account IDs ([`account_id`]), the
//! lists read ([`endpoint`]), the HTTP client ([`client`]) and its request
//! budget ([`budget`]), reading its answers safely ([`response`]), walking
//! paginated lists ([`pages`]), credentials held
//! in `secrecy` types ([`credentials`]), the rate-limit headers
//! ([`rate_limit_headers`]), the talking time an account may spend
//! ([`talk_time`]) and the bytes it may read
//! ([`byte_allowance`]), the API error with its stable reason ([`error`]) and the
//! single-set reads and writes of the `encryption` commands ([`sets`]), and
//! the token's own status and expiry ([`token`]).
//!
//! May use: [`crate::counters`], to count requests and the quota left,
//! [`crate::locks`], [`crate::operator_file`], to read a token file, and
//! [`crate::printable`], for Cloudflare's messages. Knows nothing of
//! inventories, state or serving.

pub mod account_id;
pub mod application;
pub mod budget;
pub mod byte_allowance;
pub mod client;
pub mod credentials;
pub mod endpoint;
pub mod error;
pub mod pages;
pub mod rate_limit_headers;
pub mod response;
pub mod sets;
pub mod talk_time;
pub mod token;
pub mod wire;
