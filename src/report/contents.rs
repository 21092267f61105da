//! The one `Report` view-model every output format renders (DESIGN §8): built once from the
//! inventory, usage, findings, graph and plan; renderers format it and never compute.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::graph::{Edge, Node};
use crate::plan::{AppPlan, Plan, Wave};
use crate::report::inventory::{Accounting, AppRow};
use crate::report::visual::{self, Visuals};
use crate::rules::{Finding, Severity, RULES};

/// Schema version of the report model (JSON outputs).
pub const SCHEMA_VERSION: u32 = 1;

/// One app: its inventory row (usage included) and its plan.
#[derive(Debug, Clone, Serialize)]
pub struct ReportApp {
    /// Inventory facts and usage (secrets already masked).
    #[serde(flatten)]
    pub row: AppRow,
    /// Strategy, reason, evidence, wave, runbook: the plan's own (shared, not copied).
    pub plan: Arc<AppPlan>,
    /// Indexes into `Report::findings` of this app's findings.
    pub findings: Vec<usize>,
}

/// A rule as reports describe it (SARIF rule metadata, legends).
#[derive(Debug, Clone, Serialize)]
pub struct RuleInfo {
    /// Id.
    pub id: &'static str,
    /// Name.
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One line.
    pub summary: &'static str,
    /// Long explanation.
    pub explain: &'static str,
}

/// Counts for the overview charts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Apps.
    pub apps: usize,
    /// Apps per strategy.
    pub by_strategy: BTreeMap<&'static str, usize>,
    /// Apps per distribution state.
    pub by_distribution: BTreeMap<&'static str, usize>,
    /// Open findings per severity.
    pub by_severity: BTreeMap<&'static str, usize>,
    /// Distinct rules triggered.
    pub rules_triggered: usize,
}

/// The dependency graph as reports draw it.
#[derive(Debug, Clone, Serialize)]
pub struct GraphView {
    /// Nodes sorted by key.
    pub nodes: Vec<Node>,
    /// Edges sorted.
    pub edges: Vec<Edge>,
}

/// Everything a report shows.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Schema version.
    pub schema_version: u32,
    /// Tool version that made it.
    pub tool_version: &'static str,
    /// As-of date.
    pub as_of: Option<String>,
    /// Overview counts.
    pub summary: Summary,
    /// Apps, sorted by API name.
    pub apps: Vec<ReportApp>,
    /// All findings (accepted ones marked), most severe first.
    pub findings: Vec<Finding>,
    /// Indexes into `findings` of the findings about no single app (org-wide).
    pub org_findings: Vec<usize>,
    /// The rule registry.
    pub rules: Vec<RuleInfo>,
    /// Waves.
    pub waves: Vec<Wave>,
    /// The dependency graph.
    pub graph: GraphView,
    /// Coupled groups.
    pub coupled_groups: Vec<crate::graph::analysis::CoupledGroup>,
    /// Elements of connected apps not carried over into the generated ECAs.
    pub not_carried: Vec<NotCarriedRow>,
    /// Every input file and what happened to it.
    pub accounting: Accounting,
    /// Diagnostics.
    pub notes: Vec<crate::diag::Note>,
    /// Freeze windows of ecaplan.toml (`[[blackout]]`): no wave overlaps one.
    pub freeze_windows: Vec<crate::config::Blackout>,
    /// Geometry of the HTML pictures; not part of the JSON schema (it is presentation only).
    #[serde(skip)]
    pub visuals: Visuals,
}

/// `report.json` of a report whose generator results (elements not carried over, notes) came
/// later: the report's own fields in its own order, `not_carried` replaced and the notes
/// followed by `more_notes`. Reports can be written from the model while the metadata is
/// still being generated, and the complete JSON written without copying the model.
pub struct Completed<'a> {
    /// The model.
    pub report: &'a Report,
    /// Elements not carried over.
    pub not_carried: &'a [NotCarriedRow],
    /// Notes after the report's own.
    pub more_notes: &'a [crate::diag::Note],
    /// Whether ECA metadata was generated (`plan`), so `not_carried` is known; not serialized.
    pub generated: bool,
}

