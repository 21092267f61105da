//! The user guide (`book/`): one page per rule, generated from the registry's explain texts
//! and kept in sync here (`ECAPLAN_BLESS=1` rewrites the pages after a rule changes), every
//! rule page listed in `SUMMARY.md`, and every `ecaplan` command the book shows runs on
//! `samples/`.

mod common;

use std::path::{Path, PathBuf};

use common::ecaplan;
use ecaplan::rules::RULES;

fn book() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src")
}

/// Text from a rule for a Markdown page: `<` and `>` are not HTML to mdBook.
fn md(text: &str) -> String {
    text.replace('<', "&lt;").replace('>', "&gt;")
}

fn rule_page(r: &ecaplan::rules::Rule) -> String {
    let mut page = format!(
        "# {} {}\n\nDefault severity: **{}**. {}.\n\n",
        r.id,
        r.name,
        r.severity.as_str(),
        md(r.summary.trim_end_matches('.'))
    );
    for paragraph in r.explain.split('\n').filter(|p| !p.trim().is_empty()) {
        page.push_str(&md(paragraph));
        page.push_str("\n\n");
    }
    page.push_str(&format!(
        "`ecaplan explain {}` prints this text in a terminal. In `ecaplan.toml`, `[rules.{}]` with `severity = \"...\"` changes its severity, and an `[[exceptions]]` entry with `rule = \"{}\"`, the app and a reason accepts it for that app.\n",
        r.id, r.id, r.id
    ));
    page
}

fn rules_index() -> String {
    let mut page = String::from(
        "# The rules\n\nEach rule has a stable id that is never reused, a kebab-case name, and a default severity that `ecaplan.toml` can change.\n\n| id | name | severity | what it finds |\n|---|---|---|---|\n",
    );
    for r in RULES {
        page.push_str(&format!(
            "| [{}]({}.md) | {} | {} | {} |\n",
            r.id,
            r.id,
            r.name,
            r.severity.as_str(),
            md(r.summary)
        ));
    }
    page
}

/// Compare `actual` with the file, or write it under `ECAPLAN_BLESS=1`.
fn in_sync(path: &Path, actual: &str, stale: &mut Vec<String>) {
    if std::env::var_os("ECAPLAN_BLESS").is_some() {
        std::fs::write(path, actual).expect("write page");
        return;
    }
    if std::fs::read_to_string(path).ok().as_deref() != Some(actual) {
        stale.push(path.display().to_string());
    }
}

#[test]
fn every_rule_has_its_page_generated_from_the_registry() {
    let dir = book().join("rules");
    let mut stale = Vec::new();
    for r in RULES {
        in_sync(&dir.join(format!("{}.md", r.id)), &rule_page(r), &mut stale);
    }
    in_sync(&dir.join("README.md"), &rules_index(), &mut stale);
    assert!(
        stale.is_empty(),
        "rule pages out of date (run ECAPLAN_BLESS=1 cargo test --test book): {stale:?}"
    );
    // No page for a rule the registry does not have.
    for entry in std::fs::read_dir(&dir).expect("book/src/rules") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let id = name.trim_end_matches(".md");
        assert!(
            id == "README" || RULES.iter().any(|r| r.id == id),
            "book/src/rules/{name} is the page of no rule"
        );
    }
}

#[test]
fn the_summary_lists_every_rule_page() {
    let summary = std::fs::read_to_string(book().join("SUMMARY.md")).expect("SUMMARY.md");
    for r in RULES {
        let line = format!("[{} {}](rules/{}.md)", r.id, r.name, r.id);
        assert!(summary.contains(&line), "SUMMARY.md lacks {line}");
    }
}

/// The `ecaplan ...` lines of the book's `sh` code blocks.
fn book_commands() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pages: Vec<PathBuf> = std::fs::read_dir(book())
        .expect("book/src")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    for page in pages {
        let text = std::fs::read_to_string(&page).expect("page");
        let mut in_sh = false;
        for line in text.lines() {
            match line.trim() {
                "```sh" => in_sh = true,
                "```" => in_sh = false,
                l if in_sh && l.starts_with("ecaplan ") => {
                    out.push((page.display().to_string(), l.to_string()));
                }
                _ => {}
            }
        }
    }
    out
}

#[test]
fn every_command_in_the_book_runs_on_the_samples() {
    let commands = book_commands();
    assert!(commands.len() >= 5, "{commands:?}");
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut outputs: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for (i, (page, command)) in commands.iter().enumerate() {
        let mut args: Vec<String> = command
            .split_whitespace()
            .skip(1)
            .map(String::from)
            .collect();
        if let Some(at) = args.iter().position(|a| a == "-o") {
            let dir = tmp.path().join(format!("out-{i}"));
            outputs.insert(args[at + 1].clone(), dir.display().to_string());
            args[at + 1] = dir.display().to_string();
        } else {
            // A later command reads what an earlier one wrote (`verify --plan out/plan.json`).
            for a in &mut args {
                if let Some((dir, rest)) = a.split_once('/') {
                    if let Some(real) = outputs.get(dir) {
                        *a = format!("{real}/{rest}");
                    }
                }
            }
        }
        let run = ecaplan(&args);
        let ok = match args.first().map(String::as_str) {
            // assess exits 1 when findings reach --fail-on: that is its answer, not a failure.
            Some("assess") => matches!(run.status.code(), Some(0 | 1)),
            _ => run.status.success(),
        };
        assert!(
            ok,
            "{page}: `{command}` failed: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
}
