//! Unit tests of `clock`.

use super::{http_date, parse_http_date};

#[test]
fn http_dates_are_imf_fixdate_in_gmt_and_read_back() {
    assert_eq!(http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
    assert_eq!(parse_http_date(&http_date(1_700_000_000)), Some(1_700_000_000));
}

#[test]
fn other_date_forms_are_not_read() {
    assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), None, "RFC 850");
    assert_eq!(parse_http_date("1994-11-06T08:49:37Z"), None);
    assert_eq!(parse_http_date(""), None);
}
