//! Test support: the report of the bundled sample org, built as `ecaplan plan` builds it, so
//! renderer tests format a realistic model.

use std::path::PathBuf;

use super::inventory::{Accounting, InventoryReport};
use super::model::{self, Report};
use crate::app::InputOptions;

/// The report of `samples/northwind`, its first app relabelled `label` and described by
/// `description` (hostile text for escaping tests).
pub fn sample_report(label: &str, description: &str) -> Report {
    let input = InputOptions {
        inputs: vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples/northwind")],
        strict: false,
        quiet: true,
        config: None,
        as_of: None,
    };
    let mut loaded = crate::app::load(&input).expect("samples load");
    let links = crate::graph::build::usage_links(&loaded.inventory, &loaded.usage, &loaded.join);
    let g = crate::graph::build(&loaded.inventory, &links);
    let cx = crate::rules::Context {
        inventory: &loaded.inventory,
        graph: &g,
        config: &loaded.config,
        secrets: &loaded.ingested.secrets,
        as_of_day: loaded.as_of_day,
        usage: &loaded.usage,
        join: &loaded.join,
    };
    let findings = crate::rules::run(&cx);
    let groups = crate::graph::analysis::coupled_groups(&g);
    let plan = crate::plan::plan(&crate::plan::PlanInput {
        inventory: &loaded.inventory,
        join: &loaded.join,
        tables: &loaded.usage.tables,
        findings: &findings,
        groups: &groups,
        config: &loaded.config,
        as_of_day: loaded.as_of_day,
    });
    let view = InventoryReport::new(
        &loaded.inventory,
        &loaded.join,
        loaded.files.clone(),
        Vec::new(),
        loaded.ingested.secrets.clone(),
    );
    let notes = std::mem::take(&mut loaded.notes);
    let mut report = model::build(
        view.apps,
        &plan,
        findings,
        &g,
        Vec::new(),
        Accounting::new(loaded.files),
        notes,
    );
    report.apps[0].row.label = label.to_string();
    report.apps[0].row.description = Some(description.to_string());
    report
}
