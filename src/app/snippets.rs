//! Fill metadata evidence with the source line it points at, for human output. This is I/O,
//! so it lives in the orchestration, not in the rules.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use crate::rules::{Evidence, Finding};

/// Longest snippet shown (characters); certificate bodies are long and never useful in full.
const MAX_SNIPPET: usize = 120;

fn load(file: &str) -> Option<String> {
    match file.split_once('!') {
        Some((archive, entry)) if archive.to_ascii_lowercase().ends_with(".zip") => {
            let f = std::fs::File::open(archive).ok()?;
            let mut zip = zip::ZipArchive::new(f).ok()?;
            let mut e = zip.by_name(entry).ok()?;
            let mut s = String::new();
            e.read_to_string(&mut s).ok()?;
            Some(s)
        }
        _ => std::fs::read_to_string(file).ok(),
    }
}

/// A line made safe and short for display; secrets-bearing elements are elided.
fn clean(line: &str, element: &str) -> String {
    let sensitive = [
        "certificate",
        "consumerKey",
        "consumerSecret",
        "private-key",
        "consumer-secret",
        "push-credential",
    ];
    if sensitive.iter().any(|s| element.ends_with(s)) {
        let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
        return format!("{indent}… (value not shown)");
    }
    let t: String = line
        .trim_end()
        .chars()
        .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
        .collect();
    if t.chars().count() > MAX_SNIPPET {
        let cut: String = t.chars().take(MAX_SNIPPET).collect();
        format!("{cut}…")
    } else {
        t
    }
}

/// Attach snippets to every metadata evidence item that has a line: from `texts` (the files
/// as the ingest read them), else from the file itself.
pub fn fill(findings: &mut [Finding], texts: &HashMap<String, String>) {
    let mut read: BTreeMap<String, Option<String>> = BTreeMap::new();
    for f in findings.iter_mut() {
        for ev in &mut f.evidence {
            let Evidence::Metadata {
                file,
                line: Some(line),
                element,
                snippet,
            } = ev
            else {
                continue;
            };
            let text = match texts.get(file.as_str()) {
                Some(t) => Some(t.as_str()),
                None => read
                    .entry(file.clone())
                    .or_insert_with(|| load(file))
                    .as_deref(),
            };
            let at = (*line as usize).checked_sub(1);
            *snippet = text
                .and_then(|t| t.lines().nth(at?))
                .map(|l| clean(l, element));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(files: &[(&str, u32, &str)]) -> Finding {
        Finding {
            rule: "ECA000",
            name: "test",
            severity: crate::rules::Severity::Info,
            app: None,
            message: String::new(),
            evidence: files
                .iter()
                .map(|(file, line, element)| Evidence::Metadata {
                    file: file.to_string(),
                    line: Some(*line),
                    element: element.to_string(),
                    snippet: None,
                })
                .collect(),
            accepted: None,
        }
    }

    fn snippets(f: &Finding) -> Vec<Option<&str>> {
        f.evidence
            .iter()
            .map(|e| match e {
                Evidence::Metadata { snippet, .. } => snippet.as_deref(),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn quotes_the_ingested_text_else_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let on_disk = dir.path().join("B.xml");
        std::fs::write(&on_disk, "<a>\n  <b>disk</b>\n").expect("write");
        let on_disk = on_disk.to_string_lossy().into_owned();
        let texts = HashMap::from([("A.xml".to_string(), "<a>\n  <b>memory</b>\n".to_string())]);
        let mut fs = [finding(&[
            ("A.xml", 2, "b"),
            (&on_disk, 2, "b"),
            ("A.xml", 9, "b"),
            ("A.xml", 0, "b"),
            ("missing.xml", 1, "b"),
        ])];
        fill(&mut fs, &texts);
        assert_eq!(
            snippets(&fs[0]),
            [
                Some("  <b>memory</b>"),
                Some("  <b>disk</b>"),
                None,
                None,
                None
            ]
        );
    }

    #[test]
    fn hides_sensitive_and_shortens() {
        assert_eq!(
            clean(
                "    <certificate>MIIB...</certificate>",
                "oauthConfig/certificate"
            ),
            "    … (value not shown)"
        );
        assert_eq!(
            clean("  <scopes>Full</scopes>  ", "oauthConfig/scopes"),
            "  <scopes>Full</scopes>"
        );
        assert!(clean(&"x".repeat(500), "a").ends_with('…'));
    }
}
