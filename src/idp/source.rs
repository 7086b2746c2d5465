//! Where one identity provider's SAML metadata is published, as the
//! operator configured it (validated by `config`).

use reqwest::Url;

/// One entry of `identity_provider_metadata:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataSource {
    /// The Cloudflare account holding the identity provider (lower-case hex).
    pub account_id: String,
    /// The identity provider: its ID, or its exact name in Cloudflare.
    pub identity_provider: String,
    /// The metadata document's URL: https, or plain http to loopback.
    pub url: Url,
    /// The `entityID` to pick in the document; `None`: the Cloudflare
    /// IdP's `config.issuer_url`.
    pub entity_id: Option<String>,
}
