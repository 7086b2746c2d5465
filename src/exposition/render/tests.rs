//! Unit tests of `render`.

use super::*;

#[test]
fn runs_cover_every_family_once_in_name_order_and_alternate() {
    let names: Vec<&str> = layout().iter().flat_map(|run| run.names.iter().copied()).collect();
    let mut sorted: Vec<&str> = ALL.iter().map(|def| def.name).collect();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    assert!(layout().windows(2).all(|pair| pair[0].changes != pair[1].changes));
    let live: Vec<&str> = layout()
        .iter()
        .filter(|run| run.changes == Changes::Always)
        .flat_map(|run| run.names.iter().copied())
        .collect();
    assert!(live.contains(&"cloudflare_access_saml_certificate_days_until_expiry"), "{live:?}");
    assert!(!live.contains(&"cloudflare_access_saml_certificate_not_after_timestamp_seconds"), "{live:?}");
}

#[test]
fn interleaving_puts_each_kind_back_in_its_own_turns() {
    let count = |changes| layout().iter().filter(|run| run.changes == changes).count();
    let with_state: Vec<String> = (0..count(Changes::WithState)).map(|i| format!("s{i}")).collect();
    let always: Vec<String> = (0..count(Changes::Always)).map(|i| format!("a{i}")).collect();
    let served: Vec<&String> = interleave(&with_state, &always).collect();
    assert_eq!(served.len(), layout().len());
    for (run, text) in layout().iter().zip(served) {
        assert_eq!(text.starts_with('s'), run.changes == Changes::WithState);
    }
}
