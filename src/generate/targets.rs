//! The generator's input read off a plan: each planned app that gets ECA metadata, with the
//! name, scope and target flow the plan decided and the grants its policies keep.

use super::{generate_with, DeployPlan, EcaTarget, GenerateError, Generated, KeptGrants};
use crate::config::Standard;
use crate::model::{App, Inventory};
use crate::plan::runbook::StepKind;
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
        assignments: plan.apps.iter().filter_map(|p| assignment(p)).collect(),
        prepare: plan
            .waves
            .iter()
            .filter(|w| w.kind == crate::plan::waves::WaveKind::Prepare)
            .flat_map(|w| w.tasks.iter().cloned())
            .collect(),
        before_policies: plan
            .apps
            .iter()
            .filter_map(|p| {
                let app = by_name.get(p.api_name.as_str()).copied();
                before_policies(p, app, &plan.parameters, standard.ip_enforcement)
            })
            .collect(),
        after_deploys: plan.apps.iter().filter_map(|p| after_deploys(p)).collect(),
        after_button: plan.apps.iter().filter_map(|p| after_button(p)).collect(),
        validation: plan
            .apps
            .iter()
            .filter(|p| p.decision.strategy.generates() && !p.runbook.validation.is_empty())
            .map(|p| (p.api_name.clone(), p.runbook.validation.clone()))
            .collect(),
        without_files: plan
            .apps
            .iter()
            .filter(|p| only.is_none_or(|o| o.iter().any(|a| a.eq_ignore_ascii_case(&p.api_name))))
            .filter(|p| p.decision.strategy.eca_scope().is_none())
            .map(|p| super::NoFiles {
                wave: p.wave,
                app: p.api_name.clone(),
                strategy: p.decision.strategy.as_str(),
                pre_checks: p.runbook.pre_checks.clone(),
                steps: p.runbook.steps.iter().map(|s| s.text.clone()).collect(),
            })
            .collect(),
        last_wave: plan
            .waves
            .iter()
            .find(|w| w.kind == crate::plan::waves::WaveKind::Decommission)
            .map(|w| (w.number, w.tasks.clone())),
    };
    generate_with(&targets, standard, api_version, &deploy)
}

/// The assignment an app's policies need first: its active users get the access permission
/// set before Permitted Users turns admin-approved.
fn assignment(p: &AppPlan) -> Option<(String, super::Assignment)> {
    let a = &p.access;
    // No command either means nobody to assign (a STOP in the README) or no change at all.
    if !a.changes && !a.grants_unknown {
        return None;
    }
    let assignment = super::Assignment {
        permission_set: a.access_permission_set.clone()?,
        users: a.assign.len(),
        file: a.assignment_file.clone(),
        commands: a.commands.clone(),
        unnamed: a.unnamed.len(),
        missing_exports: a.missing_exports.clone(),
        grants_unknown: if a.grants_unknown {
            a.active_users.len()
        } else {
            0
        },
    };
    Some((p.api_name.clone(), assignment))
}

/// An app's runbook steps after its last deploy (production or hardening), for the README:
/// what turns a deployed ECA into a working cutover (a flow switch, the client's change, the
/// closing of the connected app). The access steps are the README's own.
fn after_deploys(p: &AppPlan) -> Option<(String, Vec<String>)> {
    p.eca_name
        .as_deref()
        .filter(|_| p.decision.strategy.generates())?;
    let steps = &p.runbook.steps;
    let last = steps.iter().rposition(|s| {
        matches!(
            s.kind,
            StepKind::ProductionDeploy | StepKind::HardeningDeploy
        )
    })?;
    let after: Vec<String> = steps[last + 1..]
        .iter()
        .filter(|s| s.kind == StepKind::Other)
        .map(|s| s.text.clone())
        .collect();
    (!after.is_empty()).then(|| (p.api_name.clone(), after))
}

/// A button-migrated app's steps between the button and its hardening deploy (a switch the
/// migrated ECA may lack, checked at once).
fn after_button(p: &AppPlan) -> Option<(String, Vec<String>)> {
    let steps = &p.runbook.steps;
    let button = steps
        .iter()
        .position(|s| s.kind == StepKind::MigrateButton)?;
    let deploy = steps
        .iter()
        .position(|s| s.kind == StepKind::HardeningDeploy)
        .unwrap_or(steps.len());
    let between: Vec<String> = steps[button + 1..deploy.max(button + 1)]
        .iter()
        .filter(|s| s.kind == StepKind::Other)
        .map(|s| s.text.clone())
        .collect();
    (!between.is_empty()).then(|| (p.api_name.clone(), between))
}

