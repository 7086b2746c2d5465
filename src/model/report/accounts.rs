//! The report's rows by account: each row carries its account's display
//! name when known, and rows are grouped by account, the account with the
//! worst row first (then fewest days left), worst first within each.

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::model::report::{Row, Severity};
use crate::model::state::AccountStatus;

/// Fills `account_name` from the accounts' statuses.
pub(super) fn name_rows(rows: &mut [Row], accounts: &[(String, AccountStatus)]) {
    for row in rows.iter_mut().filter(|row| row.account_name.is_none()) {
        if let Ok(at) = accounts.binary_search_by(|(id, _)| id.as_str().cmp(&row.account_id)) {
            row.account_name.clone_from(&accounts[at].1.name);
        }
    }
}

/// Groups rows by account, worst account first, worst row first within.
pub(super) fn group_by_account(rows: &mut [Row]) {
    let mut worst: HashMap<String, (Severity, f64)> = HashMap::new();
    for row in rows.iter() {
        let days = row.days_left.unwrap_or(f64::MAX);
        let entry = worst.entry(row.account_id.clone()).or_insert((row.state, days));
        entry.0 = entry.0.max(row.state);
        entry.1 = entry.1.min(days);
    }
    let rank = |row: &Row| worst.get(&row.account_id).copied().unwrap_or((Severity::Ok, f64::MAX));
    rows.sort_by(|a, b| {
        let (a_state, a_days) = rank(a);
        let (b_state, b_days) = rank(b);
        b_state
            .cmp(&a_state)
            .then_with(|| a_days.total_cmp(&b_days))
            .then_with(|| a.account_id.cmp(&b.account_id))
            .then_with(|| worst_row_first(a, b))
    });
}

fn worst_row_first(a: &Row, b: &Row) -> Ordering {
    b.state
        .cmp(&a.state)
        .then_with(|| a.days_left.unwrap_or(f64::MAX).total_cmp(&b.days_left.unwrap_or(f64::MAX)))
}
