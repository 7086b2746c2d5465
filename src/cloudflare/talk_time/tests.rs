//! Unit tests of `talk_time`.

use super::*;

fn request(takes: u64) -> impl Future<Output = ()> {
    tokio::time::sleep(Duration::from_secs(takes))
}

#[tokio::test(start_paused = true)]
async fn only_time_in_flight_counts() {
    let talk = TalkTime::new(Duration::from_secs(10));
    talk.talk(request(6)).await.unwrap();
    // A long wait between requests (the budget's) costs nothing.
    tokio::time::sleep(Duration::from_secs(600)).await;
    talk.talk(request(3)).await.unwrap();
    let started = Instant::now();
    assert_eq!(talk.talk(request(5)).await, Err(OutOfTime));
    assert_eq!(started.elapsed(), Duration::from_secs(1), "one second was left");
    assert_eq!(talk.talk(request(0)).await, Err(OutOfTime), "none left");
}

#[tokio::test(start_paused = true)]
async fn overlapping_requests_share_the_clock() {
    let talk = TalkTime::new(Duration::from_secs(10));
    // Two requests of 8 s side by side spend 8 s, not 16.
    let (a, b) = tokio::join!(talk.talk(request(8)), talk.talk(request(8)));
    assert_eq!((a, b), (Ok(()), Ok(())));
    let started = Instant::now();
    assert_eq!(talk.talk(request(3)).await, Err(OutOfTime));
    assert_eq!(started.elapsed(), Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn unlimited_never_runs_out() {
    let talk = TalkTime::unlimited();
    talk.talk(request(86_400)).await.unwrap();
    talk.talk(request(86_400)).await.unwrap();
}
