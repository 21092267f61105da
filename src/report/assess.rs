//! The assessment view-model: findings with evidence, counts, coupled groups and the notes
//! that qualify the result.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diag::Note;
use crate::graph::analysis::CoupledGroup;
use crate::report::inventory::Accounting;
use crate::rules::{Finding, Severity};

/// Schema version of the JSON assessment.
pub const SCHEMA_VERSION: u32 = 1;

/// The assessment output.
#[derive(Debug, Clone, Serialize)]
pub struct AssessReport {
    /// Output schema version.
    pub schema_version: u32,
    /// As-of date of the analysis (`YYYY-MM-DD`), from usage data or `--as-of`.
    pub as_of: Option<String>,
    /// Number of apps assessed.
    pub apps: usize,
    /// Findings, most severe first (accepted ones included, marked).
    pub findings: Vec<Finding>,
    /// Open (not accepted) findings per severity.
    pub counts: BTreeMap<Severity, usize>,
    /// Distinct rules with at least one finding.
    pub rules_triggered: Vec<&'static str>,
    /// Apps that must move together.
    pub coupled_groups: Vec<CoupledGroup>,
    /// File accounting (counts only; `inventory` lists every file).
    pub files: AccountingSummary,
    /// Notes qualifying the result (unknown rule keys, missing as-of date, unreadable files).
    pub notes: Vec<Note>,
}

/// Counts of the file accounting.
#[derive(Debug, Clone, Serialize)]
pub struct AccountingSummary {
    /// All files.
    pub total: usize,
    /// Parsed.
    pub parsed: usize,
    /// Ignored.
    pub ignored: usize,
    /// Unreadable.
    pub unreadable: usize,
}

impl AssessReport {
    /// Build the view-model.
    pub fn new(
        as_of: Option<String>,
        apps: usize,
        findings: Vec<Finding>,
        coupled_groups: Vec<CoupledGroup>,
        accounting: &Accounting,
        notes: Vec<Note>,
    ) -> Self {
        let mut counts = BTreeMap::new();
        for f in findings.iter().filter(|f| f.accepted.is_none()) {
            *counts.entry(f.severity).or_insert(0) += 1;
        }
        let mut rules_triggered: Vec<&'static str> = findings.iter().map(|f| f.rule).collect();
        rules_triggered.sort_unstable();
        rules_triggered.dedup();
        AssessReport {
            schema_version: SCHEMA_VERSION,
            as_of,
            apps,
            findings,
            counts,
            rules_triggered,
            coupled_groups,
            files: AccountingSummary {
                total: accounting.total,
                parsed: accounting.parsed,
                ignored: accounting.ignored,
                unreadable: accounting.unreadable,
            },
            notes,
        }
    }

    /// Whether an open finding is at or above `level`.
    pub fn has_at_least(&self, level: Severity) -> bool {
        self.findings
            .iter()
            .any(|f| f.accepted.is_none() && f.severity <= level)
    }
}
