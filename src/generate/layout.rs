//! The deploy layout of the generated projects: the manifests per wave and phase
//! ([`crate::plan::deploy`]), the two `sfdx-project.json` files with their `replacements`, and the
//! generated `eca/README.md` with the order and the exact commands; and the finished file
//! list: the components, these project files, and the `eca-global/` folder's guard files.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::files::Bundle;
use super::placeholders::Used;
use super::version::ApiVersion;
use super::{Assignment, GeneratedFile};
use crate::plan::deploy::{self, Manifest, Phase};
use crate::plan::params::Parameter;

type Members = BTreeMap<&'static str, BTreeSet<String>>;

/// Manifests, destructive manifests and the apps of each wave, filled app by app.
#[derive(Debug, Default)]
pub(super) struct Layout {
    manifests: BTreeMap<Manifest, Members>,
    destructive: BTreeMap<(usize, String), Members>,
    /// wave → (ECA name, app API name, created from files)
    apps: BTreeMap<usize, Vec<(String, String, bool)>>,
    /// ECA name → the assignment its policies need first.
    assignments: BTreeMap<String, Assignment>,
    /// ECA name → what must hold before its first deploy.
    before: BTreeMap<String, Vec<String>>,
    /// ECA name → its runbook's steps after its last deploy.
    after: BTreeMap<String, Vec<String>>,
    /// ECA name → its runbook's steps right after the Migrate button.
    after_button: BTreeMap<String, Vec<String>>,
    /// ECA name → its runbook's validation.
    validation: BTreeMap<String, Vec<String>>,
    /// The preparing wave's tasks, done before wave 1.
    pub prepare: Vec<String>,
    /// wave → the runbooks of its apps without ECA files.
    pub without_files: BTreeMap<usize, Vec<super::NoFiles>>,
    /// The final wave's number and tasks.
    pub last_wave: Option<(usize, Vec<String>)>,
}

/// One app's place in the layout.
pub(super) struct AppPlace<'a> {
    pub wave: usize,
    pub full: bool,
    pub oauth: bool,
    pub eca: &'a str,
    pub app: &'a str,
    pub assignment: Option<&'a Assignment>,
    pub before: &'a [String],
    pub after: &'a [String],
    pub after_button: &'a [String],
    pub validation: &'a [String],
}

impl Layout {
    /// Add one app's members (`members`: the `eca/` project, `global`: `eca-global/`).
    pub fn add(&mut self, at: &AppPlace<'_>, members: &Members, global: &Members) {
        // Every manifest a runbook names exists, even if a version filter emptied it.
        for m in deploy::manifests_of(at.full, at.oauth, at.wave, at.eca) {
            self.manifests.entry(m).or_default();
        }
        for (type_name, names) in members.iter().chain(global) {
            let phase = deploy::phase_of(type_name, at.full);
            let m = Manifest::new(at.wave, phase, at.eca);
            let entry = self
                .manifests
                .entry(m)
                .or_default()
                .entry(type_name)
                .or_default();
            entry.extend(names.iter().cloned());
            if at.full && phase.undone_by_delete() {
                self.destructive
                    .entry((at.wave, at.eca.to_string()))
                    .or_default()
                    .entry(type_name)
                    .or_default()
                    .extend(names.iter().cloned());
            }
        }
        if let Some(a) = at.assignment {
            self.assignments.insert(at.eca.to_string(), a.clone());
        }
        if !at.before.is_empty() {
            self.before.insert(at.eca.to_string(), at.before.to_vec());
        }
        for (map, texts) in [
            (&mut self.after, at.after),
            (&mut self.after_button, at.after_button),
            (&mut self.validation, at.validation),
        ] {
            if !texts.is_empty() {
                map.insert(at.eca.to_string(), texts.to_vec());
            }
        }
        self.apps.entry(at.wave).or_default().push((
            at.eca.to_string(),
            at.app.to_string(),
            at.full,
        ));
    }

