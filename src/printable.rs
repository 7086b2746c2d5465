//! Text from outside (Cloudflare's error messages, names and values an API
//! answer carries) made safe to show to people: control characters (an ESC
//! that recolours a terminal, a newline that forges a table row) and the
//! Unicode controls that reorder text are written as `\u{1b}`-style
//! escapes; everything else is kept. Logs and JSON escape on their own;
//! tables, the status page and the commands' messages use this.
//!
//! May use: nothing of the crate.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with every control and bidirectional-override character escaped.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`printable`], keeping line breaks: for multi-line text such as a PEM,
/// whose lines people copy.
pub fn printable_lines(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let (body, end) = match line.strip_suffix('\n') {
                Some(body) => (body.strip_suffix('\r').unwrap_or(body), "\n"),
                None => (line, ""),
            };
            format!("{}{end}", printable(body))
        })
        .collect()
}

/// At most `max` characters of `text`, with how much was left out; for
/// values an API may make as long as it likes.
pub fn clipped(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => Cow::Owned(format!("{}… ({} bytes in all)", &text[..cut], text.len())),
    }
}

/// An error and each of its causes, without repeating what a cause adds
/// nothing to; escaped and at most 300 characters, since a server chose
/// some of the words.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    printable(&clipped(&text, 300)).into_owned()
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_the_rest_kept() {
        assert!(matches!(printable("Okta – prod"), Cow::Borrowed("Okta – prod")));
        assert_eq!(printable("a\u{1b}[31mred\nforged  row\t"), "a\\u{1b}[31mred\\u{a}forged  row\\u{9}");
        assert_eq!(printable("\u{202e}txt.exe"), "\\u{202e}txt.exe");
        assert_eq!(printable("\u{9b}2J"), "\\u{9b}2J");
    }

    #[test]
    fn lines_keep_their_breaks_and_lose_their_controls() {
        assert_eq!(
            printable_lines("-----BEGIN\r\nabc\u{1b}[2J\n-----END\n"),
            "-----BEGIN\nabc\\u{1b}[2J\n-----END\n"
        );
    }

    #[test]
    fn an_error_chain_names_each_new_cause_once_escaped() {
        #[derive(Debug)]
        struct Layer(&'static str, Option<Box<Layer>>);
        impl std::fmt::Display for Layer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)
            }
        }
        impl std::error::Error for Layer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                self.1.as_deref().map(|l| l as &(dyn std::error::Error + 'static))
            }
        }
        let err = Layer(
            "request failed: tls",
            Some(Box::new(Layer("tls", Some(Box::new(Layer("bad\u{1b}cert", None)))))),
        );
        assert_eq!(error_chain(&err), "request failed: tls: bad\\u{1b}cert");
    }

    #[test]
    fn long_values_are_clipped_on_a_character_boundary() {
        assert_eq!(clipped("short", 10), "short");
        assert_eq!(clipped("ééééé", 2), "éé… (10 bytes in all)");
    }
}
