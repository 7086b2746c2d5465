//! Unit tests of `knobs`.

use super::*;

#[test]
fn a_counted_fault_applies_exactly_that_many_times_then_never() {
    let mut knobs = Knobs::default();
    knobs.faults.push(Fault { path_contains: "/b/".into(), times: Some(2), kind: FaultKind::ResetMidBody });
    assert_eq!(knobs.take_fault("/a/x"), None, "another path");
    assert_eq!(knobs.take_fault("/b/x"), Some(FaultKind::ResetMidBody));
    assert_eq!(knobs.take_fault("/b/x"), Some(FaultKind::ResetMidBody));
    assert_eq!(knobs.take_fault("/b/x"), None, "used up");
}

#[test]
fn a_released_hold_applies_to_nothing_and_counts_what_it_parked() {
    let hold = Hold::new("/b/");
    assert!(hold.applies_to("/b/x") && !hold.applies_to("/a/x"));
    assert_eq!(hold.held(), 0);
    hold.release();
    assert!(!hold.applies_to("/b/x"));
}

#[tokio::test]
async fn a_parked_request_goes_on_only_after_release() {
    let hold = Hold::new("");
    let parked = tokio::spawn({
        let hold = hold.clone();
        async move { hold.park().await }
    });
    hold.until_held(1).await;
    assert!(!parked.is_finished(), "went on before release");
    hold.release();
    parked.await.unwrap();
}
