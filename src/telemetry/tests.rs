//! Unit tests of `telemetry`.

use std::sync::{Arc, Mutex};

use super::{Logfmt, quote};

/// Everything the formatter writes, for one test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn logged(emit: impl FnOnce()) -> String {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .event_format(Logfmt)
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    tracing::subscriber::with_default(subscriber, emit);
    String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
}

#[test]
fn an_event_is_one_line_with_time_level_target_fields_then_msg() {
    let line = logged(|| {
        tracing::warn!(account_id = "abc", count = 3, error = "HTTP 500: bad gateway", "refresh failed")
    });
    assert!(line.ends_with('\n') && line.matches('\n').count() == 1, "{line:?}");
    let rest = line.strip_prefix("ts=").expect("starts with ts=");
    let (ts, rest) = rest.split_once(' ').unwrap();
    assert!(time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339).is_ok(), "{ts}");
    assert_eq!(
        rest.trim_end(),
        "level=warn target=cloudflare_saml_exporter::telemetry::tests account_id=abc count=3 \
             error=\"HTTP 500: bad gateway\" msg=\"refresh failed\""
    );
}

#[test]
fn a_value_with_a_newline_cannot_forge_a_second_line() {
    let line = logged(|| tracing::info!(detail = "one\nlevel=error msg=forged", "x"));
    assert_eq!(line.matches('\n').count(), 1, "{line:?}");
    assert!(line.contains(r#"detail="one\nlevel=error msg=forged""#), "{line}");
}

#[test]
fn debug_values_and_an_event_without_message_are_written() {
    let line = logged(|| tracing::debug!(elapsed = ?std::time::Duration::from_millis(1500)));
    assert!(line.contains("level=debug") && line.contains("elapsed=1.5s"), "{line}");
    assert!(!line.contains("msg="), "{line}");
}

#[test]
fn logfmt_values_are_quoted_only_when_needed() {
    assert_eq!(quote("plain"), "plain");
    assert_eq!(quote("two words"), "\"two words\"");
    assert_eq!(quote("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
    assert_eq!(quote(""), "\"\"");
}
