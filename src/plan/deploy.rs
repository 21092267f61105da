//! Deploy phases (issue 12, reference deploy-and-cli §2-§4): one manifest per wave and
//! phase, and per app for every manifest that names an ECA, so that no deployment mixes ECAs
//! created from files with ECAs that App Manager creates, no app's runbook deploys another
//! app's ECA (one app's missing prerequisite, such as an Apex handler, fails only its own
//! deploy), and every deploy is preceded by a rollback snapshot. The plan decides these paths, their
//! order and commands (its runbook steps name them); the generator writes the manifests and
//! `eca/README.md` from them.
//!
//! Order within a wave:
//! 1. `eca/manifest/wave-N/1-access.xml`: the access permission sets of every app of the wave
//!    (they name no ECA; the policies and the assignments need them first).
//! 2. `eca/manifest/wave-N/2-create-<ECA>.xml`: per app, the header and settings of an ECA
//!    created from files.
//! 3. `eca-global/manifest/wave-N/3-global-<ECA>.xml`: its global OAuth settings, deployed
//!    from the `eca-global/` project (its own `sfdx-project.json`), never copied into `eca/`.
//! 4. `eca/manifest/wave-N/4-policies-<ECA>.xml`: its policies.
//! 5. `eca/manifest/wave-N/5-migrated-<ECA>.xml`: per app, the policies of an ECA that App
//!    Manager's "Migrate" created earlier in that app's runbook.

/// A deploy phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Access permission sets.
    Access,
    /// Headers and settings of ECAs created from files.
    Create,
    /// Global OAuth settings (from `eca-global/`).
    Global,
    /// Policies of ECAs created from files.
    Policies,
    /// Policies of an ECA created by App Manager.
    Migrated,
}

impl Phase {
    /// The phases of one app, in deploy order (after the wave's [`Phase::Access`]).
    pub const PER_APP: [Phase; 4] = [
        Phase::Create,
        Phase::Global,
        Phase::Policies,
        Phase::Migrated,
    ];

    /// Is this phase of a new ECA undone by deleting the ECA (its destructive manifest)?
    pub fn undone_by_delete(self) -> bool {
        matches!(self, Phase::Create | Phase::Global)
    }
}

/// One manifest: its project folder and path inside it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Manifest {
    /// Wave number.
    pub wave: usize,
    /// Phase.
    pub phase: Phase,
    /// `eca` or `eca-global`.
    pub project: &'static str,
    /// Relative to the project folder.
    pub path: String,
}

impl Manifest {
    /// The manifest of `phase` in `wave` (`eca`: the ECA name, in every manifest but the
    /// wave's [`Phase::Access`] one).
    pub fn new(wave: usize, phase: Phase, eca: &str) -> Manifest {
        let (project, file) = match phase {
            Phase::Access => ("eca", "1-access.xml".to_string()),
            Phase::Create => ("eca", format!("2-create-{eca}.xml")),
            Phase::Global => ("eca-global", format!("3-global-{eca}.xml")),
            Phase::Policies => ("eca", format!("4-policies-{eca}.xml")),
            Phase::Migrated => ("eca", format!("5-migrated-{eca}.xml")),
        };
        Manifest {
            wave,
            phase,
            project,
            path: format!("manifest/wave-{wave}/{file}"),
        }
    }

    /// Path relative to the output folder.
    pub fn output_path(&self) -> String {
        format!("{}/{}", self.project, self.path)
    }

    /// The rollback snapshot folder, under `$ECA_RUN_DIR` (outside the output folder, which a
    /// later run replaces whole).
    fn snapshot(&self) -> String {
        let stem = self
            .path
            .trim_start_matches("manifest/")
            .trim_end_matches(".xml");
        format!("$ECA_RUN_DIR/rollback/{stem}")
    }

