//! Unit tests of `rate_limit_headers`.

use super::*;

#[test]
fn retry_after_is_whole_seconds() {
    assert_eq!(parse_retry_after("30"), Some(Duration::from_secs(30)));
    assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
    assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    assert_eq!(parse_retry_after("-1"), None);
    assert_eq!(parse_retry_after("300"), Some(Duration::from_secs(300)));
    assert_eq!(parse_retry_after("999999999"), Some(MAX_WAIT));
    assert_eq!(parse_retry_after("99999999999999999999999"), None);
}

#[test]
fn ratelimit_remaining_is_the_r_parameter() {
    assert_eq!(parse_ratelimit_remaining(r#""default";r=50;t=30"#), Some(50));
    assert_eq!(parse_ratelimit_remaining(r#""default";t=30"#), None);
    assert_eq!(parse_ratelimit_remaining("garbage"), None);
}

#[test]
fn ratelimit_reset_is_the_t_parameter_in_seconds() {
    assert_eq!(parse_ratelimit_reset(r#""default";r=50;t=30"#), Some(Duration::from_secs(30)));
    assert_eq!(parse_ratelimit_reset(r#""default";r=50"#), None);
    assert_eq!(parse_ratelimit_reset(r#""default";r=5;t=-3"#), None);
    assert_eq!(parse_ratelimit_reset("r=0;t=99999999999"), Some(MAX_WAIT));
}