impl Serialize for Completed<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let r = self.report;
        let mut st = serializer.serialize_struct("Report", 15)?;
        st.serialize_field("schema_version", &r.schema_version)?;
        st.serialize_field("tool_version", &r.tool_version)?;
        st.serialize_field("as_of", &r.as_of)?;
        st.serialize_field("summary", &r.summary)?;
        st.serialize_field("apps", &r.apps)?;
        st.serialize_field("findings", &r.findings)?;
        st.serialize_field("org_findings", &r.org_findings)?;
        st.serialize_field("rules", &r.rules)?;
        st.serialize_field("waves", &r.waves)?;
        st.serialize_field("graph", &r.graph)?;
        st.serialize_field("coupled_groups", &r.coupled_groups)?;
        st.serialize_field("not_carried", self.not_carried)?;
        st.serialize_field("accounting", &r.accounting)?;
        st.serialize_field("notes", &Chain(&r.notes, self.more_notes))?;
        st.serialize_field("freeze_windows", &r.freeze_windows)?;
        st.end()
    }
}

impl<'a> Completed<'a> {
    /// A report without generator results (`assess`: no ECA metadata is generated).
    pub fn of(report: &'a Report) -> Self {
        Completed {
            report,
            not_carried: &report.not_carried,
            more_notes: &[],
            generated: false,
        }
    }

    /// Every note: the report's own, then the generator's.
    pub fn notes(&self) -> impl Iterator<Item = &'a crate::diag::Note> {
        self.report.notes.iter().chain(self.more_notes)
    }
}

/// Two slices serialized as one sequence.
struct Chain<'a, T>(&'a [T], &'a [T]);

impl<T: Serialize> Serialize for Chain<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().chain(self.1))
    }
}

/// A connected-app element the generated ECA does not carry, and why.
#[derive(Debug, Clone, Serialize)]
pub struct NotCarriedRow {
    /// App.
    pub app: String,
    /// Element.
    pub element: String,
    /// Why.
    pub reason: String,
}

/// Build the report from the stages' results.
pub fn build(
    rows: Vec<AppRow>,
    plan: &Plan,
    findings: Vec<Finding>,
    graph: &crate::graph::Graph,
    not_carried: Vec<NotCarriedRow>,
    accounting: Accounting,
    notes: Vec<crate::diag::Note>,
) -> Report {
    let summary = summary(rows.len(), plan, &findings);
    let expiries = visual::certificate_expiries(&rows);
    // The graph as drawn is independent of the rest: it is laid out meanwhile.
    let ((nodes, edges, drawn), apps) = rayon::join(
        || {
            let nodes: Vec<Node> = graph.nodes().into_iter().cloned().collect();
            let edges = graph.edges();
            let drawn = visual::graph(&nodes, &edges, &expiries, &plan.coupled_groups);
            (nodes, edges, drawn)
        },
        || report_apps(rows, plan, &findings),
    );
    let org_findings = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.app.is_none())
        .map(|(i, _)| i)
        .collect();
    let visuals = Visuals::new(charts(&summary), plan, drawn);
    Report {
        schema_version: SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION"),
        as_of: plan.as_of.clone(),
        summary,
        apps,
        findings,
        org_findings,
        rules: RULES
            .iter()
            .map(|r| RuleInfo {
                id: r.id,
                name: r.name,
                severity: r.severity,
                summary: r.summary,
                explain: r.explain,
            })
            .collect(),
        waves: plan.waves.clone(),
        graph: GraphView { nodes, edges },
        coupled_groups: plan.coupled_groups.clone(),
        not_carried,
        accounting,
        notes,
        freeze_windows: Vec::new(),
        visuals,
    }
}

