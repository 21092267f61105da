//! One function per subcommand that reads inputs and prints (`plan` and `generate`, which
//! write folders, are in `planning`).

use super::analysis::{analyse, full_report, Analysis};
use super::options::*;
use super::{json, load, unreadable_lines, Outcome};
use crate::config::DEFAULT_TOML;
use crate::diag::{Level, Note};
use crate::error::Error;
use crate::graph::{self, analysis, export};
use crate::report::assess::AssessReport;
use crate::report::inventory::{Accounting, InventoryReport};
use crate::report::usage_summary::UsageReport;
use crate::report::{csv_out, human, table};
use crate::rules::{self, Severity};

/// `ecaplan inventory`.
pub fn inventory(args: &ListOptions) -> Result<Outcome, Error> {
    let loaded = load(&args.input)?;
    let report = InventoryReport::new(&loaded.org, loaded.notes);
    let stdout = match args.format {
        ListFormat::Table => table::render_inventory(&report),
        ListFormat::Json => json(&report)?,
        ListFormat::Csv => csv_out::render_inventory(&report)?,
    };
    let a = &report.accounting;
    let mut stderr = String::new();
    if args.format != ListFormat::Table {
        stderr = format!(
            "{} app(s); files: {} total, {} parsed, {} ignored, {} unreadable\n",
            report.apps.len(),
            a.total,
            a.parsed,
            a.ignored,
            a.unreadable
        );
    }
    stderr.push_str(&unreadable_lines(&a.files));
    Ok(Outcome {
        stdout,
        stderr,
        code: 0,
    })
}

/// `ecaplan usage`.
pub fn usage(args: &ListOptions) -> Result<Outcome, Error> {
    let loaded = load(&args.input)?;
    let report = UsageReport::new(&loaded.org, loaded.notes);
    let stdout = match args.format {
        ListFormat::Table => table::render_usage(&report),
        ListFormat::Json => json(&report)?,
        ListFormat::Csv => csv_out::render_usage(&report)?,
    };
    let read: u64 = report.files.iter().map(|f| f.rows_read).sum();
    let used: u64 = report.files.iter().map(|f| f.rows_used).sum();
    let mut stderr = format!(
        "{} usage file(s): {read} rows read, {used} used, {} skipped\n",
        report.files.len(),
        read - used
    );
    stderr.push_str(&unreadable_lines(&loaded.org.files));
    Ok(Outcome {
        stdout,
        stderr,
        code: 0,
    })
}

/// `ecaplan assess`.
pub fn assess(args: &AssessOptions) -> Result<Outcome, Error> {
    let mut loaded = load(&args.input)?;
    let Analysis { graph: g, findings } = analyse(&mut loaded);
    let loaded_for_report = &loaded;
    let accounting = Accounting::new(loaded.org.files.clone());
    let notes: Vec<Note> = loaded
        .notes
        .clone()
        .into_iter()
        .filter(|n| n.level != Level::Info || n.code == "no-as-of-date")
        .collect();
    let report = AssessReport::new(
        loaded.org.as_of_day.map(|d| d.to_string()),
        loaded.org.inventory.apps.len(),
        findings,
        analysis::coupled_groups(&g),
        &accounting,
        notes,
    );
    let stdout = match args.format {
        AssessFormat::Human => human::render_assess(&report),
        AssessFormat::Json => json(&report)?,
        AssessFormat::Sarif | AssessFormat::Markdown | AssessFormat::Html => {
            let full = full_report(loaded_for_report, &report.findings, &g)?;
            match args.format {
                AssessFormat::Sarif => json(&crate::report::sarif::build(&full))?,
                AssessFormat::Markdown => crate::report::markdown::render(&full, None)?,
                _ => crate::report::html::render(&full, None)?,
            }
        }
    };
    let threshold = match args.fail_on {
        FailOn::Blocker => Some(Severity::Blocker),
        FailOn::High => Some(Severity::High),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::Low => Some(Severity::Low),
        FailOn::Never => None,
    };
    let code = u8::from(threshold.is_some_and(|t| report.has_at_least(t)));
    Ok(Outcome {
        stdout,
        stderr: unreadable_lines(&accounting.files),
        code,
    })
}

/// `ecaplan graph`.
pub fn graph(args: &GraphOptions) -> Result<Outcome, Error> {
    let loaded = load(&args.input)?;
    let g = graph::of(&loaded.org);
    let stdout = match args.format {
        GraphFormat::Dot => export::to_dot(&g),
        GraphFormat::Mermaid => export::to_mermaid(&g),
        GraphFormat::Json => json(&export::to_json(&g))?,
    };
    Ok(Outcome {
        stdout,
        stderr: unreadable_lines(&loaded.org.files),
        code: 0,
    })
}

/// `ecaplan rules`.
pub fn rules(format: RulesFormat) -> Result<Outcome, Error> {
    #[derive(serde::Serialize)]
    struct RuleRow {
        id: &'static str,
        name: &'static str,
        severity: Severity,
        summary: &'static str,
        explain: &'static str,
    }
    let rows: Vec<RuleRow> = rules::RULES
        .iter()
        .map(|r| RuleRow {
            id: r.id,
            name: r.name,
            severity: r.severity,
            summary: r.summary,
            explain: r.explain,
        })
        .collect();
    let stdout = match format {
        RulesFormat::Json => json(&rows)?,
        RulesFormat::Table => {
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.id.into(),
                        r.name.into(),
                        r.severity.as_str().into(),
                        r.summary.into(),
                    ]
                })
                .collect();
            table::columns(&["ID", "NAME", "SEVERITY", "SUMMARY"], &cells)
        }
    };
    Ok(Outcome {
        stdout,
        stderr: String::new(),
        code: 0,
    })
}

/// `ecaplan explain`.
pub fn explain(rule: &str) -> Result<Outcome, Error> {
    let rule = rules::find_rule(rule).ok_or_else(|| {
        let names = rules::RULES.iter().flat_map(|r| [r.id, r.name]);
        let close = crate::text::similar(rule, names);
        Error::Argument(format!(
            "no rule has the id or name {rule:?}{}: `ecaplan rules` lists them all",
            crate::text::did_you_mean(&close)
        ))
    })?;
    let stdout = format!(
        "{} {} (default severity: {})\n{}\n\n{}\n",
        rule.id,
        rule.name,
        rule.severity.as_str(),
        rule.summary,
        rule.explain
    );
    Ok(Outcome {
        stdout,
        stderr: String::new(),
        code: 0,
    })
}

/// `ecaplan init`.
pub fn init(args: &InitOptions) -> Result<Outcome, Error> {
    if args.path.exists() && !args.force {
        return Err(Error::Input {
            path: args.path.clone(),
            message: "already exists (use --force to overwrite)".into(),
        });
    }
    crate::app::write_atomic(&args.path, DEFAULT_TOML.as_bytes())?;
    Ok(Outcome {
        stdout: String::new(),
        stderr: format!("wrote {}\n", args.path.display()),
        code: 0,
    })
}
