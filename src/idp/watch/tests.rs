use super::*;

#[test]
fn every_reason_is_listed_once() {
    let reasons = metadata_reasons();
    let mut unique = reasons.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), reasons.len(), "{reasons:?}");
    for reason in ["account_not_found", "unreachable", "too_large", "dtd", "bad_certificate"] {
        assert!(reasons.contains(&reason), "{reason} missing from {reasons:?}");
    }
}

#[test]
fn a_read_rests_an_interval_a_failure_five_minutes_and_a_wait_for_the_account_a_moment() {
    let hour = Duration::from_secs(3600);
    assert_eq!(pause_after(Next::Read, hour), hour);
    assert_eq!(
        pause_after(Next::Failed, hour),
        RETRY_AFTER_FAILURE,
        "a blip clears long before the alert's hour"
    );
    assert_eq!(pause_after(Next::Waiting, hour), WAIT_FOR_ACCOUNT);
    let second = Duration::from_secs(1);
    for next in [Next::Read, Next::Failed] {
        assert_eq!(pause_after(next, second), second, "never later than the interval");
    }
}
