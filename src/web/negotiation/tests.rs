//! Unit tests of `negotiation`.

use super::*;
use hyper::header::HeaderValue;

fn accepts(values: &[&str]) -> bool {
    let mut headers = HeaderMap::new();
    for value in values {
        headers.append(ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
    }
    accepts_gzip(&headers)
}

#[test]
fn gzip_is_used_only_when_the_client_accepts_it() {
    assert!(accepts(&["gzip"]), "what Prometheus sends");
    assert!(accepts(&["br, GZIP;q=0.5, deflate"]));
    assert!(accepts(&["x-gzip"]));
    assert!(accepts(&["*"]));
    assert!(accepts(&["identity", "gzip"]), "several header lines");
    assert!(!accepts(&[]));
    assert!(!accepts(&["identity"]));
    assert!(!accepts(&["br, deflate"]));
    assert!(!accepts(&["gzip;q=0"]));
    assert!(!accepts(&["gzip; q=0.0, *"]), "named refusal beats the wildcard");
    assert!(!accepts(&["*;q=0"]));
    assert!(!accepts(&["gzip;q=nonsense"]), "an unreadable q-value counts as 0");
}
