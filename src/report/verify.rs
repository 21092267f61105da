//! Renderers of a post-cutover [`Verification`]: the terminal table, Markdown, HTML (Tera,
//! `templates/verify.html`) and SARIF. They format; the verification computed everything.

use std::fmt::Write as _;

use super::markdown::escape;
use super::sarif::{Configuration, Location, Log, LogicalLocation, Message, Rule, SarifResult};
use super::table;
use crate::error::Error;
use crate::text::terminal_line;
use crate::verify::{AppCheck, Status, Verification};

/// The HTML page's template (autoescaped).
const HTML: &str = include_str!("../../templates/verify.html");

/// One line of detail per app: who is still on the old path, else the decommission verdict.
fn detail(a: &AppCheck) -> String {
    if !a.still_on_old_path.is_empty() {
        let mut s = a
            .still_on_old_path
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if a.still_on_old_path.len() > 5 {
            s.push_str(&format!(" and {} more", a.still_on_old_path.len() - 5));
        }
        return format!("still on the connected app: {s}");
    }
    match (&a.decommission, a.status) {
        (Some(d), _) if d.ready => "decommission: ready".into(),
        (Some(d), Status::Moved | Status::Retired) => {
            format!("decommission: not yet ({})", d.reason)
        }
        (_, Status::NotYetSeen) => format!("no use through either path since {}", a.cutover),
        _ => a.evidence.last().cloned().unwrap_or_default(),
    }
}

/// The status with its qualifiers: unconfirmed (a shared label only), overdue.
fn status_text(a: &AppCheck) -> String {
    let mut s = a.status.as_str().to_string();
    if a.by_shared_label {
        s.push_str(" (unconfirmed)");
    }
    if a.overdue {
        s.push_str(" (overdue)");
    }
    s
}

fn headline(v: &Verification) -> String {
    let counts: Vec<String> = Status::ALL
        .iter()
        .filter_map(|s| v.summary.get(s).map(|n| format!("{n} {}", s.as_str())))
        .collect();
    let overdue = v.apps.iter().filter(|a| a.overdue).count();
    format!(
        "{} app(s) of the plan{} checked against exports to {}: {}; {overdue} overdue",
        v.apps.len(),
        v.plan_as_of
            .as_deref()
            .map(|d| format!(" of {d}"))
            .unwrap_or_default(),
        v.as_of.as_deref().unwrap_or("an unknown day"),
        counts.join(", ")
    )
}

/// The terminal table.
pub fn render_human(v: &Verification) -> String {
    let cells: Vec<Vec<String>> = v
        .apps
        .iter()
        .map(|a| {
            vec![
                status_text(a),
                terminal_line(&a.api_name).into_owned(),
                a.wave.to_string(),
                a.cutover.clone(),
                terminal_line(&detail(a)).into_owned(),
            ]
        })
        .collect();
    let mut out = table::columns(&["STATUS", "APP", "WAVE", "SINCE", "DETAIL"], &cells);
    for f in &v.insecure_flows {
        let verdict = verdict(f);
        let _ = writeln!(
            out,
            "{} flow: {verdict}: {}",
            f.flow,
            terminal_line(&f.reason)
        );
        for app in f.apps.iter().take(5) {
            let _ = writeln!(out, "  {}", terminal_line(app));
        }
    }
    if !v.tokens_to_revoke.is_empty() {
        let _ = writeln!(out, "{} token(s) to revoke:", v.tokens_to_revoke.len());
        for t in &v.tokens_to_revoke {
            let last = t.last_used.as_deref().unwrap_or("never");
            let line = format!("  {} / {} (last used {last}): {}", t.app, t.user, t.reason);
            let _ = writeln!(out, "{}", terminal_line(&line));
        }
    }
    for n in &v.notes {
        let _ = writeln!(out, "note: {}", terminal_line(n));
    }
    let _ = writeln!(out, "{}", headline(v));
    out
}

/// Markdown, for a change ticket or a wiki page.
pub fn render_markdown(v: &Verification) -> String {
    let mut out = String::from("# Post-cutover verification\n\n");
    let _ = writeln!(out, "{}\n", escape(&headline(v)));
    if let Some(w) = &v.login_window {
        let _ = writeln!(
            out,
            "Login exports cover {w}. Decommissioning needs {} quiet days.\n",
            v.quiet_days
        );
    }
    out.push_str("| Status | App | Wave | Since | ECA | Detail |\n|---|---|---|---|---|---|\n");
    for a in &v.apps {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            status_text(a),
            escape(&a.api_name),
            a.wave,
            a.cutover,
            escape(a.eca_name.as_deref().unwrap_or("")),
            escape(&detail(a))
        );
    }
    flows_and_tokens_markdown(&mut out, v);
    out.push_str("\n## Evidence per app\n");
    for a in &v.apps {
        let _ = writeln!(
            out,
            "\n### {} — {}\n",
            escape(&a.api_name),
            a.status.as_str()
        );
        for e in &a.evidence {
            let _ = writeln!(out, "- {}", escape(e));
        }
        if let Some(d) = &a.decommission {
            let _ = writeln!(out, "- decommission: {}", escape(&d.reason));
        }
    }
    if !v.notes.is_empty() {
        out.push_str("\n## Notes\n\n");
        for n in &v.notes {
            let _ = writeln!(out, "- {}", escape(n));
        }
    }
    out
}

