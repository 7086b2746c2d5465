//! The applications collector's part of an account's refresh. Applications
//! change rarely, so their list is read on an account's first pass and then
//! once every `every` passes, the set list's cadence ([`super::set_list`]),
//! and only after the account's own lists were read. Its failure (a token
//! without "Access: Apps and Policies Read" answers 403) never fails the
//! account: it sets the account's applications status, is counted by
//! reason, and is logged once per reason, not every pass.

use std::collections::HashMap;
use std::sync::Mutex;

use tracing::{debug, info, warn};

use crate::clock::unix_now;
use crate::cloudflare::error::Reason;
use crate::cloudflare::talk_time::TalkTime;
use crate::locks::lock;
use crate::model::applications::ApplicationInventory;
use crate::refresh::set_list::passes_after_first;
use crate::refresh::source::AccountSource;
use crate::refresh::{Lane, Refresher};

/// Per account, the passes to go before its applications are read again.
#[derive(Debug, Default)]
pub(super) struct ApplicationsCadence {
    passes_left: Mutex<HashMap<String, u32>>,
}

impl ApplicationsCadence {
    /// Whether this pass reads `account_id`'s applications (one pass in
    /// `every`), counting the pass either way.
    fn due(&self, account_id: &str, every: u32) -> bool {
        let every = every.max(1);
        let mut passes_left = lock(&self.passes_left);
        match passes_left.get_mut(account_id) {
            // The first read, staggered as the set list's.
            None => {
                passes_left.insert(account_id.to_owned(), passes_after_first(account_id, every));
                true
            }
            Some(0) => {
                passes_left.insert(account_id.to_owned(), every - 1);
                true
            }
            Some(left) => {
                *left -= 1;
                false
            }
        }
    }
}

impl<S: AccountSource> Refresher<S> {
    /// Reads the account's applications when the lane collects them and
    /// they are due, and records the outcome beside the account's.
    pub(super) async fn refresh_applications(&self, lane: &Lane<S>, account_id: &str, talk: &TalkTime) {
        if !lane.applications || !self.shared.applications.due(account_id, self.set_list_every()) {
            return;
        }
        let credential = lane.source.name();
        self.shared.counters.init_application_errors(account_id, Reason::ALL.map(Reason::label));
        match lane.source.read_applications(account_id, talk).await {
            Ok(list) => {
                let inventory = ApplicationInventory::build(list);
                info!(
                    account_id,
                    credential,
                    applications = inventory.applications.len(),
                    "read Access applications"
                );
                self.shared.state.record_applications(account_id, Ok(inventory), unix_now());
            }
            Err(err) => {
                let reason = err.reason().label();
                self.shared.counters.record_application_error(account_id, reason);
                let before = self.shared.state.account(account_id).and_then(|s| s.applications?.error);
                if before == Some(reason) {
                    debug!(account_id, credential, reason, error = %err, "Access applications still unreadable");
                } else {
                    warn!(
                        account_id,
                        credential,
                        reason,
                        error = %err,
                        "cannot read the account's Access applications (the token needs \"Access: Apps and \
                         Policies Read\"); blast radius and SaaS certificates keep their last good values"
                    );
                }
                self.shared.state.record_applications(account_id, Err(reason), unix_now());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_read_on_its_first_pass_then_once_every_few_passes() {
        let cadence = ApplicationsCadence::default();
        let reads: Vec<bool> = (0..13).map(|_| cadence.due("acc-1", 4)).collect();
        assert!(reads[0], "first pass: {reads:?}");
        let later: Vec<usize> =
            reads.iter().enumerate().skip(1).filter(|(_, r)| **r).map(|(i, _)| i).collect();
        assert_eq!(later.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>(), [4, 4], "{reads:?}");
        assert!(later[0] <= 4, "{reads:?}");
    }

    #[test]
    fn every_pass_when_every_is_one_or_zero() {
        let cadence = ApplicationsCadence::default();
        assert!((0..5).all(|_| cadence.due("acc-1", 1)));
        assert!((0..5).all(|_| cadence.due("acc-2", 0)));
    }
}
