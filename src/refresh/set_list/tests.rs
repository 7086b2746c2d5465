//! Unit tests of `set_list`.

use std::num::NonZeroU32;
use std::sync::Mutex;

use serde_json::{Value, json};

use super::*;

/// An account whose two lists are whatever the test last put there, and
/// which counts the lists read.
#[derive(Debug, Default)]
struct Lists {
    sets: Mutex<Value>,
    idps: Mutex<Value>,
    read: Mutex<Vec<&'static str>>,
}

impl Lists {
    fn new(sets: Value, idps: Value) -> Self {
        Self { sets: Mutex::new(sets), idps: Mutex::new(idps), read: Mutex::default() }
    }

    fn taken(&self) -> Vec<&'static str> {
        std::mem::take(&mut *self.read.lock().unwrap())
    }
}

impl AccountSource for Lists {
    fn name(&self) -> &str {
        "test"
    }

    fn prepare(&self) {}

    async fn discover(&self) -> Result<Vec<crate::cloudflare::wire::Account>, ApiError> {
        Ok(Vec::new())
    }

    async fn read_certificate_sets(&self, _: &str, _: &TalkTime) -> Result<Vec<CertificateSet>, ApiError> {
        self.read.lock().unwrap().push("sets");
        Ok(serde_json::from_value(self.sets.lock().unwrap().clone()).unwrap())
    }

    async fn read_identity_providers(
        &self,
        _: &str,
        _: &TalkTime,
    ) -> Result<Vec<IdentityProvider>, ApiError> {
        self.read.lock().unwrap().push("idps");
        Ok(serde_json::from_value(self.idps.lock().unwrap().clone()).unwrap())
    }

    async fn until_unblocked(&self) {}

    fn max_requests_per_5m(&self) -> NonZeroU32 {
        NonZeroU32::MIN
    }
}

fn set(uid: &str, previous: Option<&str>) -> Value {
    let mut set = json!({"uid": uid, "updated_at": "2026-01-01T00:00:00Z",
                         "current_certificate": {"uid": format!("{uid}-c"), "public_certificate": "PEM"}});
    if let Some(previous) = previous {
        set["previous_certificate"] = json!({"uid": previous, "public_certificate": "PEM"});
    }
    set
}

fn idp(id: &str, embedded: Value) -> Value {
    json!({"id": id, "name": id, "type": "saml", "config": {"enable_encryption": true},
           "saml_certificate_set_id": embedded["uid"], "saml_certificate_set": embedded})
}

/// Two sets used by IdPs and one used by none.
fn account() -> Lists {
    Lists::new(
        json!([set("used-a", None), set("used-b", None), set("spare", None)]),
        json!([idp("idp-a", set("used-a", None)), idp("idp-b", set("used-b", None))]),
    )
}

async fn read(lists: &Lists, memory: Option<&SetListMemory>, every: u32) -> (AccountLists, SetListMemory) {
    read_account(lists, "acc00000000000000000000000000000", &TalkTime::unlimited(), memory, every)
        .await
        .unwrap()
}

fn uids(lists: &AccountLists) -> Vec<&str> {
    let mut uids: Vec<&str> = lists.sets.iter().map(|s| s.uid.as_str()).collect();
    uids.sort();
    uids
}