/// What must hold before an app's first deploy: its runbook's pre-checks, the Apex class its
/// OAuth policies name in `apexHandler` (else the deploy fails), the users they run flows as
/// (else the integration breaks, or the deploy fails on a missing user), the IP check.
fn before_policies(
    p: &AppPlan,
    app: Option<&App>,
    params: &[crate::plan::params::Parameter],
    ip_enforcement: bool,
) -> Option<(String, Vec<String>)> {
    let eca = p
        .eca_name
        .as_deref()
        .filter(|_| p.decision.strategy.generates())?;
    let ca = app
        .and_then(|a| a.connected_app.as_deref())
        .map(|c| &c.value);
    let mut steps = Vec::new();
    // The runbook's pre-checks, where the README follower sees them: before the app's first
    // deploy (a SAML encryption to agree, a handler user to fix, users nobody grants).
    if !p.runbook.pre_checks.is_empty() {
        steps.push("Before any deploy of this app, what its runbook checks first (plan.json, pre_checks); stop here until each holds:".to_string());
        steps.extend(p.runbook.pre_checks.iter().map(|c| format!("  - {c}")));
    }
    let plugin = ca
        .filter(|c| c.oauth_config.is_some())
        .and_then(|c| c.plugin.as_deref())
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(plugin) = plugin {
        let class = crate::plan::eca::handler_class(plugin);
        steps.push(format!(
            "Deploy the Apex class `{class}` first: the port of `{plugin}` to `Auth.ExternalClientAppOauthHandler`, with its test class, written by the app's developer (its runbook). The policies below name it in apexHandler, and their deploy fails while it is missing. That deploy holds Apex, so production runs its tests, e.g. from the project holding the class: `sf project deploy start --metadata ApexClass:{class} --metadata ApexClass:{class}Test --test-level RunSpecifiedTests --tests {class}Test --target-org \"$ECA_TARGET_ORG\"`"
        ));
    }
    // The generated OAuth policies enforce IP restrictions when the standard says so.
    if ip_enforcement && !p.ip_relaxation_kept && ca.is_some_and(|c| c.oauth_config.is_some()) {
        let ip = app.and_then(crate::plan::runbook::ip_enforcement_text);
        // The runbook's check may go on with what the usage exports show.
        steps.extend(ip.filter(|t| !p.runbook.pre_checks.iter().any(|c| c.starts_with(t))));
    }
    for prm in params.iter().filter(|x| x.eca.as_deref() == Some(eca)) {
        if prm.kept {
            steps.push(format!(
                "`${}` (production: {}) is the user the client-credentials flow runs as today, kept by the migration: set it to that user (its sandbox username in a sandbox) and change nothing on the user (it may be a person's or an administrator's account: making it API-only would lock them out of the UI); moving to a dedicated user is a later change (its note in the table above). A run-as user must have API Only (reference): if the policies' dry run refuses this one, stop there, keep the ECA as the button left it, and move this app to a dedicated user first",
                prm.variable, prm.default
            ));
        } else if prm.variable.ends_with("_RUN_AS") || prm.variable.ends_with("_HANDLER_USER") {
            steps.push(format!(
                "The user in `${}` (production: {}) exists, is active and API-only, and holds what the integration reads and writes (for a run-as user, the permission set group its runbook describes; for a handler user, the object access of the user it replaces and access to the handler's Apex class). Once the policies below are deployed, the flow runs as this user: a missing user fails the deploy, a user without those permissions breaks the integration",
                prm.variable, prm.default
            ));
        }
    }
    (!steps.is_empty()).then(|| (p.api_name.clone(), steps))
}

/// What to generate for one planned app, when its strategy gets ECA metadata.
fn target<'a>(p: &'a AppPlan, app: Option<&'a App>) -> Option<EcaTarget<'a>> {
    Some(EcaTarget {
        app: app?,
        eca_name: p.eca_name.clone()?,
        scope: p.decision.strategy.eca_scope()?,
        target_flow: p.decision.target_flow.clone(),
        policy_names: p.policy_names.clone(),
        kept: KeptGrants {
            profiles: p.access.profiles.iter().map(|g| g.name.clone()).collect(),
            permission_sets: p
                .access
                .permission_sets
                .iter()
                .map(|g| g.name.clone())
                .collect(),
            ip_relaxation: p.ip_relaxation_kept,
            waived: p.waived,
        },
    })
}
