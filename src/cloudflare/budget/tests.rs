//! Unit tests of `budget`.

use super::*;

fn budget(per_5m: u32) -> RequestBudget {
    RequestBudget::new(NonZeroU32::new(per_5m).unwrap())
}

/// When each of `n` turns was given, as time since `start`.
async fn turn_times(budget: &RequestBudget, n: usize) -> Vec<Duration> {
    let start = Instant::now();
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        budget.wait_for_turn().await.unwrap();
        times.push(start.elapsed());
    }
    times
}

#[tokio::test(start_paused = true)]
async fn a_fifth_goes_at_once_and_the_rest_at_the_steady_rate() {
    // 300 per 5 minutes: a burst of 60, then one every 300s / 300.
    let times = turn_times(&budget(300), 62).await;
    assert!(times[..60].iter().all(|t| t.is_zero()), "{:?}", &times[..60]);
    assert_eq!(times[60], Duration::from_secs(1));
    assert_eq!(times[61], Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn no_five_minute_window_holds_more_than_the_budget() {
    for per_5m in [1, 7, 20, 300] {
        let times = turn_times(&budget(per_5m), 3 * per_5m as usize + 3).await;
        for (first, later) in times.iter().zip(&times[per_5m as usize..]) {
            assert!(*later - *first >= WINDOW, "{} turns within {:?}", per_5m + 1, *later - *first);
        }
    }
}

#[tokio::test(start_paused = true)]
async fn the_steady_rate_is_the_whole_budget_per_window() {
    // Past the first window, every five minutes give exactly the budget.
    let times = turn_times(&budget(300), 1500).await;
    let in_window = |from: u64| {
        let (start, end) = (Duration::from_secs(from), Duration::from_secs(from) + WINDOW);
        times.iter().filter(|t| **t >= start && **t < end).count()
    };
    for from in [0, 300, 600, 900] {
        assert_eq!(in_window(from), 300, "window starting at {from}s");
    }
}

#[tokio::test(start_paused = true)]
async fn time_for_turns_is_what_a_fresh_budget_takes() {
    for (per_5m, turns) in [(300, 1), (300, 60), (300, 200), (300, 301), (300, 2000), (7, 20), (1, 3)] {
        let times = turn_times(&budget(per_5m), turns).await;
        let expected = time_for_turns(turns as u64, NonZeroU32::new(per_5m).unwrap());
        let took = *times.last().unwrap();
        // tokio's timer rounds each sleep up to the millisecond.
        assert!(
            took >= expected && took - expected <= Duration::from_millis(turns as u64),
            "{turns} turns at {per_5m}/5m: took {took:?}, formula says {expected:?}"
        );
    }
    assert_eq!(time_for_turns(0, NonZeroU32::new(300).unwrap()), Duration::ZERO);
    assert_eq!(time_for_turns(200, NonZeroU32::new(300).unwrap()), Duration::from_secs(140));
}

#[tokio::test(start_paused = true)]
async fn a_budget_of_one_still_gives_a_turn() {
    let times = turn_times(&budget(1), 2).await;
    assert_eq!(times, [Duration::ZERO, WINDOW]);
}

#[tokio::test(start_paused = true)]
async fn a_pause_holds_turns_without_refusing_them() {
    let budget = budget(300);
    assert!(budget.pause_for(Duration::from_secs(20)), "a new pause");
    assert!(!budget.pause_for(Duration::from_secs(5)), "a shorter one changes nothing");
    let start = Instant::now();
    budget.wait_for_turn().await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(20));
    assert!(budget.pause_for(Duration::from_secs(1)), "the first pause is over");
}

#[tokio::test(start_paused = true)]
async fn turns_are_refused_while_blocked_and_given_after() {
    let budget = budget(300);
    budget.block_for(Duration::from_secs(30));
    assert_eq!(budget.wait_for_turn().await, Err(Blocked { remaining: Duration::from_secs(30) }));
    tokio::time::advance(Duration::from_secs(29)).await;
    assert_eq!(budget.refuse_while_blocked(), Err(Blocked { remaining: Duration::from_secs(1) }));
    let start = Instant::now();
    budget.until_unblocked().await;
    assert_eq!(start.elapsed(), Duration::from_secs(1));
    assert_eq!(budget.wait_for_turn().await, Ok(()));
}

#[tokio::test(start_paused = true)]
async fn a_later_block_replaces_an_earlier_one() {
    let budget = budget(300);
    budget.block_for(Duration::from_secs(300));
    budget.block_for(Duration::from_secs(5));
    assert_eq!(budget.refuse_while_blocked(), Err(Blocked { remaining: Duration::from_secs(5) }));
}

#[tokio::test(start_paused = true)]
async fn a_block_that_arrives_while_queued_refuses_the_turn() {
    let budget = budget(5); // a burst of one, then one turn every 60s
    budget.wait_for_turn().await.unwrap();
    let queued = budget.wait_for_turn();
    tokio::pin!(queued);
    // Still queued after half the wait; the 429 arrives meanwhile.
    assert!(tokio::time::timeout(Duration::from_secs(30), &mut queued).await.is_err());
    budget.block_for(Duration::from_secs(600));
    let started = Instant::now();
    let refused = queued.await.unwrap_err();
    assert_eq!(started.elapsed(), Duration::from_secs(30), "waited for its turn, then refused");
    assert_eq!(refused.remaining, Duration::from_secs(570));
    assert_eq!(refused.to_string(), "not calling Cloudflare for another 570s after a rate-limit answer");
}
