//! The ECA metadata generator (DESIGN §7, reference §10): for each app to migrate, an sfdx
//! source project under `eca/` with the ECA files, the hardened policies and a 1:1 access
//! permission set, plus the global OAuth settings under `eca-global/` (never source-controlled).
//!
//! Pure: [`generate`] returns the files with their paths; the orchestration writes them.
//! Everything of a connected app is either mapped or listed in [`Generated::not_carried`].
//!
//! The plan decides (`crate::plan::eca`, `crate::plan::deploy`, `crate::plan::params`): each
//! ECA's name, label, scope and target flow, the parameters and the manifests and their
//! order. This module writes what was decided: it validates the names and refuses an invalid
//! or colliding one ([`GenerateError::InvalidEcaName`], [`GenerateError::EcaNameCollision`]);
//! it never renames.

mod files;
mod layout;
mod map;
mod names;
mod placeholders;
mod policies;
mod project;
mod secrets;
mod targets;
pub(crate) mod version;
pub(crate) mod xml;

use crate::config::Standard;
use crate::diag::{Level, Note};
use crate::metadata::connected_app::ConnectedApp;
use crate::model::App;
use crate::plan::eca::{EcaScope, TargetFlow};
use crate::plan::params::Parameter;
use rayon::prelude::*;
use secrets::{check_no_secrets, Secrets};
pub use targets::from_plan;
use version::ApiVersion;

/// What to generate for one app.
#[derive(Debug, Clone)]
pub struct EcaTarget<'a> {
    /// The app; it must have a connected app (otherwise it is skipped with a note).
    pub app: &'a App,
    /// The ECA API name chosen by the plan (`crate::plan::eca::EcaNames`), which the files are
    /// written under: it must be a valid developer name, distinct from every other target's
    /// and, for [`EcaScope::Full`], from the connected apps' and existing ECAs' names.
    pub eca_name: String,
    /// Which files.
    pub scope: EcaScope,
    /// The refactor target for side-by-side / big-bang cutovers.
    pub target_flow: Option<TargetFlow>,
    /// The policy names the migration button gave, when they differ from ours.
    pub policy_names: crate::plan::eca::PolicyNames,
    /// Grants the app has today beyond its connected app file (from SetupEntityAccess): the
    /// policies keep them with the file's own `profileName` / `permissionSetName`.
    pub kept: KeptGrants,
}

/// What an app's ECA policies keep from today: the profiles and permission sets that grant
/// it, and (by the plan's decision) its IP relaxation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeptGrants {
    /// Profile names.
    pub profiles: Vec<String>,
    /// Permission set API names.
    pub permission_sets: Vec<String>,
    /// Today's IP relaxation, although the standard enforces IP restrictions (the plan's
    /// `ip_relaxation_kept`).
    pub ip_relaxation: bool,
    /// Hardening that accepted exceptions waive (the plan's `waived`).
    pub waived: crate::plan::waivers::Waived,
}

/// Everything generated, with what could not be carried over and why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generated {
    /// Files to write, sorted by path.
    pub files: Vec<GeneratedFile>,
    /// Connected-app elements (or values) the ECA does not get.
    pub not_carried: Vec<NotCarried>,
    /// Decisions worth telling the user (names to check, hardening, missing values).
    pub notes: Vec<Note>,
    /// (app API name, ECA API name generated for it), in target order.
    pub eca_names: Vec<(String, String)>,
}

/// One output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Relative to the output folder, `/` separators.
    pub path: String,
    /// The full text.
    pub contents: String,
}

/// A connected-app element that the ECA does not get.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct NotCarried {
    /// Connected app API name.
    pub app: String,
    /// Element path, e.g. `oauthConfig/consumerSecret`.
    pub element: String,
    /// Why, and what to do instead.
    pub reason: String,
}

