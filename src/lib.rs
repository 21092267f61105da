//! ecaplan: plan the migration of Salesforce Connected Apps to External Client Apps.
//!
//! Pipeline (DESIGN.md §2): [`ingest`] → [`model`] → classify → graph → plan → render/generate.
//! Every stage is a pure function; only [`app`] writes files and shows progress.

pub mod app;
pub mod classify;
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
pub mod usage;
