//! The demo's two accounts: every state the exporter distinguishes, with
//! certificates minted relative to "now" so the demo always shows them.
//!
//! Signing certificates (`idp_public_certs`), by IdP: Okta a PEM (700 days);
//! Entra ID bare base64 on one line (20 days: expiring); PingFederate a
//! rollover, old PEM at 3 days beside a new one at 400 days, the new one
//! listed twice (once as wrapped base64); Legacy SAML none; Shibboleth a
//! CRLF PEM that expired 2 days ago; OneLogin two PEM blocks in one entry
//! (5 and 2 days: expiring soon); JumpCloud one good CRLF-wrapped base64
//! certificate (1000 days) and one entry per unreadable reason; Auth0 a
//! P-256 PEM (300 days); Keycloak base64 wrapped at 64 columns (500 days).
//!
//! Published SAML metadata (`FakeData::published_metadata`, for a
//! [`FakeIdentityProviderMetadata`](crate::FakeIdentityProviderMetadata);
//! each document's entity ID is its IdP's `issuer_url`), one IdP per drift
//! state, at [`metadata_paths`]:
//! - Okta (demo), **in sync**: its one pasted certificate, `md:`-prefixed;
//! - PingFederate (demo), **rollover pending**: its pasted 400-day
//!   certificate beside a next one (765 days) nobody pasted, plus an
//!   encryption certificate, which does not count;
//! - Entra ID (demo), **mismatch**: only a new certificate (3 years)
//!   Cloudflare lacks, in the Microsoft shape (BOM, CRLF, default namespace,
//!   WS-Federation `RoleDescriptor`s);
//! - Shibboleth (demo), **unreachable**: its host answers `503`.
//!
//! The other IdPs publish nothing.
//!
//! Access applications ([`applications`], one per blast-radius case): IdPs
//! that are an application's only way in or one of several, an application
//! open to every IdP, a bookmark without login, and SaaS applications whose
//! Cloudflare signing certificate expires soon, is healthy, or is unreadable.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use data_encoding::HEXLOWER;

use crate::FakeError;
use crate::clock::rfc3339;
use crate::data::{AccountType, FakeAccount, FakeCertificate, FakeData, FakeIdentityProvider, FakeSet};
use crate::mint::{KeyKind, MintError, MintedCertificate, mint_certificate};

/// The token the demo's fake API accepts.
pub const DEMO_TOKEN: &str = "demo-token-not-a-secret";
/// Account A: healthy, overdue, rotating and unused sets.
pub const ACCOUNT_A: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
/// Account B: expired, unreadable and mismatched sets, IdPs without usable sets.
pub const ACCOUNT_B: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";

/// Set UIDs of the demo, by scenario.
pub mod sets {
    /// About 300 days left.
    pub const HEALTHY: &str = "5e7a0001-0000-4000-8000-000000000001";
    /// About 20 days left and not rotating: Cloudflare's rotation is overdue.
    pub const OVERDUE: &str = "5e7a0002-0000-4000-8000-000000000002";
    /// Rotating; the previous certificate has about 10 days left.
    pub const ROTATING: &str = "5e7a0003-0000-4000-8000-000000000003";
    /// Used by no IdP.
    pub const UNUSED: &str = "5e7a0004-0000-4000-8000-000000000004";
    /// Its current certificate expired about 3 days ago.
    pub const EXPIRED: &str = "5e7b0001-0000-4000-8000-000000000001";
    /// Its PEM is abbreviated with `...`, as in Cloudflare's docs.
    pub const UNREADABLE: &str = "5e7b0002-0000-4000-8000-000000000002";
    /// The API's not_after is a day off the certificate's.
    pub const MISMATCH: &str = "5e7b0003-0000-4000-8000-000000000003";
    /// Named by an IdP but not in the account.
    pub const MISSING: &str = "5e7b0404-0000-4000-8000-000000000404";
}

