//! The deploy steps completed once an app's wave is known: the manifests they deploy, in
//! order, with their commands (the plan's deploy layout, `crate::plan::deploy`), and the
//! rollback that undoes them.

use super::{Runbook, Step, StepKind};
use crate::plan::deploy::{delete_command, manifests_of, Manifest, Phase};
use crate::plan::Strategy;

/// Once the app's wave is known: name the manifests and the exact `sf` commands in the steps
/// that deploy (eca/README.md holds the same commands per wave), with the rollback snapshot
/// first and the rollback that restores it.
pub fn name_manifests(r: &mut Runbook, strategy: Strategy, eca: &str, wave: usize, oauth: bool) {
    let full = strategy != Strategy::Automated;
    let manifests = manifests_of(full, oauth, wave, eca);
    let Some(access) = manifests.iter().find(|m| m.phase == Phase::Access) else {
        return;
    };
    if full {
        new_eca_manifests(r, &manifests, eca, wave);
    } else if let Some(own) = manifests.iter().find(|m| m.phase == Phase::Migrated) {
        migrated_manifests(r, (oauth).then_some(access), own, eca, wave);
    }
}

/// A manifest and its commands, as a runbook step names them.
fn run(m: &Manifest) -> String {
    format!("{}: {}", m.output_path(), m.commands())
}

/// The hardening of an ECA the button created: the wave's access permission sets first (when
/// its OAuth policies name one: `access`), the policies only after the button.
fn migrated_manifests(
    r: &mut Runbook,
    access: Option<&Manifest>,
    own: &Manifest,
    eca: &str,
    wave: usize,
) {
    if let Some(i) = r.position(StepKind::HardeningDeploy) {
        r.steps[i].text = format!(
            "after the migration created the ECA {eca}, deploy its hardening policies (never before: the manifest names an ECA that only the button creates; check the policy names the button gave first, eca/README.md wave {wave}) from {}",
            run(own)
        );
        if let Some(access) = access {
            r.steps.insert(
                0,
                Step::new(
                    StepKind::AccessDeploy,
                    format!("deploy the access permission sets of wave {wave} (the policies name {eca}_ECA_Access) from {}", run(access)),
                ),
            );
        }
    }
    r.rollback.insert(
        0,
        format!(
            "restore the policies the migration created: `{}`",
            own.restore()
        ),
    );
}

/// A new ECA: the sandbox rehearsal and the production deploy name its manifests in order.
fn new_eca_manifests(r: &mut Runbook, manifests: &[Manifest], eca: &str, wave: usize) {
    if let Some(i) = r.position(StepKind::SandboxDeploy) {
        let paths: Vec<String> = manifests.iter().map(|m| m.output_path()).collect();
        r.steps[i].text = format!(
            "deploy the generated ECA {eca} to a sandbox in this order: {} (the wave's access permission sets, then the manifests that name {eca} and no other ECA) — with ECA_TARGET_ORG and the variables of eca/README.md set to the sandbox's values, the commands of eca/README.md 'Wave {wave}', first step and section {eca} (eca-global/ deploys from its own project, never copied into eca/)",
            paths.join(", ")
        );
    }
    if let Some(i) = r.position(StepKind::ProductionDeploy) {
        let cmds: Vec<String> = manifests.iter().map(run).collect();
        r.steps[i].text = format!(
            "deploy {eca} to production (ECA_TARGET_ORG and the variables of eca/README.md at their production values), in order: {}",
            cmds.join("; ")
        );
    }
    r.rollback.insert(
        0,
        format!(
            "delete the new ECA {eca} (the connected app is untouched): `{}`",
            delete_command(wave, eca)
        ),
    );
}
