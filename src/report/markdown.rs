//! Markdown summary (`report.md`) to paste into a wiki page or a pull request: overview counts,
//! the waves, blockers and high findings, and one strategy row per app. Input-derived text is
//! escaped so a label cannot break a table or smuggle in HTML.

use std::fmt::Write as _;

use super::model::Report;
use crate::rules::Severity;

/// Escape text for a Markdown table cell so that it renders as the literal text: backslash,
/// `|`, backticks, `<` `>` `&` (inline HTML and entities), `[` `]` (links and images: `![x](u)`
/// becomes plain text), `*` `~` and `_` at a word boundary (emphasis), and line breaks, which
/// would end the row. Control and bidi characters are removed first.
pub fn escape(text: &str) -> String {
    let text = crate::text::terminal_line(text);
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            '`' => out.push_str("\\`"),
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '*' => out.push_str("\\*"),
            '~' => out.push_str("\\~"),
            '_' => {
                // `Same_App`, `ns__App` cannot open or close emphasis (intra-word); `_x_` can.
                let word = |j: Option<usize>| {
                    j.and_then(|j| chars.get(j))
                        .is_some_and(|c| c.is_alphanumeric() || *c == '_')
                };
                if word(i.checked_sub(1)) && word(Some(i + 1)) {
                    out.push('_');
                } else {
                    out.push_str("\\_");
                }
            }
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Most severe first, as the summary lists them.
const SEVERITIES: [Severity; 5] = [
    Severity::Blocker,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

/// Render the summary.
pub fn render(r: &Report) -> String {
    let mut s = String::new();
    // `write!` into a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(
        s,
        "# Connected Apps → External Client Apps: migration summary\n"
    );
    let _ = writeln!(
        s,
        "ecaplan {}{} · {} app(s) · {} finding(s) · {} wave(s)\n",
        r.tool_version,
        r.as_of
            .as_deref()
            .map(|d| format!(" · data as of {}", escape(d)))
            .unwrap_or_default(),
        r.summary.apps,
        r.findings.len(),
        r.waves.len()
    );

    s.push_str("## Overview\n\n| Strategy | Apps |\n|---|---:|\n");
    for (k, v) in &r.summary.by_strategy {
        let _ = writeln!(s, "| {k} | {v} |");
    }
    s.push_str("\n| Distribution | Apps |\n|---|---:|\n");
    for (k, v) in &r.summary.by_distribution {
        let _ = writeln!(s, "| {k} | {v} |");
    }
    s.push_str("\n| Severity | Open findings |\n|---|---:|\n");
    for sev in SEVERITIES {
        let n = r.summary.by_severity.get(sev.as_str()).copied();
        let _ = writeln!(s, "| {} | {} |", sev.as_str(), n.unwrap_or(0));
    }

    s.push_str("\n## Waves\n\n| # | Wave | Start | End | Apps |\n|---:|---|---|---|---|\n");
    for w in &r.waves {
        let apps: Vec<String> = w.apps.iter().map(|a| escape(a)).collect();
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            w.number,
            escape(&w.name),
            escape(&w.start),
            escape(&w.end),
            apps.join(", ")
        );
    }
    // Freeze windows from ecaplan.toml: say which waves they moved (the table has no tasks).
    for w in &r.waves {
        for t in w
            .tasks
            .iter()
            .filter(|t| t.starts_with(crate::plan::waves::FROZEN_TASK))
        {
            let _ = writeln!(s, "\nWave {} {}.", w.number, escape(t));
        }
    }

    s.push_str("\n## Blockers and high findings\n\n");
    let severe: Vec<_> = r
        .findings
        .iter()
        .filter(|f| {
            f.accepted.is_none() && matches!(f.severity, Severity::Blocker | Severity::High)
        })
        .collect();
    if severe.is_empty() {
        s.push_str("None open.\n");
    } else {
        s.push_str("| Severity | Rule | App | Finding |\n|---|---|---|---|\n");
        for f in severe {
            let _ = writeln!(
                s,
                "| {} | {} {} | {} | {} |",
                f.severity.as_str(),
                f.rule,
                f.name,
                f.app
                    .as_deref()
                    .map(escape)
                    .unwrap_or_else(|| "(org)".into()),
                escape(&f.message)
            );
        }
    }
    let accepted = r.findings.iter().filter(|f| f.accepted.is_some()).count();
    if accepted > 0 {
        let _ = writeln!(
            s,
            "\n{accepted} finding(s) accepted by exceptions in ecaplan.toml are not listed."
        );
    }

    s.push_str(
        "\n## Apps\n\n| App | Label | Distribution | Strategy | Wave | Owner | Findings |\n\
         |---|---|---|---|---:|---|---:|\n",
    );
    for a in &r.apps {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            escape(&a.row.api_name),
            escape(&a.row.label),
            a.row.distribution,
            a.plan.decision.strategy.as_str(),
            a.plan.wave,
            a.plan.owner.as_deref().map(escape).unwrap_or_default(),
            a.findings.len()
        );
    }
    notes(&mut s, r);
    s
}

/// The `[apps.X] notes` of ecaplan.toml: the workshop's constraints, next to the plan they bind.
fn notes(s: &mut String, r: &Report) {
    let noted: Vec<_> = r
        .apps
        .iter()
        .filter_map(|a| Some((a, a.plan.notes.as_deref()?)))
        .collect();
    if noted.is_empty() {
        return;
    }
    s.push_str("\n## Notes from ecaplan.toml\n\n| App | Wave | Note |\n|---|---:|---|\n");
    for (a, note) in noted {
        let _ = writeln!(
            s,
            "| {} | {} | {} |",
            escape(&a.row.api_name),
            a.plan.wave,
            escape(note)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_breaking_characters_are_escaped() {
        assert_eq!(escape("a|b`c`<i>\nd\\"), "a\\|b\\`c\\`&lt;i&gt; d\\\\");
    }

    #[test]
    fn links_images_and_emphasis_stay_literal() {
        assert_eq!(
            escape("[x](http://evil) ![i](http://evil/img) *b* _i_ ~s~ Same_App ns__App &amp;"),
            "\\[x\\](http://evil) !\\[i\\](http://evil/img) \\*b\\* \\_i\\_ \\~s\\~ Same_App ns__App &amp;amp;"
        );
        assert_eq!(escape("a\u{202E}b\u{1b}[0m"), "ab\\[0m");
    }

    #[test]
    fn hostile_labels_stay_in_their_cell() {
        let r = crate::report::testkit::sample_report("<script>alert(1)</script> | x", "=1");
        let md = render(&r);
        assert!(!md.contains("<script>"));
        assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt; \\| x"));
        let rows = md.lines().filter(|l| l.starts_with("| ")).count();
        assert!(rows > r.apps.len());
    }
}
