//! Unit tests of `demo_data`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use super::{ACCOUNT_A, ACCOUNT_B, demo, identity_providers, uuid};
use crate::data::{FakeData, FakeIdentityProvider};
use crate::metadata_server::{FakeIdentityProviderMetadata, Published};
use crate::test_support::{PublishedKeys, fetch, pasted_certificates, read_keys};

#[test]
fn a_uuid_is_version_4_with_the_rfc_variant_and_lower_case_hex() {
    for _ in 0..64 {
        let id = uuid();
        let groups: Vec<&str> = id.split('-').collect();
        assert_eq!(groups.iter().map(|g| g.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12], "{id}");
        assert!(id.chars().all(|c| c == '-' || matches!(c, '0'..='9' | 'a'..='f')), "{id}");
        assert!(groups[2].starts_with('4'), "version 4: {id}");
        assert!(groups[3].starts_with(['8', '9', 'a', 'b']), "variant 10: {id}");
    }
}

fn idp<'a>(data: &'a FakeData, account: &str, id: &str) -> &'a FakeIdentityProvider {
    let account = data.account(account).expect("the account");
    account.identity_providers.iter().find(|i| i.id == id).expect("the IdP")
}

/// The published document of `id`, read; and the IdP's pasted certificates.
fn published_and_pasted(data: &FakeData, id: &str) -> (PublishedKeys, Vec<Vec<u8>>, String) {
    let entry = data.published_metadata.iter().find(|p| p.identity_provider_id == id).expect("published");
    let Published::Document(xml) = &entry.published else { panic!("{id} publishes no document") };
    let idp = idp(data, &entry.account_id, id);
    (read_keys(xml), pasted_certificates(&idp.signing_certificates), idp.issuer_url.clone())
}

#[test]
fn okta_publishes_only_what_is_pasted_in_sync() {
    let data = demo(1_700_000_000).unwrap();
    let (published, pasted, issuer) = published_and_pasted(&data, identity_providers::OKTA);
    assert_eq!(published.entity_id, issuer);
    assert_eq!(published.signing.len(), 1);
    assert!(published.signing.iter().all(|der| pasted.contains(der)), "M is a subset of C");
}

#[test]
fn ping_federate_publishes_a_pasted_certificate_and_a_new_one_rollover_pending() {
    let data = demo(1_700_000_000).unwrap();
    let (published, pasted, issuer) = published_and_pasted(&data, identity_providers::PING_FEDERATE);
    assert_eq!(published.entity_id, issuer);
    let (shared, new): (Vec<_>, Vec<_>) = published.signing.iter().partition(|der| pasted.contains(der));
    assert_eq!((shared.len(), new.len()), (1, 1), "shares one, adds one");
    assert_eq!(published.encryption.len(), 1);
    assert!(!pasted.contains(&published.encryption[0]), "an encryption key that must not count");
}

#[test]
fn entra_id_publishes_only_a_certificate_cloudflare_lacks_mismatch() {
    let data = demo(1_700_000_000).unwrap();
    let (published, pasted, issuer) = published_and_pasted(&data, identity_providers::ENTRA_ID);
    assert_eq!(published.entity_id, issuer);
    assert!(!published.signing.is_empty());
    assert!(published.signing.iter().all(|der| !pasted.contains(der)), "M and C share nothing");
    let entry =
        data.published_metadata.iter().find(|p| p.identity_provider_id == identity_providers::ENTRA_ID);
    let Some(Published::Document(xml)) = entry.map(|e| &e.published) else { panic!("a document") };
    assert!(xml.starts_with('\u{feff}') && xml.contains("\r\n") && xml.contains("<RoleDescriptor "));
}

#[test]
fn shibboleth_is_unreachable_and_every_entry_names_a_saml_idp_of_its_account() {
    let data = demo(1_700_000_000).unwrap();
    let published = |id: &str| data.published_metadata.iter().find(|p| p.identity_provider_id == id);
    let shibboleth = published(identity_providers::SHIBBOLETH).expect("published");
    assert_eq!((shibboleth.account_id.as_str(), &shibboleth.published), (ACCOUNT_B, &Published::Status(503)));
    assert_eq!(data.published_metadata.len(), 4);
    let mut paths = std::collections::HashSet::new();
    for entry in &data.published_metadata {
        assert_eq!(idp(&data, &entry.account_id, &entry.identity_provider_id).kind, "saml");
        assert!(entry.path.starts_with('/') && paths.insert(entry.path.as_str()), "{}", entry.path);
    }
    assert!(data.published_metadata.iter().filter(|p| p.account_id == ACCOUNT_A).count() == 3);
}

#[tokio::test]
async fn the_demo_metadata_is_served_at_its_paths() {
    let data = demo(1_700_000_000).unwrap();
    let host = FakeIdentityProviderMetadata::start(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0))
        .await
        .expect("a loopback port");
    for entry in &data.published_metadata {
        host.set(&entry.path, entry.published.clone());
    }
    for entry in &data.published_metadata {
        let fetched = fetch(&host.url(&entry.path), &[]).await.expect("an answer");
        match &entry.published {
            Published::Document(xml) => assert_eq!(fetched.body, xml.as_bytes(), "{}", entry.path),
            Published::Status(code) => assert_eq!(fetched.status.as_u16(), *code, "{}", entry.path),
            other => panic!("{other:?}"),
        }
    }
    host.stop().await;
}
