//! The cache shares one render between requests while the state is
//! unchanged and the render younger than [`MAX_AGE`], renders again after
//! either, and never renders twice at once.

use std::sync::atomic::AtomicUsize;

use super::*;

/// A render that only says which one it was.
#[derive(Debug)]
struct Numbered {
    generation: u64,
    made_at: Instant,
    number: usize,
}

impl Rendering for Numbered {
    fn generation(&self) -> u64 {
        self.generation
    }

    fn made_at(&self) -> Instant {
        self.made_at
    }
}

fn cache() -> (Arc<ExporterState>, RenderCache<Numbered>) {
    let state = Arc::new(ExporterState::default());
    let (source, made) = (Arc::clone(&state), Arc::new(AtomicUsize::new(0)));
    let renderer: Renderer<Numbered> = Arc::new(move || Numbered {
        generation: source.generation(),
        made_at: Instant::now(),
        number: made.fetch_add(1, Ordering::Relaxed) + 1,
    });
    (Arc::clone(&state), RenderCache::with_renderer(state, renderer))
}

#[tokio::test(start_paused = true)]
async fn requests_share_one_render_until_the_state_changes() {
    let (state, cache) = cache();
    let first = cache.current().await;
    let second = cache.current().await;
    assert!(Arc::ptr_eq(&first, &second));
    assert_eq!((first.number, cache.renders()), (1, 1));

    state.record_failure("acc00000000000000000000000000000", 0.5);
    let after = cache.current().await;
    assert_eq!((after.number, cache.renders()), (2, 2));
    assert!(after.generation > first.generation);
}

#[tokio::test(start_paused = true)]
async fn a_render_older_than_a_second_is_made_again() {
    let (_, cache) = cache();
    let first = cache.current().await;
    tokio::time::advance(MAX_AGE - Duration::from_millis(1)).await;
    assert!(Arc::ptr_eq(&first, &cache.current().await), "still fresh");
    tokio::time::advance(Duration::from_millis(2)).await;
    let second = cache.current().await;
    assert!(!Arc::ptr_eq(&first, &second), "times shown are recomputed");
    assert_eq!(cache.renders(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_to_a_stale_cache_share_one_render() {
    let (_, cache) = cache();
    let cache = Arc::new(cache);
    let requests: Vec<_> = (0..32)
        .map(|_| {
            let cache = Arc::clone(&cache);
            tokio::spawn(async move { cache.current().await })
        })
        .collect();
    let mut served = Vec::new();
    for request in requests {
        served.push(request.await.unwrap());
    }
    assert_eq!(cache.renders(), 1, "one render for 32 requests");
    assert!(served.iter().all(|r| Arc::ptr_eq(r, &served[0])));
}

#[tokio::test(start_paused = true)]
async fn while_one_request_renders_the_others_serve_the_still_fresh_previous_render() {
    let (_, cache) = cache();
    let previous = cache.current().await;
    // Another request is rendering: hold its turn.
    let turn = cache.rendering.lock().await;
    tokio::time::advance(MAX_AGE + Duration::from_millis(10)).await;
    let served = tokio::time::timeout(Duration::from_secs(5), cache.current())
        .await
        .expect("a request does not wait while a still-fresh render exists");
    assert!(Arc::ptr_eq(&previous, &served));
    drop(turn);
    assert_eq!(cache.renders(), 1);
}

#[tokio::test]
async fn after_a_state_change_a_request_waits_for_the_render_in_flight_rather_than_serve_old_data() {
    let (state, cache) = cache();
    let cache = Arc::new(cache);
    let old = cache.current().await;
    let turn = cache.rendering.lock().await;
    state.record_failure("acc00000000000000000000000000000", 0.5);
    let waiting = tokio::spawn({
        let cache = Arc::clone(&cache);
        async move { cache.current().await }
    });
    // One thread: the spawned request runs until it blocks on the turn.
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert!(!waiting.is_finished(), "old data is not served after a refresh");
    drop(turn);
    let served = tokio::time::timeout(Duration::from_secs(5), waiting).await.unwrap().unwrap();
    assert!(served.generation > old.generation);
    assert_eq!(cache.renders(), 2);
}
