//! Unit tests of `counters`.

use super::*;

#[test]
fn requests_count_per_endpoint_and_code() {
    let counters = ExporterCounters::new();
    counters.record_api_request("certificate_sets", "200");
    counters.record_api_request("certificate_sets", "200");
    counters.record_api_request("certificate_sets", "error");
    let requests = counters.api_requests();
    assert_eq!(requests.get(&("certificate_sets".to_owned(), "200".to_owned())), Some(&2));
    assert_eq!(requests.get(&("certificate_sets".to_owned(), "error".to_owned())), Some(&1));
    assert_eq!(requests.len(), 2);
}

#[test]
fn an_account_starts_at_zero_for_every_reason_and_sums_its_errors() {
    let counters = ExporterCounters::new();
    counters.init_account("acc00000000000000000000000000000", ["timeout", "decode"]);
    assert_eq!(counters.refresh_errors_of("acc00000000000000000000000000000"), 0);
    assert_eq!(
        counters.refresh_errors()["acc00000000000000000000000000000"],
        BTreeMap::from([("decode", 0), ("timeout", 0)])
    );
    counters.record_refresh_error("acc00000000000000000000000000000", "timeout");
    counters.record_refresh_error("acc00000000000000000000000000000", "timeout");
    counters.record_refresh_error("acc00000000000000000000000000000", "forbidden");
    assert_eq!(counters.refresh_errors_of("acc00000000000000000000000000000"), 3);
    assert_eq!(counters.refresh_errors_of("other"), 0);
    // Creating the account again keeps what it counted.
    counters.init_account("acc00000000000000000000000000000", ["timeout"]);
    assert_eq!(counters.refresh_errors()["acc00000000000000000000000000000"]["timeout"], 2);
}

#[test]
fn gauges_keep_the_last_value_per_credential() {
    let counters = ExporterCounters::new();
    assert_eq!(counters.shard(), None);
    counters.set_rate_limit_remaining("tenant", 900);
    counters.set_rate_limit_remaining("tenant", 850);
    counters.set_refresh_cycle("tenant", 300.0);
    counters.set_shard(1, 3);
    assert_eq!(counters.rate_limit_remaining(), BTreeMap::from([("tenant".to_owned(), 850)]));
    assert_eq!(counters.refresh_cycle("tenant"), Some(300.0));
    assert_eq!(counters.refresh_cycle("other"), None);
    assert_eq!(counters.shard(), Some((1, 3)));
}
