//! A fake Cloudflare API: a real HTTP server on loopback that speaks the
//! documented v4 JSON for the endpoints the exporter uses, plus knobs that
//! make it misbehave. The exporter's `demo` command and its tests both run
//! it. It is its own crate so that a release build of the exporter can leave
//! it (and `rcgen`) out, and it never uses the exporter's types: it answers
//! from the API's documentation, not from what the exporter happens to parse.
//!
//! Served: `GET /accounts`, `GET /accounts/{id}`, `GET /accounts/{id}/access/saml_certificates`,
//! `GET /accounts/{id}/access/identity_providers` and
//! `GET /accounts/{id}/access/apps` (`app_routes`) (with `page`/`per_page`,
//! `result_info`, documented defaults and the 1000 maximum),
//! `POST /accounts/{id}/access/identity_providers/{idp}/saml_certificate`,
//! `GET .../saml_certificates/{uid}`, `GET .../saml_certificates/{uid}/pem`
//! and `POST .../saml_certificates/{uid}/rotate` (`set_routes`).
//!
//! It owns: the data it serves ([`data`]), the knobs, faults and holds that
//! bend its answers ([`knobs`]), Cloudflare's per-token rate limit
//! ([`rate_limit`]), the server, its request log and the controls tests
//! drive it with ([`server`]), the demo's data ([`demo_data`]), real test
//! certificates ([`mint`]) and the API's time format ([`clock`]). Starting it
//! or building demo data fails with [`FakeError`].
//!
//! Beside the API, the identity providers' side: SAML 2.0 metadata documents
//! ([`idp_metadata`]) and a host that publishes them, with validators,
//! failures, huge bodies, redirect loops and hangs, on a port of its own so
//! that its requests never count against the API's rate limit nor show in
//! its request log ([`metadata_server`]). The demo's identity providers
//! publish there (`FakeData::published_metadata`).

mod app_routes;
pub mod clock;
pub mod data;
pub mod demo_data;
mod error;
mod fnv;
pub mod idp_metadata;
mod idp_routes;
pub mod knobs;
mod locks;
pub mod metadata_server;
pub mod mint;
pub mod rate_limit;
mod responses;
mod routes;
pub mod server;
mod set_routes;
#[cfg(test)]
mod test_support;
mod tokens;

pub use data::{
    AccountType, FakeAccount, FakeApplication, FakeCertificate, FakeData, FakeIdentityProvider,
    FakeSaasApplication, FakeSet, PublishedMetadata, ScopedToken,
};
pub use error::FakeError;
pub use idp_metadata::{MetadataDocument, MetadataStyle};
pub use knobs::{Fault, FaultKind, Hold, Knobs};
pub use metadata_server::{FakeIdentityProviderMetadata, MetadataRequest, Published};
pub use rate_limit::RateLimit;
pub use server::{FakeCloudflare, RecordedRequest};
