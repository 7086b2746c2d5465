//! Everything that talks to identity providers rather than to Cloudflare:
//! fetching the SAML metadata each publishes ([`fetch`]). These requests
//! never touch Cloudflare's budget.
//!
//! May use: [`crate::model`], for the metadata's size bound, and
//! [`crate::printable`]. Knows nothing of Cloudflare, state or serving.

pub mod fetch;
