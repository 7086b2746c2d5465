//! Unit tests of `routes`.

use super::query_number;

#[test]
fn query_numbers_are_read_by_name_and_decoded() {
    assert_eq!(query_number("page=2&per_page=50", "per_page"), Some(50));
    assert_eq!(query_number("per%5Fpage=7", "per_page"), Some(7), "percent-encoded name");
    assert_eq!(query_number("page=2", "per_page"), None);
    assert_eq!(query_number("page=two", "page"), None);
    assert_eq!(query_number("", "page"), None);
}
