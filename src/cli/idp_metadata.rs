//! The `--idp-metadata.*` flags: how the identity providers' published
//! SAML metadata is fetched. Where each IdP's metadata is comes from the
//! `identity_provider_metadata:` list of `--config.file`.

use std::path::PathBuf;

use clap::Args;

/// How identity providers' SAML metadata is fetched.
#[derive(Debug, Clone, Args)]
pub struct IdpMetadataArgs {
    /// PEM file of CA certificates trusted, besides the system's, for the
    /// identity providers' metadata URLs (a private CA in front of AD FS or
    /// Keycloak).
    #[arg(id = "idp_metadata_ca_file", long = "idp-metadata.ca-file", value_name = "PATH")]
    pub ca_file: Option<PathBuf>,
    /// How often each identity provider's metadata is fetched. A document
    /// that did not change costs one conditional request and no parsing.
    #[arg(
        id = "idp_metadata_refresh_interval",
        long = "idp-metadata.refresh-interval",
        value_name = "DURATION",
        default_value = "1h"
    )]
    pub refresh_interval: String,
    /// Limit for one metadata fetch, redirects and body included.
    #[arg(
        id = "idp_metadata_timeout",
        long = "idp-metadata.timeout",
        value_name = "DURATION",
        default_value = "30s"
    )]
    pub timeout: String,
}
