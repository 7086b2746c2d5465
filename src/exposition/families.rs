//! The one way a rendering writes a metric family: a sample is added under
//! its [`MetricDef`] and written at once as a line of the text format, the
//! family's `# HELP` and `# TYPE` lines before its first sample, so no family
//! is ever empty. A rendering writes a single family, and drops the samples
//! of every other before building them; its caller takes the text as it
//! goes, so a family is never held whole.

use std::io::{self, Write as _};

use crate::exposition::definitions::MetricDef;

/// The text of one gauge family, as its samples come: the series functions
/// offer the samples of every family, and this rendering takes one.
#[derive(Debug)]
pub(super) struct Families {
    /// The family written; samples of any other are dropped.
    def: MetricDef,
    /// Written and not yet taken.
    text: Vec<u8>,
    /// Whether the header was written (with the first sample).
    started: bool,
}

impl Families {
    /// An empty rendering of the family `def`.
    pub(super) fn of(def: MetricDef) -> Self {
        Self { def, text: Vec::new(), started: false }
    }

    /// Adds a sample of the gauge `def`, if it is of this rendering. Labels
    /// with empty values are left out, as Prometheus treats an empty label
    /// as an absent one.
    pub(super) fn gauge(&mut self, def: &MetricDef, labels: &[(&str, &str)], value: f64) {
        if !self.takes(def) {
            return;
        }
        let text = &mut self.text;
        if !self.started {
            self.started = true;
            let help = def.served_help();
            if !help.is_empty() {
                text.extend_from_slice(b"# HELP ");
                text.extend_from_slice(def.name.as_bytes());
                text.push(b' ');
                escape(text, &help, false);
                text.push(b'\n');
            }
            text.extend_from_slice(b"# TYPE ");
            text.extend_from_slice(def.name.as_bytes());
            text.extend_from_slice(b" gauge\n");
        }
        text.extend_from_slice(def.name.as_bytes());
        let mut separator = b'{';
        for (name, value) in labels.iter().filter(|(_, v)| !v.is_empty()) {
            text.push(separator);
            text.extend_from_slice(name.as_bytes());
            text.extend_from_slice(b"=\"");
            escape(text, value, true);
            text.push(b'"');
            separator = b',';
        }
        if separator == b',' {
            text.push(b'}');
        }
        // Formatting into a Vec cannot fail.
        let _ = writeln!(text, " {value}");
    }

    /// Whether samples of `def` belong to this rendering: callers check it
    /// before building labels that cost an allocation.
    pub(super) fn takes(&self, def: &MetricDef) -> bool {
        def.name == self.def.name
    }

    /// Adds a sample that is 1 when `flag` holds, else 0.
    pub(super) fn flag(&mut self, def: &MetricDef, labels: &[(&str, &str)], flag: bool) {
        self.gauge(def, labels, if flag { 1.0 } else { 0.0 });
    }

    /// Moves the text written since the last call to `out`.
    pub(super) fn write_to(&mut self, out: &mut impl io::Write) -> io::Result<()> {
        out.write_all(&self.text)?;
        self.text.clear();
        Ok(())
    }
}

/// Appends `value` escaped as the text format asks: backslash and line feed
/// always, the double quote in label values.
fn escape(text: &mut Vec<u8>, value: &str, quotes: bool) {
    for byte in value.bytes() {
        match byte {
            b'\\' => text.extend_from_slice(b"\\\\"),
            b'\n' => text.extend_from_slice(b"\\n"),
            b'"' if quotes => text.extend_from_slice(b"\\\""),
            _ => text.push(byte),
        }
    }
}
