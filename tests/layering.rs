//! The pipeline's layering (DESIGN §2), enforced: each top-level module of the library may
//! import only the modules listed for it below, so data flows one way — leaves → metadata →
//! ingest → model → graph → rules → plan → generate / report → app — and no two top-level
//! modules import each other. The table has no exceptions; a new arrow means changing it here,
//! in review.
//!
//! The graph sits beneath the rules because one rule (ECA207, a shared integration user) reads
//! it; DESIGN §2 draws them as one stage.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules every layer may use: positions and diagnostics, the calendar, the text sanitizer,
/// fatal errors.
const LEAVES: &[&str] = &["diag", "time", "text", "error"];

/// What each top-level module may import besides itself (and, except for the leaves
/// themselves, besides [`LEAVES`]).
const ALLOWED: &[(&str, &[&str])] = &[
    ("diag", &[]),
    ("time", &[]),
    ("text", &[]),
    ("error", &["diag"]),
    ("cli", &[]),
    ("metadata", &[]),
    ("config", &["metadata"]),
    ("ingest", &["metadata", "config"]),
    ("model", &["ingest", "metadata", "config"]),
    ("graph", &["model", "metadata"]),
    ("rules", &["graph", "model", "metadata", "config"]),
    ("plan", &["rules", "graph", "model", "metadata", "config"]),
    ("generate", &["plan", "model", "metadata", "config"]),
    ("verify", &["plan", "model", "metadata", "config"]),
    (
        "report",
        &[
            "verify", "plan", "rules", "graph", "model", "metadata", "config",
        ],
    ),
    (
        "app",
        &[
            "report", "generate", "verify", "plan", "rules", "graph", "model", "ingest",
            "metadata", "config",
        ],
    ),
];

/// Items at the crate root and the module that owns each: `#[macro_export]` macros land at
/// the root, and `fuzz_cases` is the test-only case count every reader's property test reads.
const ROOT_ITEMS: &[(&str, Option<&str>)] =
    &[("xml_record", Some("metadata")), ("fuzz_cases", None)];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Top-level modules: `src/NAME.rs` or `src/NAME/`, without `lib.rs` and `main.rs`.
fn top_level_modules() -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(src()).expect("src/") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().and_then(|s| s.to_str()).expect("name");
        if path.is_dir()
            || (path.extension().is_some_and(|e| e == "rs") && name != "lib" && name != "main")
        {
            out.insert(name.to_string(), path);
        }
    }
    out
}

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("dir") {
            rust_files(&entry.expect("entry").path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_path_buf());
    }
}

/// The text without comments and string literals, so that doc links and messages that name
/// a path are not taken for imports.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if b[i] == b'"' || (b[i] == b'r' && matches!(b.get(i + 1), Some(b'"' | b'#'))) {
            i = skip_string(b, i);
            out.push_str("\"\"");
        } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
            i += 3;
        } else {
            let c = text[i..].chars().next().expect("char");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Index after the string literal starting at `i` (plain or raw).
fn skip_string(b: &[u8], mut i: usize) -> usize {
    if b[i] == b'r' {
        i += 1;
        let mut hashes = 0;
        while b.get(i) == Some(&b'#') {
            hashes += 1;
            i += 1;
        }
        if b.get(i) != Some(&b'"') {
            return i; // an identifier starting with r, not a raw string
        }
        i += 1;
        let close: Vec<u8> = std::iter::once(b'"')
            .chain(std::iter::repeat_n(b'#', hashes))
            .collect();
        while i < b.len() && !b[i..].starts_with(&close) {
            i += 1;
        }
        return (i + close.len()).min(b.len());
    }
    i += 1;
    while i < b.len() && b[i] != b'"' {
        if b[i] == b'\\' {
            i += 1;
        }
        i += 1;
    }
    i + 1
}

/// The first path segment of every `crate::` path, expanding `crate::{a::x, b}` groups.
fn crate_imports(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let preceded_by_ident = rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        rest = &rest[at + "crate::".len()..];
        if preceded_by_ident {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 || (c == ',' && depth == 1) {
                    add_first_segment(&item, &mut out);
                    item.clear();
                    if depth == 0 {
                        break;
                    }
                } else {
                    item.push(c);
                }
            }
        } else {
            add_first_segment(rest, &mut out);
        }
    }
    out
}

fn add_first_segment(path: &str, out: &mut BTreeSet<String>) {
    let name: String = path
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if !name.is_empty() && name != "self" {
        out.insert(name);
    }
}

/// Every forbidden import: (importing module, imported module, file).
fn violations() -> Vec<(String, String, PathBuf)> {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut bad = Vec::new();
    for (module, path) in top_level_modules() {
        let Some(may) = allowed.get(module.as_str()) else {
            panic!("top-level module `{module}` is not in the layering table: place it there");
        };
        let mut files = Vec::new();
        rust_files(&path, &mut files);
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read");
            for used in crate_imports(&code_only(&text)) {
                let owner = match ROOT_ITEMS.iter().find(|(item, _)| *item == used) {
                    Some((_, None)) => continue,
                    Some((_, Some(owner))) => owner.to_string(),
                    None => used,
                };
                let leaf = LEAVES.contains(&owner.as_str()) && !LEAVES.contains(&module.as_str());
                if owner != module && !leaf && !may.contains(&owner.as_str()) {
                    bad.push((module.clone(), owner, file.clone()));
                }
            }
        }
    }
    bad
}

#[test]
fn top_level_modules_import_only_the_layers_beneath_them() {
    let bad = violations();
    let listed: Vec<String> = bad
        .iter()
        .map(|(m, used, file)| format!("  {m} → {used}  ({})", file.display()))
        .collect();
    assert!(
        bad.is_empty(),
        "imports the layering forbids:\n{}",
        listed.join("\n")
    );
}

#[test]
fn the_layering_table_has_no_cycle() {
    // Kahn's algorithm over the table: every module must come out.
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (module, may) in ALLOWED {
        let mut to: BTreeSet<&str> = may.iter().copied().collect();
        if !LEAVES.contains(module) {
            to.extend(LEAVES.iter().copied());
        }
        edges.insert(module, to);
    }
    let mut placed: Vec<&str> = Vec::new();
    while placed.len() < edges.len() {
        let next = edges
            .iter()
            .find(|(m, to)| !placed.contains(m) && to.iter().all(|t| placed.contains(t)))
            .map(|(m, _)| *m);
        let Some(next) = next else {
            let left: Vec<_> = edges.keys().filter(|m| !placed.contains(m)).collect();
            panic!("the layering table has a cycle among {left:?}");
        };
        placed.push(next);
    }
}

#[test]
fn the_binary_uses_the_library_through_app_only() {
    let text = std::fs::read_to_string(src().join("main.rs")).expect("main.rs");
    let code = code_only(&text);
    for (at, _) in code.match_indices("ecaplan::") {
        let name: String = code[at + "ecaplan::".len()..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        assert!(
            ["app", "cli", "text", "error"].contains(&name.as_str()),
            "main.rs reaches into `ecaplan::{name}`: the binary goes through app"
        );
    }
}

#[test]
fn the_scanner_sees_grouped_and_nested_imports() {
    let code = code_only(
        "use crate::{a::x, b::{y, z}, self};\n// crate::c\nlet s = \"crate::d\";\nuse crate::e;\nfoo_crate::f;",
    );
    let got: Vec<String> = crate_imports(&code).into_iter().collect();
    assert_eq!(got, ["a", "b", "e"]);
}