/// IDs of the demo IdPs that publish metadata.
pub mod identity_providers {
    /// Okta (demo), account A: metadata in sync.
    pub const OKTA: &str = "1d7a0001-0000-4000-8000-000000000001";
    /// Entra ID (demo), account A: metadata mismatch.
    pub const ENTRA_ID: &str = "1d7a0002-0000-4000-8000-000000000002";
    /// PingFederate (demo), account A: rollover pending.
    pub const PING_FEDERATE: &str = "1d7a0003-0000-4000-8000-000000000003";
    /// Shibboleth (demo), account B: metadata host unreachable.
    pub const SHIBBOLETH: &str = "1d7b0001-0000-4000-8000-000000000001";
}

pub mod applications;

/// Where the demo IdPs publish metadata on the metadata host: each
/// product's own path.
pub mod metadata_paths {
    /// Okta's: the app's ID, then `/sso/saml/metadata`.
    pub const OKTA: &str = "/app/exk1d7a0001demookta7/sso/saml/metadata";
    /// Entra ID's: the tenant, then the WS-Federation metadata path.
    pub const ENTRA_ID: &str =
        "/4f3c2b1a-0d9e-4c8b-a7f6-e5d4c3b2a190/federationmetadata/2007-06/federationmetadata.xml";
    /// PingFederate's.
    pub const PING_FEDERATE: &str = "/pf/federation_metadata.ping";
    /// Shibboleth's: its entity ID's path.
    pub const SHIBBOLETH: &str = "/idp/shibboleth";
}

/// Issuers (`config.issuer_url`, the entity ID) of the demo IdPs that
/// publish metadata; the others' are written where they are made.
pub mod issuers {
    /// Okta's: `http://www.okta.com/` and the app's ID.
    pub const OKTA: &str = "http://www.okta.com/exk1d7a0001demookta7";
    /// Entra ID's: the tenant's security token service.
    pub const ENTRA_ID: &str = "https://sts.windows.net/4f3c2b1a-0d9e-4c8b-a7f6-e5d4c3b2a190/";
    /// PingFederate's, as its administrator named it.
    pub const PING_FEDERATE: &str = "https://pingfed.example.com/idp";
    /// Shibboleth's default: the host and `/idp/shibboleth`.
    pub const SHIBBOLETH: &str = "https://idp.example.org/idp/shibboleth";
}

const DAY: i64 = 86_400;

