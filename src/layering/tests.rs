//! Unit tests of `layering`: the checker on made-up sources, then every
//! file under `src/` held to the matrix, and the docs that state it.

use std::collections::BTreeMap;

use super::*;

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

fn read(relative: &str) -> String {
    let path = Path::new(SRC).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

/// Every `.rs` file under `src/`, relative to it, with its source.
fn sources() -> Vec<(PathBuf, String)> {
    rust_files(Path::new(SRC))
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(SRC).expect("under src/").to_path_buf();
            let source = read(&relative.to_string_lossy());
            (relative, source)
        })
        .collect()
}

/// The top-level module a file belongs to: `cloudflare/client.rs` and
/// `cloudflare/mod.rs` to `cloudflare`, `clock.rs` to `clock`.
fn module_of(path: &Path) -> String {
    let first = path.components().next().expect("a file").as_os_str().to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// The words in backticks of `text`.
fn backticked(text: &str) -> BTreeSet<String> {
    text.split('`').skip(1).step_by(2).map(str::to_owned).collect()
}

/// The "May use:" paragraph of a module doc: from "May use:" to the next
/// blank doc line.
fn may_use_paragraph(source: &str) -> Option<String> {
    let doc: Vec<&str> = source.lines().map_while(|line| line.strip_prefix("//!")).collect();
    let start = doc.iter().position(|line| line.contains("May use:"))?;
    let paragraph = doc[start..].iter().take_while(|line| !line.trim().is_empty());
    Some(paragraph.copied().collect::<Vec<_>>().join("\n"))
}

#[test]
fn an_edge_the_matrix_does_not_allow_is_named_with_file_and_line() {
    let source =
        "//! An inventory that reaches up.\n\nuse crate::clock::unix_now;\nuse crate::web::server::WebApp;\n";
    assert_eq!(
        forbidden_edges("src/model/bad.rs", "model", source, false),
        ["src/model/bad.rs:4: model -> web (not allowed)"]
    );
}

#[test]
fn grouped_uses_paths_in_code_and_doc_links_are_edges() {
    let source = "use crate::{\n    locks::lock,\n    refresh::{Lane, Refresher},\n};\n\
                  fn f() {\n    crate::commands::run();\n}\n\
                  /// Rendered by [`crate::exposition::metrics::render`].\nfn g() {}\n";
    assert_eq!(
        forbidden_edges("src/cloudflare/x.rs", "cloudflare", source, false),
        [
            "src/cloudflare/x.rs:1: cloudflare -> refresh (not allowed)",
            "src/cloudflare/x.rs:6: cloudflare -> commands (not allowed)",
            "src/cloudflare/x.rs:8: cloudflare -> exposition (not allowed)",
        ]
    );
}

#[test]
fn comments_literals_and_the_crate_root_are_not_edges() {
    let source = r##"
// use crate::web::server; (a plain comment)
//// crate::web (four slashes: a plain comment too)
/* crate::web /* nested crate::commands */ crate::web */
const A: &str = "use crate::web::server; \" crate::web";
const B: &str = r#"crate::web "quoted" crate::commands"#;
const C: char = '"';
const D: &[u8] = b"crate::web";
const E: char = '\'';
pub(crate) fn f<'a>(x: &'a str) -> &'a str {
    let _ = crate::REVISION;
    let r#type = x;
    r#type
}
"##;
    assert_eq!(forbidden_edges("src/model/x.rs", "model", source, false), Vec::<String>::new());
    assert_eq!(crate_paths(&code_only(source)), Vec::<(usize, String)>::new());
}

#[test]
fn test_code_may_also_use_its_extras() {
    let source = "use crate::cloudflare::wire as api;\n";
    assert_eq!(forbidden_edges("src/web/x/tests.rs", "web", source, true), Vec::<String>::new());
    assert_eq!(
        forbidden_edges("src/web/x.rs", "web", source, false),
        ["src/web/x.rs:1: web -> cloudflare (not allowed)"]
    );
    assert_eq!(
        forbidden_edges("src/web/x/tests.rs", "web", "use crate::fake::mint;\n", true),
        ["src/web/x/tests.rs:1: web -> fake (not in the layering matrix)"],
        "the fake is its own crate now"
    );
    assert_eq!(
        forbidden_edges("src/model/x/tests.rs", "model", "use crate::refresh::Refresher;\n", true),
        ["src/model/x/tests.rs:1: model -> refresh (not allowed)"]
    );
}