    /// Retrieve the current state of the manifest's components as the rollback artefact.
    pub fn retrieve(&self) -> String {
        format!(
            "(cd {} && sf project retrieve start --manifest {} --target-org \"$ECA_TARGET_ORG\" --target-metadata-dir \"{}\" --unzip)",
            self.project,
            self.path,
            self.snapshot()
        )
    }

    /// Validate without saving (no test level: an ECA-only manifest runs no tests).
    pub fn dry_run(&self) -> String {
        format!(
            "(cd {} && sf project deploy start --manifest {} --target-org \"$ECA_TARGET_ORG\" --dry-run --verbose)",
            self.project, self.path
        )
    }

    /// The deploy, its JSON result saved to check `result.replacements`.
    pub fn deploy(&self) -> String {
        let stem = self.path.trim_start_matches("manifest/").replace('/', "-");
        format!(
            "(cd {} && sf project deploy start --manifest {} --target-org \"$ECA_TARGET_ORG\" --verbose --json > \"$ECA_RUN_DIR/deploy-results/{}.json\")",
            self.project,
            self.path,
            stem.trim_end_matches(".xml")
        )
    }

    /// Undo: redeploy the snapshot (mdapi format: no replacements are applied, the values
    /// are the org's own). `--unzip` extracts `unpackaged.zip` into a folder of its name, and
    /// the zip of a manifest retrieve holds `unpackaged/package.xml` (source-deploy-retrieve's
    /// `MetadataApiRetrieve.post`): the package is at `<snapshot>/unpackaged/unpackaged`.
    pub fn restore(&self) -> String {
        format!(
            "(cd {} && sf project deploy start --metadata-dir \"{}/unpackaged/unpackaged\" --target-org \"$ECA_TARGET_ORG\")",
            self.project,
            self.snapshot()
        )
    }

    /// Whether the rollback of this manifest redeploys a snapshot taken before it: only
    /// policies change what exists. New permission sets and a new ECA are undone by deleting
    /// them, and a snapshot of global OAuth settings would write the consumer key and secret
    /// to disk (the org setting that allows that is on during the window).
    pub fn snapshot_needed(&self) -> bool {
        matches!(self.phase, Phase::Policies | Phase::Migrated)
    }

    /// One line for a runbook step: the rollback snapshot when one is needed, the dry run,
    /// then the deploy.
    pub fn commands(&self) -> String {
        let snapshot = if self.snapshot_needed() {
            format!("`{}` (rollback snapshot), then ", self.retrieve())
        } else {
            String::new()
        };
        format!("{snapshot}`{}`, then `{}`", self.dry_run(), self.deploy())
    }
}

/// The destructive manifest that deletes one new ECA (rollback of [`Phase::Create`] and
/// [`Phase::Global`] for that app only: the other ECAs of the wave may already be live).
pub fn destructive(wave: usize, eca: &str) -> String {
    format!("manifest/wave-{wave}/rollback-delete-{eca}.xml")
}

/// The empty manifest deployed with a destructive one.
pub const EMPTY: &str = "manifest/empty/package.xml";

/// The command that deletes one new ECA.
pub fn delete_command(wave: usize, eca: &str) -> String {
    format!(
        "(cd eca && sf project deploy start --manifest {EMPTY} --post-destructive-changes {} --target-org \"$ECA_TARGET_ORG\" --ignore-warnings)",
        destructive(wave, eca)
    )
}

/// The manifests an app's files go to: `full` (an ECA created from files) with `oauth` (it
/// has global OAuth settings), else an ECA created by App Manager.
pub fn manifests_of(full: bool, oauth: bool, wave: usize, eca: &str) -> Vec<Manifest> {
    let phases: &[Phase] = match (full, oauth) {
        (true, true) => &[Phase::Access, Phase::Create, Phase::Global, Phase::Policies],
        (true, false) => &[Phase::Access, Phase::Create, Phase::Policies],
        (false, _) => &[Phase::Access, Phase::Migrated],
    };
    phases
        .iter()
        .map(|p| Manifest::new(wave, *p, eca))
        .collect()
}

