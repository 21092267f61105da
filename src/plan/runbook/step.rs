//! Runbook steps carry what they do beside their words: the access steps go before the step
//! that changes the policies, the manifests complete the deploy steps, and no code finds a
//! step by matching its text (an app called `Sandbox_Deploy` cannot move a step).

use serde::{Serialize, Serializer};

/// What a runbook step does, as far as other parts of the plan need to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// Nothing refers to it.
    Other,
    /// App Manager's "Migrate to External Client App" button creates the ECA.
    MigrateButton,
    /// Deploy the hardening policies of the ECA the button created (changes the policies).
    HardeningDeploy,
    /// Deploy the new ECA to a sandbox: the rehearsal.
    SandboxDeploy,
    /// Deploy the new ECA to production (changes the policies).
    ProductionDeploy,
    /// Switch Permitted Users to admin-approved by hand (an app hardened in place).
    PermittedUsers,
    /// Deploy the Apex class a custom OAuth handler is ported to.
    HandlerDeploy,
    /// Deploy the wave's access permission sets.
    AccessDeploy,
    /// The app's access: its permission set, the assignments and their checks.
    Access,
}

impl StepKind {
    /// Does the step change who may use the app (the policies), so that the access steps
    /// come before it?
    pub fn changes_policies(self) -> bool {
        matches!(
            self,
            StepKind::HardeningDeploy | StepKind::ProductionDeploy | StepKind::PermittedUsers
        )
    }
}

/// One step of a runbook; `plan.json` and the reports show its words only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// What it does.
    pub kind: StepKind,
    /// What to do, in words.
    pub text: String,
}

impl Step {
    /// A step of `kind`.
    pub fn new(kind: StepKind, text: impl Into<String>) -> Step {
        Step {
            kind,
            text: text.into(),
        }
    }
}

impl Serialize for Step {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}
