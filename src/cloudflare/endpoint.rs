//! The endpoints the exporter calls: the lists it reads, each with its metric
//! label and its documented page-size limit, the single-resource calls of
//! the `encryption` commands, and the token's own verification.

use std::fmt;

use crate::cloudflare::pages::MAX_PER_PAGE;

/// The documented maximum `per_page` of `GET /accounts`.
pub const MAX_ACCOUNTS_PER_PAGE: u64 = 50;

/// The endpoints called; the `endpoint` label of
/// `cloudflare_access_saml_api_requests_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `GET /accounts`.
    Accounts,
    /// `GET /accounts/{id}`: one account, for its name.
    Account,
    /// `GET /accounts/{id}/access/saml_certificates`.
    SamlCertificates,
    /// `GET /accounts/{id}/access/identity_providers`.
    IdentityProviders,
    /// `GET /accounts/{id}/access/apps`: the applications collector's list.
    Applications,
    /// `GET /accounts/{id}/access/saml_certificates/{uid}`.
    CertificateSet,
    /// `GET /accounts/{id}/access/saml_certificates/{uid}/pem`.
    CertificateSetPem,
    /// `POST /accounts/{id}/access/identity_providers/{idp}/saml_certificate`.
    CreateCertificateSet,
    /// `POST /accounts/{id}/access/saml_certificates/{uid}/rotate`.
    RotateCertificateSet,
    /// `GET /accounts/{id}/access/identity_providers/{idp}`.
    IdentityProvider,
    /// `PUT /accounts/{id}/access/identity_providers/{idp}`.
    UpdateIdentityProvider,
    /// `GET /user/tokens/verify`: a user-owned token's status.
    VerifyUserToken,
    /// `GET /accounts/{id}/tokens/verify`: an account-owned token's status.
    VerifyAccountToken,
}

impl Endpoint {
    /// The metric label value.
    pub fn label(self) -> &'static str {
        match self {
            Endpoint::Accounts => "accounts",
            Endpoint::Account => "account",
            Endpoint::SamlCertificates => "saml_certificates",
            Endpoint::IdentityProviders => "identity_providers",
            Endpoint::Applications => "apps",
            Endpoint::CertificateSet => "saml_certificate_set",
            Endpoint::CertificateSetPem => "saml_certificate_set_pem",
            Endpoint::CreateCertificateSet => "create_saml_certificate_set",
            Endpoint::RotateCertificateSet => "rotate_saml_certificate_set",
            Endpoint::IdentityProvider => "identity_provider",
            Endpoint::UpdateIdentityProvider => "update_identity_provider",
            Endpoint::VerifyUserToken => "user_token_verify",
            Endpoint::VerifyAccountToken => "account_token_verify",
        }
    }

    /// The largest `per_page` Cloudflare documents for this list: asking for
    /// more than that risks a 400 instead of a bigger page.
    pub fn max_per_page(self) -> u64 {
        match self {
            Endpoint::Accounts => MAX_ACCOUNTS_PER_PAGE,
            // Cloudflare documents no maximum for the applications list;
            // a server that caps it lower only costs more pages.
            Endpoint::SamlCertificates | Endpoint::IdentityProviders | Endpoint::Applications => MAX_PER_PAGE,
            // A single resource is one object, never a page.
            Endpoint::Account
            | Endpoint::CertificateSet
            | Endpoint::CertificateSetPem
            | Endpoint::CreateCertificateSet
            | Endpoint::RotateCertificateSet
            | Endpoint::IdentityProvider
            | Endpoint::UpdateIdentityProvider
            | Endpoint::VerifyUserToken
            | Endpoint::VerifyAccountToken => 1,
        }
    }
}

/// Writes the metric label, so error messages and metrics name a list alike.
impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