/// Why nothing could be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    /// The API version is not `NN.0`.
    #[error("API version {0:?} is not a version like 66.0")]
    InvalidApiVersion(String),
    /// External Client Apps need at least 59.0; newer than the known schema is not allowed.
    #[error("API version {0} is outside 59.0–66.0, the versions ecaplan can generate for")]
    UnsupportedApiVersion(String),
    /// An ECA name the plan gave is not a valid developer name (the plan's naming is
    /// bypassed or broken; nothing is written).
    #[error("ECA name {name:?} of {app} is invalid: {why}")]
    InvalidEcaName {
        /// The app.
        app: String,
        /// The name.
        name: String,
        /// What is wrong with it.
        why: String,
    },
    /// Two ECAs, or an ECA and an app or existing ECA, would share a name (nothing is written).
    #[error("ECA name {name:?} of {app} is already the name of {other}")]
    EcaNameCollision {
        /// The app.
        app: String,
        /// The name.
        name: String,
        /// What already has it.
        other: String,
    },
    /// A secret or key from the inputs ended up in the output (a bug; nothing is written).
    #[error("refusing to write {path}: it would contain a {what} from the inputs")]
    SecretInOutput {
        /// The file.
        path: String,
        /// What was found.
        what: &'static str,
    },
}

/// Per-app state while generating: the inputs and what was decided.
struct AppCx<'a> {
    app: &'a App,
    ca: &'a ConnectedApp,
    file: &'a str,
    name: String,
    /// The label of its access permission set (distinct among the apps generated together).
    access_label: String,
    scope: EcaScope,
    target: Option<&'a TargetFlow>,
    kept: &'a KeptGrants,
    policy_names: &'a crate::plan::eca::PolicyNames,
    standard: &'a Standard,
    api: ApiVersion,
    not_carried: Vec<NotCarried>,
    notes: Vec<Note>,
}

impl AppCx<'_> {
    /// Record a connected-app element the ECA does not get.
    fn skip(&mut self, element: &str, reason: impl Into<String>) {
        self.not_carried.push(NotCarried {
            app: self.app.api_name.clone(),
            element: element.to_string(),
            reason: reason.into(),
        });
    }

    /// Record a note about this app.
    fn note(&mut self, level: Level, code: &'static str, message: String) {
        let message = format!("{}: {message}", self.app.api_name);
        self.notes.push(Note::file(level, code, self.file, message));
    }

    /// The 1:1 access permission set of this ECA.
    fn access_set(&self) -> String {
        crate::plan::eca::access_set(&self.name)
    }

    fn full(&self) -> bool {
        self.scope == EcaScope::Full
    }
}

/// What the plan decided for deploying: each app's wave and the target-org parameters.
#[derive(Debug, Clone, Default)]
pub struct DeployPlan {
    /// App API name → wave number (an app not listed goes to wave 1).
    pub waves: std::collections::HashMap<String, usize>,
    /// The target-org values written as placeholders.
    pub parameters: Vec<Parameter>,
    /// App API name → the access permission set its users must hold before its policies
    /// change who may use it (the README puts that step before the policy deploy).
    pub assignments: std::collections::HashMap<String, Assignment>,
    /// App API name → what must hold before its first deploy (its runbook's pre-checks, the
    /// Apex handler and run-as users its policies name), README steps.
    pub before_policies: std::collections::HashMap<String, Vec<String>>,
    /// App API name → its runbook's steps after its last deploy (a switch to turn on, the
    /// cutover itself), README steps: the README is what the admin executes from.
    pub after_deploys: std::collections::HashMap<String, Vec<String>>,
    /// App API name → its runbook's steps between the Migrate button and the hardening
    /// deploy (a switch the migrated ECA may lack): the README puts them right after the button.
    pub after_button: std::collections::HashMap<String, Vec<String>>,
    /// App API name → its runbook's validation, the README's last item for the app.
    pub validation: std::collections::HashMap<String, Vec<String>>,
    /// The tasks of the preparing wave (wave 0): dedicated users to create, apps to block.
    pub prepare: Vec<String>,
    /// The runbooks of the planned apps that get no ECA files (vendor apps to install and
    /// harden, apps to retire or block, first-party and already migrated apps): the README
    /// lists them in their waves too, since it is what the admin executes from.
    pub without_files: Vec<NoFiles>,
    /// The final wave: its number and its org-level tasks.
    pub last_wave: Option<(usize, Vec<String>)>,
}