/// The overview counts: apps per strategy and distribution state, open findings per
/// severity, distinct rules triggered.
fn summary(apps: usize, plan: &Plan, findings: &[Finding]) -> Summary {
    let mut summary = Summary {
        apps,
        ..Summary::default()
    };
    for p in &plan.apps {
        *summary
            .by_strategy
            .entry(p.decision.strategy.as_str())
            .or_default() += 1;
        *summary.by_distribution.entry(p.distribution).or_default() += 1;
    }
    for f in findings.iter().filter(|f| f.accepted.is_none()) {
        *summary.by_severity.entry(f.severity.as_str()).or_default() += 1;
    }
    let mut triggered: Vec<&str> = findings.iter().map(|f| f.rule).collect();
    triggered.sort_unstable();
    triggered.dedup();
    summary.rules_triggered = triggered.len();
    summary
}

/// The overview bar charts of the counts.
fn charts(summary: &Summary) -> Vec<visual::Chart> {
    vec![
        visual::chart("Apps by strategy", counts(&summary.by_strategy)),
        visual::chart(
            "Apps by distribution state",
            counts(&summary.by_distribution),
        ),
        visual::chart(
            "Open findings by severity",
            // Most severe first, with zero bars so every chart reads the same way.
            [
                Severity::Blocker,
                Severity::High,
                Severity::Medium,
                Severity::Low,
                Severity::Info,
            ]
            .map(|s| {
                let n = summary.by_severity.get(s.as_str()).copied();
                (s.as_str(), n.unwrap_or(0))
            }),
        ),
    ]
}

/// Each app's row with its plan and the indexes of its findings.
fn report_apps(rows: Vec<AppRow>, plan: &Plan, findings: &[Finding]) -> Vec<ReportApp> {
    // Indexes, not searches: a large org has thousands of apps and tens of thousands of findings.
    let plans: rustc_hash::FxHashMap<&str, &Arc<AppPlan>> =
        plan.apps.iter().map(|p| (p.api_name.as_str(), p)).collect();
    let mut by_app: rustc_hash::FxHashMap<&str, Vec<usize>> = Default::default();
    for (i, f) in findings.iter().enumerate() {
        if let Some(a) = f.app.as_deref() {
            by_app.entry(a).or_default().push(i);
        }
    }
    rows.into_iter()
        .filter_map(|row| {
            let plan = Arc::clone(plans.get(row.api_name.as_str())?);
            let idx = by_app.remove(row.api_name.as_str()).unwrap_or_default();
            Some(ReportApp {
                row,
                plan,
                findings: idx,
            })
        })
        .collect()
}

/// A count map as chart input, in the map's (sorted) order.
fn counts<'a>(m: &'a BTreeMap<&'static str, usize>) -> impl Iterator<Item = (&'a str, usize)> {
    m.iter().map(|(k, v)| (*k, *v))
}

/// What every human report (`report.md`, `report.html`, the workbook) shows beyond the apps'
/// strategies and findings, built once from the completed report so that no format can leave
/// one of them out: the counts the header and the cards share, the elements not carried over
/// (per app, with why and what to do), the warnings and notes, the coupled groups, the owners
/// and notes of ecaplan.toml, the freeze windows and the input files' accounting.
#[derive(Debug, Serialize)]
pub struct Shown<'a> {
    /// The findings as the header and the overview cards count them.
    pub counts: FindingCounts,
    /// Whether ECA metadata was generated, so that `not_carried` is known (not by `assess`).
    pub generated: bool,
    /// Per app (in the apps' order), the elements its generated ECA does not carry over.
    pub not_carried: Vec<NotCarriedApp<'a>>,
    /// Errors and warnings: what was read or written with a caveat, most serious first.
    pub warnings: Vec<NoteLine<'a>>,
    /// Notes worth knowing (nothing lost): retention limits, names to check, hardening done.
    pub notes: Vec<NoteLine<'a>>,
    /// Apps that move together, and what they share.
    pub coupled_groups: Vec<GroupLine<'a>>,
    /// Apps with an owner or a note in ecaplan.toml.
    pub owners: Vec<OwnerLine<'a>>,
    /// Freeze windows of ecaplan.toml and the waves they moved.
    pub freeze_windows: Vec<FreezeLine<'a>>,
    /// What became of the input files; every unreadable one with where and why.
    pub inputs: Inputs<'a>,
}

