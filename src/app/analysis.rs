//! The analysis every command that judges an org shares: the graph, the findings with their
//! source lines, the plan, and the report model built from them.

use super::snippets;
use crate::diag::{Level, Note};
use crate::error::Error;
use crate::graph::{self, analysis};
use crate::report::inventory::Accounting;
use crate::rules::{self, Context};

/// The graph and the findings of loaded inputs.
pub(super) struct Analysis {
    pub(super) graph: graph::Graph,
    pub(super) findings: Vec<crate::rules::Finding>,
}

pub(super) fn analyse(loaded: &mut super::Loaded) -> Analysis {
    let g = graph_of(loaded);
    let findings = findings_of(loaded, &g);
    Analysis { graph: g, findings }
}

/// The dependency graph of loaded inputs (and the note that certificate expiry cannot be
/// judged without an as-of date, which the rules then skip).
pub(super) fn graph_of(loaded: &mut super::Loaded) -> graph::Graph {
    let g = build_graph(loaded);
    note_no_as_of(loaded);
    g
}

/// The dependency graph of loaded inputs.
pub(super) fn build_graph(loaded: &super::Loaded) -> graph::Graph {
    graph::of(&loaded.org)
}

/// Without an as-of date certificate expiry cannot be judged (the rules then skip it): say so.
pub(super) fn note_no_as_of(loaded: &mut super::Loaded) {
    if loaded.org.as_of_day.is_none() {
        let msg = "no as-of date (no usage data and no --as-of): certificate expiry is not judged"
            .to_string();
        loaded
            .notes
            .push(Note::file(Level::Info, "no-as-of-date", "", msg));
    }
}

/// Every rule's findings, with their source lines filled in.
pub(super) fn findings_of(loaded: &super::Loaded, g: &graph::Graph) -> Vec<rules::Finding> {
    let cx = Context {
        org: &loaded.org,
        graph: g,
        config: &loaded.config,
    };
    let mut findings = rules::run(&cx);
    snippets::fill(&mut findings, &loaded.texts);
    findings
}

/// The full report model (plan included, no metadata generated) for `assess --format
/// sarif|markdown|html`.
pub(super) fn full_report(
    loaded: &super::Loaded,
    findings: &[crate::rules::Finding],
    g: &graph::Graph,
) -> Result<crate::report::contents::Report, Error> {
    let plan = plan_of(loaded, findings, &analysis::coupled_groups(g));
    let rows = crate::report::inventory::app_rows(&loaded.org);
    Ok(model_of(
        loaded,
        rows,
        &plan,
        findings.to_vec(),
        g,
        Vec::new(),
    ))
}

/// The report model of loaded inputs, their plan and findings.
pub(super) fn model_of(
    loaded: &super::Loaded,
    rows: Vec<crate::report::inventory::AppRow>,
    plan: &crate::plan::Plan,
    findings: Vec<crate::rules::Finding>,
    g: &graph::Graph,
    not_carried: Vec<crate::report::contents::NotCarriedRow>,
) -> crate::report::contents::Report {
    let mut report = crate::report::contents::build(
        rows,
        plan,
        findings,
        g,
        not_carried,
        Accounting::new(loaded.org.files.clone()),
        loaded.notes.clone(),
    );
    report.freeze_windows = loaded.config.blackout.clone();
    report
}

/// The plan of loaded inputs with their findings and the graph's coupled groups.
pub(super) fn plan_of(
    loaded: &super::Loaded,
    findings: &[crate::rules::Finding],
    groups: &[analysis::CoupledGroup],
) -> crate::plan::Plan {
    crate::plan::plan(&crate::plan::PlanInput {
        org: &loaded.org,
        findings,
        groups,
        config: &loaded.config,
    })
}
