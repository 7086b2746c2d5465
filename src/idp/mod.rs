//! Everything that talks to identity providers rather than to Cloudflare:
//! where each publishes its SAML metadata ([`source`]), fetching it
//! ([`fetch`]) and the background loop that reads it and records what it
//! found in the state ([`watch`]). These requests never touch Cloudflare's
//! budget.
//!
//! May use: [`crate::clock`], [`crate::counters`], [`crate::model`] (the
//! metadata parser, the state), [`crate::printable`] and
//! [`crate::shutdown`]. Knows nothing of Cloudflare's API or of serving.

pub mod fetch;
pub mod source;
pub mod watch;
