//! Unit tests of `write_deadline`, in virtual time.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;

#[tokio::test(start_paused = true)]
async fn a_write_the_client_never_takes_fails_at_the_deadline() {
    let (server, _client) = tokio::io::duplex(1024);
    let deadline = Arc::new(WriteDeadline::default());
    let mut io = DeadlineIo::new(server, Arc::clone(&deadline));
    let started = Instant::now();
    deadline.arm(started + Duration::from_secs(5));
    let err = io.write_all(&[0u8; 64 * 1024]).await.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    assert_eq!(started.elapsed(), Duration::from_secs(5), "failed at the deadline, not before");
}

#[tokio::test(start_paused = true)]
async fn a_client_that_reads_is_never_cut_off_and_an_idle_connection_outlives_the_deadline() {
    let (server, mut client) = tokio::io::duplex(1024);
    let deadline = Arc::new(WriteDeadline::default());
    let mut io = DeadlineIo::new(server, Arc::clone(&deadline));
    deadline.arm(Instant::now() + Duration::from_secs(5));
    let reader = tokio::spawn(async move {
        let mut all = vec![0u8; 64 * 1024];
        client.read_exact(&mut all).await.map(|_| client)
    });
    io.write_all(&[1u8; 64 * 1024]).await.expect("a reading client gets everything");
    let _client = reader.await.unwrap().unwrap();
    // Long past the deadline, a write that fits is taken at once.
    tokio::time::sleep(Duration::from_secs(60)).await;
    io.write_all(b"next").await.expect("writes that complete never time out");
    io.flush().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn without_a_deadline_a_blocked_write_just_waits() {
    let (server, _client) = tokio::io::duplex(16);
    let mut io = DeadlineIo::new(server, Arc::default());
    let blocked = tokio::time::timeout(Duration::from_secs(3600), io.write_all(&[0u8; 64])).await;
    assert!(blocked.is_err(), "still waiting after an hour: nothing armed a deadline");
}

#[tokio::test(start_paused = true)]
async fn a_new_response_moves_the_deadline() {
    let (server, _client) = tokio::io::duplex(16);
    let deadline = Arc::new(WriteDeadline::default());
    let mut io = DeadlineIo::new(server, Arc::clone(&deadline));
    let started = Instant::now();
    deadline.arm(started + Duration::from_secs(1));
    io.write_all(&[0u8; 16]).await.unwrap();
    deadline.arm(started + Duration::from_secs(10));
    let err = io.write_all(&[0u8; 16]).await.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    assert_eq!(started.elapsed(), Duration::from_secs(10));
}
