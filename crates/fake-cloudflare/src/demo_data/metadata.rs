//! What the demo's identity providers publish as SAML metadata: one IdP in
//! each drift state (listed in `demo_data`'s doc), each document in its
//! product's shape with its IdP's issuer as the entity ID.

use super::{ACCOUNT_A, ACCOUNT_B, DAY, identity_providers, issuers, metadata_paths, signing};
use crate::data::PublishedMetadata;
use crate::idp_metadata::{MetadataDocument, MetadataStyle};
use crate::metadata_server::Published;
use crate::mint::{KeyKind, MintError, mint_certificate};

/// The demo's published metadata as of `now`: `okta` is Okta's pasted
/// certificate (DER), `ping_federate_active` PingFederate's pasted one that
/// it signs with.
pub(super) fn published(
    now: i64,
    okta: &[u8],
    ping_federate_active: &[u8],
) -> Result<Vec<PublishedMetadata>, MintError> {
    // In sync: exactly what Cloudflare holds.
    let okta = MetadataDocument {
        single_sign_on_url: format!(
            "https://example-corp.okta.com/app/example-corp_cloudflareaccess_1/{}/sso/saml",
            issuers::OKTA.trim_start_matches("http://www.okta.com/")
        ),
        ..MetadataDocument::new(issuers::OKTA, vec![okta.to_vec()])
    };
    // Rollover pending: the next certificate is published ahead of its use,
    // as PingFederate's automatic rotation does, and nobody pasted it yet.
    let next = signing("PingFederate", KeyKind::Rsa(2048), now, 765)?;
    let encryption = mint_certificate(
        "PingFederate SAML encryption (demo)",
        KeyKind::Rsa(2048),
        now - 30 * DAY,
        now + 700 * DAY,
    )?;
    let ping_federate = MetadataDocument {
        encryption_certificate: Some(encryption.der),
        single_sign_on_url: "https://pingfed.example.com/idp/SSO.saml2".to_owned(),
        ..MetadataDocument::new(issuers::PING_FEDERATE, vec![ping_federate_active.to_vec(), next.der])
    };
    // Mismatch: an administrator made a new certificate active in Entra ID
    // (three years, Entra's default) and never pasted it into Cloudflare.
    let entra_new = mint_certificate(
        "Microsoft Azure Federated SSO Certificate",
        KeyKind::Rsa(2048),
        now - DAY,
        now + 1095 * DAY,
    )?;
    let entra_id = MetadataDocument {
        single_sign_on_url: "https://login.microsoftonline.com/4f3c2b1a-0d9e-4c8b-a7f6-e5d4c3b2a190/saml2"
            .to_owned(),
        style: MetadataStyle::Microsoft,
        ..MetadataDocument::new(issuers::ENTRA_ID, vec![entra_new.der])
    };
    let entry = |account: &str, idp: &str, path: &str, published: Published| PublishedMetadata {
        account_id: account.to_owned(),
        identity_provider_id: idp.to_owned(),
        path: path.to_owned(),
        published,
    };
    Ok(vec![
        entry(ACCOUNT_A, identity_providers::OKTA, metadata_paths::OKTA, Published::Document(okta.render())),
        entry(
            ACCOUNT_A,
            identity_providers::PING_FEDERATE,
            metadata_paths::PING_FEDERATE,
            Published::Document(ping_federate.render()),
        ),
        entry(
            ACCOUNT_A,
            identity_providers::ENTRA_ID,
            metadata_paths::ENTRA_ID,
            Published::Document(entra_id.render()),
        ),
        entry(ACCOUNT_B, identity_providers::SHIBBOLETH, metadata_paths::SHIBBOLETH, Published::Status(503)),
    ])
}
