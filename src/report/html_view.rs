//! What the `report.html` templates see: a flat view of the [`Report`], built once, with every
//! choice already made (which label differs from the API name, which texts are empty, which
//! findings belong to an app), so the templates only place values. Values are borrowed from
//! the report; Tera copies them into its own context.

use serde::Serialize;

use super::contents::{Completed, NotCarriedRow, NoteLine, Report, ReportApp, Shown};
use super::visual::Bar;
use crate::plan::runbook::Runbook;
use crate::plan::Wave;
use crate::rules::{Evidence, Finding};

/// The page around the per-app sections (`report.html`, as `page`).
#[derive(Serialize)]
pub(crate) struct PageView<'a> {
    tool_version: &'a str,
    /// The as-of date, when there is one.
    as_of: Option<&'a str>,
    apps: usize,
    waves: Vec<WaveView<'a>>,
    rules_triggered: usize,
    /// The overview cards: open findings per severity.
    severity_cards: &'a [Bar],
    /// The graph is drawn in part (the whole is in the other graph files).
    graph_cut: bool,
    drawn_nodes: usize,
    drawn_edges: usize,
    /// One row per app of the apps table.
    rows: Vec<AppRowView<'a>>,
    org_findings: Vec<FindingView<'a>>,
    /// What every human report shows: counts, not carried over, warnings, coupled groups,
    /// owners and notes, freeze windows, input files.
    shown: Shown<'a>,
}

/// One row of the waves table: the wave, its apps linked to their sections.
#[derive(Serialize)]
struct WaveView<'a> {
    number: usize,
    name: &'a str,
    start: &'a str,
    end: &'a str,
    /// Each app with the anchor of its section (`#app-<n>`; 0 when it has none).
    apps: Vec<(&'a str, usize)>,
    tasks: &'a [String],
}

impl<'a> WaveView<'a> {
    /// The waves of `r`, their apps found by API name among the report's apps.
    fn all(r: &'a Report) -> Vec<Self> {
        let n_of: std::collections::HashMap<&str, usize> = r
            .apps
            .iter()
            .enumerate()
            .map(|(i, a)| (a.row.api_name.as_str(), i + 1))
            .collect();
        r.waves
            .iter()
            .map(|w: &'a Wave| WaveView {
                number: w.number,
                name: &w.name,
                start: &w.start,
                end: &w.end,
                apps: w
                    .apps
                    .iter()
                    .map(|a| (a.as_str(), n_of.get(a.as_str()).copied().unwrap_or(0)))
                    .collect(),
                tasks: &w.tasks,
            })
            .collect()
    }
}

/// One row of the apps table.
#[derive(Serialize)]
struct AppRowView<'a> {
    /// 1-based position, the anchor of the app's section.
    n: usize,
    api_name: &'a str,
    other_label: Option<&'a str>,
    distribution: &'a str,
    strategy: &'a str,
    wave: usize,
    owner: Option<&'a str>,
    findings: usize,
    last_use: Option<&'a str>,
}

/// One app's section (`report-app.html`, its fields and the runbook's at the top level).
#[derive(Serialize)]
pub(crate) struct AppView<'a> {
    n: usize,
    api_name: &'a str,
    other_label: Option<&'a str>,
    strategy: &'a str,
    wave: usize,
    owner: Option<&'a str>,
    reason: &'a str,
    notes: Option<&'a str>,
    evidence: &'a [String],
    distribution: &'a str,
    distribution_reason: Option<&'a str>,
    consumer_key: Option<&'a str>,
    connected_app_file: Option<&'a str>,
    findings: Vec<FindingView<'a>>,
    /// The elements its generated ECA does not carry over.
    not_carried: &'a [NotCarriedRow],
    /// The warnings and notes about its connected app's file.
    diagnostics: Vec<NoteLine<'a>>,
    #[serde(flatten)]
    runbook: &'a Runbook,
}

/// A finding as a table row.
#[derive(Serialize)]
struct FindingView<'a> {
    severity: &'a str,
    rule: &'a str,
    name: &'a str,
    message: &'a str,
    accepted: Option<&'a str>,
    evidence: &'a [Evidence],
}