/// Whether a flow can be blocked, in words.
fn verdict(f: &crate::verify::FlowCheck) -> &'static str {
    if f.can_block {
        "can be blocked"
    } else {
        "cannot be blocked yet"
    }
}

/// The Markdown sections of the insecure flows and the tokens left to revoke.
fn flows_and_tokens_markdown(out: &mut String, v: &Verification) {
    out.push_str("\n## Insecure flows\n\n");
    for f in &v.insecure_flows {
        let verdict = verdict(f);
        let _ = writeln!(
            out,
            "- **{}** ({}: {}): {verdict}. {}",
            f.flow,
            f.setting,
            f.org_setting,
            escape(&f.reason)
        );
        for app in &f.apps {
            let _ = writeln!(out, "  - {}", escape(app));
        }
    }
    out.push_str("\n## Tokens to revoke\n\n");
    if v.tokens_to_revoke.is_empty() {
        out.push_str("None.\n");
    }
    for t in &v.tokens_to_revoke {
        let last = t.last_used.as_deref().unwrap_or("never");
        let _ = writeln!(
            out,
            "- {} / {} (last used {last}): {}",
            escape(&t.app),
            escape(&t.user),
            escape(&t.reason)
        );
    }
}

/// A standalone HTML page.
pub fn render_html(v: &Verification) -> Result<String, Error> {
    let mut cx = tera::Context::from_serialize(v).map_err(|e| render_error(&e))?;
    cx.insert("headline", &headline(v));
    let details: Vec<String> = v.apps.iter().map(detail).collect();
    cx.insert("details", &details);
    let legend: Vec<(&str, &str)> = Status::ALL
        .iter()
        .map(|s| (s.as_str(), s.meaning()))
        .collect();
    cx.insert("legend", &legend);
    tera::Tera::one_off(HTML, &cx, true).map_err(|e| render_error(&e))
}

fn render_error(e: &tera::Error) -> Error {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    Error::Render {
        what: "verify.html",
        message,
    }
}

/// The statuses a code-scanning dashboard should show, with their SARIF level.
const PROBLEMS: [(Status, &str, &str); 4] = [
    (
        Status::RetiredButUsed,
        "error",
        "An app to retire or block is still used",
    ),
    (
        Status::BothInUse,
        "warning",
        "Some users still use the connected app beside its ECA",
    ),
    (
        Status::StillOnConnectedApp,
        "warning",
        "The app is still used through its connected app",
    ),
    (
        Status::NotYetSeen,
        "note",
        "No use through the ECA seen since the cutover",
    ),
];

/// SARIF 2.1.0: one result per app in a problem status (overdue ones one level up).
pub fn build_sarif(v: &Verification) -> Log {
    let rules = PROBLEMS
        .iter()
        .map(|(s, level, text)| Rule {
            id: s.as_str(),
            name: s.as_str(),
            short_description: Message { text: (*text).into() },
            full_description: Message { text: s.meaning().into() },
            help: Message { text: "Run `ecaplan verify` with exports taken after the cutover; the runbook of the app in plan.json says what to do.".into() },
            default_configuration: Configuration { level },
        })
        .collect();
    let results = v
        .apps
        .iter()
        .filter_map(|a| {
            let i = PROBLEMS.iter().position(|(s, _, _)| *s == a.status)?;
            let level = match (PROBLEMS[i].1, a.overdue) {
                ("note", true) | ("warning", true) => "error",
                (l, _) => l,
            };
            Some(SarifResult {
                rule_id: a.status.as_str(),
                rule_index: i,
                level,
                message: Message {
                    text: format!("{}: {} ({})", a.api_name, a.status.as_str(), detail(a)),
                },
                locations: vec![Location {
                    physical_location: None,
                    logical_locations: vec![LogicalLocation {
                        name: a.api_name.clone(),
                        fully_qualified_name: format!("ConnectedApp/{}", a.api_name),
                        kind: "module",
                    }],
                }],
                suppressions: Vec::new(),
            })
        })
        .collect();
    super::sarif::log("ecaplan verify", env!("CARGO_PKG_VERSION"), rules, results)
}
