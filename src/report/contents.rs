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
}

impl Serialize for Completed<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let r = self.report;
        let mut st = serializer.serialize_struct("Report", 14)?;
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
        st.end()
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

#[cfg(test)]
mod tests {
    use super::*;

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
        };
        assert_eq!(
            serde_json::to_string_pretty(&view).expect("view"),
            serde_json::to_string_pretty(&r).expect("report")
        );
    }
}
