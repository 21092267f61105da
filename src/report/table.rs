//! Plain-text table renderer for terminals.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::inventory::InventoryReport;
use crate::diag::Level;
use crate::model::FileStatus;

const MAX_CELL: usize = 48;

fn cell(s: &str) -> String {
    // Control characters from inputs must not reach the terminal.
    let clean = crate::text::terminal_line(s);
    if clean.chars().count() > MAX_CELL {
        let cut: String = clean.chars().take(MAX_CELL - 1).collect();
        format!("{cut}…")
    } else {
        clean.into_owned()
    }
}

fn yes_no(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
}

/// `flow:count` pairs, busiest first.
pub fn observed(flows: &std::collections::BTreeMap<&'static str, u64>) -> String {
    let mut v: Vec<(&&str, &u64)> = flows.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    v.iter()
        .map(|(f, n)| format!("{f}:{n}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Render rows as aligned columns.
pub fn columns(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<String>, out: &mut String| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        let _ = writeln!(out, "{}", padded.join("  ").trim_end());
    };
    line(header.iter().map(|h| h.to_string()).collect(), &mut out);
    for row in rows {
        line(row.clone(), &mut out);
    }
    crate::text::terminal(&out).into_owned()
}

/// The inventory as a terminal table, followed by the file accounting and the diagnostics.
pub fn render_inventory(r: &InventoryReport) -> String {
    let header = [
        "API NAME",
        "LABEL",
        "DISTRIBUTION",
        "FLOWS",
        "SCOPES",
        "ACCESS",
        "IP",
        "REFRESH",
        "PKCE",
        "CERT EXPIRES",
        "FEATURES",
        "KEY",
        "ECA FILES",
        "USAGE",
        "LAST USE",
        "OBSERVED FLOWS",
    ];
    let rows: Vec<Vec<String>> = r
        .apps
        .iter()
        .map(|a| {
            let mut features = Vec::new();
            for (on, name) in [(a.saml, "saml"), (a.canvas, "canvas"), (a.mobile, "mobile")] {
                if on {
                    features.push(name.to_string());
                }
            }
            if a.oauth_handler.is_some() {
                features.push("handler".into());
            }
            if let Some(u) = &a.run_as_user {
                features.push(format!("run-as {u}"));
            }
            vec![
                cell(&a.api_name),
                cell(&a.label),
                a.distribution.to_string(),
                cell(&a.flows.join(",")),
                cell(&a.scopes.join(",")),
                a.access.to_string(),
                a.ip_relaxation.clone().unwrap_or_else(|| "-".into()),
                cell(a.refresh_token_policy.as_deref().unwrap_or("-")),
                yes_no(a.pkce_required).into(),
                a.certificate_expires.clone().unwrap_or_else(|| "-".into()),
                cell(&features.join(",")),
                a.consumer_key.clone().unwrap_or_else(|| "-".into()),
                a.eca_files.len().to_string(),
                a.usage.evidence.clone(),
                a.usage
                    .last_use
                    .as_deref()
                    .map_or("-".into(), |d| d.chars().take(10).collect()),
                cell(&observed(&a.usage.flows)),
            ]
        })
        .collect();
    let mut out = format!("{} app(s)\n", r.apps.len());
    out.push_str(&columns(&header, &rows));
    let _ = writeln!(
        out,
        "\norg: username-password flow {}, user-agent flow {}",
        r.org.username_password_flow, r.org.user_agent_flow
    );
    out.push_str(&render_accounting(r));
    crate::text::terminal(&out).into_owned()
}

fn render_accounting(r: &InventoryReport) -> String {
    let a = &r.accounting;
    let mut out = format!(
        "\nfiles: {} total, {} parsed, {} ignored, {} unreadable\n",
        a.total, a.parsed, a.ignored, a.unreadable
    );
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &a.files {
        match &f.status {
            FileStatus::Ignored { reason } => *reasons.entry(reason).or_default() += 1,
            FileStatus::Unreadable {
                line,
                column,
                message,
            } => {
                let loc = match (line, column) {
                    (Some(l), Some(c)) => format!("{}:{l}:{c}", f.path),
                    _ => f.path.clone(),
                };
                let _ = writeln!(out, "  unreadable: {loc}: {message}");
            }
            FileStatus::Parsed { .. } => {}
        }
    }
    for (reason, n) in reasons {
        let _ = writeln!(out, "  ignored {n}: {reason}");
    }
    for s in &r.secrets_found {
        let line = s.line.map(|l| format!(":{l}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "  secret found: {}{line} ({}; value not shown)",
            s.file, s.kind
        );
    }
    let warnings: Vec<_> = r
        .notes
        .iter()
        .filter(|n| n.level == Level::Warning)
        .collect();
    for n in &warnings {
        let _ = writeln!(out, "  {n}");
    }
    let infos = r.notes.iter().filter(|n| n.level == Level::Info).count();
    if infos > 0 {
        let _ = writeln!(
            out,
            "  {infos} info note(s), e.g. elements newer than the known schema (see --format json)"
        );
    }
    out
}

/// The usage summary as a terminal table, then coverage and the per-file accounting.
pub fn render_usage(r: &super::usage_summary::UsageReport) -> String {
    let header = [
        "API NAME",
        "DISTRIBUTION",
        "EVIDENCE",
        "INSTALLED",
        "LOGINS",
        "OK",
        "FAILED",
        "USERS",
        "FIRST SEEN",
        "LAST USE",
        "FLOWS",
        "API CALLS",
        "TOKENS",
    ];
    let mut out = format!(
        "{} app(s); usage as of {}\n",
        r.apps.len(),
        r.as_of.as_deref().unwrap_or("(no usage data)")
    );
    out.push_str(&columns(&header, &usage_rows(r)));
    for a in &r.ambiguous {
        let _ = writeln!(
            out,
            "ambiguous: {:?} ({} logins) could be {}",
            a.label,
            a.logins,
            a.candidates.join(" or ")
        );
    }
    coverage_lines(&mut out, r);
    file_lines(&mut out, r);
    for n in r.notes.iter().filter(|n| n.level != Level::Info) {
        let _ = writeln!(out, "  {n}");
    }
    crate::text::terminal(&out).into_owned()
}

/// One row per app of the usage table.
fn usage_rows(r: &super::usage_summary::UsageReport) -> Vec<Vec<String>> {
    let day = |d: &Option<String>| {
        d.as_deref()
            .map_or("-".into(), |d| d.chars().take(10).collect::<String>())
    };
    r.apps
        .iter()
        .map(|a| {
            vec![
                cell(&a.api_name),
                a.distribution.to_string(),
                a.evidence.clone(),
                a.installation.clone(),
                a.logins.to_string(),
                a.successes.to_string(),
                a.failures.to_string(),
                a.users.to_string(),
                day(&a.first_seen),
                day(&a.last_use),
                cell(&observed(&a.flows)),
                a.api_calls.to_string(),
                a.tokens.to_string(),
            ]
        })
        .collect()
}

/// What each kind of usage file covers: files, rows, the time span and warnings.
fn coverage_lines(out: &mut String, r: &super::usage_summary::UsageReport) {
    let _ = writeln!(out, "\ncoverage:");
    for (kind, c) in &r.coverage.sources {
        let span = match (c.from, c.to) {
            (Some(f), Some(t)) => format!("{} .. {}", &f.iso()[..10], &t.iso()[..10]),
            _ => "-".into(),
        };
        let _ = writeln!(
            out,
            "  {}: {} file(s), {} row(s), {span}",
            kind.name(),
            c.files,
            c.rows
        );
        for w in &c.warnings {
            let _ = writeln!(out, "    warning: {w}");
        }
    }
}

/// Each usage file's rows read, used and skipped (with why and the first skipped lines).
fn file_lines(out: &mut String, r: &super::usage_summary::UsageReport) {
    let _ = writeln!(out, "\nfiles (rows read = used + skipped):");
    for f in &r.files {
        let kind = f.kind.map_or("unknown kind", |k| k.name());
        let _ = writeln!(
            out,
            "  {}: {kind}, {} read = {} used + {} skipped",
            f.file, f.rows_read, f.rows_used, f.rows_skipped
        );
        for (reason, n) in &f.skipped {
            let _ = writeln!(
                out,
                "    skipped {n}: {}",
                serde_json::to_value(reason)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default()
            );
        }
        for s in &f.first_skipped {
            let _ = writeln!(out, "    e.g. {}:{}", s.file, s.line);
        }
    }
}