#[tokio::test]
async fn the_first_read_lists_both_and_later_ones_take_sets_from_the_idps() {
    let lists = account();
    let (first, memory) = read(&lists, None, 1000).await;
    assert_eq!(lists.taken(), ["sets", "idps"]);
    assert_eq!(uids(&first), ["spare", "used-a", "used-b"]);
    let embedded = first.identity_providers[0].saml_certificate_set.as_ref().unwrap();
    assert_eq!(embedded.uid.as_deref(), Some("used-a"));
    assert!(embedded.current_certificate.is_empty(), "only the UID is kept beside the set list");

    // The second read: the IdP list only; the unused set is the listed one.
    *lists.idps.lock().unwrap() =
        json!([idp("idp-a", set("used-a", Some("old-a"))), idp("idp-b", set("used-b", None))]);
    let (second, _) = read(&lists, Some(&memory), 1000).await;
    assert_eq!(lists.taken(), ["idps"]);
    assert_eq!(uids(&second), ["spare", "used-a", "used-b"]);
    let rotated = second.sets.iter().find(|s| s.uid == "used-a").unwrap();
    assert_eq!(
        rotated.previous_certificate.certificate().unwrap().uid.as_deref(),
        Some("old-a"),
        "a rotation shows at once"
    );
    let mut listed: Vec<CertificateSet> = serde_json::from_value(json!([
        set("spare", None),
        set("used-a", Some("old-a")),
        set("used-b", None)
    ]))
    .unwrap();
    let mut merged = second.sets.clone();
    merged.sort_by(|a, b| a.uid.cmp(&b.uid));
    listed.sort_by(|a, b| a.uid.cmp(&b.uid));
    assert_eq!(merged, listed, "the same sets a listing would give");
}

#[tokio::test]
async fn an_idp_naming_a_set_it_does_not_embed_makes_the_pass_list() {
    let lists = account();
    let (_, memory) = read(&lists, None, 1000).await;
    lists.taken();
    *lists.idps.lock().unwrap() = json!([idp("idp-a", set("used-a", None)), idp("idp-b", set("used-b", None)),
        {"id": "idp-c", "type": "saml", "saml_certificate_set_id": "spare", "config": {"enable_encryption": true}}]);
    let (lists_read, _) = read(&lists, Some(&memory), 1000).await;
    assert_eq!(lists.taken(), ["idps", "sets"]);
    assert_eq!(uids(&lists_read), ["spare", "used-a", "used-b"]);
}

#[tokio::test]
async fn a_set_no_longer_embedded_makes_the_pass_list_and_a_deleted_one_goes() {
    let lists = account();
    let (_, memory) = read(&lists, None, 1000).await;
    lists.taken();
    *lists.sets.lock().unwrap() = json!([set("used-a", None), set("spare", None)]);
    *lists.idps.lock().unwrap() = json!([idp("idp-a", set("used-a", None)), {"id": "idp-b", "type": "saml"}]);
    let (after, _) = read(&lists, Some(&memory), 1000).await;
    assert_eq!(lists.taken(), ["idps", "sets"]);
    assert_eq!(uids(&after), ["spare", "used-a"], "used-b was deleted with its IdP's assignment");
}

#[tokio::test]
async fn the_set_list_is_read_again_every_nth_pass() {
    let lists = account();
    let (_, mut memory) = read(&lists, None, 4).await;
    lists.taken();
    let mut pattern = Vec::new();
    for _ in 0..8 {
        memory = read(&lists, Some(&memory), 4).await.1;
        pattern.push(lists.taken().len());
    }
    let listings: Vec<usize> = pattern.iter().enumerate().filter(|(_, n)| **n == 2).map(|(i, _)| i).collect();
    assert_eq!(listings.len(), 2, "two listings in eight passes: {pattern:?}");
    assert_eq!(listings[1] - listings[0], 4, "four passes apart: {pattern:?}");
}

#[tokio::test]
async fn once_every_pass_lists_both_as_before() {
    let lists = account();
    let (_, mut memory) = read(&lists, None, 1).await;
    for _ in 0..3 {
        memory = read(&lists, Some(&memory), 1).await.1;
    }
    assert_eq!(lists.taken().len(), 8);
}

#[test]
fn the_first_gap_is_staggered_by_account() {
    let gaps: std::collections::BTreeSet<u32> = (0..200)
        .map(|i| {
            let every = 12;
            every - 1 - (slot_of(&format!("acc{i:029}")) * f64::from(every)) as u32 % every
        })
        .collect();
    assert_eq!(gaps, (0..12).collect(), "every gap from 0 to 11 passes occurs");
}
