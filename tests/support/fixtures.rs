//! The fake API's test data: certificate sets, SAML IdPs and accounts built
//! in one line each, the two-account fixture most tests share, and the
//! client settings that point the real client at a fake.

use std::num::NonZeroU32;
use std::time::Duration;

use cloudflare_saml_exporter::clock::unix_now;
use cloudflare_saml_exporter::cloudflare::client::ClientSettings;
use fake_cloudflare::clock::rfc3339;
use fake_cloudflare::mint::{KeyKind, mint_certificate};
use fake_cloudflare::{
    AccountType, FakeAccount, FakeCertificate, FakeCloudflare, FakeData, FakeIdentityProvider, FakeSet,
};

/// The token the test fakes accept.
pub const TOKEN: &str = "test-token-7f3a9c";

/// A certificate set whose current certificate expires in `days` days.
pub fn set_expiring_in(uid: &str, days: i64) -> FakeSet {
    let now = unix_now() as i64;
    let minted = mint_certificate("test", KeyKind::P256, now - 86_400, now + days * 86_400).expect("mint");
    FakeSet {
        uid: uid.to_owned(),
        created_at: rfc3339(now - 86_400),
        updated_at: rfc3339(now - 3_600),
        current: Some(FakeCertificate {
            uid: format!("{uid}-cert"),
            pem: minted.pem,
            not_after: rfc3339(minted.not_after),
        }),
        previous: None,
    }
}

/// A SAML IdP using `set` with encryption on.
pub fn saml_idp(id: &str, set: Option<&str>) -> FakeIdentityProvider {
    FakeIdentityProvider {
        id: id.to_owned(),
        name: format!("IdP {id}"),
        kind: "saml".to_owned(),
        enable_encryption: set.is_some(),
        certificate_set_id: set.map(str::to_owned),
        signing_certificates: Vec::new(),
        issuer_url: "https://idp.example.com/saml".to_owned(),
    }
}

/// An account with these sets and IdPs.
pub fn account(id: &str, sets: Vec<FakeSet>, identity_providers: Vec<FakeIdentityProvider>) -> FakeAccount {
    FakeAccount {
        id: id.to_owned(),
        name: format!("Account {id}"),
        account_type: AccountType::Standard,
        sets,
        identity_providers,
        applications: Vec::new(),
    }
}

/// Fake data accepting [`TOKEN`].
pub fn data(accounts: Vec<FakeAccount>) -> FakeData {
    FakeData {
        token: TOKEN.to_owned(),
        global_key: None,
        account_owned_token: false,
        scoped_tokens: Vec::new(),
        accounts,
        published_metadata: Vec::new(),
    }
}

/// Two healthy accounts: `acca0000000000000000000000000000` with `set-a` (100 days) used by `idp-a`;
/// `accb0000000000000000000000000000` with `set-b1` (50 days) and `set-b2` (200 days), used by
/// `idp-b1` and `idp-b2`.
/// The account of single-account fixtures, in Cloudflare's shape.
pub const ACC: &str = "acc00000000000000000000000000000";
/// Account A of [`two_accounts`].
pub const ACC_A: &str = "acca0000000000000000000000000000";
/// Account B of [`two_accounts`].
pub const ACC_B: &str = "accb0000000000000000000000000000";

pub fn two_accounts() -> FakeData {
    let a = account(ACC_A, vec![set_expiring_in("set-a", 100)], vec![saml_idp("idp-a", Some("set-a"))]);
    let b = account(
        ACC_B,
        vec![set_expiring_in("set-b1", 50), set_expiring_in("set-b2", 200)],
        vec![saml_idp("idp-b1", Some("set-b1")), saml_idp("idp-b2", Some("set-b2"))],
    );
    data(vec![a, b])
}

/// The fake serving `data` on a free loopback port.
pub async fn start_fake(data: FakeData) -> FakeCloudflare {
    FakeCloudflare::start("127.0.0.1:0".parse().unwrap(), data).await.expect("start the fake Cloudflare API")
}

/// Client settings for `fake`: 5 s timeouts, 1 MiB bodies, 300 requests per 5 minutes.
pub fn client_settings(fake: &FakeCloudflare) -> ClientSettings {
    ClientSettings {
        base_url: fake.api_url().clone(),
        request_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(5),
        max_body_bytes: 1 << 20,
        max_account_bytes: 4 << 20,
        max_requests_per_5m: NonZeroU32::new(300).unwrap(),
    }
}