    /// The project files, manifests and README.
    pub fn files(
        &self,
        api: ApiVersion,
        params: &[Parameter],
        used: &[Used],
    ) -> Vec<GeneratedFile> {
        let mut out = Vec::new();
        for (m, members) in &self.manifests {
            out.push(GeneratedFile {
                path: m.output_path(),
                contents: super::project::package_xml(members, api),
            });
        }
        for ((wave, eca), members) in &self.destructive {
            out.push(GeneratedFile {
                path: format!("eca/{}", deploy::destructive(*wave, eca)),
                contents: super::project::package_xml(members, api),
            });
        }
        out.push(GeneratedFile {
            path: format!("eca/{}", deploy::EMPTY),
            contents: super::project::package_xml(&Members::new(), api),
        });
        out.push(GeneratedFile {
            path: "eca/sfdx-project.json".into(),
            contents: sfdx_project(api, "force-app", "eca/", used),
        });
        if self.manifests.keys().any(|m| m.phase == Phase::Global) {
            out.push(GeneratedFile {
                path: "eca-global/sfdx-project.json".into(),
                contents: sfdx_project(api, "extlClntAppGlobalOauthSets", "eca-global/", used),
            });
        }
        out.push(GeneratedFile {
            path: "eca/README.md".into(),
            contents: self.readme(params, used),
        });
        out
    }

    fn readme(&self, params: &[Parameter], used: &[Used]) -> String {
        // Only the variables of the ECAs generated here (`ecaplan generate --app` writes a
        // subset of the plan's apps), and the org-wide ones.
        let ecas: BTreeSet<&str> = self
            .apps
            .values()
            .flatten()
            .map(|(e, _, _)| e.as_str())
            .collect();
        let params: Vec<&Parameter> = params
            .iter()
            .filter(|p| p.eca.as_deref().is_none_or(|e| ecas.contains(e)))
            // A value the inputs lack is asked for only where a generated file needs it.
            .filter(|p| !p.default.is_empty() || used.iter().any(|u| u.variable == p.variable))
            .collect();
        let mut s = String::from(README_HEAD);
        env_block(&mut s, &params);
        parameter_table(&mut s, &params, used);
        s.push_str("\nA deploy saved with `--json` prints nothing: require exit code 0 of every command before\nthe next one; on any other code, read its JSON file (`message`,\n`result.details.componentFailures`), stop there and roll back as that step says.\nAfter each deploy, check that `result.replacements` in the saved JSON lists every file\nof this table that the manifest deploys.\n");
        if !self.prepare.is_empty() || self.without_files.contains_key(&0) {
            s.push_str("\n## Wave 0: before any deploy\n\nThe plan's preparing wave, done before the first deploy below (plan.json, waves[0].tasks):\n\n");
            for task in &self.prepare {
                let _ = writeln!(s, "- {}", clean(task));
            }
            self.without_files_of(&mut s, 0);
        }
        let last = self.last_wave.as_ref().map(|(n, _)| *n);
        let waves: BTreeSet<usize> = self
            .apps
            .keys()
            .chain(self.without_files.keys())
            .chain(last.iter())
            .copied()
            .filter(|w| *w > 0)
            .collect();
        for wave in waves {
            match self.apps.get(&wave) {
                Some(apps) => self.wave_section(&mut s, wave, apps, (&params, used)),
                None => {
                    let _ = writeln!(s, "\n## Wave {wave}");
                }
            }
            if let Some((_, tasks)) = self.last_wave.as_ref().filter(|(n, _)| *n == wave) {
                s.push_str("\nThe final wave's tasks (plan.json, its wave's tasks), once every app above passed its decommission criteria:\n\n");
                for task in tasks {
                    let _ = writeln!(s, "- {}", clean(task));
                }
            }
            self.without_files_of(&mut s, wave);
        }
        s
    }

    /// The wave's apps that get no ECA files: their runbooks, as plan.json has them.
    fn without_files_of(&self, s: &mut String, wave: usize) {
        for n in self.without_files.get(&wave).into_iter().flatten() {
            let _ = writeln!(
                s,
                "\n### {} ({}: no ECA files)\n",
                clean(&n.app),
                n.strategy
            );
            if !n.pre_checks.is_empty() {
                s.push_str("First, its runbook's checks (plan.json, pre_checks); stop here until each holds:\n\n");
                for c in &n.pre_checks {
                    let _ = writeln!(s, "- {}", clean(c));
                }
                s.push('\n');
            }
            for (i, step) in n.steps.iter().enumerate() {
                let _ = writeln!(s, "{}. {}", i + 1, clean(step));
            }
        }
    }

