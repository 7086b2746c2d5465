//! What the fake serves: accounts, their certificate sets and identity
//! providers, and the credentials it accepts; and what the identity
//! providers publish as SAML metadata, which the separate metadata host
//! serves, not the API.

pub use crate::tokens::ScopedToken;

use crate::metadata_server::Published;

/// A certificate as the fake serves it.
#[derive(Debug, Clone)]
pub struct FakeCertificate {
    /// UID.
    pub uid: String,
    /// PEM text (may be deliberately broken).
    pub pem: String,
    /// The API's `not_after` (RFC 3339).
    pub not_after: String,
}

/// A certificate set as the fake serves it.
#[derive(Debug, Clone)]
pub struct FakeSet {
    /// UID.
    pub uid: String,
    /// `created_at` (RFC 3339).
    pub created_at: String,
    /// `updated_at` (RFC 3339).
    pub updated_at: String,
    /// Current certificate.
    pub current: Option<FakeCertificate>,
    /// Previous certificate (rotation in progress).
    pub previous: Option<FakeCertificate>,
}

/// An identity provider as the fake serves it.
#[derive(Debug, Clone)]
pub struct FakeIdentityProvider {
    /// ID; an empty one is left out of the JSON (Cloudflare's schema makes
    /// `id` optional).
    pub id: String,
    /// Name.
    pub name: String,
    /// `type`: `saml`, `google`, ...
    pub kind: String,
    /// `config.enable_encryption`.
    pub enable_encryption: bool,
    /// `saml_certificate_set_id`.
    pub certificate_set_id: Option<String>,
    /// `config.idp_public_certs`: the signing certificates as pasted (SAML only).
    pub signing_certificates: Vec<String>,
    /// `config.issuer_url`: the IdP's entity ID, which also names the entity
    /// to pick in its SAML metadata (SAML only).
    pub issuer_url: String,
}

/// An account's `type`, as `GET /accounts` lists it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AccountType {
    /// `standard`.
    #[default]
    Standard,
    /// `enterprise`.
    Enterprise,
}

impl AccountType {
    /// The API's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Enterprise => "enterprise",
        }
    }
}

/// An account and its Access objects.
#[derive(Debug, Clone)]
pub struct FakeAccount {
    /// Account ID.
    pub id: String,
    /// Account name.
    pub name: String,
    /// Account type.
    pub account_type: AccountType,
    /// SAML certificate sets.
    pub sets: Vec<FakeSet>,
    /// Identity providers of every type.
    pub identity_providers: Vec<FakeIdentityProvider>,
}

/// Everything the fake knows.
#[derive(Debug, Clone)]
pub struct FakeData {
    /// The API token it accepts as `Authorization: Bearer`.
    pub token: String,
    /// The `X-Auth-Email` / `X-Auth-Key` pair it accepts, if any.
    pub global_key: Option<(String, String)>,
    /// Behave like an account-owned token: `GET /accounts` fails with 1001.
    pub account_owned_token: bool,
    /// More tokens, each limited to some accounts (and rate-limited on its own).
    pub scoped_tokens: Vec<ScopedToken>,
    /// The accounts.
    pub accounts: Vec<FakeAccount>,
    /// What identity providers publish as SAML metadata. The API never
    /// serves it: a [`crate::FakeIdentityProviderMetadata`] does, once each
    /// entry is [`set`](crate::FakeIdentityProviderMetadata::set) on it.
    pub published_metadata: Vec<PublishedMetadata>,
}

/// One identity provider's metadata, as its host publishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedMetadata {
    /// The account of the identity provider.
    pub account_id: String,
    /// The identity provider's ID.
    pub identity_provider_id: String,
    /// The path on the metadata host (give it to
    /// [`crate::FakeIdentityProviderMetadata::set`] and `url`).
    pub path: String,
    /// What the path answers.
    pub published: Published,
}

impl FakeData {
    /// The account with this ID.
    pub fn account(&self, id: &str) -> Option<&FakeAccount> {
        self.accounts.iter().find(|a| a.id == id)
    }
}
