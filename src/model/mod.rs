//! What the exporter knows, as pure data: certificate inspection
//! ([`inspect`]), the identity providers' pasted signing certificates
//! ([`signing`]), the signing certificates an identity provider publishes in
//! its SAML metadata ([`idp_metadata`]) and how the two compare ([`drift`]),
//! what the last fetches of that metadata gave ([`metadata_status`]),
//! one account's inventory built from
//! the API lists ([`inventory`]), the state shared between refresh and
//! scrapes ([`state`]), the graded report that `check` prints ([`report`]),
//! the state file's format ([`snapshot`]) and the Access applications as
//! each identity provider's blast radius ([`applications`]), and every
//! deadline that needs a person as an RFC 5545 calendar ([`calendar`]).
//! No I/O and no clock: time comes in as arguments.
//!
//! May use: [`crate::clock`], the wire types of [`crate::cloudflare`],
//! [`crate::locks`] and [`crate::printable`].

pub mod applications;
pub mod calendar;
pub mod drift;
pub mod idp_metadata;
pub mod inspect;
pub mod inventory;
pub mod metadata_status;
pub mod report;
pub mod signing;
pub mod snapshot;
pub mod state;
