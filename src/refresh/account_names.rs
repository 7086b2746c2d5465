//! Each account's display name, for people reading the status page,
//! `check` and the dashboard. A discovering credential learns the names
//! from `GET /accounts` at no extra cost; an account named on the command
//! line costs one `GET /accounts/{id}` a day, inside the budget, after a
//! successful read. A failure is logged at debug and tried again the next
//! day: a name is never worth a failed account nor a spent budget.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;
use tracing::debug;

use crate::cloudflare::wire::Account;
use crate::locks::lock;
use crate::refresh::source::AccountSource;
use crate::refresh::{AccountSelection, Lane, Refresher};

/// How often a named account's name is asked for again.
pub const NAME_EVERY: Duration = Duration::from_secs(24 * 3600);

/// The IDs of `accounts`, and the names of those that have one.
pub(super) fn split(accounts: Vec<Account>) -> (Vec<String>, Vec<(String, String)>) {
    let mut names = Vec::new();
    let ids = accounts
        .into_iter()
        .map(|account| {
            if let Some(name) = account.name.filter(|n| !n.trim().is_empty()) {
                names.push((account.id.clone(), name));
            }
            account.id
        })
        .collect();
    (ids, names)
}

/// When each named account's name was last asked for.
#[derive(Debug, Default)]
pub(super) struct NameCadence {
    asked: Mutex<HashMap<String, Instant>>,
}

impl NameCadence {
    /// Whether `account_id`'s name is due now; if so, counts it as asked.
    fn due(&self, account_id: &str) -> bool {
        let now = Instant::now();
        let mut asked = lock(&self.asked);
        match asked.get(account_id) {
            Some(at) if now.duration_since(*at) < NAME_EVERY => false,
            _ => {
                asked.insert(account_id.to_owned(), now);
                true
            }
        }
    }
}

impl<S: AccountSource> Refresher<S> {
    /// Asks for the name of an account the user named, once a day.
    pub(super) async fn refresh_account_name(&self, lane: &Lane<S>, account_id: &str) {
        if !matches!(lane.selection, AccountSelection::Fixed(_)) || !self.shared.names.due(account_id) {
            return;
        }
        match lane.source.account_name(account_id).await {
            Ok(Some(name)) if !name.trim().is_empty() => {
                self.shared.state.set_account_names([(account_id.to_owned(), name)]);
            }
            Ok(_) => {}
            Err(err) => {
                debug!(account_id, credential = lane.source.name(), reason = err.reason().label(), error = %err, "could not read the account's name; trying again tomorrow");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_name_is_asked_for_once_a_day() {
        let cadence = NameCadence::default();
        assert!(cadence.due("acc"));
        assert!(!cadence.due("acc"));
        tokio::time::advance(NAME_EVERY - Duration::from_secs(1)).await;
        assert!(!cadence.due("acc"));
        assert!(cadence.due("other"));
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(cadence.due("acc"));
    }

    #[test]
    fn discovered_accounts_give_their_ids_and_the_names_they_have() {
        let account = |id: &str, name: Option<&str>| Account { id: id.into(), name: name.map(Into::into) };
        let (ids, names) =
            split(vec![account("a", Some("Example")), account("b", None), account("c", Some(" "))]);
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(names, [("a".to_owned(), "Example".to_owned())]);
    }
}
