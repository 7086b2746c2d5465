//! Unit tests of `definitions`.

use std::collections::HashSet;

use super::*;

#[test]
fn names_are_unique_and_valid() {
    let mut seen = HashSet::new();
    for def in ALL {
        assert!(seen.insert(def.name), "{} defined twice", def.name);
        assert!(def.name.starts_with("cloudflare_access_saml_"), "{} lacks the prefix", def.name);
        assert!(
            def.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "{} is not snake case",
            def.name
        );
    }
}

#[test]
fn only_refresh_fed_metrics_carry_the_refresh_note() {
    assert_eq!(UP.served_help(), format!("{}{REFRESH_NOTE}", UP.help));
    assert_eq!(BUILD_INFO.served_help(), BUILD_INFO.help);
    assert!(ALL.iter().all(|def| !def.help.contains(REFRESH_NOTE.trim())));
}
