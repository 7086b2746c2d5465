//! The layering of the crate as data, and the checker that holds every file
//! under `src/` to it (the tests are in `layering/tests.rs`).
//!
//! [`MAY_USE`] is the matrix of the crate docs' table: each top-level module
//! (a folder, or a single file) and the modules it may use. A file's edges
//! are the `crate::` paths in its code and its doc comments: `use` lines,
//! paths written out in code, grouped uses (`use crate::{A, B}`), and
//! intra-doc links, since a lower layer's docs pointing up are the first
//! step of an import. Plain comments and string literals are not code and
//! are skipped.
//!
//! May use: nothing of the crate.
//!
//! Test code, meaning every module declared under `#[cfg(test)]` (each
//! `tests.rs`, `exposition/golden.rs`, this module) and everything below
//! it, may also use [`TESTS_MAY_ALSO_USE`].

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// Module -> modules it may use, in the order data flows: the API
/// (`cloudflare`) gives pages, they become inventories (`model`), the
/// refresh records them in the state, `exposition` turns the state into
/// text and `web` serves the bytes. `commands` wires everything.
pub(crate) const MAY_USE: &[(&str, &[&str])] = &[
    ("clock", &[]),
    ("printable", &[]),
    ("locks", &[]),
    ("shutdown", &[]),
    ("operator_file", &[]),
    ("counters", &["locks"]),
    ("cloudflare", &["counters", "locks", "operator_file", "printable"]),
    ("model", &["clock", "cloudflare", "locks", "printable"]),
    ("idp", &["clock", "counters", "model", "printable", "shutdown"]),
    ("refresh", &["clock", "cloudflare", "counters", "locks", "model", "shutdown"]),
    ("exposition", &["clock", "counters", "model"]),
    ("web", &["clock", "counters", "exposition", "locks", "model", "operator_file", "printable", "shutdown"]),
    ("cli", &["model"]),
    ("config", &["cli", "cloudflare", "idp", "operator_file", "refresh", "web"]),
    ("telemetry", &["cli", "config"]),
    (
        "commands",
        &[
            "cli",
            "clock",
            "cloudflare",
            "config",
            "counters",
            "exposition",
            "idp",
            "locks",
            "model",
            "printable",
            "refresh",
            "shutdown",
            "telemetry",
            "web",
        ],
    ),
    // This module: test code that reads files, using nothing of the crate.
    ("layering", &[]),
];

/// Module -> what its test code may use besides [`MAY_USE`]: the API's
/// wire types, to build inventories the way the refresh does, and the
/// refresh-error reasons to count.
pub(crate) const TESTS_MAY_ALSO_USE: &[(&str, &[&str])] =
    &[("exposition", &["cloudflare"]), ("web", &["cloudflare"])];

/// The modules `module` may use; `None` for a module the matrix lacks.
pub(crate) fn allowed(module: &str, test_code: bool) -> Option<BTreeSet<&'static str>> {
    let row = |table: &[(&str, &'static [&'static str])]| {
        table.iter().find(|(name, _)| *name == module).map(|(_, uses)| uses.iter().copied())
    };
    let mut uses: BTreeSet<&str> = row(MAY_USE)?.collect();
    if test_code {
        uses.extend(row(TESTS_MAY_ALSO_USE).into_iter().flatten());
    }
    Some(uses)
}

/// Every edge of `source` (the file at `path`, under the top-level module
/// `module`) that the matrix does not allow, as
/// `path:LINE: module -> other (not allowed)`.
pub(crate) fn forbidden_edges(path: &str, module: &str, source: &str, test_code: bool) -> Vec<String> {
    let Some(allowed) = allowed(module, test_code) else {
        return vec![format!("{path}: module {module} is not in the layering matrix")];
    };
    let known = |name: &str| MAY_USE.iter().any(|(row, _)| *row == name);
    crate_paths(&code_only(source))
        .into_iter()
        .filter(|(_, used)| used != module && !allowed.contains(used.as_str()))
        .map(|(line, used)| {
            let why = if known(&used) { "not allowed" } else { "not in the layering matrix" };
            format!("{path}:{line}: {module} -> {used} ({why})")
        })
        .collect()
}

/// The top-level module named by each `crate::` path of `code`, with its
/// 1-based line: `crate::A::B` names `A`, and `crate::{A::B, C}` names `A`
/// and `C` (written in capitals here only so these docs name no module).
/// Items of the crate root (`crate::REVISION`) and `self` name none.
pub(crate) fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let bytes = code.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("crate").map(|at| at + from) {
        from = at + "crate".len();
        let before = at.checked_sub(1).map(|i| bytes[i]);
        if before.is_some_and(is_ident) {
            continue;
        }
        let mut i = skip_space(bytes, from);
        if !code[i..].starts_with("::") {
            continue;
        }
        i = skip_space(bytes, i + 2);
        let line = code[..at].matches('\n').count() + 1;
        let mut starts = vec![i];
        if bytes.get(i) == Some(&b'{') {
            starts = group_items(bytes, i);
        }
        for start in starts {
            let end = (start..bytes.len()).find(|&j| !is_ident(bytes[j])).unwrap_or(bytes.len());
            let name = &code[start..end];
            if name.starts_with(|c: char| c.is_ascii_lowercase()) && name != "self" {
                found.push((line, name.to_owned()));
            }
        }
    }
    found
}