/// Findings counted once for every place that shows a count.
#[derive(Debug, Serialize)]
pub struct FindingCounts {
    /// All findings, accepted ones included.
    pub total: usize,
    /// Not accepted by an exception: the sum of `by_severity`.
    pub open: usize,
    /// Accepted by an exception in ecaplan.toml.
    pub accepted: usize,
    /// Open findings per severity, most severe first, every severity present.
    pub by_severity: Vec<(&'static str, usize)>,
}

/// One app's elements not carried over.
#[derive(Debug, Serialize)]
pub struct NotCarriedApp<'a> {
    /// API name.
    pub app: &'a str,
    /// 1-based position among the report's apps (the anchor of its section), 0 when unknown.
    pub n: usize,
    /// Wave.
    pub wave: Option<usize>,
    /// Elements: what, and why and what to do.
    pub elements: Vec<&'a NotCarriedRow>,
}

/// A note as a report line.
#[derive(Debug, Serialize)]
pub struct NoteLine<'a> {
    /// `error`, `warning` or `info`.
    pub level: &'static str,
    /// Stable code.
    pub code: &'static str,
    /// `file:line:column` (as much as is known; empty for the whole run).
    pub location: String,
    /// Message.
    pub message: &'a str,
}

/// A coupled group.
#[derive(Debug, Serialize)]
pub struct GroupLine<'a> {
    /// 1-based number.
    pub n: usize,
    /// Its apps with their waves.
    pub apps: Vec<AppRef<'a>>,
    /// What they share: `permission set ERP_Integration_Access`, `run-as user x@y`.
    pub shared: Vec<String>,
}

/// An app named in a list, with the anchor of its section.
#[derive(Debug, Serialize)]
pub struct AppRef<'a> {
    /// API name.
    pub name: &'a str,
    /// 1-based position among the report's apps, 0 when unknown.
    pub n: usize,
    /// Wave, when planned.
    pub wave: Option<usize>,
}

/// An app's owner and note from ecaplan.toml.
#[derive(Debug, Serialize)]
pub struct OwnerLine<'a> {
    /// API name.
    pub app: &'a str,
    /// 1-based position among the report's apps.
    pub n: usize,
    /// Wave.
    pub wave: usize,
    /// Owner (empty when none).
    pub owner: &'a str,
    /// Note (empty when none).
    pub note: &'a str,
}

/// A freeze window.
#[derive(Debug, Serialize)]
pub struct FreezeLine<'a> {
    /// First frozen day.
    pub from: &'a str,
    /// Last frozen day.
    pub to: &'a str,
    /// Why.
    pub reason: &'a str,
    /// What it holds back: "every wave", or the apps it protects (and "every month").
    pub applies_to: String,
    /// Waves moved after it.
    pub moved: Vec<usize>,
}

/// The input files' accounting.
#[derive(Debug, Serialize)]
pub struct Inputs<'a> {
    /// Files seen.
    pub total: usize,
    /// Read into the model.
    pub parsed: usize,
    /// Deliberately not read.
    pub ignored: usize,
    /// Could not be read: `unreadable.len()`.
    pub unreadable_count: usize,
    /// Every unreadable file: `path:line:column` and why.
    pub unreadable: Vec<Unreadable<'a>>,
}

/// An unreadable input file.
#[derive(Debug, Serialize)]
pub struct Unreadable<'a> {
    /// `path:line:column` (the path alone when the position is unknown).
    pub location: String,
    /// Why it could not be read.
    pub message: &'a str,
}

