//! Unit tests of `basic_auth`.

use super::*;

#[test]
fn a_bcrypt_cost_that_would_stall_every_login_is_refused() {
    let slow = "$2y$20$8f092IsPRhXMPOH1lavPeeEx6lko8CMcF46NNRalEcNkO3hF2UT3G";
    let err = BasicAuth::new([("prom".to_owned(), slow.to_owned())].into()).unwrap_err().to_string();
    assert!(err.contains("prom") && err.contains("cost 20"), "{err}");
}

#[test]
fn basic_credentials_decode() {
    assert_eq!(decode_basic("Basic YWxpY2U6czNjcjN0"), Some(("alice".into(), "s3cr3t".into())));
    assert_eq!(decode_basic("Bearer x"), None);
    assert_eq!(decode_basic("Basic !!!"), None);
}

#[tokio::test]
async fn only_the_right_password_of_a_known_user_passes() {
    let hash = bcrypt::hash("s3cr3t", 4).unwrap();
    let auth = Arc::new(BasicAuth::new([("alice".to_owned(), hash)].into()).unwrap());
    assert_eq!(auth.check(Some("Basic YWxpY2U6czNjcjN0"), Standing::Clean).await, Login::Allowed);
    assert_eq!(auth.check(Some("Basic YWxpY2U6czNjcjN0"), Standing::Clean).await, Login::Allowed, "cached");
    assert_eq!(auth.check(Some("Basic YWxpY2U6d3Jvbmc="), Standing::Clean).await, Login::Denied); // alice:wrong
    assert_eq!(auth.check(Some("Basic Ym9iOnMzY3IzdA=="), Standing::Failing).await, Login::Denied); // bob:s3cr3t
    assert_eq!(auth.check(None, Standing::Clean).await, Login::Denied);
    assert_eq!(auth.allowed.lock().unwrap().len(), 1, "only the success is cached");
}

#[tokio::test]
async fn a_wrong_login_sent_again_is_refused_without_waiting_for_a_check() {
    let hash = bcrypt::hash("s3cr3t", 4).unwrap();
    let auth = Arc::new(BasicAuth::new([("alice".to_owned(), hash)].into()).unwrap());
    let wrong = Some("Basic YWxpY2U6d3Jvbmc="); // alice:wrong
    assert_eq!(auth.check(wrong, Standing::Clean).await, Login::Denied);
    assert_eq!(lock(&auth.failed).len(), 1);
    // With the turn held by someone else, only an answer that needs no
    // check can come.
    let held = auth.turns.take(Standing::Clean).await.unwrap();
    let again = tokio::time::timeout(std::time::Duration::from_secs(5), auth.check(wrong, Standing::Failing));
    assert_eq!(again.await, Ok(Login::Denied), "answered from the failures, without a turn");
    let unknown = Some("Basic Ym9iOnMzY3IzdA=="); // bob:s3cr3t, never seen
    let waits =
        tokio::time::timeout(std::time::Duration::from_millis(200), auth.check(unknown, Standing::Clean));
    assert!(waits.await.is_err(), "a new guess waits for its bcrypt check");
    drop(held);
    assert_eq!(auth.check(Some("Basic YWxpY2U6czNjcjN0"), Standing::Failing).await, Login::Allowed);
}
