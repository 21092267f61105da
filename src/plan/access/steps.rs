//! The runbook steps of an app's access (and the README of the assignment lists): the
//! permission set first, then the assignments, then the step that changes the policies.

use super::AccessPlan;
use crate::plan::eca::ACCESS_SET_SUFFIX;
use crate::plan::runbook::{Step, StepKind};

/// `access/README.md`: what the assignment lists are and when to use them.
pub const README: &str = "\
# access: who must be assigned before the policies change (ecaplan)

Each `<name>-permset-assignments.csv` lists the active users of one app whose access model
changes from self-authorized to admin-approved (columns `Username,PermissionSet,Evidence`; the
evidence is what the usage exports show: logins, API calls, refresh tokens). Once the app is
admin-approved, only the profiles and permission sets it grants may use it: these users must
hold the permission set BEFORE the step that changes the app's policies.

The app's runbook (plan.json, report) gives the order and the exact commands:

1. deploy (or, for an app hardened in place, create) the permission set on its own;
2. with `ECA_RUN_DIR` set as in eca/README.md (a folder outside this output folder) and
   `mkdir -p \"$ECA_RUN_DIR/deploy-results\"` done:
   `sf org assign permset --name <permission set> --target-org $ECA_TARGET_ORG --on-behalf-of <username> ... --json > \"$ECA_RUN_DIR/deploy-results/assign-<set>-<n>.json\"`,
   requiring exit code 0: 68 means some assignments failed, 1 that all failed; fix the cause and
   assign the users under `result.failures` of that JSON (not the whole command again);
3. check the assignments, then change the policies.

`ECA_TARGET_ORG` holds the CLI alias of the target org (as in eca/README.md). For a sandbox rehearsal use the sandbox alias and the
sandbox usernames (production username plus the sandbox suffix). Permission set groups cannot be
assigned with `sf org assign permset`: insert `PermissionSetAssignment` with
`PermissionSetGroupId` instead.

These files hold usernames from the inputs: treat them as internal data. Nothing here is
deployed; keep this folder out of the `eca/` project.
";

/// The runbook steps of an app's access, inserted before the first step that changes its
/// policies ([`StepKind::changes_policies`]: not a sandbox rehearsal), and the grants to check
/// as a pre-check.
pub fn into_runbook(r: &mut crate::plan::Runbook, p: &AccessPlan) {
    let Some(set) = p.access_permission_set.as_deref() else {
        already_admin_approved(r, p);
        return;
    };
    let grants = grant_words(p);
    if !grants.is_empty() && p.in_place {
        r.pre_checks.push(format!(
            "keep today's grants ({}) when Permitted Users become admin-approved: add {set} beside them, remove none",
            grants.join(", ")
        ));
    } else if !grants.is_empty() {
        r.pre_checks.push(format!(
            "the generated policies keep today's grants ({}) beside {set}: each must exist in the target org, or the deploy fails (the policies name them by profile name and permission set API name, as public generators do; whether Salesforce also wants IDs is UNVERIFIED: if the dry run rejects a name, grant it in Setup after the deploy and say so in the change record)",
            grants.join(", ")
        ));
    }
    for n in &p.notes {
        r.pre_checks.push(format!("access: {n}"));
    }
    if p.changes && r.position(StepKind::SandboxDeploy).is_some() {
        // The rehearsal deploys the admin-approved policies too: its testers need the set.
        r.pre_checks.push(format!(
            "sandbox rehearsal: before deploying there, do the {set} steps below in the sandbox (its alias and the sandbox usernames with their suffix), or the test users are refused"
        ));
    }
    if p.in_place {
        // The hardening step names the set this plan creates for the app.
        for step in r
            .steps
            .iter_mut()
            .filter(|s| s.kind == StepKind::PermittedUsers)
        {
            step.text = step.text.replace(
                "grant a dedicated permission set",
                &format!("add the permission set {set} to the app (Manage → Permission Sets); the profiles and permission sets that grant it today keep it"),
            );
        }
    }
    let mut steps = Vec::new();
    if p.changes {
        changed_steps(&mut steps, p, set);
    } else if p.grants_unknown {
        steps.push(Step::new(StepKind::Access, format!(
            "STOP before the next step: {} user(s) use this admin-approved app, but no profile or permission set that grants it is known, and the generated policies name only {set}: they would refuse every one of them. Export SetupEntityAccess and PermissionSetAssignment and re-run ecaplan so that the policies keep today's grants, before going on",
            p.active_users.len()
        )));
    }
    let deploy = r.steps.iter().position(|s| s.kind.changes_policies());
    let at = deploy.unwrap_or(r.steps.len());
    let added = steps.len();
    r.steps.splice(at..at, steps);
    if let Some(user) = p.integration_user.as_deref().filter(|_| !p.in_place) {
        let eca = set.strip_suffix(ACCESS_SET_SUFFIX).unwrap_or(set);
        // The first deploy of the policies names the run-as user, which must have API Only by
        // then (reference: clientCredentialsFlowUser), in the sandbox rehearsal as in
        // production: the group comes before it; its access set joins the group once the
        // wave's access manifest, the first of that deploy, has created it.
        let at = deploy.map_or(r.steps.len(), |d| d + added);
        let step = Step::new(StepKind::Access, group_pattern(eca, user));
        r.steps.insert(at.min(r.steps.len()), step);
    }
}