/// Present and not empty.
fn text(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

/// The label, when it says something the API name does not.
fn other_label(a: &ReportApp) -> Option<&str> {
    let label = a.row.label.as_str();
    (!label.is_empty() && label != a.row.api_name).then_some(label)
}

impl<'a> PageView<'a> {
    /// The view of the page of `c`.
    pub fn of(c: &Completed<'a>) -> Self {
        let r = c.report;
        let g = &r.visuals.graph;
        PageView {
            tool_version: r.tool_version,
            as_of: text(&r.as_of),
            apps: r.summary.apps,
            waves: WaveView::all(r),
            rules_triggered: r.summary.rules_triggered,
            severity_cards: r.visuals.charts.get(2).map_or(&[][..], |c| &c.bars),
            graph_cut: g.nodes.len() < g.total_nodes,
            drawn_nodes: g.nodes.len(),
            drawn_edges: g.edges.len(),
            rows: r.apps.iter().enumerate().map(AppRowView::of).collect(),
            org_findings: findings(r, &r.org_findings),
            shown: Shown::of(c),
        }
    }
}

impl<'a> AppRowView<'a> {
    fn of((i, a): (usize, &'a ReportApp)) -> Self {
        AppRowView {
            n: i + 1,
            api_name: &a.row.api_name,
            other_label: other_label(a),
            distribution: a.row.distribution,
            strategy: a.plan.decision.strategy.as_str(),
            wave: a.plan.wave,
            owner: text(&a.plan.owner),
            findings: a.findings.len(),
            last_use: text(&a.row.usage.last_use),
        }
    }
}

impl<'a> AppView<'a> {
    /// The view of app `a`, the `n`th (1-based) of `c`; `by_file`: the notes by file.
    pub fn of(c: &Completed<'a>, n: usize, a: &'a ReportApp, by_file: &NotesByFile<'a>) -> Self {
        let r = c.report;
        let file = text(&a.row.connected_app_file);
        let notes = file.and_then(|f| by_file.get(f));
        AppView {
            n,
            api_name: &a.row.api_name,
            other_label: other_label(a),
            strategy: a.plan.decision.strategy.as_str(),
            wave: a.plan.wave,
            owner: text(&a.plan.owner),
            reason: &a.plan.decision.reason,
            notes: text(&a.plan.notes),
            evidence: &a.plan.decision.evidence,
            distribution: a.row.distribution,
            distribution_reason: Some(a.row.distribution_reason.as_str()).filter(|s| !s.is_empty()),
            consumer_key: text(&a.row.consumer_key),
            connected_app_file: text(&a.row.connected_app_file),
            findings: findings(r, &a.findings),
            not_carried: rows_of(c.not_carried, &a.row.api_name),
            diagnostics: notes
                .map_or_else(Vec::new, |ns| ns.iter().map(|&n| NoteLine::of(n)).collect()),
            runbook: &a.plan.runbook,
        }
    }
}

/// The notes of a report by the file they are about, most serious first.
pub(crate) type NotesByFile<'a> = rustc_hash::FxHashMap<&'a str, Vec<&'a crate::diag::Note>>;

/// The notes of `c` by file, most serious first (then in their order).
pub(crate) fn notes_by_file<'a>(c: &Completed<'a>) -> NotesByFile<'a> {
    let mut by_file: NotesByFile<'a> = Default::default();
    for n in c.notes() {
        by_file.entry(n.file.as_str()).or_default().push(n);
    }
    for notes in by_file.values_mut() {
        notes.sort_by_key(|n| n.level);
    }
    by_file
}

/// The rows of `app` among `rows` (sorted by app, as the generator sorts them).
fn rows_of<'a>(rows: &'a [NotCarriedRow], app: &str) -> &'a [NotCarriedRow] {
    let from = rows.partition_point(|r| r.app.as_str() < app);
    let len = rows
        .get(from..)
        .map_or(0, |rest| rest.partition_point(|r| r.app == app));
    rows.get(from..from + len).unwrap_or_default()
}

/// The findings of `r` at `indexes`.
fn findings<'a>(r: &'a Report, indexes: &[usize]) -> Vec<FindingView<'a>> {
    indexes
        .iter()
        .filter_map(|&i| r.findings.get(i))
        .map(FindingView::of)
        .collect()
}

impl<'a> FindingView<'a> {
    fn of(f: &'a Finding) -> Self {
        FindingView {
            severity: f.severity.as_str(),
            rule: f.rule,
            name: f.name,
            message: &f.message,
            accepted: text(&f.accepted),
            evidence: &f.evidence,
        }
    }
}
