//! ecaplan: plan the migration of Salesforce Connected Apps to External Client Apps.
//!
//! Pipeline (DESIGN.md §2): [`ingest`] → [`model`] → classify → graph → plan → render/generate.
//! Every stage is a pure function; only [`app`] writes files and shows progress.

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

/// Case count of the property tests over the readers: `ECAPLAN_FUZZ_CASES` (100,000 for a fuzz
/// run), else 256 so that `cargo test` stays fast.
#[cfg(test)]
pub(crate) fn fuzz_cases() -> u32 {
    std::env::var("ECAPLAN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}
