//! Unit tests of `failures`, in virtual time.

use super::*;

fn key(n: u8) -> LoginKey {
    [n; 32]
}

#[tokio::test(start_paused = true)]
async fn a_failure_is_remembered_for_its_time_then_forgotten() {
    let mut failures = RecentFailures::new(Duration::from_secs(60), 10);
    failures.insert(key(1));
    assert!(failures.contains(&key(1)));
    assert!(!failures.contains(&key(2)));
    tokio::time::advance(Duration::from_secs(59)).await;
    assert!(failures.contains(&key(1)), "still within the minute");
    tokio::time::advance(Duration::from_secs(1)).await;
    assert!(!failures.contains(&key(1)), "forgotten after the minute");
    assert!(failures.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_flood_of_distinct_failures_stays_within_the_bound_oldest_out_first() {
    let mut failures = RecentFailures::new(Duration::from_secs(60), 3);
    for n in 0..100 {
        failures.insert(key(n));
    }
    assert_eq!(failures.len(), 3);
    assert!(failures.contains(&key(99)) && failures.contains(&key(97)));
    assert!(!failures.contains(&key(96)), "the oldest went first");
}

#[tokio::test(start_paused = true)]
async fn failing_again_renews_a_failure() {
    let mut failures = RecentFailures::new(Duration::from_secs(60), 10);
    failures.insert(key(1));
    tokio::time::advance(Duration::from_secs(40)).await;
    failures.insert(key(1));
    tokio::time::advance(Duration::from_secs(40)).await;
    assert!(failures.contains(&key(1)), "the second failure counts from its own time");
    assert_eq!(failures.len(), 1);
    tokio::time::advance(Duration::from_secs(20)).await;
    assert!(!failures.contains(&key(1)));
}