    /// One wave: its access manifest first, then per app, in order, the manifests that name
    /// that app's ECA and nothing else (an app's failed deploy stops only that app).
    fn wave_section(
        &self,
        s: &mut String,
        wave: usize,
        apps: &[(String, String, bool)],
        (params, used): (&[&Parameter], &[Used]),
    ) {
        let _ = writeln!(s, "\n## Wave {wave}\n");
        let access = Manifest::new(wave, Phase::Access, "");
        if self.manifests.contains_key(&access) {
            s.push_str("First, for every app of the wave:\n\n");
            self.entry(s, 1, &access, wave, "", "");
        }
        s.push_str("\nThen per app, in order; each app's manifests name only its own ECA, so one app's failure stops only that app:\n");
        for (eca, app, full) in apps {
            let _ = writeln!(s, "\n### {} (ECA {})\n", clean(app), clean(eca));
            // What must hold before the app's first deploy: its runbook's pre-checks, the
            // handler class and run-as users its policies name, and its users' access (the
            // policies make it admin-approved): nothing of the app reaches the org before.
            wave_guards(s, &[(eca.clone(), app.clone(), *full)], params, used);
            let mut step = 0;
            for text in self.before.get(eca).into_iter().flatten() {
                // "  - ": an item of the step above it.
                if let Some(item) = text.strip_prefix("  - ") {
                    let _ = writeln!(s, "   - {}", clean(item));
                    continue;
                }
                step += 1;
                let _ = writeln!(s, "{step}. {}", clean(text));
            }
            if let Some(a) = self.assignments.get(eca) {
                step += 1;
                assignment_step(s, step, a);
            }
            for phase in Phase::PER_APP {
                let m = Manifest::new(wave, phase, eca);
                if self.manifests.contains_key(&m) {
                    step += 1;
                    self.entry(s, step, &m, wave, eca, app);
                }
            }
            if let Some(after) = self.after.get(eca) {
                step += 1;
                let _ = writeln!(s, "{step}. After the deploys above, the rest of its runbook (plan.json, steps), in order:");
                for text in after {
                    let _ = writeln!(s, "   - {}", clean(text));
                }
            }
            if let Some(checks) = self.validation.get(eca) {
                let _ = writeln!(s, "{}. Then validate (plan.json, validation); a check that fails is the rollback's cue:", step + 1);
                for text in checks {
                    let _ = writeln!(s, "   - {}", clean(text));
                }
            }
        }
    }

    /// The policy names a button-migrated app's manifest deploys, in words.
    fn policy_names(&self, m: &Manifest) -> String {
        let members = self.manifests.get(m);
        let words: Vec<String> = [
            "ExtlClntAppOauthConfigurablePolicies",
            "ExtlClntAppConfigurablePolicies",
        ]
        .iter()
        .flat_map(|t| {
            let names = members.and_then(|ms| ms.get(t)).into_iter().flatten();
            names.map(move |n| format!("`{}` ({t})", clean(n)))
        })
        .collect();
        if words.is_empty() {
            "no policy file".to_string()
        } else {
            words.join(" and ")
        }
    }

