//! ecaplan: plan the migration of Salesforce Connected Apps to External Client Apps.
//!
//! The pipeline (DESIGN.md §2), one module per stage, each a function of the stages before
//! it: [`ingest`] alone reads the inputs, [`app`] alone writes files and shows progress, and
//! nothing reads the clock:
//!
//! ```text
//! ingest ─► model ─► graph ─► rules ─► plan ─► generate (ECA metadata)
//!  files,    one       who       findings  strategy,   └► report (html, md, json, csv,
//!  XML, CSV  inventory depends   by rule   waves,           sarif, xlsx, dot)
//!            + usage   on whom             runbook
//! ```
//!
//! Beneath them: [`metadata`] (the Metadata API types and their XML), [`config`]
//! (`ecaplan.toml`), and the leaves [`diag`] (positions, notes, severities), [`time`] (one
//! calendar), [`text`] (the sanitizer for text from the inputs) and [`error`]. A module
//! imports only modules beneath it; `tests/layering.rs` holds the table and enforces it.

pub mod app;
pub mod cli;
pub mod config;
pub mod diag;
pub mod error;
pub mod generate;
pub mod graph;
pub mod ingest;
pub mod metadata;
pub mod model;
pub mod plan;
pub mod report;
pub mod rules;
pub mod text;
pub mod time;
pub mod verify;

// Each stage's entry point, in pipeline order (the modules hold the rest of their API).
pub use generate::from_plan as generate_metadata;
pub use graph::of as dependency_graph;
pub use ingest::{discover, read_all};
pub use model::{assemble, Org};
pub use plan::{plan, PlanInput};
pub use report::contents::build as report_model;
pub use rules::run as run_rules;

/// Case count of the property tests over the readers: `ECAPLAN_FUZZ_CASES` (100,000 for a fuzz
/// run), else 256 so that `cargo test` stays fast.
#[cfg(test)]
pub(crate) fn fuzz_cases() -> u32 {
    std::env::var("ECAPLAN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}