#[test]
fn a_module_missing_from_the_matrix_is_reported() {
    assert_eq!(
        forbidden_edges("src/model/x.rs", "model", "use crate::healthz::probe;\n", false),
        ["src/model/x.rs:1: model -> healthz (not in the layering matrix)"]
    );
    assert_eq!(
        forbidden_edges("src/healthz.rs", "healthz", "", false),
        ["src/healthz.rs: module healthz is not in the layering matrix"]
    );
}

#[test]
fn modules_declared_under_cfg_test_and_everything_below_them_are_test_code() {
    let files = [
        ("lib.rs", "pub mod web;\n#[cfg(test)]\nmod layering;\n"),
        ("web/mod.rs", "pub mod server;\n"),
        ("web/server.rs", "#[cfg(test)]\nmod tests;\n"),
        ("exposition/mod.rs", "mod render;\n\n#[cfg(test)]\nmod golden;\n"),
    ]
    .map(|(path, source)| (PathBuf::from(path), source.to_owned()));
    let dirs = test_module_dirs(&files);
    for (path, test_code) in [
        ("web/server/tests.rs", true),
        ("web/server.rs", false),
        ("web/mod.rs", false),
        ("exposition/golden.rs", true),
        ("exposition/render.rs", false),
        ("layering.rs", true),
        ("layering/tests.rs", true),
    ] {
        assert_eq!(is_test_code(Path::new(path), &dirs), test_code, "{path}");
    }
}

#[test]
fn every_file_under_src_uses_only_what_the_matrix_allows() {
    let files = sources();
    assert!(files.len() > 50, "only {} files under {SRC}", files.len());
    let test_dirs = test_module_dirs(&files);
    let mut forbidden = Vec::new();
    for (path, source) in &files {
        // The crate roots: lib.rs declares the modules, main.rs is the binary's crate.
        if path == Path::new("lib.rs") || path == Path::new("main.rs") {
            continue;
        }
        let shown = format!("src/{}", path.display());
        let test_code = is_test_code(path, &test_dirs);
        forbidden.extend(forbidden_edges(&shown, &module_of(path), source, test_code));
    }
    assert!(
        forbidden.is_empty(),
        "edges the layering matrix (src/layering.rs, the table in src/lib.rs) does not allow:\n{}",
        forbidden.join("\n")
    );
}

#[test]
fn every_module_of_lib_rs_has_a_row_and_the_docs_table_is_the_matrix() {
    let lib = read("lib.rs");
    let declared = lib.lines().filter_map(|line| {
        let line = line.trim();
        line.strip_prefix("pub mod ").or_else(|| line.strip_prefix("mod "))?.strip_suffix(';')
    });
    for module in declared {
        assert!(allowed(module, false).is_some(), "src/lib.rs declares `{module}`; give it a row in MAY_USE");
    }
    let table: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = lib
        .lines()
        .filter_map(|line| line.strip_prefix("//! |"))
        .filter_map(|row| {
            let cells: Vec<&str> = row.split('|').collect();
            let module = backticked(cells.first()?).into_iter().next()?;
            Some((module, (backticked(cells.get(1)?), backticked(cells.get(2).unwrap_or(&"")))))
        })
        .collect();
    let words = |list: &[&str]| list.iter().map(|w| (*w).to_owned()).collect::<BTreeSet<_>>();
    let matrix: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = MAY_USE
        .iter()
        .map(|(module, uses)| {
            let extra =
                TESTS_MAY_ALSO_USE.iter().find(|(m, _)| m == module).map_or(&[][..], |(_, extra)| extra);
            ((*module).to_owned(), (words(uses), words(extra)))
        })
        .collect();
    assert_eq!(table, matrix, "the table in src/lib.rs and MAY_USE in src/layering.rs differ");
}

#[test]
fn every_module_states_its_row_in_a_may_use_line() {
    for (module, uses) in MAY_USE {
        let root = if Path::new(SRC).join(module).join("mod.rs").exists() {
            format!("{module}/mod.rs")
        } else {
            format!("{module}.rs")
        };
        let stated =
            may_use_paragraph(&read(&root)).unwrap_or_else(|| panic!("src/{root} has no \"May use:\" line"));
        let named: BTreeSet<String> = crate_paths(&stated).into_iter().map(|(_, module)| module).collect();
        let expected: BTreeSet<String> = uses.iter().map(|m| (*m).to_owned()).collect();
        assert_eq!(named, expected, "src/{root}: its \"May use:\" line and the matrix differ:\n{stated}");
    }
}