    /// One manifest of the README: what it deploys and its commands, rollback last.
    fn entry(&self, s: &mut String, step: usize, m: &Manifest, wave: usize, eca: &str, app: &str) {
        if m.phase == Phase::Migrated {
            let app = clean(app);
            let _ = writeln!(
                s,
                "{step}. Only after Setup → App Manager → {app} → Migrate to External Client App has created the ECA {eca} (its runbook): `{}`",
                m.output_path()
            );
            for text in self.after_button.get(eca).into_iter().flatten() {
                let text =
                    text.trim_start_matches("right away, before anything else of this runbook: ");
                let _ = writeln!(
                    s,
                    "   - right after the button, before this manifest: {}",
                    clean(text)
                );
            }
            let names = self.policy_names(m);
            let _ = writeln!(
                s,
                "   - first check the names the button gave the policy files (this manifest deploys {names}; the button's names are UNVERIFIED): `sf org list metadata --metadata-type ExtlClntAppOauthConfigurablePolicies --target-org \"$ECA_TARGET_ORG\"` and `sf org list metadata --metadata-type ExtlClntAppConfigurablePolicies --target-org \"$ECA_TARGET_ORG\"`; if they differ, set `oauth_policy_name` and `policy_name` under `[apps.{app}]` in ecaplan.toml to the names listed and run ecaplan plan again before deploying: the files, this manifest and the `replacements` of `eca/sfdx-project.json` follow (a hand rename would be undone by the next run; a placeholder left unreplaced would be deployed as it is)"
            );
        } else {
            let _ = writeln!(s, "{step}. `{}` ({})", m.output_path(), phase_text(m.phase));
        }
        if matches!(m.phase, Phase::Create | Phase::Global) {
            // Wave 0 says it once; the deploy, and a rollback in an emergency, fail without it.
            s.push_str("   - before it, and before its rollback: the org setting 'Allow Access to OAuth Consumer Secrets via Metadata API' is on and the deploying user has 'View External Client Apps Consumer Secrets in Metadata' (wave 0); switch the setting off again once the window's deploys are done\n");
        }
        if m.snapshot_needed() {
            let _ = writeln!(s, "   - rollback snapshot: `{}`", m.retrieve());
        }
        let _ = writeln!(s, "   - validate: `{}`", m.dry_run());
        let _ = writeln!(s, "   - deploy: `{}`", m.deploy());
        let undo = match m.phase {
            Phase::Create | Phase::Global => format!(
                "delete the new ECA {eca} only (the connected app stays untouched): `{}`",
                deploy::delete_command(wave, eca)
            ),
            Phase::Access => {
                "remove the assignments, then delete the new permission sets in Setup".into()
            }
            Phase::Policies => format!("redeploy the snapshot: `{}`", m.restore()),
            Phase::Migrated => format!(
                "redeploy the snapshot: `{}`; to undo the migration itself, delete the ECA (the connected app becomes editable again; never delete the connected app)",
                m.restore()
            ),
        };
        let _ = writeln!(s, "   - rollback: {undo}");
    }
}

/// The step that gives an app's users its access permission set, before its policies.
fn assignment_step(s: &mut String, step: usize, a: &Assignment) {
    if a.grants_unknown > 0 {
        let _ = writeln!(
            s,
            "{step}. STOP: {} user(s) use this admin-approved app, but no profile or permission set that grants it is known (none in its connected app file, no SetupEntityAccess export), and the policy deploy below names only `{}`: it would refuse every one of them. Export SetupEntityAccess and PermissionSetAssignment and plan again so that the policies keep today's grants, before going on",
            a.grants_unknown,
            clean(&a.permission_set)
        );
        return;
    }
    if a.unnamed > 0 {
        // Assigning the named users alone would still lock the others out at the policy deploy.
        let _ = writeln!(
            s,
            "{step}. STOP: {} user(s) of this app are known only by their ids (plan.json access.unnamed), and `sf org assign permset` takes usernames. The policy deploy below makes the app admin-approved and refuses everyone not granted: export User (with Username) and plan again so that every user is named and assigned `{}` first, before going on",
            a.unnamed,
            clean(&a.permission_set)
        );
        return;
    }
    if a.commands.is_empty() {
        let _ = writeln!(
            s,
            "{step}. STOP: no user of this app is known to assign `{}` to (the usage exports do not show one). The policy deploy below makes the app admin-approved and refuses everyone not granted: {}, before going on",
            clean(&a.permission_set),
            crate::plan::access::nobody_known_action(&a.missing_exports)
        );
        return;
    }
    let file = a
        .file
        .as_deref()
        .map(|f| format!(" listed in `{f}`"))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "{step}. Assign `{}` to the {} active user(s){file} BEFORE the deploys below (its policies make the app admin-approved) (in a sandbox: the sandbox usernames, with their suffix); run them from the output folder (each writes its JSON to `$ECA_RUN_DIR/deploy-results/`); each command must exit 0 (68: some assignments failed, 1: all failed — fix the cause, then assign the users its JSON lists under `result.failures`, not the whole command again: the users it did assign would now fail as duplicates, UNVERIFIED):",
        clean(&a.permission_set),
        a.users
    );
    for c in &a.commands {
        let _ = writeln!(s, "   - `{}`", clean(c));
    }
    let _ = writeln!(
        s,
        "   - check: Setup → Permission Sets → {} → Manage Assignments lists every one of them",
        clean(&a.permission_set)
    );
    let _ = writeln!(s, "   - rollback: remove these assignments (`sf org assign permset` has no undo: Setup → the permission set → Manage Assignments → Remove)");
}