/// The phase of a metadata type for an app created from files (`full`) or by App Manager.
pub fn phase_of(type_name: &str, full: bool) -> Phase {
    let eca_type = type_name == "ExternalClientApplication" || type_name.starts_with("ExtlClntApp");
    if !eca_type {
        return Phase::Access;
    }
    if !full {
        return Phase::Migrated;
    }
    if type_name == "ExtlClntAppGlobalOauthSettings" {
        Phase::Global
    } else if type_name.contains("Policies") {
        Phase::Policies
    } else {
        Phase::Create
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_by_type() {
        assert_eq!(phase_of("PermissionSet", true), Phase::Access);
        assert_eq!(phase_of("PermissionSet", false), Phase::Access);
        assert_eq!(phase_of("ExternalClientApplication", true), Phase::Create);
        assert_eq!(phase_of("ExtlClntAppOauthSettings", true), Phase::Create);
        assert_eq!(
            phase_of("ExtlClntAppGlobalOauthSettings", true),
            Phase::Global
        );
        assert_eq!(
            phase_of("ExtlClntAppOauthConfigurablePolicies", true),
            Phase::Policies
        );
        assert_eq!(
            phase_of("ExtlClntAppSamlConfigurablePolicies", true),
            Phase::Policies
        );
        assert_eq!(
            phase_of("ExtlClntAppOauthConfigurablePolicies", false),
            Phase::Migrated
        );
    }

    #[test]
    fn commands_never_skip_tests_or_errors() {
        for m in manifests_of(true, true, 2, "A")
            .into_iter()
            .chain(manifests_of(false, true, 2, "B"))
        {
            for c in [m.retrieve(), m.dry_run(), m.deploy(), m.restore()] {
                assert!(
                    !c.contains("NoTestRun") && !c.contains("--ignore-errors"),
                    "{c}"
                );
            }
            assert!(m.dry_run().contains("--dry-run"));
            // A snapshot where a rollback redeploys one, and none of global OAuth settings.
            assert_eq!(
                m.commands().contains("--target-metadata-dir"),
                matches!(m.phase, Phase::Policies | Phase::Migrated),
                "{m:?}"
            );
        }
        assert_eq!(
            Manifest::new(3, Phase::Migrated, "X").output_path(),
            "eca/manifest/wave-3/5-migrated-X.xml"
        );
        assert_eq!(
            Manifest::new(3, Phase::Global, "X").output_path(),
            "eca-global/manifest/wave-3/3-global-X.xml"
        );
        assert_eq!(
            Manifest::new(3, Phase::Access, "X").output_path(),
            "eca/manifest/wave-3/1-access.xml"
        );
    }

    /// The rollback redeploys the folder that holds the snapshot's package.xml: the retrieve
    /// writes the org's zip (entries under `unpackaged/`, as the sample retrieve holds them)
    /// and `--unzip` extracts it into `<target-metadata-dir>/unpackaged`, as
    /// source-deploy-retrieve does; the restore's `--metadata-dir` must be where that puts
    /// package.xml.
    #[test]
    fn the_restore_points_at_the_extracted_package() {
        let m = Manifest::new(2, Phase::Migrated, "X");
        let arg = |cmd: &str, flag: &str| {
            let at = cmd.find(flag).expect(flag) + flag.len() + 2;
            cmd[at..].split('"').next().unwrap_or_default().to_string()
        };
        let target = arg(&m.retrieve(), "--target-metadata-dir");
        let restore = arg(&m.restore(), "--metadata-dir");
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/northwind/mdapi");
        let file = std::fs::File::open(format!("{root}/subsidiary-retrieve.zip")).expect("zip");
        let zip = zip::ZipArchive::new(file).expect("zip");
        let extracted: Vec<String> = zip
            .file_names()
            .filter_map(Result::ok)
            .map(|n| format!("{target}/unpackaged/{n}"))
            .collect();
        assert!(
            extracted.contains(&format!("{restore}/package.xml")),
            "{restore} / {extracted:?}"
        );
    }
}