/// Most severe first, as reports list severities.
pub const SEVERITIES: [Severity; 5] = [
    Severity::Blocker,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

impl<'a> Shown<'a> {
    /// What the human reports show of `c`.
    pub fn of(c: &Completed<'a>) -> Self {
        let r = c.report;
        let anchors: rustc_hash::FxHashMap<&str, (usize, usize)> = r
            .apps
            .iter()
            .enumerate()
            .map(|(i, a)| (a.row.api_name.as_str(), (i + 1, a.plan.wave)))
            .collect();
        let app_ref = |name: &'a str| {
            let at = anchors.get(name).copied();
            AppRef {
                name,
                n: at.map_or(0, |a| a.0),
                wave: at.map(|a| a.1),
            }
        };
        let (warnings, notes) = notes(c);
        Shown {
            counts: FindingCounts::of(r),
            generated: c.generated,
            not_carried: not_carried(c.not_carried, &app_ref),
            warnings,
            notes,
            coupled_groups: r
                .coupled_groups
                .iter()
                .enumerate()
                .map(|(i, g)| GroupLine {
                    n: i + 1,
                    apps: g.apps.iter().map(|a| app_ref(a)).collect(),
                    shared: g.shared.iter().map(|k| shared_name(k)).collect(),
                })
                .collect(),
            owners: owners(r),
            freeze_windows: freeze_windows(r),
            inputs: Inputs::of(&r.accounting),
        }
    }
}

impl Shown<'_> {
    /// The lists as tables for a workbook (or any table output), named, in the order the
    /// reports show them; cells are text, not yet made formula-safe. Counts are in
    /// [`Shown::counts`] and [`Inputs`].
    pub fn tables(&self) -> Vec<(&'static str, crate::report::sheet::Sheet)> {
        use crate::report::sheet::Sheet;
        let wave = |w: Option<usize>| w.map(|w| w.to_string()).unwrap_or_default();
        let not_carried = self.not_carried.iter().flat_map(|a| {
            let w = wave(a.wave);
            a.elements
                .iter()
                .map(move |e| vec![a.app.into(), w.clone(), e.element.clone(), e.reason.clone()])
        });
        let notes = self.warnings.iter().chain(&self.notes).map(|n| {
            let cells = [n.level, n.code, &n.location, n.message];
            cells.map(String::from).to_vec()
        });
        let groups = self.coupled_groups.iter().map(|g| {
            let apps: Vec<String> = g
                .apps
                .iter()
                .map(|a| match a.wave {
                    Some(w) => format!("{} ({w})", a.name),
                    None => a.name.to_string(),
                })
                .collect();
            vec![g.n.to_string(), apps.join(", "), g.shared.join("; ")]
        });
        let owners = self.owners.iter().map(|o| {
            let cells = [o.app, &o.wave.to_string(), o.owner, o.note];
            cells.map(String::from).to_vec()
        });
        let freeze = self.freeze_windows.iter().map(|f| {
            let moved: Vec<String> = f.moved.iter().map(usize::to_string).collect();
            let cells = [f.from, f.to, f.reason, &f.applies_to, &moved.join(", ")];
            cells.map(String::from).to_vec()
        });
        let unreadable = self
            .inputs
            .unreadable
            .iter()
            .map(|u| vec![u.location.clone(), u.message.to_string()]);
        let sheet = |header: &[&'static str], rows: Vec<Vec<String>>| Sheet {
            header: header.to_vec(),
            rows,
        };
        vec![
            (
                "Freeze windows",
                sheet(
                    &["from", "to", "reason", "applies_to", "waves_moved"],
                    freeze.collect(),
                ),
            ),
            (
                "Coupled groups",
                sheet(&["group", "apps", "shared"], groups.collect()),
            ),
            (
                "Owners and notes",
                sheet(&["app", "wave", "owner", "note"], owners.collect()),
            ),
            (
                "Not carried over",
                sheet(
                    &["app", "wave", "element", "why_and_what_to_do"],
                    not_carried.collect(),
                ),
            ),
            (
                "Warnings and notes",
                sheet(&["level", "code", "where", "message"], notes.collect()),
            ),
            (
                "Unreadable files",
                sheet(&["file", "problem"], unreadable.collect()),
            ),
        ]
    }
}

