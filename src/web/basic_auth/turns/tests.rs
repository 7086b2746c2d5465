//! Unit tests of `turns`.

use std::time::Duration;

use super::*;

/// Lets every spawned task run until it waits.
async fn settle() {
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(start_paused = true)]
async fn clean_checks_go_before_failing_ones_that_came_earlier() {
    let turns = Turns::new(8);
    let held = turns.take(Standing::Clean).await.unwrap();
    let order = Arc::new(Mutex::new(Vec::new()));
    let mut waiters = tokio::task::JoinSet::new();
    for (name, standing) in
        [("failing-1", Standing::Failing), ("failing-2", Standing::Failing), ("clean", Standing::Clean)]
    {
        let (turns, order) = (Arc::clone(&turns), Arc::clone(&order));
        waiters.spawn(async move {
            let _turn = turns.take(standing).await.unwrap();
            order.lock().unwrap().push(name);
            // Holds the turn a while, as a bcrypt check does.
            tokio::time::sleep(Duration::from_millis(100)).await;
        });
        settle().await;
    }
    assert_eq!(turns.waiting(), (1, 2));
    drop(held);
    waiters.join_all().await;
    assert_eq!(*order.lock().unwrap(), ["clean", "failing-1", "failing-2"]);
    assert_eq!(turns.waiting(), (0, 0));
}

#[tokio::test(start_paused = true)]
async fn a_full_level_refuses_at_once_without_touching_the_other() {
    let turns = Turns::new(1);
    let _held = turns.take(Standing::Clean).await.unwrap();
    let waiting = tokio::spawn({
        let turns = Arc::clone(&turns);
        async move { turns.take(Standing::Failing).await.map(drop) }
    });
    settle().await;
    assert_eq!(turns.take(Standing::Failing).await.unwrap_err(), QueueFull);
    let clean = tokio::spawn({
        let turns = Arc::clone(&turns);
        async move { turns.take(Standing::Clean).await.map(drop) }
    });
    settle().await;
    assert_eq!(turns.waiting(), (1, 1), "the clean level still had room");
    waiting.abort();
    clean.abort();
}

#[tokio::test(start_paused = true)]
async fn a_waiter_that_gave_up_neither_keeps_the_turn_nor_its_place() {
    let turns = Turns::new(1);
    let held = turns.take(Standing::Clean).await.unwrap();
    let gave_up = tokio::spawn({
        let turns = Arc::clone(&turns);
        async move { turns.take(Standing::Clean).await.map(drop) }
    });
    settle().await;
    gave_up.abort();
    settle().await;
    // Its place is taken back when the level is full.
    let next = tokio::spawn({
        let turns = Arc::clone(&turns);
        async move { turns.take(Standing::Clean).await.map(drop) }
    });
    settle().await;
    drop(held);
    tokio::time::timeout(Duration::from_secs(1), next).await.expect("the turn passed on").unwrap().unwrap();
    let _again = tokio::time::timeout(Duration::from_secs(1), turns.take(Standing::Failing))
        .await
        .expect("the turn is free again")
        .unwrap();
}
