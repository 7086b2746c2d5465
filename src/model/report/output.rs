//! The report as people and programs read it: aligned columns for a
//! terminal (`check`), JSON for `check --output json` and `/status.json`.

use std::fmt::Write as _;

use crate::model::report::CheckReport;
use crate::printable::printable;

impl CheckReport {
    /// The report as `check --output json` prints it, and `/status.json`
    /// serves it.
    pub fn to_json(&self) -> String {
        // Serialising plain strings, numbers and enums cannot fail.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Aligned columns for a terminal, grouped by account; a NAME column
    /// once account names are known, an APPLICATIONS column only when the
    /// applications collector has named some.
    pub fn to_table(&self) -> String {
        let with_names = self.rows.iter().any(|r| r.account_name.is_some());
        let with_applications = self.rows.iter().any(|r| r.applications.is_some());
        let mut header = if with_names { vec!["NAME"] } else { Vec::new() };
        header.extend(["ACCOUNT", "SET", "SLOT", "IDPS", "NOT_AFTER", "DAYS_LEFT", "STATE"]);
        if with_applications {
            header.push("APPLICATIONS");
        }
        header.push("NOTE");
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                let mut cells = if with_names {
                    vec![r.account_name.clone().unwrap_or_else(|| "-".into())]
                } else {
                    Vec::new()
                };
                cells.extend([
                    r.account_id.clone(),
                    if r.certificate_set_uid.is_empty() { "-".into() } else { r.certificate_set_uid.clone() },
                    r.slot.clone(),
                    if r.identity_providers.is_empty() {
                        "-".into()
                    } else {
                        r.identity_providers.join(", ")
                    },
                    r.not_after.clone().unwrap_or_else(|| "-".into()),
                    r.days_left.map_or_else(|| "-".into(), |d| format!("{d:.1}")),
                    r.state.label().into(),
                ]);
                if with_applications {
                    cells.push(r.applications.clone().unwrap_or_else(|| "-".into()));
                }
                cells.push(r.note.clone());
                cells
            })
            .collect();
        let mut out = align_columns(&header, &cells);
        let _ = writeln!(out, "\nstatus: {} (exit {})", self.status.label(), self.exit_code);
        out
    }
}

/// Aligned columns for a terminal, a header line first; the last column is
/// not padded.
pub fn align_columns(header: &[&str], rows: &[Vec<String>]) -> String {
    // Cells may hold Cloudflare's text (names, messages): escaped, so a
    // control character can neither recolour the terminal nor forge a row.
    let rows: Vec<Vec<String>> =
        rows.iter().map(|row| row.iter().map(|cell| printable(cell).into_owned()).collect()).collect();
    let rows = &rows;
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(&widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<w$}  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