impl FindingCounts {
    fn of(r: &Report) -> Self {
        let accepted = r.findings.iter().filter(|f| f.accepted.is_some()).count();
        let by_severity: Vec<(&'static str, usize)> = SEVERITIES
            .iter()
            .map(|s| {
                let n = r.summary.by_severity.get(s.as_str()).copied();
                (s.as_str(), n.unwrap_or(0))
            })
            .collect();
        FindingCounts {
            total: r.findings.len(),
            open: by_severity.iter().map(|(_, n)| n).sum(),
            accepted,
            by_severity,
        }
    }
}

/// The not-carried rows grouped by app (they come sorted by app).
fn not_carried<'a>(
    rows: &'a [NotCarriedRow],
    app_ref: &dyn Fn(&'a str) -> AppRef<'a>,
) -> Vec<NotCarriedApp<'a>> {
    let mut out: Vec<NotCarriedApp<'a>> = Vec::new();
    for row in rows {
        match out.last_mut() {
            Some(last) if last.app == row.app => last.elements.push(row),
            _ => {
                let a = app_ref(&row.app);
                out.push(NotCarriedApp {
                    app: a.name,
                    n: a.n,
                    wave: a.wave,
                    elements: vec![row],
                });
            }
        }
    }
    out
}

/// The notes split into errors and warnings, and the rest; each most serious first, then in
/// their own order.
fn notes<'a>(c: &Completed<'a>) -> (Vec<NoteLine<'a>>, Vec<NoteLine<'a>>) {
    let mut all: Vec<&crate::diag::Note> = c.notes().collect();
    // Stable: within a level the notes keep the order the stages gave them.
    all.sort_by_key(|n| n.level);
    let line = NoteLine::of;
    let (serious, info): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|n| n.level != crate::diag::Level::Info);
    (
        serious.into_iter().map(line).collect(),
        info.into_iter().map(line).collect(),
    )
}

impl<'a> NoteLine<'a> {
    /// The line of note `n`.
    pub fn of(n: &'a crate::diag::Note) -> Self {
        NoteLine {
            level: n.level.as_str(),
            code: n.code,
            location: n.location(),
            message: &n.message,
        }
    }
}

/// A graph node key as people read it: `permission set ERP_Integration_Access`.
fn shared_name(key: &str) -> String {
    let Some((prefix, name)) = key.split_once(':') else {
        return key.to_string();
    };
    let kind = match prefix {
        "user" => "run-as user",
        "permset" => "permission set",
        "permsetgroup" => "permission set group",
        "cert" => "certificate",
        "apex" => "Apex class",
        other => other,
    };
    format!("{kind} {name}")
}

/// Apps with an owner or a note, in the apps' order.
fn owners(r: &Report) -> Vec<OwnerLine<'_>> {
    r.apps
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let owner = a.plan.owner.as_deref().unwrap_or_default();
            let note = a.plan.notes.as_deref().unwrap_or_default();
            (!owner.is_empty() || !note.is_empty()).then(|| OwnerLine {
                app: &a.row.api_name,
                n: i + 1,
                wave: a.plan.wave,
                owner,
                note,
            })
        })
        .collect()
}

/// The freeze windows with the waves each moved (the waves' tasks say so).
fn freeze_windows(r: &Report) -> Vec<FreezeLine<'_>> {
    r.freeze_windows
        .iter()
        .map(|b| {
            let task = format!("{} {} – {} ", crate::plan::waves::FROZEN_TASK, b.from, b.to);
            let applies_to = if b.apps.is_empty() {
                "every wave".to_string()
            } else if b.repeat.is_some() {
                format!(
                    "{}, every month (their runbooks say when)",
                    b.apps.join(", ")
                )
            } else {
                format!("{} (their runbooks say when)", b.apps.join(", "))
            };
            FreezeLine {
                from: &b.from,
                to: &b.to,
                reason: &b.reason,
                applies_to,
                // Only a window for every wave moves waves.
                moved: r
                    .waves
                    .iter()
                    .filter(|w| b.apps.is_empty() && w.tasks.iter().any(|t| t.starts_with(&task)))
                    .map(|w| w.number)
                    .collect(),
            }
        })
        .collect()
}

