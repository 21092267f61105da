//! Markdown summary (`report.md`) to paste into a wiki page or a pull request: overview counts,
//! the waves, blockers and high findings, and one strategy row per app. Rendered with Tera from
//! the template `report.md` ([`super::templates`]) and a flat view built once; the template is
//! autoescaped with [`escape`], so a label cannot break a table or smuggle in HTML.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use tera::Context;

use super::contents::{Completed, Report, ReportApp, Shown, SEVERITIES};
use super::templates::{Engine, MARKDOWN};
use crate::error::Error;
use crate::plan::Wave;
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

/// Render the summary; `templates` is a folder whose `report.md`, when present, replaces the
/// built-in template.
pub fn render(report: &Report, templates: Option<&Path>) -> Result<String, Error> {
    render_completed(&Completed::of(report), templates)
}

/// Render the summary of a report and the generator's results (elements not carried over,
/// notes); `templates` as for [`render`].
pub fn render_completed(c: &Completed<'_>, templates: Option<&Path>) -> Result<String, Error> {
    let report = c.report;
    let engine = Engine::load(WHAT, &[MARKDOWN], templates, ".md", escape)?;
    let mut cx = Context::new();
    cx.insert("md", &View::of(c));
    let mut out = Vec::with_capacity(64 * 1024 + report.apps.len() * 256);
    engine.render_to(MARKDOWN, &cx, &mut out)?;
    super::templates::into_text(WHAT, out)
}

/// What the errors of this output say they were rendering.
const WHAT: &str = "report.md";

/// What the template sees (as `md`): the report's summary with every choice made.
#[derive(Serialize)]
struct View<'a> {
    tool_version: &'a str,
    /// Whether there is an as-of date (even an empty one).
    has_as_of: bool,
    as_of: &'a str,
    apps: usize,
    by_strategy: Vec<Count<'a>>,
    by_distribution: Vec<Count<'a>>,
    /// Every severity, most severe first.
    by_severity: Vec<Count<'a>>,
    waves: &'a [Wave],
    /// Open blockers and high findings.
    severe: Vec<Severe<'a>>,
    apps_table: Vec<AppLine<'a>>,
    /// What every human report shows: counts, not carried over, warnings, coupled groups,
    /// owners and notes, freeze windows, input files.
    shown: Shown<'a>,
}

/// A name and its count.
#[derive(Serialize)]
struct Count<'a> {
    name: &'a str,
    n: usize,
}

/// An open blocker or high finding.
#[derive(Serialize)]
struct Severe<'a> {
    severity: &'a str,
    rule: &'a str,
    name: &'a str,
    /// The app, or `(org)`.
    app: &'a str,
    message: &'a str,
}

/// One app's row.
#[derive(Serialize)]
struct AppLine<'a> {
    api_name: &'a str,
    label: &'a str,
    distribution: &'a str,
    strategy: &'a str,
    wave: usize,
    owner: &'a str,
    findings: usize,
}

impl<'a> View<'a> {
    fn of(c: &Completed<'a>) -> Self {
        let r = c.report;
        View {
            tool_version: r.tool_version,
            has_as_of: r.as_of.is_some(),
            as_of: r.as_of.as_deref().unwrap_or_default(),
            apps: r.summary.apps,
            by_strategy: counts(&r.summary.by_strategy),
            by_distribution: counts(&r.summary.by_distribution),
            by_severity: SEVERITIES
                .iter()
                .map(|s| Count {
                    name: s.as_str(),
                    n: r.summary.by_severity.get(s.as_str()).copied().unwrap_or(0),
                })
                .collect(),
            waves: &r.waves,
            severe: severe(r),
            apps_table: r.apps.iter().map(AppLine::of).collect(),
            shown: Shown::of(c),
        }
    }
}

/// A count map in its (sorted) order.
fn counts<'a>(m: &'a BTreeMap<&'static str, usize>) -> Vec<Count<'a>> {
    m.iter().map(|(name, n)| Count { name, n: *n }).collect()
}

