//! Why the fake Cloudflare API could not start or build its demo data.

use std::net::SocketAddr;

use crate::mint::MintError;

/// The fake could not start, or its data could not be made.
#[derive(Debug, thiserror::Error)]
pub enum FakeError {
    /// The listen address is taken or not allowed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The bound address makes no valid base URL (cannot happen for a
    /// socket address, but the URL parser's error is kept rather than hidden).
    #[error("the fake's address {addr} makes no base URL: {source}")]
    BaseUrl {
        /// The bound address.
        addr: SocketAddr,
        /// Why.
        source: url::ParseError,
    },
    /// A certificate of the demo data could not be minted.
    #[error(transparent)]
    Mint(#[from] MintError),
}
