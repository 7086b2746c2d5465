//! The RFC 5545 text format, as far as the calendar needs it: TEXT
//! escaping, content lines folded at 75 octets on character boundaries
//! with CRLF endings, and the DATE and UTC DATE-TIME forms.

use std::fmt::Write as _;

use time::OffsetDateTime;

/// The longest content line, in octets, without its CRLF (RFC 5545 §3.1).
pub const MAX_LINE_OCTETS: usize = 75;

/// `text` as an RFC 5545 TEXT value: backslash, semicolon and comma
/// escaped, every line break written `\n`. Other control characters are
/// the caller's to remove (they are not allowed in TEXT at all).
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            // CRLF is one break, not two.
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` to `out` as one content line: folded so that no
/// physical line exceeds [`MAX_LINE_OCTETS`] octets (a continuation line
/// starts with a space, which counts), never inside a UTF-8 character,
/// each physical line ended by CRLF.
pub fn push_line(out: &mut String, line: &str) {
    let mut room = MAX_LINE_OCTETS;
    let mut used = 0;
    for c in line.chars() {
        let width = c.len_utf8();
        if used + width > room {
            out.push_str("\r\n ");
            // The leading space takes one octet of the next line.
            room = MAX_LINE_OCTETS - 1;
            used = 0;
        }
        out.push(c);
        used += width;
    }
    out.push_str("\r\n");
}

/// The UTC day of `unix` as an RFC 5545 DATE (`20260131`); `None` outside
/// the years 0 to 9999, which the format cannot write.
pub fn date(unix: i64) -> Option<String> {
    let t = OffsetDateTime::from_unix_timestamp(unix).ok()?;
    (0..=9999).contains(&t.year()).then(|| {
        let mut out = String::with_capacity(8);
        let _ = write!(out, "{:04}{:02}{:02}", t.year(), u8::from(t.month()), t.day());
        out
    })
}

/// `unix` as an RFC 5545 UTC DATE-TIME (`20260131T235959Z`); the epoch
/// when it cannot be written.
pub fn date_time(unix: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .filter(|t| (0..=9999).contains(&t.year()))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The RFC 3339 day (`2026-01-31`) of `unix`, for people reading a
/// description.
pub fn day(unix: i64) -> String {
    let compact = date(unix).unwrap_or_default();
    match (compact.get(..4), compact.get(4..6), compact.get(6..)) {
        (Some(y), Some(m), Some(d)) => format!("{y}-{m}-{d}"),
        _ => compact,
    }
}
