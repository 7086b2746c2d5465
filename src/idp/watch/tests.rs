use super::*;

#[test]
fn every_reason_is_listed_once() {
    let reasons = metadata_reasons();
    let mut unique = reasons.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), reasons.len(), "{reasons:?}");
    for reason in ["account_not_found", "unreachable", "too_large", "dtd", "bad_certificate"] {
        assert!(reasons.contains(&reason), "{reason} missing from {reasons:?}");
    }
}
