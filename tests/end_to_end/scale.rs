//! 100 discovered accounts on the default flags, as a user meets them: the
//! default request budget makes the first pass take about 140 s, too long
//! for the fast tier (which runs the same accounts on a roomy budget in
//! `tests/scale.rs`).

use std::time::Duration;

use crate::support::fleet::a_hundred_accounts_come_up;

/// The case as a user meets it: 100 discovered accounts, every flag
/// at its default. The budget (60 at once, then one request every 1.25 s)
/// makes the first pass take about 140 s; this waits for the end result
/// (the pacing itself is proven in virtual time in `refresh::tests`).
#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_discovered_accounts_on_the_default_flags_all_come_up_with_no_error_and_no_429() {
    a_hundred_accounts_come_up(&[], Duration::from_secs(400)).await;
}