/// Input text made safe for a terminal or a Markdown table (no controls, no bidi overrides,
/// no table-breaking pipes).
/// The README's environment variables: the production values as comments (nothing is set by
/// pasting the block) and a guard per variable that stops the deploy when it is unset.
fn env_block(s: &mut String, params: &[&Parameter]) {
    s.push_str("\n## Environment variables\n\n");
    // Nothing is set by pasting this block: the production values are comments, so that a
    // sandbox rehearsal can never deploy to production by default, and an unset variable
    // still stops the deploy before anything reaches the org.
    s.push_str("Set them before every command below, for the org you deploy to: the sandbox first,\nproduction only after the rehearsal. Nothing below sets them for you: the production\nvalues are shown as comments; for a sandbox use its values (usernames carry the sandbox\nsuffix, My Domain is `<domain>--<sandbox>.sandbox.my.salesforce.com`). An unset variable\nstops the deploy before anything reaches the org (no `allowUnsetEnvVariable`).\n\n");
    s.push_str(
        "```bash\n# export ECA_TARGET_ORG='<sf alias of the sandbox, later of production>'\n# export ECA_RUN_DIR='<an absolute path to a folder outside this output folder, kept for the whole migration>'\n",
    );
    for p in params {
        if p.default.is_empty() {
            let _ = writeln!(
                s,
                "# export {}=   # no value in the inputs: see its note below",
                p.variable
            );
            continue;
        }
        let _ = writeln!(
            s,
            "# export {}='{}'   # production value",
            p.variable,
            crate::text::sanitize(&p.default, false).replace('\'', "'\\''")
        );
    }
    s.push_str(": \"${ECA_TARGET_ORG:?set ECA_TARGET_ORG to the sf alias of the target org}\"\n");
    // Made absolute: the commands run from eca/ and eca-global/, where a relative path would
    // put the snapshots inside the projects (or fail the redirections).
    s.push_str(": \"${ECA_RUN_DIR:?set ECA_RUN_DIR to a folder outside the output folder}\" && mkdir -p \"$ECA_RUN_DIR/rollback\" \"$ECA_RUN_DIR/deploy-results\" && export ECA_RUN_DIR=\"$(cd \"$ECA_RUN_DIR\" && pwd)\"\n");
}

/// The variables the files of `apps` use (one app, as the README calls it), each stopping the
/// commands while it is unset: a value another app needs (a certificate not uploaded yet)
/// holds up no other app.
fn wave_guards(
    s: &mut String,
    apps: &[(String, String, bool)],
    params: &[&Parameter],
    used: &[Used],
) {
    let mine = |p: &&&Parameter| match p.eca.as_deref() {
        Some(e) => apps.iter().any(|(eca, _, _)| eca == e),
        // An org-wide value (My Domain): where one of the wave's files uses it.
        None => used.iter().any(|u| {
            u.variable == p.variable && apps.iter().any(|(eca, _, _)| file_of(&u.path, eca))
        }),
    };
    let wanted: Vec<&&Parameter> = params.iter().filter(mine).collect();
    if wanted.is_empty() {
        return;
    }
    s.push_str("The variables this app's files use; run before its commands (each stops them while unset):\n\n```bash\n");
    for p in wanted {
        let _ = writeln!(
            s,
            ": \"${{{}:?set {} for the target org}}\"",
            p.variable, p.variable
        );
    }
    s.push_str("```\n\n");
}

/// Is `path` a file of the ECA `eca` (its components are named `<eca>` or `<eca>_<suffix>`)?
fn file_of(path: &str, eca: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_prefix(eca)
        .is_some_and(|rest| rest.starts_with('_') || rest.starts_with('.'))
}

/// The README's table of parameters: what each is, its ECA, and the files that use it.
fn parameter_table(s: &mut String, params: &[&Parameter], used: &[Used]) {
    s.push_str("```\n\n| variable | what | ECA | files | note |\n|---|---|---|---|---|\n");
    for p in params {
        let files: BTreeSet<&str> = used
            .iter()
            .filter(|u| u.variable == p.variable)
            .map(|u| u.path.as_str())
            .collect();
        let files = if files.is_empty() {
            "none yet".to_string()
        } else {
            files
                .into_iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} | {} |",
            p.variable,
            p.what,
            clean(p.eca.as_deref().unwrap_or("all")),
            files,
            clean(p.note.as_deref().unwrap_or(""))
        );
    }
}

