//! Human-readable findings, in the style of rustc and cargo-deny: severity, rule id, message,
//! then each piece of evidence with its file:line and source line.

use std::fmt::Write;

use super::assess::AssessReport;
use super::contents::Completed;
use crate::diag::Level;
use crate::rules::{Evidence, Finding};

fn render_finding(out: &mut String, f: &Finding) {
    let app = f
        .app
        .as_deref()
        .map(|a| format!(" [{a}]"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{}[{}]: {}{app}",
        f.severity.as_str(),
        f.rule,
        f.message
    );
    for ev in &f.evidence {
        match ev {
            Evidence::Metadata {
                file,
                line,
                snippet,
                ..
            } => {
                let loc = line
                    .map(|l| format!("{file}:{l}"))
                    .unwrap_or_else(|| file.clone());
                let _ = writeln!(out, "   --> {loc}");
                if let (Some(l), Some(s)) = (line, snippet) {
                    let w = l.to_string().len();
                    let _ = writeln!(out, "   {:w$} |", "");
                    let _ = writeln!(out, "   {l} | {s}");
                    let _ = writeln!(out, "   {:w$} |", "");
                }
            }
            Evidence::Usage {
                summary,
                files,
                rows,
            } => {
                let _ = writeln!(out, "   = usage: {summary}");
                for file in files {
                    let _ = writeln!(out, "   --> {file}");
                }
                if !rows.is_empty() {
                    let _ = writeln!(out, "   = rows: {}", rows.join(", "));
                }
            }
            Evidence::Graph { path } => {
                let _ = writeln!(out, "   = graph: {}", path.join(" "));
            }
            Evidence::Note { text } => {
                let _ = writeln!(out, "   = note: {text}");
            }
        }
    }
    if let Some(reason) = &f.accepted {
        let _ = writeln!(out, "   = accepted by ecaplan.toml: {reason}");
    }
    let _ = writeln!(out, "   = help: ecaplan explain {} ({})\n", f.rule, f.name);
}

/// The whole assessment as text.
pub fn render_assess(r: &AssessReport) -> String {
    let mut out = String::new();
    for f in &r.findings {
        render_finding(&mut out, f);
    }
    for g in &r.coupled_groups {
        let _ = writeln!(
            out,
            "coupled: {} (shared: {})",
            g.apps.join(", "),
            g.shared.join(", ")
        );
    }
    for n in &r.notes {
        let _ = writeln!(out, "note: {n}");
    }
    let counts: Vec<String> = r
        .counts
        .iter()
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect();
    let accepted = r.findings.iter().filter(|f| f.accepted.is_some()).count();
    let _ = writeln!(
        out,
        "{} app(s) assessed{}: {} finding(s) from {} rule(s){}{}",
        r.apps,
        r.as_of
            .as_deref()
            .map(|d| format!(" as of {d}"))
            .unwrap_or_default(),
        r.findings.len() - accepted,
        r.rules_triggered.len(),
        if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        },
        if accepted > 0 {
            format!("; {accepted} accepted")
        } else {
            String::new()
        },
    );
    let _ = writeln!(
        out,
        "files: {} total, {} parsed, {} ignored, {} unreadable",
        r.files.total, r.files.parsed, r.files.ignored, r.files.unreadable
    );
    // File names, messages and snippets come from the inputs: no escape sequence may reach
    // the terminal.
    crate::text::terminal(&out).into_owned()
}

/// Warnings listed by name at the end of a plan; the rest are counted (report.md lists all).
const WARNINGS_LISTED: usize = 5;

/// What `ecaplan plan` says when it is done: apps per strategy, the findings still open by
/// severity, the warnings that need attention, and where to start reading in `out`.
pub fn plan_summary(c: &Completed<'_>, waves: usize, out: &std::path::Path) -> String {
    let s = &c.report.summary;
    let mut text = format!(
        "{} app(s) planned in {waves} wave(s)
",
        s.apps
    );
    let list = |counts: &std::collections::BTreeMap<&'static str, usize>| {
        let parts: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
        parts.join(", ")
    };
    let _ = writeln!(text, "  strategies: {}", list(&s.by_strategy));
    let open: usize = s.by_severity.values().sum();
    if open > 0 {
        let by_severity: Vec<String> = crate::diag::Severity::ALL
            .iter()
            .filter_map(|v| {
                s.by_severity
                    .get(v.as_str())
                    .map(|n| format!("{} {n}", v.as_str()))
            })
            .collect();
        let _ = writeln!(
            text,
            "  open findings: {} (findings.csv)",
            by_severity.join(", ")
        );
    }
    // The generator's warnings too (a SAML encryption rewritten): report.md lists them all.
    let warnings: Vec<_> = c.notes().filter(|n| n.level <= Level::Warning).collect();
    if !warnings.is_empty() {
        let _ = writeln!(text, "  {} warning(s) need attention:", warnings.len());
        for n in warnings.iter().take(WARNINGS_LISTED) {
            let _ = writeln!(text, "    {n}");
        }
        if warnings.len() > WARNINGS_LISTED {
            let _ = writeln!(
                text,
                "    … and {} more in report.md",
                warnings.len() - WARNINGS_LISTED
            );
        }
    }
    let apps = c.not_carried.iter().map(|n| n.app.as_str());
    let mut apps: Vec<&str> = apps.collect();
    apps.dedup();
    if !c.not_carried.is_empty() {
        let _ = writeln!(
            text,
            "  {} element(s) of {} app(s) not carried over into the ECAs: why and what to do in \
             report.md",
            c.not_carried.len(),
            apps.len()
        );
    }
    let _ = writeln!(
        text,
        "  written to {}: start with report.html; deploy with eca/README.md",
        out.display()
    );
    crate::text::terminal(&text).into_owned()
}
