//! Unit tests of `rate_limit`.

use super::*;

#[tokio::test(start_paused = true)]
async fn the_quota_is_per_credential_and_window_then_429_and_a_block() {
    let limit = RateLimit {
        quota: 3,
        window: Duration::from_secs(10),
        block: Duration::from_secs(30),
        others_spent: 1,
    };
    let mut limiter = RateLimiter::default();
    let now = Instant::now();
    let ten = Duration::from_secs(10);
    assert_eq!(limiter.admit("a", &limit, now), Verdict::Allowed { remaining: 1, reset: ten });
    assert_eq!(limiter.admit("b", &limit, now), Verdict::Allowed { remaining: 1, reset: ten }, "own count");
    assert_eq!(limiter.admit("a", &limit, now), Verdict::Allowed { remaining: 0, reset: ten });
    let refused = Verdict::Refused { retry_after: Duration::from_secs(30), reset: ten };
    assert_eq!(limiter.admit("a", &limit, now), refused, "others spent one of three");
    // The next window does not lift the block.
    let later = now + Duration::from_secs(12);
    assert!(matches!(limiter.admit("a", &limit, later), Verdict::Refused { .. }));
    let after_block = now + Duration::from_secs(31);
    assert_eq!(
        limiter.admit("a", &limit, after_block),
        Verdict::Allowed { remaining: 1, reset: Duration::from_secs(9) }
    );
    assert_eq!(limiter.refused(), 2);
}
