//! The plan's deploy parameters (issue 12): which target-org values the generated files hold
//! as placeholders, with their production values as documented defaults, and the wave-0 task
//! that creates the dedicated users they name.

use std::collections::HashMap;

use super::{AppPlan, PlanInput, TargetFlow, Wave};
use crate::generate::params::{self, Parameter};
use crate::rules::Finding;

/// Rules whose open finding means the plan replaces the app's run-as user.
const REPLACED_USER: &[&str] = &["ECA207", "ECA210"];

/// The parameters of every app that gets generated metadata, then the org-wide ones.
pub(super) fn parameters(
    input: &PlanInput<'_>,
    apps: &[AppPlan],
    by_app: &HashMap<&str, Vec<&Finding>>,
) -> Vec<Parameter> {
    let mut out = Vec::new();
    let mut cas = Vec::new();
    for a in apps
        .iter()
        .filter(|a| super::generates(a.decision.strategy))
    {
        let Some(eca) = a.eca_name.as_deref() else {
            continue;
        };
        let Some(ca) = input
            .inventory
            .app(&a.api_name)
            .and_then(|app| app.connected_app.as_deref())
        else {
            continue;
        };
        let run_as = match &a.decision.target_flow {
            Some(TargetFlow::ClientCredentials { run_as }) => Some(run_as.as_str()),
            _ => None,
        };
        let dedicated = by_app.get(a.api_name.as_str()).is_some_and(|fs| {
            fs.iter()
                .any(|f| f.accepted.is_none() && REPLACED_USER.contains(&f.rule))
        });
        out.extend(params::for_app(&ca.value, eca, run_as, dedicated));
        cas.push(&ca.value);
    }
    out.extend(params::org_wide(cas.into_iter()));
    out
}

/// Wave 0 creates the dedicated users that parameters name instead of a shared or admin one.
pub(super) fn dedicated_user_tasks(waves: &mut [Wave], parameters: &[Parameter]) {
    let users: Vec<String> = parameters
        .iter()
        .filter(|p| p.note.is_some())
        .map(|p| {
            format!(
                "{} ({} of {})",
                p.default,
                p.variable,
                p.eca.as_deref().unwrap_or("")
            )
        })
        .collect();
    if users.is_empty() {
        return;
    }
    if let Some(w) = waves.first_mut() {
        w.tasks.push(format!(
            "create the dedicated API-only integration users the generated ECAs run as (set the variables of eca/README.md to them): {}",
            users.join(", ")
        ));
    }
}

/// Runbook steps name the dedicated user, never the shared or admin one it replaces (the
/// findings in the pre-checks still describe today's user).
pub(super) fn dedicated_users_in_steps(apps: &mut [AppPlan], parameters: &[Parameter]) {
    for p in parameters.iter().filter(|p| p.note.is_some()) {
        let Some(app) = apps
            .iter_mut()
            .find(|a| a.eca_name.is_some() && a.eca_name == p.eca)
        else {
            continue;
        };
        let with = format!("{} (${}, created in wave 0)", p.default, p.variable);
        for step in &mut app.runbook.steps {
            for old in p.find.iter().filter(|v| !v.is_empty()) {
                if step.contains(old.as_str()) {
                    *step = step.replace(old.as_str(), &with);
                }
            }
        }
    }
}
