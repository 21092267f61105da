//! The generator's input read off a plan: each planned app that gets ECA metadata, with the
//! name, scope and target flow the plan decided and the grants its policies keep.

use super::{generate_with, DeployPlan, EcaTarget, GenerateError, Generated, KeptGrants};
use crate::config::Standard;
use crate::model::{App, Inventory};
use crate::plan::{AppPlan, Plan};

/// Generate the ECA metadata of `plan` (`only`: just these apps, by API name, any case), for
/// API version `api_version`: one manifest per wave and phase, parameters as placeholders.
pub fn from_plan(
    plan: &Plan,
    inventory: &Inventory,
    standard: &Standard,
    api_version: &str,
    only: Option<&[String]>,
) -> Result<Generated, GenerateError> {
    // The plan names its apps as the inventory does; the first definition of an API name is
    // the one planned (a second one gets no ECA name).
    let mut by_name: std::collections::HashMap<&str, &App> = Default::default();
    for a in &inventory.apps {
        by_name.entry(a.api_name.as_str()).or_insert(a);
    }
    let targets: Vec<EcaTarget<'_>> = plan
        .apps
        .iter()
        .filter(|p| only.is_none_or(|o| o.iter().any(|a| a.eq_ignore_ascii_case(&p.api_name))))
        .filter_map(|p| target(p, by_name.get(p.api_name.as_str()).copied()))
        .collect();
    let deploy = DeployPlan {
        waves: plan
            .apps
            .iter()
            .map(|p| (p.api_name.clone(), p.wave))
            .collect(),
        parameters: plan.parameters.clone(),
        assignments: plan.apps.iter().filter_map(assignment).collect(),
    };
    generate_with(&targets, standard, api_version, &deploy)
}

/// The assignment an app's policies need first: its active users get the access permission
/// set before Permitted Users turns admin-approved.
fn assignment(p: &AppPlan) -> Option<(String, super::Assignment)> {
    let a = &p.access;
    // No command either means nobody to assign (a STOP in the README) or no change at all.
    if !a.changes {
        return None;
    }
    let assignment = super::Assignment {
        permission_set: a.access_permission_set.clone()?,
        users: a.assign.len(),
        file: a.assignment_file.clone(),
        commands: a.commands.clone(),
    };
    Some((p.api_name.clone(), assignment))
}

/// What to generate for one planned app, when its strategy gets ECA metadata.
fn target<'a>(p: &'a AppPlan, app: Option<&'a App>) -> Option<EcaTarget<'a>> {
    Some(EcaTarget {
        app: app?,
        eca_name: p.eca_name.clone()?,
        scope: p.decision.strategy.eca_scope()?,
        target_flow: p.decision.target_flow.clone(),
        kept: KeptGrants {
            profiles: p.access.profiles.iter().map(|g| g.name.clone()).collect(),
            permission_sets: p
                .access
                .permission_sets
                .iter()
                .map(|g| g.name.clone())
                .collect(),
        },
    })
}