impl<'a> Inputs<'a> {
    fn of(a: &'a Accounting) -> Self {
        let unreadable: Vec<Unreadable<'a>> = a
            .files
            .iter()
            .filter_map(|f| match &f.status {
                crate::model::FileStatus::Unreadable {
                    line,
                    column,
                    message,
                } => Some(Unreadable {
                    location: match (line, column) {
                        (Some(l), Some(c)) => format!("{}:{l}:{c}", f.path),
                        (Some(l), None) => format!("{}:{l}", f.path),
                        _ => f.path.clone(),
                    },
                    message,
                }),
                _ => None,
            })
            .collect();
        Inputs {
            total: a.total,
            parsed: a.parsed,
            ignored: a.ignored,
            unreadable_count: unreadable.len(),
            unreadable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_of_the_view_has_a_table_of_its_rows() {
        let mut r = crate::report::testkit::sample_report("App", "text");
        r.not_carried.push(NotCarriedRow {
            app: r.apps[0].row.api_name.clone(),
            element: "e".into(),
            reason: "r".into(),
        });
        let mut c = Completed::of(&r);
        c.generated = true;
        let shown = Shown::of(&c);
        let tables = shown.tables();
        let rows = |name: &str| {
            let (_, t) = tables.iter().find(|(n, _)| *n == name).expect(name);
            assert!(
                t.rows.iter().all(|row| row.len() == t.header.len()),
                "{name}"
            );
            t.rows.len()
        };
        assert_eq!(rows("Not carried over"), 1);
        assert_eq!(rows("Coupled groups"), shown.coupled_groups.len());
        assert_eq!(rows("Owners and notes"), shown.owners.len());
        assert_eq!(rows("Freeze windows"), r.freeze_windows.len());
        assert!(!r.freeze_windows.is_empty());
        assert_eq!(
            rows("Warnings and notes"),
            shown.warnings.len() + shown.notes.len()
        );
        assert_eq!(rows("Unreadable files"), 0);
        assert_eq!(shown.counts.open + shown.counts.accepted, r.findings.len());
        let by_severity: usize = shown.counts.by_severity.iter().map(|(_, n)| n).sum();
        assert_eq!(by_severity, shown.counts.open);
    }

    #[test]
    fn completed_serializes_as_the_report_with_its_results() {
        let mut r = crate::report::testkit::sample_report("App", "text");
        r.not_carried.push(NotCarriedRow {
            app: "A".into(),
            element: "e".into(),
            reason: "r".into(),
        });
        for (i, code) in ["first", "second"].into_iter().enumerate() {
            let level = crate::diag::Level::Warning;
            let msg = format!("note {i}");
            r.notes
                .push(crate::diag::Note::file(level, code, "x.xml", msg));
        }
        let before = r.notes.len();
        let view = Completed {
            report: &r,
            not_carried: &r.not_carried,
            more_notes: &[],
            generated: true,
        };
        assert_eq!(
            serde_json::to_string_pretty(&view).expect("view"),
            serde_json::to_string_pretty(&r).expect("report")
        );
        // Notes given separately follow the report's own.
        let (own, more) = r.notes.split_at(before / 2);
        let mut short = r.clone();
        short.notes = own.to_vec();
        let view = Completed {
            report: &short,
            not_carried: &r.not_carried,
            more_notes: more,
            generated: true,
        };
        assert_eq!(
            serde_json::to_string_pretty(&view).expect("view"),
            serde_json::to_string_pretty(&r).expect("report")
        );
    }
}
