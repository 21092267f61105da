//! `--decisions workshop.xlsx`: what a planning workshop decided in the workbook's Decisions
//! sheet, checked against the inputs and applied over `ecaplan.toml` (the workshop's word is
//! the later one). Every value that names nothing is an error naming its sheet and cell.

use std::path::Path;

use crate::config::{Config, Criticality};
use crate::error::Error;
use crate::ingest::decisions::{self, DecisionCell, DecisionRow};
use crate::model::Org;
use crate::plan::Strategy;

/// Read the Decisions sheet of `path` and apply it to `config`; returns how many apps changed.
pub(super) fn apply(path: &Path, config: &mut Config, org: &Org) -> Result<usize, Error> {
    let rows = decisions::read(path)?;
    let fail = |cell: &DecisionCell, message: String| Error::Decisions {
        path: path.to_path_buf(),
        message: format!("{}: {message}", cell.at),
    };
    let names: Vec<&str> = org
        .inventory
        .apps
        .iter()
        .map(|a| a.api_name.as_str())
        .collect();
    let mut changed = 0;
    for row in &rows {
        let Some(app) = row.get("app") else {
            continue;
        };
        if !names.contains(&app.value.as_str()) {
            let close = crate::text::similar(&app.value, names.iter().copied());
            let why = format!(
                "no app {:?} among the inputs{}",
                app.value,
                crate::text::did_you_mean(&close)
            );
            return Err(fail(app, why));
        }
        let before = config.apps.get(&app.value).cloned().unwrap_or_default();
        let entry = config.apps.entry(app.value.clone()).or_default();
        decide(row, entry).map_err(|(cell, m)| fail(cell, m))?;
        changed += usize::from(*entry != before);
    }
    Ok(changed)
}

/// One row's decisions into its app's settings: strategy (with its mandatory reason, who
/// decided and when), owner, criticality, notes. Empty cells keep what was there.
fn decide<'r>(
    row: &'r DecisionRow,
    app: &mut crate::config::AppConfig,
) -> Result<(), (&'r DecisionCell, String)> {
    let date = row.get("date");
    if let Some(d) =
        date.filter(|d| crate::time::Day::parse(&d.value).is_none() || d.value.len() != 10)
    {
        return Err((d, format!("{:?} is not a date: write YYYY-MM-DD", d.value)));
    }
    if let Some(s) = row.get("strategy") {
        if let Err(why) = Strategy::parse_or_explain(&s.value) {
            return Err((s, why));
        }
        let Some(reason) = row.get("strategy reason") else {
            return Err((s, "a strategy decided in the workshop needs its reason in the column \"strategy reason\"".into()));
        };
        let by = match (row.get("decided by"), date) {
            (Some(b), Some(d)) => format!(" (workshop: {} on {})", b.value, d.value),
            (Some(b), None) => format!(" (workshop: {})", b.value),
            (None, Some(d)) => format!(" (workshop on {})", d.value),
            (None, None) => " (workshop)".into(),
        };
        app.strategy = Some(s.value.clone());
        app.strategy_reason = Some(format!("{}{by}", reason.value));
    }
    if let Some(o) = row.get("owner") {
        app.owner = Some(o.value.clone());
    }
    if let Some(c) = row.get("criticality") {
        let parsed = match c.value.to_lowercase().as_str() {
            "critical" => Criticality::Critical,
            "high" => Criticality::High,
            "medium" => Criticality::Medium,
            "low" => Criticality::Low,
            _ => {
                return Err((
                    c,
                    format!(
                        "{:?} is not a criticality: critical, high, medium or low",
                        c.value
                    ),
                ))
            }
        };
        app.criticality = Some(parsed);
    }
    if let Some(n) = row.get("notes") {
        app.notes = Some(n.value.clone());
    }
    Ok(())
}
