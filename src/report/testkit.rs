//! Test support: the report of the bundled sample org, built by the stages below report
//! (metadata → model → rules and graph → plan) as `ecaplan plan` builds it, so renderer tests
//! format a realistic model. The metadata files are read with `std` and the usage exports are
//! left out: reading files is the ingest stage's, which report does not import.

use std::path::{Path, PathBuf};

use super::contents::{self, Report};
use super::inventory::{Accounting, InventoryReport};
use crate::diag::Note;
use crate::metadata::{Detected, Document, Kind};

/// The report of `samples/northwind`, its first app relabelled `label` and described by
/// `description` (hostile text for escaping tests).
pub fn sample_report(label: &str, description: &str) -> Report {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let samples = root.join("samples/northwind");
    let mut notes = Vec::new();
    let documents = documents(&samples, &mut notes);
    let (inventory, built) = crate::model::assemble(documents);
    notes.extend(built);
    let org = crate::model::Org::of_inventory(inventory);
    let text = std::fs::read_to_string(samples.join("ecaplan.toml")).expect("samples config");
    let config = crate::config::Config::parse(&text, "ecaplan.toml").expect("config parses");
    let g = crate::graph::of(&org);
    let cx = crate::rules::Context {
        org: &org,
        graph: &g,
        config: &config,
    };
    let findings = crate::rules::run(&cx);
    let groups = crate::graph::analysis::coupled_groups(&g);
    let plan = crate::plan::plan(&crate::plan::PlanInput {
        org: &org,
        findings: &findings,
        groups: &groups,
        config: &config,
    });
    let view = InventoryReport::new(&org, Vec::new());
    let mut report = contents::build(
        view.apps,
        &plan,
        findings,
        &g,
        Vec::new(),
        Accounting::new(Vec::new()),
        notes,
    );
    report.freeze_windows = config.blackout.clone();
    report.apps[0].row.label = label.to_string();
    report.apps[0].row.description = Some(description.to_string());
    report
}

/// Every metadata file under `dir` read into a document (in path order), named by its path
/// as ingest names a file of an input given by its absolute path; the documents' notes go to
/// `notes`.
fn documents(dir: &Path, notes: &mut Vec<Note>) -> Vec<Document> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).expect("samples folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut docs = Vec::new();
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let Some(Detected::Metadata { kind, full_name }) = Kind::detect(name) else {
            continue;
        };
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let shown = path.display().to_string();
        if let Ok(doc) = crate::metadata::read_document(&shown, &full_name, kind, &text) {
            notes.extend(doc.notes.iter().cloned());
            docs.push(doc);
        }
    }
    docs
}