/// A random version-4 UUID (RFC 9562: version nibble 4, variant bits 10).
pub fn uuid() -> String {
    let mut bytes: [u8; 16] = std::array::from_fn(|_| fastrand::u8(..));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = HEXLOWER.encode(&bytes);
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// An encryption certificate as Cloudflare makes them, valid from
/// `issued_days` to `expires_days` relative to `now`.
pub(crate) fn certificate(
    uid: &str,
    now: i64,
    issued_days: i64,
    expires_days: i64,
) -> Result<FakeCertificate, MintError> {
    let minted = mint_certificate(
        "Cloudflare Access SAML encryption",
        KeyKind::Rsa(2048),
        now + issued_days * DAY,
        now + expires_days * DAY,
    )?;
    Ok(FakeCertificate { uid: uid.to_owned(), pem: minted.pem, not_after: rfc3339(minted.not_after) })
}

fn set(uid: &str, now: i64, current: FakeCertificate, previous: Option<FakeCertificate>) -> FakeSet {
    FakeSet {
        uid: uid.to_owned(),
        created_at: rfc3339(now - 400 * DAY),
        updated_at: rfc3339(now - 20 * DAY),
        current: Some(current),
        previous,
    }
}

fn saml(id: &str, name: &str, encryption: bool, set: Option<&str>, issuer_url: &str) -> FakeIdentityProvider {
    FakeIdentityProvider {
        id: id.to_owned(),
        name: name.to_owned(),
        kind: "saml".to_owned(),
        enable_encryption: encryption,
        certificate_set_id: set.map(str::to_owned),
        signing_certificates: Vec::new(),
        issuer_url: issuer_url.to_owned(),
    }
}

fn with_signing(mut idp: FakeIdentityProvider, entries: Vec<String>) -> FakeIdentityProvider {
    idp.signing_certificates = entries;
    idp
}

/// An IdP's signing certificate valid from a year before `now` to `expires_days` after it.
fn signing(idp: &str, key: KeyKind, now: i64, expires_days: i64) -> Result<MintedCertificate, MintError> {
    mint_certificate(&format!("{idp} SAML signing (demo)"), key, now - 365 * DAY, now + expires_days * DAY)
}

/// The DER's base64, as IdP metadata shows it, broken every `width` characters.
fn wrapped_base64(der: &[u8], width: usize, line_end: &str) -> String {
    let text = BASE64.encode(der);
    let lines: Vec<&str> =
        text.as_bytes().chunks(width).map(|c| std::str::from_utf8(c).unwrap_or("")).collect();
    lines.join(line_end)
}

fn crlf(pem: &str) -> String {
    pem.replace('\n', "\r\n")
}

/// The demo data as of `now` (Unix seconds).
pub fn demo(now: i64) -> Result<FakeData, FakeError> {
    let okta_signing = signing("Okta", KeyKind::Rsa(2048), now, 700)?;
    let (ping_federate_pasted, ping_federate_active) = rollover(now)?;
    let mut mismatched = certificate("ce7b0003-0000-4000-8000-000000000003", now, -215, 150)?;
    mismatched.not_after = rfc3339(now + 151 * DAY);
    let account_a = FakeAccount {
        id: ACCOUNT_A.to_owned(),
        name: "Example Corp (demo)".to_owned(),
        account_type: AccountType::Enterprise,
        sets: vec![
            set(
                sets::HEALTHY,
                now,
                certificate("ce7a0001-0000-4000-8000-000000000001", now, -65, 300)?,
                None,
            ),
            set(
                sets::OVERDUE,
                now,
                certificate("ce7a0002-0000-4000-8000-000000000002", now, -345, 20)?,
                None,
            ),
            set(
                sets::ROTATING,
                now,
                certificate("ce7a0003-0000-4000-8000-000000000031", now, -10, 355)?,
                Some(certificate("ce7a0003-0000-4000-8000-000000000030", now, -355, 10)?),
            ),
            set(
                sets::UNUSED,
                now,
                certificate("ce7a0004-0000-4000-8000-000000000004", now, -165, 200)?,
                None,
            ),
        ],
        identity_providers: vec![
            with_signing(
                saml(identity_providers::OKTA, "Okta (demo)", true, Some(sets::HEALTHY), issuers::OKTA),
                vec![okta_signing.pem.clone()],
            ),
            with_signing(
                saml(
                    identity_providers::ENTRA_ID,
                    "Entra ID (demo)",
                    true,
                    Some(sets::OVERDUE),
                    issuers::ENTRA_ID,
                ),
                vec![BASE64.encode(signing("Entra ID", KeyKind::Rsa(2048), now, 20)?.der)],
            ),
            with_signing(
                saml(
                    identity_providers::PING_FEDERATE,
                    "PingFederate (demo)",
                    true,
                    Some(sets::ROTATING),
                    issuers::PING_FEDERATE,
                ),
                ping_federate_pasted,
            ),
            saml(
                "1d7a0004-0000-4000-8000-000000000004",
                "Legacy SAML (demo)",
                false,
                None,
                "https://legacy-idp.example.com/saml",
            ),
            FakeIdentityProvider {
                id: "1d7a0005-0000-4000-8000-000000000005".to_owned(),
                name: "Google Workspace (demo)".to_owned(),
                kind: "google".to_owned(),
                enable_encryption: false,
                certificate_set_id: None,
                signing_certificates: Vec::new(),
                issuer_url: String::new(),
            },
        ],
        applications: applications::account_a(now)?,
    };
    let account_b = FakeAccount {
        id: ACCOUNT_B.to_owned(),
        name: "Example Labs (demo)".to_owned(),
        account_type: AccountType::Standard,
        sets: vec![
            set(sets::EXPIRED, now, certificate("ce7b0001-0000-4000-8000-000000000001", now, -368, -3)?, None),
            set(
                sets::UNREADABLE,
                now,
                FakeCertificate {
                    uid: "ce7b0002-0000-4000-8000-000000000002".to_owned(),
                    pem: "-----BEGIN CERTIFICATE-----\nMIIGAjCCA+qgAwIBAgIJAI7kymlF7CWT...\n...certificate content...\n-----END CERTIFICATE-----\n".to_owned(),
                    not_after: rfc3339(now + 90 * DAY),
                },
                None,
            ),
            set(sets::MISMATCH, now, mismatched, None),
        ],
        identity_providers: vec![
            with_signing(
                saml(
                    identity_providers::SHIBBOLETH,
                    "Shibboleth (demo)",
                    true,
                    Some(sets::EXPIRED),
                    issuers::SHIBBOLETH,
                ),
                vec![crlf(&signing("Shibboleth", KeyKind::Rsa(2048), now, -2)?.pem)],
            ),
            with_signing(
                saml(
                    "1d7b0002-0000-4000-8000-000000000002",
                    "OneLogin (demo)",
                    true,
                    Some(sets::UNREADABLE),
                    "https://app.onelogin.com/saml/metadata/8d1c6b6e-2f4a-4c7e-9b1d-3e5f7a9c0b2d",
                ),
                vec![crlf(&format!(
                    "{}{}",
                    signing("OneLogin", KeyKind::Rsa(2048), now, 5)?.pem,
                    signing("OneLogin", KeyKind::Rsa(2048), now, 2)?.pem
                ))],
            ),
            with_signing(
                saml(
                    "1d7b0003-0000-4000-8000-000000000003",
                    "JumpCloud SAML (demo)",
                    true,
                    Some(sets::MISMATCH),
                    "JumpCloud",
                ),
                unreadable(now)?,
            ),
            with_signing(
                saml(
                    "1d7b0004-0000-4000-8000-000000000004",
                    "Auth0 (demo)",
                    true,
                    None,
                    "urn:example-labs.eu.auth0.com",
                ),
                vec![signing("Auth0", KeyKind::P256, now, 300)?.pem],
            ),
            with_signing(
                saml(
                    "1d7b0005-0000-4000-8000-000000000005",
                    "Keycloak (demo)",
                    true,
                    Some(sets::MISSING),
                    "https://keycloak.example.org/realms/labs",
                ),
                vec![wrapped_base64(&signing("Keycloak", KeyKind::Rsa(2048), now, 500)?.der, 64, "\n")],
            ),
            // Cloudflare's schema makes `id` optional: the exporter skips such
            // an IdP with a warning.
            saml("", "No-id SAML (demo)", false, None, "https://idp.example.com/saml"),
        ],
        applications: applications::account_b(),
    };
    Ok(FakeData {
        token: DEMO_TOKEN.to_owned(),
        global_key: None,
        account_owned_token: false,
        scoped_tokens: Vec::new(),
        accounts: vec![account_a, account_b],
        published_metadata: metadata::published(now, &okta_signing.der, &ping_federate_active.der)?,
    })
}

/// A rollover: the old certificate (3 days left) beside the new one (400
/// days), which is listed a second time as wrapped base64; and the new one,
/// which the IdP signs with.
fn rollover(now: i64) -> Result<(Vec<String>, MintedCertificate), MintError> {
    let old = signing("PingFederate", KeyKind::Rsa(2048), now, 3)?;
    let new = signing("PingFederate", KeyKind::Rsa(2048), now, 400)?;
    let pasted = vec![old.pem, new.pem.clone(), wrapped_base64(&new.der, 76, "\n")];
    Ok((pasted, new))
}

/// One readable certificate, then one entry for each reason an entry fails.
fn unreadable(now: i64) -> Result<Vec<String>, MintError> {
    let good = signing("JumpCloud", KeyKind::Rsa(2048), now, 1000)?;
    let base64 = BASE64.encode(&good.der);
    Ok(vec![
        wrapped_base64(&good.der, 76, "\r\n"),
        // bad_pem: the body abbreviated, as in documentation examples.
        "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIQ...\n-----END CERTIFICATE-----\n".to_owned(),
        // bad_base64: the XML element copied from the metadata along with the value.
        format!("<ds:X509Certificate>{base64}</ds:X509Certificate>"),
        // bad_der: a copy cut off halfway.
        base64[..base64.len() / 2 / 4 * 4].to_owned(),
        // no_certificate: the public key instead of the certificate.
        "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n"
            .to_owned(),
    ])
}

mod metadata;

#[cfg(test)]
mod tests;
