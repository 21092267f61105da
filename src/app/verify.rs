//! `ecaplan verify`: read the plan of an earlier run and the post-cutover exports, verify, and
//! format the result.

use std::collections::BTreeMap;

use super::options::{AssessFormat, VerifyFailOn, VerifyOptions};
use super::{json, load, unreadable_lines, Outcome};
use crate::error::Error;
use crate::report::verify as render;
use crate::time::Day;
use crate::verify::{self, PlanFile, Status, VerifyInput};

/// `ecaplan verify`.
pub fn verify(args: &VerifyOptions) -> Result<Outcome, Error> {
    let plan = read_plan(&args.plan)?;
    let cutovers = cutovers(&args.cutovers, &plan)?;
    let loaded = load(&args.input)?;
    let v = verify::verify(&VerifyInput {
        org: &loaded.org,
        plan: &plan,
        quiet_days: args.quiet_days,
        dormant_days: loaded.config.thresholds.dormant_token_days,
        cutovers,
    });
    let stdout = match args.format {
        AssessFormat::Human => render::render_human(&v),
        AssessFormat::Json => json(&v)?,
        AssessFormat::Sarif => json(&render::build_sarif(&v))?,
        AssessFormat::Markdown => render::render_markdown(&v),
        AssessFormat::Html => render::render_html(&v)?,
    };
    let statuses: Vec<Status> = args
        .fail_on
        .iter()
        .filter_map(|f| match f {
            VerifyFailOn::Status(s) => Some(*s),
            VerifyFailOn::Overdue => None,
        })
        .collect();
    let overdue = args.fail_on.contains(&VerifyFailOn::Overdue);
    Ok(Outcome {
        stdout,
        stderr: unreadable_lines(&loaded.org.files),
        code: u8::from(v.failing(&statuses, overdue) > 0),
    })
}

fn read_plan(path: &std::path::Path) -> Result<PlanFile, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::Argument(format!(
            "--plan {}: {e} (give the plan.json an earlier `ecaplan plan` wrote)",
            path.display()
        ))
    })?;
    PlanFile::parse(&text).map_err(|e| {
        let at = match (e.line, e.column) {
            (Some(l), Some(c)) => format!(":{l}:{c}"),
            _ => String::new(),
        };
        Error::Argument(format!("--plan {}{at}: {}", path.display(), e.message))
    })
}

/// `APP=YYYY-MM-DD` values, checked against the plan's apps.
fn cutovers(values: &[String], plan: &PlanFile) -> Result<BTreeMap<String, Day>, Error> {
    let mut out = BTreeMap::new();
    for v in values {
        let (app, day) = v.split_once('=').ok_or_else(|| {
            Error::Argument(format!(
                "--cutover {v:?}: write APP=YYYY-MM-DD, e.g. ERP_Sync=2027-02-20"
            ))
        })?;
        let day = Day::parse(day.trim())
            .filter(|_| day.trim().len() == 10)
            .ok_or_else(|| {
                Error::Argument(format!(
                    "--cutover {v:?}: {day:?} is not a date: write YYYY-MM-DD"
                ))
            })?;
        let Some(known) = plan.apps.iter().find(|a| a.api_name == app.trim()) else {
            let close = crate::text::similar(app, plan.apps.iter().map(|a| a.api_name.as_str()));
            return Err(Error::Argument(format!(
                "--cutover {v:?}: no app of that API name in the plan{}",
                crate::text::did_you_mean(&close)
            )));
        };
        out.insert(known.api_name.clone(), day);
    }
    Ok(out)
}
