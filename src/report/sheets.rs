//! The tabular views of the report (apps, findings, waves, workshop decisions) shared by the
//! CSV files and the workshop workbook, so both always show the same columns and values.

use super::contents::Report;
use crate::rules::Evidence;

pub use super::sheet::Sheet;

/// One row per app: facts, strategy and plan.
pub fn apps(r: &Report) -> Sheet {
    let header = vec![
        "api_name",
        "label",
        "description",
        "namespace",
        "distribution",
        "strategy",
        "wave",
        "owner",
        "notes",
        "reason",
        "critical",
        "high_volume",
        "eca_name",
        "flows",
        "scopes",
        "consumer_key",
        "certificate_expires",
        "findings",
        "logins",
        "users",
        "last_use",
        "connected_app_file",
    ];
    let rows = r
        .apps
        .iter()
        .map(|a| {
            vec![
                a.row.api_name.clone(),
                a.row.label.clone(),
                a.row.description.clone().unwrap_or_default(),
                a.row.namespace.clone().unwrap_or_default(),
                a.row.distribution.into(),
                a.plan.decision.strategy.as_str().into(),
                a.plan.wave.to_string(),
                a.plan.owner.clone().unwrap_or_default(),
                a.plan.notes.clone().unwrap_or_default(),
                a.plan.decision.reason.clone(),
                a.plan.decision.critical.to_string(),
                a.plan.decision.high_volume.to_string(),
                a.plan.eca_name.clone().unwrap_or_default(),
                a.row.flows.join(";"),
                a.row.scopes.join(";"),
                a.row.consumer_key.clone().unwrap_or_default(),
                a.row.certificate_expires.clone().unwrap_or_default(),
                a.findings.len().to_string(),
                a.row.usage.logins.to_string(),
                a.row.usage.users.to_string(),
                a.row.usage.last_use.clone().unwrap_or_default(),
                a.row.connected_app_file.clone().unwrap_or_default(),
            ]
        })
        .collect();
    Sheet { header, rows }
}

/// One row per finding, most severe first, evidence on one line.
pub fn findings(r: &Report) -> Sheet {
    let header = vec![
        "severity", "rule", "name", "app", "message", "accepted", "evidence",
    ];
    let rows = r
        .findings
        .iter()
        .map(|f| {
            let evidence: Vec<String> = f.evidence.iter().map(evidence_line).collect();
            vec![
                f.severity.as_str().into(),
                f.rule.into(),
                f.name.into(),
                f.app.clone().unwrap_or_default(),
                f.message.clone(),
                f.accepted.clone().unwrap_or_default(),
                evidence.join(" ; "),
            ]
        })
        .collect();
    Sheet { header, rows }
}

/// One row per wave.
pub fn waves(r: &Report) -> Sheet {
    let header = vec!["number", "kind", "name", "start", "end", "apps", "tasks"];
    let rows = r
        .waves
        .iter()
        .map(|w| {
            vec![
                w.number.to_string(),
                w.kind.into(),
                w.name.clone(),
                w.start.clone(),
                w.end.clone(),
                w.apps.join("; "),
                w.tasks.join("; "),
            ]
        })
        .collect();
    Sheet { header, rows }
}

/// One row per app for the workshop: the proposal and an empty column for the decision.
pub fn decisions(r: &Report) -> Sheet {
    // What the plan says first, then what the workshop decides: `--decisions` reads the
    // columns from "strategy" on by their names (an empty cell keeps the plan's or
    // ecaplan.toml's value; owner and notes start as ecaplan.toml has them).
    let header = vec![
        "app",
        "label",
        "planned strategy",
        "reason",
        "wave",
        "open questions",
        "strategy",
        "strategy reason",
        "owner",
        "criticality",
        "decided by",
        "date",
        "notes",
    ];
    let rows = r
        .apps
        .iter()
        .map(|a| {
            vec![
                a.row.api_name.clone(),
                a.row.label.clone(),
                a.plan.decision.strategy.as_str().into(),
                a.plan.decision.reason.clone(),
                a.plan.wave.to_string(),
                a.plan.runbook.open_questions.join("\n"),
                String::new(),
                String::new(),
                a.plan.owner.clone().unwrap_or_default(),
                String::new(),
                String::new(),
                String::new(),
                a.plan.notes.clone().unwrap_or_default(),
            ]
        })
        .collect();
    Sheet { header, rows }
}

/// A background that makes a value stand out on a projector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// Stop: blockers, apps to investigate and block.
    Red,
    /// Serious: high findings, apps to retire.
    Orange,
    /// Work: medium findings, apps that need a refactor.
    Yellow,
    /// Straightforward: automated migrations.
    Green,
}

impl Fill {
    /// Its colour, as `RRGGBB`.
    pub fn rgb(self) -> &'static str {
        match self {
            Fill::Red => "F8D7DA",
            Fill::Orange => "FFE5B4",
            Fill::Yellow => "FFF3CD",
            Fill::Green => "D4EDDA",
        }
    }
}

/// The values of a sheet's columns that get a background (conditional formatting, so a
/// sorted or edited sheet keeps it): severities in Findings, strategies in Apps and Decisions.
pub fn highlights(name: &str, sheet: &Sheet) -> Vec<(u16, Vec<(&'static str, Fill)>)> {
    let (column, values): (&str, Vec<(&'static str, Fill)>) = match name {
        "Findings" => (
            "severity",
            vec![
                ("blocker", Fill::Red),
                ("high", Fill::Orange),
                ("medium", Fill::Yellow),
            ],
        ),
        "Apps" | "Decisions" => (
            if name == "Apps" {
                "strategy"
            } else {
                "planned strategy"
            },
            vec![
                ("investigate-and-block", Fill::Red),
                ("retire", Fill::Orange),
                ("big-bang", Fill::Yellow),
                ("side-by-side", Fill::Yellow),
                ("automated", Fill::Green),
            ],
        ),
        _ => return Vec::new(),
    };
    match sheet.header.iter().position(|h| *h == column) {
        Some(c) => vec![(c as u16, values)],
        None => Vec::new(),
    }
}

/// The drop-down lists of a sheet's columns: the Decisions sheet's strategy and criticality,
/// so a workshop picks a value `--decisions` knows instead of typing one.
pub fn lists(name: &str, sheet: &Sheet) -> Vec<(u16, Vec<&'static str>)> {
    if name != "Decisions" {
        return Vec::new();
    }
    let col = |n: &str| sheet.header.iter().position(|h| *h == n).map(|c| c as u16);
    let strategies = crate::plan::Strategy::ALL.map(crate::plan::Strategy::as_str);
    let mut out = Vec::new();
    out.extend(col("strategy").map(|c| (c, strategies.to_vec())));
    out.extend(col("criticality").map(|c| (c, vec!["critical", "high", "medium", "low"])));
    out
}

/// Evidence as one line of text: `file:line element`, a usage summary with its files, a graph
/// path, or a note.
pub fn evidence_line(e: &Evidence) -> String {
    match e {
        Evidence::Metadata {
            file,
            line,
            element,
            ..
        } => match line {
            Some(l) => format!("{file}:{l} {element}"),
            None => format!("{file} {element}"),
        },
        Evidence::Usage { summary, files, .. } => {
            if files.is_empty() {
                summary.clone()
            } else {
                format!("{summary} ({})", files.join(", "))
            }
        }
        Evidence::Graph { path } => path.join(" → "),
        Evidence::Note { text } => text.clone(),
    }
}
