//! Unit tests of `state`.

use super::*;

#[test]
fn a_failure_keeps_the_last_good_inventory() {
    let state = ExporterState::default();
    state.set_accounts(&["a".into()]);
    assert!(!state.is_ready());
    state.record_success("a", AccountInventory::default(), 0.5, 100.0);
    state.record_failure("a", 0.7);
    let (_, status) = &state.accounts()[0];
    assert!(status.inventory.is_some() && !status.up);
    assert_eq!(status.last_success, Some(100.0));
    assert_eq!(status.last_duration, Some(0.7));
    assert!(state.is_ready());
}

#[test]
fn a_restored_account_is_ready_without_up_and_a_refresh_takes_over() {
    let state = ExporterState::default();
    state.set_accounts(&["a".into(), "b".into()]);
    assert!(state.restore("a", AccountInventory::default, 50.0));
    assert!(!state.restore("gone", AccountInventory::default, 50.0), "not watched");
    assert!(!state.is_ready(), "b is neither restored nor refreshed");
    state.record_failure("b", 0.1);
    assert!(state.is_ready());
    let (_, a) = &state.accounts()[0];
    assert!(a.restored() && !a.attempted && a.inventory.is_some());
    assert_eq!(a.last_success, Some(50.0));
    state.record_failure("a", 0.2);
    let (_, a) = &state.accounts()[0];
    assert!(!a.restored() && !a.up && a.inventory.is_some(), "the restored data stays as last good");
    assert_eq!(a.last_success, Some(50.0));
    assert!(!state.restore("a", AccountInventory::default, 60.0), "a refresh has ended");
}

#[test]
fn every_write_changes_the_generation_and_reads_do_not() {
    let state = ExporterState::default();
    let mut seen = vec![state.generation()];
    state.set_accounts(&["a".into()]);
    seen.push(state.generation());
    state.record_success("a", AccountInventory::default(), 0.5, 100.0);
    seen.push(state.generation());
    state.record_failure("a", 0.7);
    seen.push(state.generation());
    let _ = (state.accounts(), state.is_ready(), state.account_ids());
    assert_eq!(state.generation(), seen[3], "reads leave it alone");
    seen.dedup();
    assert_eq!(seen.len(), 4, "each write gave a new number: {seen:?}");
}

#[test]
fn an_overdue_first_pass_is_ready_but_unknown_accounts_are_not() {
    let state = ExporterState::default();
    state.mark_first_pass_overdue();
    assert!(!state.is_ready(), "accounts not settled yet");
    state.set_accounts(&["a".into(), "b".into()]);
    state.record_success("a", AccountInventory::default(), 0.5, 100.0);
    assert!(state.is_ready(), "b is still waiting for its turn, but the pass is overdue");
}
