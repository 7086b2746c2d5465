//! What the fake serves: accounts, their certificate sets, identity
//! providers and Access applications, and the credentials it accepts; and what the identity
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

/// An Access application as the fake serves it.
#[derive(Debug, Clone)]
pub struct FakeApplication {
    /// ID (a UUID); the API also repeats it as `uid`.
    pub id: String,
    /// Name.
    pub name: String,
    /// `domain`: the host (and path) Access protects, e.g.
    /// `payroll.example.com`; a SaaS application's is its SSO endpoint
    /// without the scheme, e.g.
    /// `<team>.cloudflareaccess.com/cdn-cgi/access/sso/saml/<id>`.
    pub domain: String,
    /// The API's `type`: `self_hosted`, `saas`, `bookmark`, `ssh`, ...
    pub kind: String,
    /// `allowed_idps`: the IDs of the identity providers users may pick;
    /// empty means every identity provider of the account, as Cloudflare
    /// documents it. A bookmark serves none (it has no login).
    pub allowed_idps: Vec<String>,
    /// `auto_redirect_to_identity`: users skip the IdP picker (Cloudflare
    /// requires exactly one allowed IdP for it).
    pub auto_redirect_to_identity: bool,
    /// `saas_app`, for a `saas` application only.
    pub saas: Option<FakeSaasApplication>,
}

/// A SaaS application's `saas_app` as the fake serves it. An OIDC one
/// reuses the SAML-named fields for its own values, as documented on each.
#[derive(Debug, Clone)]
pub struct FakeSaasApplication {
    /// `auth_type`: `saml` or `oidc`.
    pub auth_type: String,
    /// `public_key`. SAML: Cloudflare's signing certificate as PEM, as the
    /// API returns it (may be deliberately broken). OIDC: the signing keys
    /// as a JWKS document, not a certificate.
    pub public_key: String,
    /// SAML: `sp_entity_id`, the service provider's entity ID. OIDC: the
    /// `client_id`.
    pub sp_entity_id: String,
    /// SAML: `consumer_service_url`, where assertions are posted. OIDC: the
    /// one entry of `redirect_uris`.
    pub consumer_service_url: String,
    /// SAML: `idp_entity_id`, Cloudflare's entity ID towards the service
    /// provider. OIDC: unused.
    pub idp_entity_id: String,
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
    /// Access applications of every type.
    pub applications: Vec<FakeApplication>,
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