fn clean(s: &str) -> String {
    crate::text::sanitize(s, false).replace('|', "\\|")
}

fn phase_text(p: Phase) -> &'static str {
    match p {
        Phase::Access => {
            "access permission sets of every app of the wave; before any policy and any assignment"
        }
        Phase::Create => "header and settings of this ECA, created from files",
        Phase::Global => "its global OAuth settings, from the eca-global/ project",
        Phase::Policies => "its policies, after its header and settings",
        Phase::Migrated => "policies of an ECA created by App Manager",
    }
}

/// `sfdx-project.json` with one `filename` replacement per placeholder and file under
/// `prefix` (paths relative to the project).
fn sfdx_project(api: ApiVersion, package_dir: &str, prefix: &str, used: &[Used]) -> String {
    let mut sorted: Vec<&Used> = used.iter().filter(|u| u.path.starts_with(prefix)).collect();
    sorted.sort();
    let replacements: Vec<serde_json::Value> = sorted
        .iter()
        .map(|u| {
            serde_json::json!({
                "filename": u.path.trim_start_matches(prefix),
                "stringToReplace": u.placeholder,
                "replaceWithEnv": u.variable,
            })
        })
        .collect();
    let mut value = serde_json::json!({
        "packageDirectories": [{ "path": package_dir, "default": true }],
        "name": if prefix == "eca/" { "ecaplan-eca" } else { "ecaplan-eca-global" },
        "namespace": "",
        "sourceApiVersion": api.display(),
    });
    if !replacements.is_empty() {
        value["replacements"] = serde_json::Value::Array(replacements);
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

const README_HEAD: &str = "\
# Deploying the generated ECA metadata (ecaplan)

Two projects: `eca/` (source-controlled: headers, settings, policies, access permission sets)
and `eca-global/` (global OAuth settings: callback URLs, certificate, flow switches; never in
source control). `eca-global/` is its own sfdx project with its own `sfdx-project.json` and
manifests, so its files deploy from where they are, without being copied into `eca/` (a
`--source-dir` outside the project's package directories is not documented; a manifest of the
project's own package directory is).

Each wave deploys in the order below, one manifest per phase and app (the access permission
sets: one per wave), every command from the output folder (the one holding `eca/` and
`eca-global/`): snapshot the current state first (the rollback artefact, mdapi format, into
`$ECA_RUN_DIR/rollback/`), validate with `--dry-run`, then deploy and keep the JSON result in
`$ECA_RUN_DIR/deploy-results/`. `ECA_RUN_DIR` is a folder OUTSIDE this output folder, kept for
the whole migration: re-running ecaplan replaces the output folder whole (and refuses while
anything it did not write is in it), but never touches `$ECA_RUN_DIR`, so every wave's
snapshots and results stay (set it and create both folders first, below). No `--test-level`: these manifests hold no
Apex, so production runs no tests; never `NoTestRun` or `--ignore-errors` in production. Run
every wave in a sandbox first, with the sandbox values of the variables.

The order of the types inside one deployment is not documented (UNVERIFIED): the phases keep
headers and settings apart from the policies; every manifest that names an ECA names only that
one (an app's deploy never includes another app's ECA), and ECAs created by App Manager
(\"Migrate\") are deployed only after the button has created them.
";

/// Add the project files (manifests per wave and phase, `sfdx-project.json` with the
/// replacements of `used`, the README) and the guard files, and sort everything by path.
pub(super) fn finish(
    bundle: Bundle,
    layout: &Layout,
    api: ApiVersion,
    params: &[crate::plan::params::Parameter],
    used: &[super::placeholders::Used],
) -> Vec<GeneratedFile> {
    let mut files = bundle.files;
    if files.is_empty() {
        return files;
    }
    let has_global = files.iter().any(|f| f.path.starts_with("eca-global/"));
    files.extend(layout.files(api, params, used));
    if has_global {
        files.push(GeneratedFile {
            path: "eca-global/.gitignore".into(),
            contents: "# Global OAuth settings must never enter source control (ecaplan).\n*\n"
                .into(),
        });
        files.push(GeneratedFile {
            path: "eca-global/README.md".into(),
            contents: GLOBAL_README.into(),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

const GLOBAL_README: &str = "\
# eca-global: global OAuth settings (keep out of source control)

These `.ecaGlblOauth` files hold each ECA's callback URLs, JWT certificate and OAuth flow
switches. Salesforce says global OAuth settings \"can't be packaged and must not be added to
source control\", so ecaplan writes them here, outside the `eca/` project, with a `.gitignore`
that ignores everything in this folder.

They contain no consumer key and no consumer secret: Salesforce issues new credentials when the
ECA is deployed. This folder is its own sfdx project (`sfdx-project.json`, package directory
`extlClntAppGlobalOauthSets`) with one manifest per wave and ECA,
`manifest/wave-N/3-global-<ECA>.xml`: deploy it from here, in the order and with the commands
of `../eca/README.md`; never copy these files into `eca/`. A target-org value in these files
(such as My Domain), when there is one, is a placeholder replaced at deploy time from an
environment variable (`replacements` in this folder's `sfdx-project.json`, absent when no file
holds one).
";

#[cfg(test)]
mod tests {
    use super::*;

    fn members(list: &[(&'static str, &str)]) -> Members {
        let mut m = Members::new();
        for (t, n) in list {
            m.entry(*t).or_default().insert((*n).to_string());
        }
        m
    }

    #[test]
    fn new_and_migrated_ecas_never_share_a_manifest() {
        let mut lay = Layout::default();
        let full = members(&[
            ("ExternalClientApplication", "A_ECA"),
            ("ExtlClntAppOauthSettings", "A_ECA_oauth"),
            ("ExtlClntAppOauthConfigurablePolicies", "A_ECA_oauthPlcy"),
            ("PermissionSet", "A_ECA_ECA_Access"),
        ]);
        let global = members(&[("ExtlClntAppGlobalOauthSettings", "A_ECA_glbloauth")]);
        let at = AppPlace {
            wave: 2,
            full: true,
            oauth: true,
            eca: "A_ECA",
            app: "A",
            assignment: None,
            before: &[],
            after: &[],
            after_button: &[],
            validation: &[],
        };
        lay.add(&at, &full, &global);
        let hard = members(&[
            ("ExtlClntAppOauthConfigurablePolicies", "B_oauthPlcy"),
            ("PermissionSet", "B_ECA_Access"),
        ]);
        let at = AppPlace {
            wave: 2,
            full: false,
            oauth: true,
            eca: "B",
            app: "B",
            assignment: None,
            before: &[],
            after: &[],
            after_button: &[],
            validation: &[],
        };
        lay.add(&at, &hard, &Members::new());
        // A second ECA created from files in the same wave, without global OAuth settings.
        let saml = members(&[
            ("ExternalClientApplication", "C_ECA"),
            ("ExtlClntAppSamlConfigurablePolicies", "C_ECA_samlPlcy"),
            ("PermissionSet", "C_ECA_ECA_Access"),
        ]);
        let at = AppPlace {
            wave: 2,
            full: true,
            oauth: false,
            eca: "C_ECA",
            app: "C",
            assignment: None,
            before: &[],
            after: &[],
            after_button: &[],
            validation: &[],
        };
        lay.add(&at, &saml, &Members::new());
        let used = [Used {
            path: "eca/force-app/x.ecaOauthPlcy-meta.xml".into(),
            placeholder: "__ECA_B_RUN_AS__".into(),
            variable: "ECA_B_RUN_AS".into(),
        }];
        let files = lay.files(ApiVersion(66), &[], &used);
        let get = |p: &str| {
            files
                .iter()
                .find(|f| f.path == p)
                .unwrap_or_else(|| panic!("no {p}"))
                .contents
                .clone()
        };
        let access = get("eca/manifest/wave-2/1-access.xml");
        assert!(access.contains("A_ECA_ECA_Access") && access.contains("B_ECA_Access"));
        assert!(access.contains("C_ECA_ECA_Access") && !access.contains("ExtlClntApp"));
        let create = get("eca/manifest/wave-2/2-create-A_ECA.xml");
        assert!(create.contains("<members>A_ECA</members>") && !create.contains("B_"));
        assert!(!create.contains("C_ECA"));
        let global = get("eca-global/manifest/wave-2/3-global-A_ECA.xml");
        assert!(global.contains("A_ECA_glbloauth"));
        let policies = get("eca/manifest/wave-2/4-policies-A_ECA.xml");
        assert!(policies.contains("A_ECA_oauthPlcy") && !policies.contains("B_oauthPlcy"));
        assert!(!policies.contains("C_ECA"));
        let c_create = get("eca/manifest/wave-2/2-create-C_ECA.xml");
        assert!(c_create.contains("<members>C_ECA</members>") && !c_create.contains("A_ECA"));
        let c_policies = get("eca/manifest/wave-2/4-policies-C_ECA.xml");
        assert!(c_policies.contains("C_ECA_samlPlcy") && !c_policies.contains("A_ECA"));
        assert!(!files.iter().any(|f| f.path.contains("3-global-C_ECA")
            || f.path.ends_with("2-create.xml")
            || f.path.ends_with("4-policies.xml")));
        let migrated = get("eca/manifest/wave-2/5-migrated-B.xml");
        assert!(migrated.contains("B_oauthPlcy") && !migrated.contains("A_ECA"));
        let delete = get("eca/manifest/wave-2/rollback-delete-A_ECA.xml");
        assert!(delete.contains("A_ECA_glbloauth") && !delete.contains("oauthPlcy"));
        assert!(!delete.contains("C_ECA"));
        // The README: per app, its own manifests in order, its rollback deletes only its ECA.
        let readme = get("eca/README.md");
        let section = |title: &str| {
            let start = readme.find(title).unwrap_or_else(|| panic!("no {title}"));
            let rest = &readme[start..];
            let end = rest[1..].find("\n### ").map_or(rest.len(), |e| e + 1);
            rest[..end].to_string()
        };
        let a = section("### A (ECA A_ECA)");
        let order: Vec<usize> = ["2-create-A_ECA", "3-global-A_ECA", "4-policies-A_ECA"]
            .iter()
            .map(|m| a.find(m).unwrap_or_else(|| panic!("{m} not in {a}")))
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{a}");
        assert!(
            a.contains("rollback-delete-A_ECA") && !a.contains("C_ECA"),
            "{a}"
        );
        let c = section("### C (ECA C_ECA)");
        assert!(
            c.contains("rollback-delete-C_ECA") && !c.contains("A_ECA") && !c.contains("3-global"),
            "{c}"
        );
        assert!(readme.find("1-access.xml") < readme.find("### A (ECA A_ECA)"));
        let project = get("eca/sfdx-project.json");
        assert!(project.contains("\"filename\": \"force-app/x.ecaOauthPlcy-meta.xml\""));
        assert!(project.contains("\"replaceWithEnv\": \"ECA_B_RUN_AS\""));
        assert!(!project.contains("allowUnsetEnvVariable"));
    }

    #[test]
    fn a_wave_guards_only_the_variables_of_its_files() {
        let mut a = Parameter::new(
            "ECA_A_RUN_AS".into(),
            "a@x.example".into(),
            Some("A"),
            "run-as",
        );
        a.note = None;
        let b = Parameter::new("ECA_B_CERT".into(), String::new(), Some("B"), "cert");
        let host = Parameter::new(
            "ECA_MY_DOMAIN".into(),
            "x.my.salesforce.com".into(),
            None,
            "host",
        );
        let used = [Used {
            path: "eca/force-app/main/default/extlClntAppSamlConfigurablePolicies/B_samlPlcy.ecaSamlPlcy-meta.xml".into(),
            placeholder: "__ECA_MY_DOMAIN__".into(),
            variable: "ECA_MY_DOMAIN".into(),
        }];
        let params = [&a, &b, &host];
        let mut s = String::new();
        wave_guards(&mut s, &[("A".into(), "A".into(), false)], &params, &used);
        assert!(
            s.contains("ECA_A_RUN_AS") && !s.contains("ECA_B_CERT") && !s.contains("MY_DOMAIN"),
            "{s}"
        );
        let mut s = String::new();
        wave_guards(&mut s, &[("B".into(), "B".into(), true)], &params, &used);
        assert!(
            s.contains("ECA_B_CERT") && s.contains("ECA_MY_DOMAIN") && !s.contains("ECA_A_"),
            "{s}"
        );
        assert!(!file_of("eca/x/AB_plcy.ecaPlcy-meta.xml", "A"));
    }
}
