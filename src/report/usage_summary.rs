//! The usage view-model: per-app usage summary, coverage of each source, and the per-file
//! accounting (rows read = used + skipped, with reasons). Shared by `ecaplan usage` and the
//! usage columns of `ecaplan inventory`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diag::Note;
use crate::model::usage::view::AppUsageView;
use crate::model::usage::{Coverage, FileAccount};
use crate::model::{App, Org, Origin};

/// Schema version of the JSON usage output.
pub const SCHEMA_VERSION: u32 = 1;

/// Usage of one app, flattened for display.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UsageRow {
    /// API name (the label for apps seen only in usage).
    pub api_name: String,
    /// Label.
    pub label: String,
    /// Distribution state.
    pub distribution: &'static str,
    /// `metadata` or `usage` (seen only in usage data).
    pub origin: &'static str,
    /// `none`, `partial`, `full`.
    pub evidence: String,
    /// `installed`, `not-installed`, `unknown`.
    pub installation: String,
    /// Logins.
    pub logins: u64,
    /// Successful logins.
    pub successes: u64,
    /// Failed logins.
    pub failures: u64,
    /// Logins per OAuth flow (`username-password` → n).
    pub flows: BTreeMap<&'static str, u64>,
    /// Distinct users (logins, API calls, tokens).
    pub users: usize,
    /// First login seen.
    pub first_seen: Option<String>,
    /// Newest use of any kind.
    pub last_use: Option<String>,
    /// Busiest source networks (only from exact counts: none are listed once the app has too
    /// many networks to count each, see `networks_error`).
    pub networks: Vec<String>,
    /// Distinct source networks, when too many to count each: an estimate (only then, so the
    /// output of an org with few networks stays as it was).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub networks_total: Option<u64>,
    /// `networks_total` is an estimate with this relative standard error (`±1.6%`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub networks_error: Option<&'static str>,
    /// API calls.
    pub api_calls: u64,
    /// Refresh tokens (OauthToken rows).
    pub tokens: u64,
}

impl UsageRow {
    /// Build the row of an app.
    pub fn new(app: &App, view: Option<AppUsageView<'_>>) -> UsageRow {
        let mut row = UsageRow {
            api_name: app.api_name.clone(),
            label: app.label.clone().unwrap_or_default(),
            distribution: app.distribution.as_str(),
            origin: if app.origin == Origin::Usage {
                "usage"
            } else {
                "metadata"
            },
            evidence: "none".into(),
            installation: "unknown".into(),
            ..UsageRow::default()
        };
        let Some(v) = view else { return row };
        row.evidence = enum_name(&v.evidence);
        row.installation = enum_name(&v.installation);
        row.users = v.user_count();
        row.last_use = v.last_use().map(|t| t.iso());
        let Some(u) = v.usage else { return row };
        row.logins = u.logins.logins;
        row.successes = u.logins.successes;
        row.failures = u.logins.failures;
        row.flows = u
            .logins
            .by_flow
            .iter()
            .filter(|(_, c)| c.logins > 0)
            .map(|(f, c)| (f.name(), c.logins))
            .collect();
        row.first_seen = u.logins.first_seen.map(|t| t.iso());
        let mut nets: Vec<(&String, &u64)> = u.logins.networks.iter().collect();
        nets.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        row.networks = nets.into_iter().take(3).map(|(n, _)| n.clone()).collect();
        let (count, error) = u.logins.network_count();
        row.networks_total = error.map(|_| count);
        row.networks_error = error;
        row.api_calls = u.api.calls;
        row.tokens = u.tokens.values().map(|t| t.tokens).sum();
        row
    }
}

impl UsageRow {
    /// The networks as one cell: the busiest ones, or `≈N networks (estimate ±1.6%)` when
    /// there are too many to count each.
    pub fn networks_cell(&self) -> String {
        match (self.networks_total, self.networks_error) {
            (Some(n), Some(err)) => format!("≈{n} networks (estimate {err})"),
            _ => self.networks.join(";"),
        }
    }
}

fn enum_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|j| j.as_str().map(String::from))
        .unwrap_or_default()
}

/// Usage that could belong to several apps.
#[derive(Debug, Clone, Serialize)]
pub struct AmbiguousRow {
    /// Label as it appears in usage.
    pub label: String,
    /// Apps it could belong to.
    pub candidates: Vec<String>,
    /// Logins it carries.
    pub logins: u64,
}

/// The whole usage output.
#[derive(Debug, Clone, Serialize)]
pub struct UsageReport {
    /// Output schema version.
    pub schema_version: u32,
    /// Newest timestamp in the usage data.
    pub as_of: Option<String>,
    /// Period and warnings per source kind.
    pub coverage: Coverage,
    /// One row per app (metadata and usage-only).
    pub apps: Vec<UsageRow>,
    /// Usage not attributed to a single app.
    pub ambiguous: Vec<AmbiguousRow>,
    /// Per-file accounting.
    pub files: Vec<FileAccount>,
    /// Notes (ambiguous dates, unknown kinds...).
    pub notes: Vec<Note>,
}

impl UsageReport {
    /// Build the view-model of `org`'s usage.
    pub fn new(org: &Org, mut notes: Vec<Note>) -> Self {
        let (inv, usage, join) = (&org.inventory, &org.usage, &org.join);
        notes.sort();
        notes.dedup();
        UsageReport {
            schema_version: SCHEMA_VERSION,
            as_of: join.as_of.map(|t| t.iso()),
            coverage: usage.coverage.clone(),
            apps: inv
                .apps
                .iter()
                .map(|a| UsageRow::new(a, join.for_app(a)))
                .collect(),
            ambiguous: join
                .ambiguous
                .iter()
                .map(|a| AmbiguousRow {
                    label: a.label.clone(),
                    candidates: a.candidates.clone(),
                    logins: a.usage.logins.logins,
                })
                .collect(),
            files: usage.accounts.clone(),
            notes,
        }
    }
}