/// The steps of an access model change: the permission set first, then the assignments.
fn changed_steps(steps: &mut Vec<Step>, p: &AccessPlan, set: &str) {
    let mut push = |text: String| steps.push(Step::new(StepKind::Access, text));
    let why = "access model changes from self-authorized to admin-approved: only profiles and permission sets the app grants may use it afterwards";
    if p.in_place {
        // Nothing is generated for an app hardened in place: the set is created in the org.
        let label = set.replace('_', " ");
        push(format!(
            "{why}. Create the permission set {set} first: `sf data create record --sobject PermissionSet --values \"Name={set} Label='{label}'\" --target-org \"$ECA_TARGET_ORG\"`"
        ));
    } else {
        push(format!(
            "{why}. {set} must exist before it is assigned: the wave's access manifest (eca/manifest/wave-N/1-access.xml, eca/README.md) deploys it; if it is not deployed yet, deploy it on its own from eca/: `sf project deploy start --metadata PermissionSet:{set} --target-org \"$ECA_TARGET_ORG\" --dry-run`, then the same without --dry-run"
        ));
    }
    let file = p.assignment_file.as_deref().unwrap_or_default();
    if !p.unnamed.is_empty() {
        // Assigning the named users alone would still lock the others out.
        push(format!(
            "STOP before the next step: {} user(s) of the app are known only by their ids (access.unnamed), and `sf org assign permset` takes usernames. Once the policies change, everyone not granted is refused: export User (with Username) and re-run ecaplan so that every user is named and assigned {set}, before going on",
            p.unnamed.len()
        ));
    } else if p.commands.is_empty() {
        push(format!(
            "STOP before the next step: no active user of the app is known to assign {set} to ({file} is empty). Once the policies change, everyone not granted is refused: {}, before going on",
            super::nobody_known_action(&p.missing_exports)
        ));
    } else {
        push(format!(
            "assign {set} to the {} active user(s) in {file} BEFORE the policies change (in a sandbox, use the sandbox usernames with their suffix and the sandbox alias); run each command below from the output folder, with ECA_RUN_DIR set (a folder outside the output folder: eca/README.md) and `mkdir -p \"$ECA_RUN_DIR/deploy-results\"` done (each writes its JSON there), and require exit code 0: 68 means some assignments failed and 1 that all failed: fix the cause, then assign the users its JSON lists under result.failures (not the whole command again: the users it did assign would now fail as duplicates, UNVERIFIED) before going on",
            p.assign.len()
        ));
        for c in &p.commands {
            push(format!("run: {c}"));
        }
        push(format!(
            "check that every user in {file} holds {set} (Setup → Permission Sets → {set} → Manage Assignments) before the next step"
        ));
    }
}

/// The integration-user permission set group pattern (base + functional + ECA access).
pub fn group_pattern(eca: &str, run_as: &str) -> String {
    format!(
        "integration user {run_as} — permission set group pattern, before the deploy whose policies name this user (a run-as user must have API Only): give that user a permission set group {eca}_Integration made of a base permission set (API Enabled, API Only User; for a user on the Salesforce Integration user licence, assign the permission set licence that comes with it first; a user on another licence keeps its licence and gets the permissions alone) and a functional permission set with only the objects and fields the integration touches; add {eca}_ECA_Access to the group as soon as the wave's access manifest (1-access) has created it, before the policies; assign the group through PermissionSetAssignment.PermissionSetGroupId (`sf org assign permset` does not take groups: `sf data create record --sobject PermissionSetAssignment --values \"AssigneeId=<user id> PermissionSetGroupId=<group id>\" --target-org \"$ECA_TARGET_ORG\"`)"
    )
}

/// An app hardened in place that is admin-approved already: its hardening step keeps the
/// grants it has instead of asking for a permission set nobody created.
fn already_admin_approved(r: &mut crate::plan::Runbook, p: &AccessPlan) {
    if p.permitted_users_before != Some(super::ADMIN_APPROVED) {
        return;
    }
    let grants = grant_words(p);
    let kept = if grants.is_empty() {
        "no grant is known: list who holds it in Setup before changing anything".to_string()
    } else {
        format!("keep its grants ({})", grants.join(", "))
    };
    for step in r
        .steps
        .iter_mut()
        .filter(|s| s.kind == StepKind::PermittedUsers)
    {
        step.text =
            format!("Permitted Users is 'Admin approved users are pre-authorized' already: {kept}");
    }
}

/// The grants an app keeps, in words: "profile 'X'", "permission set Y".
fn grant_words(p: &AccessPlan) -> Vec<String> {
    p.profiles
        .iter()
        .map(|g| format!("profile '{}'", g.name))
        .chain(
            p.permission_sets
                .iter()
                .map(|g| format!("permission set {}", g.name)),
        )
        .collect()
}