fn severe(r: &Report) -> Vec<Severe<'_>> {
    r.findings
        .iter()
        .filter(|f| {
            f.accepted.is_none() && matches!(f.severity, Severity::Blocker | Severity::High)
        })
        .map(|f| Severe {
            severity: f.severity.as_str(),
            rule: f.rule,
            name: f.name,
            app: f.app.as_deref().unwrap_or("(org)"),
            message: &f.message,
        })
        .collect()
}

impl<'a> AppLine<'a> {
    fn of(a: &'a ReportApp) -> Self {
        AppLine {
            api_name: &a.row.api_name,
            label: &a.row.label,
            distribution: a.row.distribution,
            strategy: a.plan.decision.strategy.as_str(),
            wave: a.plan.wave,
            owner: a.plan.owner.as_deref().unwrap_or_default(),
            findings: a.findings.len(),
        }
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

    /// The sample report with a hostile element not carried over, note and unreadable file.
    fn hostile_extras() -> (Report, Vec<crate::report::contents::NotCarriedRow>) {
        let mut r = crate::report::testkit::sample_report("x", "y");
        let bad = "<img src=x> | `rm` [l](http://e)\nnext";
        r.notes.push(crate::diag::Note::at(
            crate::diag::Level::Warning,
            "test-warning",
            "a|b.csv",
            crate::diag::Pos { line: 3, col: 7 },
            bad.into(),
        ));
        r.accounting = crate::report::inventory::Accounting::new(vec![crate::model::FileRecord {
            path: "dir/Bad_App.connectedApp-meta.xml".into(),
            status: crate::model::FileStatus::Unreadable {
                line: Some(6),
                column: Some(61),
                message: bad.into(),
            },
        }]);
        let app = r.apps[0].row.api_name.clone();
        let rows = vec![crate::report::contents::NotCarriedRow {
            app,
            element: "plugin".into(),
            reason: bad.into(),
        }];
        (r, rows)
    }

    #[test]
    fn every_extra_section_is_rendered_and_escaped() {
        let (r, rows) = hostile_extras();
        let c = Completed {
            report: &r,
            not_carried: &rows,
            more_notes: &[],
            generated: true,
        };
        let md = render_completed(&c, None).expect("render");
        let escaped = "&lt;img src=x&gt; \\| \\`rm\\` \\[l\\](http://e) next";
        assert!(!md.contains("<img"));
        for (section, row_start) in [
            (
                "## Not carried over into the ECAs",
                format!("| {} | ", rows[0].app),
            ),
            (
                "## Warnings",
                "| warning | test-warning | a\\|b.csv:3:7 | ".to_string(),
            ),
            (
                "## Input files",
                "| dir/Bad_App.connectedApp-meta.xml:6:61 | ".to_string(),
            ),
        ] {
            let body = md.split(section).nth(1).expect(section);
            let row = body.lines().find(|l| l.starts_with(&row_start));
            let row = row.unwrap_or_else(|| panic!("{section}: {row_start}\n{md}"));
            assert!(row.ends_with(&format!("{escaped} |")), "{row}");
        }
        assert!(md.contains("1 file(s): 0 parsed, 0 ignored, 1 unreadable."));
        assert!(md.contains("## Coupled groups") && md.contains("## Owners and notes"));
        // Without generated metadata (assess) the report says it does not know.
        let md = render(&r, None).expect("render");
        assert!(md.contains("Not known here: `ecaplan plan` generates"));
    }

    #[test]
    fn hostile_labels_stay_in_their_cell() {
        let r = crate::report::testkit::sample_report("<script>alert(1)</script> | x", "=1");
        let md = render(&r, None).expect("render");
        assert!(!md.contains("<script>"));
        assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt; \\| x"));
        let rows = md.lines().filter(|l| l.starts_with("| ")).count();
        assert!(rows > r.apps.len());
    }
}
