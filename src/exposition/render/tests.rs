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

#[test]
fn each_credentials_token_shows_its_expiry_and_one_status_of_the_documented_three() {
    use crate::counters::TokenState;
    let counters = ExporterCounters::new();
    counters.set_token("tenant", TokenState::new("expired", Some(1_798_761_600.0)));
    counters.set_token("forever", TokenState::new("active", None));
    counters.set_token("odd", TokenState::new("suspended", None));
    let text = String::from_utf8(render(&ExporterState::default(), &counters, 0.0)).unwrap();
    let lines: Vec<&str> =
        text.lines().filter(|l| l.starts_with("cloudflare_access_saml_exporter_token_")).collect();
    assert_eq!(
        lines,
        [
            r#"cloudflare_access_saml_exporter_token_expiry_timestamp_seconds{credential="tenant"} 1798761600"#,
            r#"cloudflare_access_saml_exporter_token_status{credential="forever",status="active"} 1"#,
            r#"cloudflare_access_saml_exporter_token_status{credential="forever",status="disabled"} 0"#,
            r#"cloudflare_access_saml_exporter_token_status{credential="forever",status="expired"} 0"#,
            r#"cloudflare_access_saml_exporter_token_status{credential="odd",status="active"} 0"#,
            r#"cloudflare_access_saml_exporter_token_status{credential="odd",status="disabled"} 0"#,
            r#"cloudflare_access_saml_exporter_token_status{credential="odd",status="expired"} 0"#,
            r#"cloudflare_access_saml_exporter_token_status{credential="odd",status="unknown"} 1"#,
            r#"cloudflare_access_saml_exporter_token_status{credential="tenant",status="active"} 0"#,
            r#"cloudflare_access_saml_exporter_token_status{credential="tenant",status="disabled"} 0"#,
            r#"cloudflare_access_saml_exporter_token_status{credential="tenant",status="expired"} 1"#,
        ]
    );
}
