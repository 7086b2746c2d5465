//! One request per account per pass: Cloudflare embeds each SAML IdP's whole
//! certificate set in the IdP list, so most passes read only that list and
//! take the assigned sets from it. The set list itself is read on an
//! account's first pass, every `every`-th pass after (staggered by the
//! account's slot, so listings spread over passes), and at once whenever the
//! IdP list cannot stand in for it: an IdP names a set it does not embed, or
//! a set embedded before is embedded no more (deleted, or no longer
//! assigned: only the listing tells). Sets that no IdP uses are seen only in
//! listings; between them their last listed values are kept.

use std::collections::BTreeSet;

use crate::cloudflare::error::ApiError;
use crate::cloudflare::talk_time::TalkTime;
use crate::cloudflare::wire::{CertificateSet, IdentityProvider};
use crate::refresh::shard::slot_of;
use crate::refresh::source::{AccountLists, AccountSource};

/// What one account's last read leaves for the next.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SetListMemory {
    /// Sets of the last listing that no IdP embedded.
    unassigned: Vec<CertificateSet>,
    /// UIDs of the sets the IdPs embedded at the last read.
    embedded: BTreeSet<String>,
    /// Passes to go before the next listing; 0 means the next pass lists.
    passes_left: u32,
}

/// Reads one account: the IdP list, and the set list when due or needed
/// (`every`: one pass in that many lists; 1 lists every pass). Returns the
/// lists as a full listing would have given them (IdPs keep only their
/// embedded set's UID) and what the next read needs.
pub async fn read_account<S: AccountSource>(
    source: &S,
    account_id: &str,
    talk: &TalkTime,
    memory: Option<&SetListMemory>,
    every: u32,
) -> Result<(AccountLists, SetListMemory), ApiError> {
    let every = every.max(1);
    let Some(memory) = memory else {
        return list_both(source, account_id, talk, passes_after_first(account_id, every)).await;
    };
    if memory.passes_left == 0 {
        return list_both(source, account_id, talk, every - 1).await;
    }
    let idps = source.read_identity_providers(account_id, talk).await?;
    if memory.needs_listing(&idps) {
        let sets = source.read_certificate_sets(account_id, talk).await?;
        return Ok(after_listing(sets, idps, every - 1));
    }
    Ok(memory.merge(idps))
}

/// The passes to go after an account's first listing before the next, of
/// one listing in `every` (at least 1): staggered by the account's slot, so
/// that the later listings of different accounts fall in different passes.
pub(super) fn passes_after_first(account_id: &str, every: u32) -> u32 {
    let every = every.max(1);
    let stagger = (slot_of(account_id) * f64::from(every)) as u32 % every;
    every - 1 - stagger
}

/// Reads both lists at once; `passes_left` non-listing passes follow.
async fn list_both<S: AccountSource>(
    source: &S,
    account_id: &str,
    talk: &TalkTime,
    passes_left: u32,
) -> Result<(AccountLists, SetListMemory), ApiError> {
    let (sets, idps) = tokio::join!(
        source.read_certificate_sets(account_id, talk),
        source.read_identity_providers(account_id, talk)
    );
    Ok(after_listing(sets?, idps?, passes_left))
}

/// The lists of a pass that read the set list.
fn after_listing(
    sets: Vec<CertificateSet>,
    mut idps: Vec<IdentityProvider>,
    passes_left: u32,
) -> (AccountLists, SetListMemory) {
    let embedded = embedded_uids(&idps);
    let unassigned = sets.iter().filter(|s| !embedded.contains(&s.uid)).cloned().collect();
    strip_embedded(&mut idps);
    let memory = SetListMemory { unassigned, embedded, passes_left };
    (AccountLists { sets, identity_providers: idps }, memory)
}

impl SetListMemory {
    /// Whether the IdP list just read cannot stand in for the set list.
    fn needs_listing(&self, idps: &[IdentityProvider]) -> bool {
        let embedded = embedded_uids(idps);
        let named_but_not_embedded = idps
            .iter()
            .filter(|idp| idp.is_saml())
            .filter_map(IdentityProvider::certificate_set_uid)
            .any(|uid| !embedded.contains(uid));
        named_but_not_embedded || !self.embedded.is_subset(&embedded)
    }

    /// The lists of a pass that read only the IdP list.
    fn merge(&self, mut idps: Vec<IdentityProvider>) -> (AccountLists, SetListMemory) {
        let embedded = embedded_uids(&idps);
        let mut sets: Vec<CertificateSet> = Vec::with_capacity(embedded.len() + self.unassigned.len());
        let mut seen = BTreeSet::new();
        for set in idps.iter().filter_map(|idp| idp.saml_certificate_set.as_ref()?.to_set()) {
            if seen.insert(set.uid.clone()) {
                sets.push(set);
            }
        }
        // A set listed as unused that an IdP now embeds comes from the IdP.
        let unassigned: Vec<CertificateSet> =
            self.unassigned.iter().filter(|s| !embedded.contains(&s.uid)).cloned().collect();
        sets.extend(unassigned.iter().cloned());
        strip_embedded(&mut idps);
        let memory = SetListMemory { unassigned, embedded, passes_left: self.passes_left - 1 };
        (AccountLists { sets, identity_providers: idps }, memory)
    }
}

/// UIDs of the sets the SAML IdPs embed with their certificates.
fn embedded_uids(idps: &[IdentityProvider]) -> BTreeSet<String> {
    idps.iter()
        .filter(|idp| idp.is_saml())
        .filter_map(|idp| Some(idp.saml_certificate_set.as_ref()?.to_set()?.uid))
        .collect()
}

/// Keeps only each embedded set's UID: the sets are kept once, in the set
/// list, and the state file does not hold them twice.
fn strip_embedded(idps: &mut [IdentityProvider]) {
    for idp in idps {
        if let Some(set) = &idp.saml_certificate_set {
            idp.saml_certificate_set = Some(set.uid_only());
        }
    }
}

#[cfg(test)]
mod tests;