/// The runbook of an app that gets no ECA files, for the README.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoFiles {
    /// Its wave.
    pub wave: usize,
    /// App API name.
    pub app: String,
    /// Its strategy, in words (`install-and-harden`).
    pub strategy: &'static str,
    /// Its runbook's pre-checks.
    pub pre_checks: Vec<String>,
    /// Its runbook's steps.
    pub steps: Vec<String>,
}

/// Users to give an app's access permission set before its policies deploy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignment {
    /// The access permission set.
    pub permission_set: String,
    /// How many users.
    pub users: usize,
    /// The CSV listing them (relative to the output folder).
    pub file: Option<String>,
    /// The `sf org assign permset` commands.
    pub commands: Vec<String>,
    /// Users seen using the app but known only by id: none can be assigned by command.
    pub unnamed: usize,
    /// Admin-approved today with this many users, but no grant of it is known: the policies
    /// would refuse them all, so the README stops.
    pub grants_unknown: usize,
    /// The user-listing exports the run lacks: what the STOP for nobody known asks for.
    pub missing_exports: Vec<&'static str>,
}

/// Generate the ECA metadata for `targets` against the integration `standard`, for API
/// version `api_version` (59.0–66.0; elements newer than it are left out and reported).
pub fn generate(
    targets: &[EcaTarget<'_>],
    standard: &Standard,
    api_version: &str,
) -> Result<Generated, GenerateError> {
    generate_with(targets, standard, api_version, &DeployPlan::default())
}

/// [`generate`] with the plan's waves (one manifest per wave and phase) and parameters
/// (placeholders instead of target-org values).
pub fn generate_with(
    targets: &[EcaTarget<'_>],
    standard: &Standard,
    api_version: &str,
    deploy: &DeployPlan,
) -> Result<Generated, GenerateError> {
    let api = api_version_of(api_version)?;
    let checked = names::check(targets)?;
    let mut out = Generated {
        eca_names: checked
            .iter()
            .filter_map(|(t, n, _)| {
                n.as_ref()
                    .map(|(_, name)| (t.app.api_name.clone(), name.clone()))
            })
            .collect(),
        ..Generated::default()
    };
    let places: Vec<Option<Place>> = checked.iter().map(place_of).collect();
    let named = with_access_labels(checked);
    // The automaton over the inputs' secrets is built while the files are made.
    let (per_app, secrets) = rayon::join(
        || per_app_files(named, standard, api),
        || Secrets::of(targets),
    );
    let mut bundle = files::Bundle::default();
    let mut lay = layout::Layout::default();
    lay.prepare = deploy.prepare.clone();
    lay.last_wave = deploy.last_wave.clone();
    for n in &deploy.without_files {
        lay.without_files.entry(n.wave).or_default().push(n.clone());
    }
    let mut used = Vec::new();
    for ((mut b, mut not_carried, mut notes), place) in per_app.into_iter().zip(places) {
        if let Some(place) = &place {
            used.extend(place_files(place, deploy, &mut b, &mut lay));
        }
        bundle.files.append(&mut b.files);
        out.not_carried.append(&mut not_carried);
        out.notes.append(&mut notes);
    }
    out.files = layout::finish(bundle, &lay, api, &deploy.parameters, &used);
    check_no_secrets(&secrets, &out.files)?;
    out.not_carried.sort();
    Ok(out)
}

/// The API version to generate for, when ECAs exist in it and its schema is known.
fn api_version_of(api_version: &str) -> Result<ApiVersion, GenerateError> {
    let api = ApiVersion::parse(api_version)
        .ok_or_else(|| GenerateError::InvalidApiVersion(api_version.to_string()))?;
    if api < version::FIRST_ECA_VERSION || api > version::NEWEST_KNOWN_VERSION {
        return Err(GenerateError::UnsupportedApiVersion(api.display()));
    }
    Ok(api)
}

/// Where an app's files go: (ECA name, app API name, created from files, has OAuth).
type Place = (String, String, bool, bool);

fn place_of((t, n, _): &names::Checked<'_>) -> Option<Place> {
    n.as_ref().map(|(ca, name)| {
        let full = t.scope == EcaScope::Full;
        let oauth = ca.value.oauth_config.is_some();
        (name.clone(), t.app.api_name.clone(), full, oauth)
    })
}

/// The checked targets with the labels of their access permission sets (distinct among the
/// apps generated together).
fn with_access_labels(checked: Vec<names::Checked<'_>>) -> Vec<Named<'_>> {
    let labelled: Vec<(&str, String)> = checked
        .iter()
        .filter_map(|(t, n, _)| {
            n.as_ref()
                .map(|(_, name)| (name.as_str(), crate::plan::eca::label_of(t.app)))
        })
        .collect();
    let mut access_labels = project::access_labels(&labelled).into_iter();
    checked
        .into_iter()
        .map(|(t, n, notes)| {
            let n = n.map(|(ca, name)| (ca, name, access_labels.next().unwrap_or_default()));
            (t, n, notes)
        })
        .collect()
}

/// Put one app's placeholders into its files and its members into the wave's manifests;
/// returns where the placeholders went.
fn place_files(
    (eca, app, full, oauth): &Place,
    deploy: &DeployPlan,
    b: &mut files::Bundle,
    lay: &mut layout::Layout,
) -> Vec<placeholders::Used> {
    // Per-app values first: an issuer may hold an org-wide host.
    let mut mine: Vec<&Parameter> = deploy
        .parameters
        .iter()
        .filter(|p| p.eca.as_deref().is_none_or(|e| e == eca))
        .collect();
    mine.sort_by_key(|p| p.eca.is_none());
    let used = placeholders::apply(&mine, &mut b.files);
    let texts = |by_app| texts_of(by_app, app);
    let at = layout::AppPlace {
        wave: deploy.waves.get(app).copied().unwrap_or(1),
        full: *full,
        oauth: *oauth,
        eca,
        app,
        assignment: deploy.assignments.get(app.as_str()),
        before: texts(&deploy.before_policies),
        after: texts(&deploy.after_deploys),
        after_button: texts(&deploy.after_button),
        validation: texts(&deploy.validation),
    };
    lay.add(&at, &b.members, &b.global);
    used
}

/// An app's README texts in one of the plan's maps, empty when the plan has none.
fn texts_of<'a>(
    by_app: &'a std::collections::HashMap<String, Vec<String>>,
    app: &str,
) -> &'a [String] {
    by_app.get(app).map_or(&[][..], Vec::as_slice)
}

/// A target with its connected app, ECA name and access permission set label (none when it
/// has no connected app), and the notes about its name.
type Named<'a> = (
    &'a EcaTarget<'a>,
    Option<(&'a crate::model::Sourced<ConnectedApp>, String, String)>,
    Vec<Note>,
);

/// The files of each app, which depend on nothing else: on every core, in target order.
fn per_app_files(
    named: Vec<Named<'_>>,
    standard: &Standard,
    api: ApiVersion,
) -> Vec<(files::Bundle, Vec<NotCarried>, Vec<Note>)> {
    named
        .into_par_iter()
        .map(|(target, named, mut notes)| {
            let mut bundle = files::Bundle::default();
            let Some((ca, name, access_label)) = named else {
                return (bundle, Vec::new(), notes);
            };
            let mut cx = AppCx {
                app: target.app,
                ca: &ca.value,
                file: &ca.file,
                name,
                access_label,
                scope: target.scope,
                target: target.target_flow.as_ref(),
                kept: &target.kept,
                policy_names: &target.policy_names,
                standard,
                api,
                not_carried: Vec::new(),
                notes: Vec::new(),
            };
            files::app_files(&mut cx, &mut bundle);
            notes.append(&mut cx.notes);
            (bundle, cx.not_carried, notes)
        })
        .collect()
}

#[cfg(test)]
mod tests;
