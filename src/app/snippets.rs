//! Fill metadata evidence with the source line it points at, for human output. This is I/O,
//! so it lives in the orchestration, not in the rules.

use std::collections::{BTreeMap, BTreeSet};
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

/// Attach snippets to every metadata evidence item that has a line.
pub fn fill(findings: &mut [Finding]) {
    use rayon::prelude::*;
    let wanted: BTreeSet<&str> = findings
        .iter()
        .flat_map(|f| &f.evidence)
        .filter_map(|ev| match ev {
            Evidence::Metadata {
                file,
                line: Some(_),
                ..
            } => Some(file.as_str()),
            _ => None,
        })
        .collect();
    // A large org's findings point into thousands of files: they are read on all cores.
    let lines: BTreeMap<String, Option<Vec<String>>> = wanted
        .into_par_iter()
        .map(|file| {
            let lines = load(file).map(|t| t.lines().map(String::from).collect());
            (file.to_string(), lines)
        })
        .collect();
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
            let text = lines
                .get(file.as_str())
                .and_then(Option::as_ref)
                .and_then(|l| l.get((*line as usize).checked_sub(1)?));
            *snippet = text.map(|t| clean(t, element));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