/// Where each item of the group opening at `open` (`{a::b, c}`) starts.
fn group_items(bytes: &[u8], open: usize) -> Vec<usize> {
    let mut starts = vec![skip_space(bytes, open + 1)];
    let mut depth = 0;
    for (i, &b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'{' => depth += 1,
            b'}' if depth == 1 => break,
            b'}' => depth -= 1,
            b',' if depth == 1 => starts.push(skip_space(bytes, i + 1)),
            _ => {}
        }
    }
    starts
}

fn skip_space(bytes: &[u8], from: usize) -> usize {
    (from..bytes.len()).find(|&i| !bytes[i].is_ascii_whitespace()).unwrap_or(bytes.len())
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `source` with plain comments and the contents of string and character
/// literals blanked out, doc comments kept, and every line where it was.
pub(crate) fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |out: &mut String, part: &[char]| {
        out.extend(part.iter().map(|&c| if c == '\n' { '\n' } else { ' ' }));
    };
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let mut i = 0;
    while i < chars.len() {
        let end = match (at(i), at(i + 1)) {
            ('/', '/') => {
                let end = (i..chars.len()).find(|&j| chars[j] == '\n').unwrap_or(chars.len());
                let doc = (at(i + 2) == '/' && at(i + 3) != '/') || at(i + 2) == '!';
                if doc {
                    out.extend(&chars[i..end]);
                    i = end;
                    continue;
                }
                end
            }
            ('/', '*') => block_comment_end(&chars, i),
            ('"', _) => string_end(&chars, i + 1),
            ('r', '"' | '#') if i == 0 || !is_ident_char(at(i - 1)) || at(i - 1) == 'b' => {
                match raw_string_end(&chars, i + 1) {
                    Some(end) => end,
                    None => i + 1,
                }
            }
            ('\'', '\\') => (i + 2..chars.len()).find(|&j| chars[j] == '\'').map_or(chars.len(), |j| j + 1),
            ('\'', _) if at(i + 2) == '\'' => i + 3,
            _ => i + 1,
        };
        // Everything but a lone character of code is a comment or a literal.
        if end > i + 1 {
            blank(&mut out, &chars[i..end])
        } else {
            out.push(chars[i])
        }
        i = end;
    }
    out
}

/// Just past the `*/` closing the block comment opening at `open`; block
/// comments nest.
fn block_comment_end(chars: &[char], open: usize) -> usize {
    let (mut depth, mut i) = (0, open);
    while i + 1 < chars.len() {
        match (chars[i], chars[i + 1]) {
            ('/', '*') => (depth, i) = (depth + 1, i + 2),
            ('*', '/') if depth == 1 => return i + 2,
            ('*', '/') => (depth, i) = (depth - 1, i + 2),
            _ => i += 1,
        }
    }
    chars.len()
}

/// Just past the `"` closing the string whose contents start at `from`.
fn string_end(chars: &[char], from: usize) -> usize {
    let mut i = from;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    chars.len()
}

/// Just past a raw string whose hashes (if any) start at `from`, or `None`
/// when no `"` follows them (an identifier starting with `r`).
fn raw_string_end(chars: &[char], from: usize) -> Option<usize> {
    let hashes = chars[from..].iter().take_while(|&&c| c == '#').count();
    if chars.get(from + hashes) != Some(&'"') {
        return None;
    }
    let closing: Vec<char> = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
    let body = from + hashes + 1;
    let end = (body..chars.len())
        .find(|&j| chars[j..].starts_with(&closing))
        .map_or(chars.len(), |j| j + closing.len());
    Some(end)
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every `.rs` file under `dir`, recursively, sorted.
pub(crate) fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let entries = std::fs::read_dir(dir).unwrap_or_else(|err| panic!("cannot read {}: {err}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The module directories of test code among `files` (paths and sources,
/// relative to `src/`): for each `#[cfg(test)] mod name;`, the directory its
/// file and children live in. A file is test code when its path without
/// `.rs` is one of them or under one.
pub(crate) fn test_module_dirs(files: &[(PathBuf, String)]) -> HashSet<PathBuf> {
    let mut dirs = HashSet::new();
    for (path, source) in files {
        let parent = match path.file_name().and_then(|n| n.to_str()) {
            Some("mod.rs" | "lib.rs") => path.parent().map(Path::to_path_buf).unwrap_or_default(),
            _ => path.with_extension(""),
        };
        let lines: Vec<&str> = source.lines().map(str::trim).collect();
        for pair in lines.windows(2) {
            let declared = pair[1].strip_prefix("mod ").and_then(|rest| rest.strip_suffix(';'));
            if let (true, Some(name)) = (pair[0] == "#[cfg(test)]", declared) {
                dirs.insert(parent.join(name));
            }
        }
    }
    dirs
}

/// Whether the file at `path` (relative to `src/`) is test code.
pub(crate) fn is_test_code(path: &Path, test_dirs: &HashSet<PathBuf>) -> bool {
    let module = match path.file_name().and_then(|n| n.to_str()) {
        Some("mod.rs") => path.parent().map(Path::to_path_buf).unwrap_or_default(),
        _ => path.with_extension(""),
    };
    module.ancestors().any(|dir| test_dirs.contains(dir))
}

#[cfg(test)]
mod tests;
