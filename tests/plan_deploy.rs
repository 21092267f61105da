//! Issue 12, defects 2 and 3 on `samples/northwind`: deploy phases (one manifest per wave and
//! phase, every policy after its ECA) and target-org values as parameters (no username, My
//! Domain or issuer from the inputs in a generated file; a replacement for every placeholder).
#![allow(clippy::print_stderr)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn planned() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let run = common::plan_samples(&out, &[]);
    assert!(
        run.status.success(),
        "plan failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    (dir, out)
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Text of every element `tag` in the XML files under `dir`.
fn element_values(dir: &Path, tags: &[&str]) -> BTreeSet<String> {
    let mut values = BTreeSet::new();
    for f in files_under(dir) {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        for tag in tags {
            let open = format!("<{tag}>");
            let close = format!("</{tag}>");
            for part in text.split(&open).skip(1) {
                if let Some(v) = part.split(&close).next() {
                    for line in v.split(['\n', '\r']) {
                        let line = line.trim();
                        if !line.is_empty() {
                            values.insert(line.to_string());
                        }
                    }
                }
            }
        }
    }
    values
}

/// The org hosts (My Domain and the like) in a text.
fn hosts(text: &str) -> BTreeSet<String> {
    let lower = text.to_ascii_lowercase();
    lower
        .match_indices("://")
        .filter_map(|(at, _)| {
            let rest = &lower[at + 3..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
                .unwrap_or(rest.len());
            let host = &rest[..end];
            (host.ends_with(".my.salesforce.com")
                || host.ends_with(".my.site.com")
                || host.ends_with(".force.com"))
            .then(|| host.to_string())
        })
        .collect()
}

/// Every username, issuer and My Domain host of the inputs: run-as, handler and client
/// credentials users and SAML issuers of the metadata, the Username column of the usage User
/// exports, and every org host in any input file.
fn input_values() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/northwind");
    let mut values = element_values(
        &root,
        &[
            "oauthClientCredentialUser",
            "pluginExecutionUser",
            "clientCredentialsFlowUser",
            "executeHandlerAs",
            "issuer",
        ],
    );
    for f in files_under(&root.join("usage")) {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with("User") && name.ends_with(".csv") {
            let mut lines = text.lines();
            let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
            if let Some(col) = header.iter().position(|h| *h == "Username") {
                for l in lines {
                    if let Some(u) = l.split(',').nth(col).filter(|u| !u.is_empty()) {
                        values.insert(u.to_string());
                    }
                }
            }
        }
    }
    for f in files_under(&root) {
        if let Ok(text) = std::fs::read_to_string(&f) {
            values.extend(hosts(&text));
        }
    }
    values
}

#[test]
fn no_target_org_value_in_generated_files_and_every_placeholder_is_replaced() {
    let (_dir, out) = planned();
    let values = input_values();
    assert!(
        values.iter().any(|v| v.contains('@')) && values.iter().any(|v| v.contains(".my.")),
        "the samples must hold usernames and a My Domain: {values:?}"
    );
    let mut generated = files_under(&out.join("eca"));
    generated.extend(files_under(&out.join("eca-global")));
    assert!(generated.len() > 10, "{generated:?}");
    let mut placeholders: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &generated {
        let rel = f
            .strip_prefix(&out)
            .expect("under out")
            .to_string_lossy()
            .replace('\\', "/");
        // The README documents the production values on purpose (never deployed).
        if rel == "eca/README.md" {
            continue;
        }
        let text = std::fs::read_to_string(f).expect("read");
        let lower = text.to_ascii_lowercase();
        for v in &values {
            assert!(
                !lower.contains(&v.to_ascii_lowercase()),
                "{rel} contains the input value {v}"
            );
        }
        // The project files name the placeholders they replace.
        let placeholders_here = !rel.ends_with("sfdx-project.json");
        for part in text.split("__ECA_").skip(1).filter(|_| placeholders_here) {
            if let Some(name) = part.split("__").next() {
                placeholders
                    .entry(rel.clone())
                    .or_default()
                    .insert(format!("__ECA_{name}__"));
            }
        }
    }
    assert!(!placeholders.is_empty(), "no placeholder written");
    let plan = common::plan_json(&out);
    let declared: BTreeSet<String> = plan["parameters"]
        .as_array()
        .expect("plan.json parameters")
        .iter()
        .map(|p| p["variable"].as_str().expect("variable").to_string())
        .collect();
    let readme = std::fs::read_to_string(out.join("eca/README.md")).expect("README");
    for (rel, phs) in &placeholders {
        let (project, inner) = rel.split_once('/').expect("project/file");
        let sfdx: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(out.join(project).join("sfdx-project.json"))
                .expect("sfdx-project.json"),
        )
        .expect("json");
        let reps = sfdx["replacements"].as_array().expect("replacements");
        for ph in phs {
            let var = ph.trim_matches('_');
            let hit = reps.iter().any(|r| {
                r["filename"] == inner
                    && r["stringToReplace"] == ph.as_str()
                    && r["replaceWithEnv"] == var
                    && r.get("allowUnsetEnvVariable").is_none()
                    && r.get("glob").is_none()
            });
            assert!(
                hit,
                "{project}/sfdx-project.json has no replacement of {ph} in {inner}"
            );
            assert!(declared.contains(var), "plan.json does not list {var}");
            assert!(
                readme.contains(&format!("export {var}=")),
                "README lacks {var}"
            );
        }
    }
}

/// The run-as parameters of one ECA.
fn run_as_params<'a>(
    params: &'a [serde_json::Value],
    eca: &'a str,
) -> impl Iterator<Item = &'a serde_json::Value> {
    params.iter().filter(move |p| {
        p["eca"] == eca && p["what"].as_str().is_some_and(|w| w.contains("run-as"))
    })
}

#[test]
fn shared_and_admin_run_as_users_are_not_reasserted() {
    let (_dir, out) = planned();
    let plan = common::plan_json(&out);
    let params = plan["parameters"].as_array().expect("parameters");
    // Apps with an open ECA207 (shared user) or ECA210 (admin user) finding.
    let replaced: Vec<&str> = plan["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .filter(|a| {
            a["findings"].as_array().is_some_and(|f| {
                f.iter().any(|f| {
                    f.as_str()
                        .is_some_and(|s| s.starts_with("ECA207") || s.starts_with("ECA210"))
                })
            })
        })
        .filter_map(|a| a["eca_name"].as_str())
        .collect();
    assert!(
        !replaced.is_empty(),
        "the samples have a shared run-as user"
    );
    let tasks = plan["waves"][0]["tasks"].to_string();
    let mut kept = 0;
    for eca in replaced {
        let app = plan["apps"]
            .as_array()
            .expect("apps")
            .iter()
            .find(|a| a["eca_name"] == eca)
            .expect("app");
        if app["strategy"] == "automated" {
            // The Migrate button keeps today's user: the policy names it, wave 0 creates no
            // user, and the finding says the replacement is a later change.
            for p in run_as_params(params, eca) {
                let default = p["default"].as_str().expect("default");
                let note = p["note"].as_str().unwrap_or_default();
                assert!(note.contains("kept by the migration"), "{eca}: {p}");
                assert!(!tasks.contains(default), "wave 0 creates {default}");
                let checks = app["runbook"]["pre_checks"].to_string();
                assert!(
                    checks.contains("the migration keeps this user"),
                    "{eca}: {checks}"
                );
                kept += 1;
            }
            continue;
        }
        for p in run_as_params(params, eca) {
            let default = p["default"].as_str().expect("default");
            assert!(p["note"].is_string(), "{eca}: {p}");
            assert!(tasks.contains(default), "wave 0 does not create {default}");
            assert!(
                !default.starts_with("erp.integration@") && !default.starts_with("admin@"),
                "{default}"
            );
            let app = plan["apps"]
                .as_array()
                .expect("apps")
                .iter()
                .find(|a| a["eca_name"] == eca)
                .expect("app");
            let note = p["note"].as_str().unwrap_or_default();
            let old_user = note
                .split_once("replaces ")
                .and_then(|(_, rest)| rest.split(' ').next())
                .unwrap_or_default();
            assert!(old_user.contains('@'), "{p}");
            assert!(
                !app["runbook"]["steps"].to_string().contains(old_user),
                "{eca}: a runbook step re-asserts {old_user}"
            );
            // The finding about today's user says what the plan does about it.
            let checks = app["runbook"]["pre_checks"].to_string();
            assert!(
                checks.contains(&format!("the plan runs the ECA as {default} instead")),
                "{eca}: {checks}"
            );
        }
    }
    // ERP_Sync, Warehouse_Events (shared) and Finance_Close (admin).
    assert!(kept >= 3, "{kept}");
}

/// `<types><members>…</members><name>T</name></types>` of a manifest.
fn manifest_members(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for block in text.split("<types>").skip(1) {
        let block = block.split("</types>").next().unwrap_or_default();
        let name = block
            .split("<name>")
            .nth(1)
            .and_then(|s| s.split("</name>").next())
            .unwrap_or_default()
            .to_string();
        for m in block.split("<members>").skip(1) {
            if let Some(m) = m.split("</members>").next() {
                out.push((name.clone(), m.to_string()));
            }
        }
    }
    out
}

/// The ECA a satellite file links to (`externalClientApplication`).
fn eca_of(out: &Path, member: &str) -> Option<String> {
    for f in files_under(&out.join("eca/force-app"))
        .into_iter()
        .chain(files_under(&out.join("eca-global")))
    {
        let name = f.file_name()?.to_str()?;
        if name.split('.').next() == Some(member) {
            let text = std::fs::read_to_string(&f).ok()?;
            return text
                .split("<externalClientApplication>")
                .nth(1)?
                .split("</externalClientApplication>")
                .next()
                .map(String::from);
        }
    }
    None
}

#[test]
fn every_policy_or_setting_follows_the_creation_of_its_eca() {
    let (_dir, out) = planned();
    let plan = common::plan_json(&out);
    let mut manifests: Vec<(usize, String, PathBuf)> = Vec::new();
    for project in ["eca", "eca-global"] {
        for f in files_under(&out.join(project).join("manifest")) {
            let rel = f
                .strip_prefix(&out)
                .expect("rel")
                .to_string_lossy()
                .replace('\\', "/");
            let Some(wave) = rel
                .split("/wave-")
                .nth(1)
                .and_then(|s| s.split('/').next())
                .and_then(|n| n.parse().ok())
            else {
                continue;
            };
            if rel.contains("rollback-") {
                continue;
            }
            manifests.push((wave, rel, f));
        }
    }
    assert!(
        !out.join("eca/manifest/package.xml").exists(),
        "the single manifest is gone"
    );
    // ECA headers deployed from files: (wave, phase file) where each is created.
    let mut created: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for (wave, rel, f) in &manifests {
        for (t, m) in manifest_members(&std::fs::read_to_string(f).expect("read")) {
            if t == "ExternalClientApplication" {
                created.insert(
                    m,
                    (
                        *wave,
                        rel.rsplit('/').next().unwrap_or_default().to_string(),
                    ),
                );
            }
        }
    }
    assert!(!created.is_empty());
    let mut checked = 0;
    for (wave, rel, f) in &manifests {
        let phase = rel.rsplit('/').next().unwrap_or_default();
        let members = manifest_members(&std::fs::read_to_string(f).expect("read"));
        let has_header = members
            .iter()
            .any(|(t, _)| t == "ExternalClientApplication");
        let migrated = phase.starts_with("5-migrated-");
        assert!(
            !(has_header && migrated),
            "{rel} mixes an App Manager ECA with one created from files"
        );
        for (t, m) in members {
            if !t.starts_with("ExtlClntApp") {
                continue;
            }
            let eca = eca_of(&out, &m).unwrap_or_else(|| panic!("{rel}: no file for {t} {m}"));
            checked += 1;
            if migrated {
                // Created by App Manager: its runbook presses Migrate in a step before the
                // one that names this manifest.
                let app = plan["apps"]
                    .as_array()
                    .expect("apps")
                    .iter()
                    .find(|a| a["eca_name"] == eca.as_str())
                    .unwrap_or_else(|| panic!("{rel}: no app for {eca}"));
                assert_eq!(app["strategy"], "automated", "{rel}: {eca}");
                assert_eq!(app["wave"].as_u64(), Some(*wave as u64), "{rel}");
                let steps: Vec<&str> = app["runbook"]["steps"]
                    .as_array()
                    .expect("steps")
                    .iter()
                    .filter_map(|s| s.as_str())
                    .collect();
                let button = steps
                    .iter()
                    .position(|s| s.contains("Migrate to External Client App"));
                let deploy = steps.iter().position(|s| {
                    s.contains(rel.as_str()) && s.contains("sf project deploy start --manifest")
                });
                assert!(
                    matches!((button, deploy), (Some(b), Some(d)) if b < d),
                    "{rel}: the runbook of {eca} must press Migrate before deploying: {steps:?}"
                );
                assert!(
                    !created.contains_key(&eca),
                    "{eca} is both migrated and created from files"
                );
            } else {
                let (w, p) = created.get(&eca).unwrap_or_else(|| {
                    panic!("{rel}: {t} {m} names {eca}, created by no manifest")
                });
                assert!(
                    (*w, p.as_str()) <= (*wave, phase),
                    "{rel}: {m} deploys before its ECA {eca} ({w} {p})"
                );
            }
        }
    }
    assert!(checked > 10, "only {checked} files checked");
    // Every manifest a runbook step names exists.
    for app in plan["apps"].as_array().expect("apps") {
        for s in app["runbook"]["steps"].as_array().expect("steps") {
            let s = s.as_str().unwrap_or_default();
            for part in s.split(['`', ' ', ',', ':']) {
                if part.ends_with(".xml") && part.contains("manifest/") && part.starts_with("eca") {
                    assert!(
                        out.join(part).is_file(),
                        "{}: {part} missing",
                        app["api_name"]
                    );
                }
            }
        }
    }
}

/// The ECA a manifest of one app names in its file name (`2-create-<ECA>.xml`,
/// `rollback-delete-<ECA>.xml`, …); `None` for the wave's `1-access.xml`.
fn eca_in_name(file: &str) -> Option<&str> {
    let stem = file.strip_suffix(".xml")?;
    [
        "2-create-",
        "3-global-",
        "4-policies-",
        "5-migrated-",
        "rollback-delete-",
    ]
    .iter()
    .find_map(|p| stem.strip_prefix(p))
}

#[test]
fn no_manifest_or_runbook_mixes_two_apps() {
    let (_dir, out) = planned();
    let plan = common::plan_json(&out);
    let mut per_app = 0;
    for project in ["eca", "eca-global"] {
        for f in files_under(&out.join(project).join("manifest")) {
            let rel = f
                .strip_prefix(&out)
                .expect("rel")
                .to_string_lossy()
                .replace('\\', "/");
            let file = rel.rsplit('/').next().unwrap_or_default();
            if rel.contains("/empty/") {
                continue;
            }
            if file == "1-access.xml" {
                for (t, m) in manifest_members(&std::fs::read_to_string(&f).expect("read")) {
                    assert_eq!(t, "PermissionSet", "{rel}: {m}");
                }
                continue;
            }
            assert!(
                !matches!(file, "2-create.xml" | "3-global.xml" | "4-policies.xml"),
                "{rel}: a wave-level manifest of new ECAs is back"
            );
            let own = eca_in_name(file).unwrap_or_else(|| panic!("{rel}: names no ECA"));
            let mut ecas = BTreeSet::new();
            for (t, m) in manifest_members(&std::fs::read_to_string(&f).expect("read")) {
                if t == "ExternalClientApplication" {
                    ecas.insert(m);
                } else if t.starts_with("ExtlClntApp") {
                    ecas.insert(eca_of(&out, &m).unwrap_or_else(|| panic!("{rel}: {m}")));
                } else {
                    panic!("{rel}: {t} {m} outside the access manifest");
                }
            }
            assert_eq!(
                ecas.into_iter().collect::<Vec<_>>(),
                vec![own.to_string()],
                "{rel} holds components of another ECA"
            );
            per_app += 1;
        }
    }
    assert!(per_app > 10, "{per_app}");
    // Each runbook names the wave's access manifest and its own manifests, nothing else.
    let mut checked = 0;
    for app in plan["apps"].as_array().expect("apps") {
        let Some(eca) = app["eca_name"].as_str() else {
            continue;
        };
        let wave = app["wave"].as_u64().unwrap_or_default();
        let text: Vec<&str> = ["pre_checks", "steps", "validation", "rollback"]
            .iter()
            .flat_map(|k| app["runbook"][*k].as_array().into_iter().flatten())
            .filter_map(|s| s.as_str())
            .collect();
        for s in &text {
            for part in s.split(['`', ' ', ',', ':', '(', ')']) {
                // `wave-N` is the generic name in a hint, not a manifest.
                if !(part.ends_with(".xml") && part.contains("manifest/wave-"))
                    || part.contains("wave-N/")
                {
                    continue;
                }
                let file = part.rsplit('/').next().unwrap_or_default();
                assert!(
                    part.contains(&format!("wave-{wave}/")),
                    "{eca}: {part} is not of its wave {wave}"
                );
                if let Some(other) = eca_in_name(file) {
                    assert_eq!(other, eca, "{eca}'s runbook names {part}");
                    checked += 1;
                }
            }
        }
        // The production deploy names its manifests in phase order.
        if let Some(prod) = text
            .iter()
            .find(|s| s.starts_with(&format!("deploy {eca} to production (")))
        {
            let at: Vec<usize> = ["1-access", "2-create-", "3-global-", "4-policies-"]
                .iter()
                .filter_map(|m| prod.find(m))
                .collect();
            assert!(at.len() >= 3, "{eca}: {prod}");
            assert!(at.windows(2).all(|w| w[0] < w[1]), "{eca}: {prod}");
        }
    }
    assert!(checked > 10, "{checked}");
}

#[test]
fn readme_gives_the_commands_of_every_manifest_in_order() {
    let (_dir, out) = planned();
    let readme = std::fs::read_to_string(out.join("eca/README.md")).expect("README");
    for l in readme.lines().filter(|l| l.contains("sf project deploy")) {
        assert!(
            !l.contains("NoTestRun") && !l.contains("--ignore-errors"),
            "{l}"
        );
    }
    for project in ["eca", "eca-global"] {
        for f in files_under(&out.join(project).join("manifest")) {
            let rel = f
                .strip_prefix(out.join(project))
                .expect("rel")
                .to_string_lossy()
                .replace('\\', "/");
            if rel.contains("rollback-") || rel.contains("empty/") {
                continue;
            }
            let deploy = format!("sf project deploy start --manifest {rel} ");
            assert!(readme.contains(&deploy), "README lacks `{deploy}`");
            // A snapshot before what a rollback redeploys (policies), none before new
            // components, and never of global OAuth settings (they hold the secret).
            let snapshot = format!("sf project retrieve start --manifest {rel} ");
            let needed = rel.contains("/4-policies-") || rel.contains("/5-migrated-");
            assert_eq!(readme.contains(&snapshot), needed, "{snapshot}");
            assert!(readme.contains(&format!(
                "--manifest {rel} --target-org \"$ECA_TARGET_ORG\" --dry-run"
            )));
        }
    }
    // The same inputs give the same README.
    let (_d2, again) = planned();
    assert_eq!(
        readme,
        std::fs::read_to_string(again.join("eca/README.md")).expect("README")
    );
}

/// `bash sf-resolve . OUT` from inside `project` (as `sf` runs: the project is found from the
/// working folder), with `vars` set and replacements applied.
fn resolve_in(
    shared: &Path,
    project: &Path,
    mdapi: &Path,
    vars: &[(String, String)],
) -> Option<(i32, String)> {
    let tool = shared.join("tools/sf-resolve");
    let mut cmd = std::process::Command::new("bash");
    cmd.arg(&tool).arg(".").arg(mdapi).current_dir(project);
    cmd.env("SF_APPLY_REPLACEMENTS_ON_CONVERT", "true");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let turn = common::sf_resolve_turn();
    let out = cmd.output().expect("run sf-resolve");
    drop(turn);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let code = out.status.code().unwrap_or(-1);
    let required = std::env::var("ECAPLAN_REQUIRE_SHARED").is_ok_and(|v| v == "1");
    if code == 2 && !required {
        eprintln!("skipping: sf-resolve could not run: {text}");
        return None;
    }
    Some((code, text))
}

#[test]
fn projects_resolve_with_replacements_applied_and_fail_on_an_unset_variable() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let (dir, out) = planned();
    let plan = common::plan_json(&out);
    let vars: Vec<(String, String)> = plan["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .map(|p| {
            (
                p["variable"].as_str().expect("variable").to_string(),
                // A value the inputs lack (a certificate name) gets a stand-in here.
                match p["default"].as_str().expect("default") {
                    "" => "Test_Value".to_string(),
                    d => d.to_string(),
                },
            )
        })
        .collect();
    for project in ["eca", "eca-global"] {
        let mdapi = dir.path().join(format!("mdapi-{project}"));
        let Some((code, text)) = resolve_in(&shared, &out.join(project), &mdapi, &vars) else {
            return;
        };
        assert_eq!(code, 0, "{project}: {text}");
        for f in files_under(&mdapi) {
            let t = std::fs::read_to_string(&f).unwrap_or_default();
            assert!(
                !t.contains("__ECA_"),
                "{}: placeholder left after replacement",
                f.display()
            );
        }
    }
    // The converted policies hold the documented defaults.
    let converted = files_under(&dir.path().join("mdapi-eca"))
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap_or_default())
        .collect::<String>();
    let used: Vec<&(String, String)> = vars
        .iter()
        .filter(|(_, v)| converted.contains(v.as_str()))
        .collect();
    assert!(!used.is_empty(), "no default reached the converted files");
    // A missing variable stops the conversion, as it stops `sf project deploy`.
    let (missing, _) = used[0];
    let fewer: Vec<(String, String)> = vars.iter().filter(|(k, _)| k != missing).cloned().collect();
    let mdapi = dir.path().join("mdapi-missing");
    if let Some((code, text)) = resolve_in(&shared, &out.join("eca"), &mdapi, &fewer) {
        assert_ne!(code, 0, "{text}");
        assert!(text.contains(missing.as_str()), "{text}");
    }
    // Schema check of everything generated.
    let xsd = std::process::Command::new("python3")
        .arg(shared.join("tools/metadata-xsd"))
        .arg(&out)
        .output()
        .expect("metadata-xsd");
    let text = String::from_utf8_lossy(&xsd.stdout).to_string();
    assert!(
        xsd.status.success() && text.contains(" 0 invalid"),
        "{text}"
    );
}

#[test]
fn every_manifest_member_resolves_to_a_project_file() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let (dir, out) = planned();
    // sf-resolve installs the resolver library on its first run.
    let _ = resolve_in(
        &shared,
        &out.join("eca"),
        &dir.path().join("mdapi-install"),
        &[],
    );
    let home = std::env::var("SF_RESOLVE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/sf-resolve")
        });
    let modules = home.join("node_modules");
    if !modules.join("@salesforce/source-deploy-retrieve").is_dir() {
        let required = std::env::var("ECAPLAN_REQUIRE_SHARED").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "the resolver library is missing at {}",
            modules.display()
        );
        eprintln!("skipping: the resolver library is not installed (run sf-resolve once)");
        return;
    }
    // Salesforce's resolver reads each manifest against the project's package directory.
    let script = dir.path().join("manifests.cjs");
    std::fs::write(
        &script,
        r#"const { ComponentSet } = require('@salesforce/source-deploy-retrieve');
(async () => {
  const [manifestPath, source] = process.argv.slice(2);
  const cs = await ComponentSet.fromManifest({ manifestPath, resolveSourcePaths: [source] });
  const wanted = cs.toArray().length;
  const found = cs.getSourceComponents().toArray().length;
  console.log(`${found}/${wanted}`);
  if (found !== wanted || wanted === 0) process.exitCode = 1;
})().catch(e => { console.log(String(e)); process.exitCode = 1; });
"#,
    )
    .expect("script");
    let mut checked = 0;
    for (project, package) in [
        ("eca", "force-app"),
        ("eca-global", "extlClntAppGlobalOauthSets"),
    ] {
        for f in files_under(&out.join(project).join("manifest")) {
            let rel = f.to_string_lossy().to_string();
            if rel.contains("rollback-") || rel.contains("empty") {
                continue;
            }
            let run = std::process::Command::new("node")
                .arg(&script)
                .arg(&f)
                .arg(out.join(project).join(package))
                .env("NODE_PATH", &modules)
                .output()
                .expect("node");
            let text = String::from_utf8_lossy(&run.stdout).to_string();
            assert!(
                run.status.success(),
                "{rel}: {text}{}",
                String::from_utf8_lossy(&run.stderr)
            );
            checked += 1;
        }
    }
    assert!(checked > 5, "{checked}");
}

/// The README's variable block, run by bash with a relative `ECA_RUN_DIR`: it creates the
/// folders and leaves the variable absolute (the commands run from eca/ and eca-global/), and
/// it stops while a variable is unset.
#[test]
fn the_readme_guard_makes_the_run_folder_absolute() {
    let (dir, out) = planned();
    let readme = std::fs::read_to_string(out.join("eca/README.md")).expect("README");
    let guards: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with(": \"${ECA_TARGET_ORG") || l.starts_with(": \"${ECA_RUN_DIR"))
        .collect();
    assert_eq!(guards.len(), 2, "{guards:?}");
    let script = format!("{}\nprintf %s \"$ECA_RUN_DIR\"", guards.join("\n"));
    let run = |vars: &[(&str, &str)]| {
        std::process::Command::new("bash")
            .args(["-c", &script])
            .current_dir(dir.path())
            .env_remove("ECA_TARGET_ORG")
            .env_remove("ECA_RUN_DIR")
            .envs(vars.iter().copied())
            .output()
            .expect("bash")
    };
    let ok = run(&[("ECA_TARGET_ORG", "sandbox"), ("ECA_RUN_DIR", "runs")]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let absolute = String::from_utf8_lossy(&ok.stdout).to_string();
    assert!(Path::new(&absolute).is_absolute(), "{absolute}");
    assert!(Path::new(&absolute).join("rollback").is_dir());
    assert!(dir.path().join("runs/deploy-results").is_dir());
    let unset = run(&[("ECA_TARGET_ORG", "sandbox")]);
    assert!(!unset.status.success());
}

/// ECA209 (no login IP ranges on a run-as user's profile) is hardening for later, never a
/// condition to stop a wave at: ranges added to a shared profile in a hurry lock out the other
/// integrations on it (admin review).
#[test]
fn missing_login_ip_ranges_are_a_later_change_not_a_gate() {
    let (_dir, out) = planned();
    let plan = common::plan_json(&out);
    let mut later = 0;
    for app in plan["apps"].as_array().expect("apps") {
        let checks = app["runbook"]["pre_checks"].to_string();
        assert!(!checks.contains("ECA209"), "{}: {checks}", app["api_name"]);
        let questions = app["runbook"]["open_questions"].to_string();
        later += usize::from(questions.contains("ECA209") && questions.contains("later"));
    }
    assert!(
        later > 0,
        "the samples have an ECA209 finding on a planned app"
    );
}

/// What an app's runbook does after its last deploy (turning a flow on, the cutover) is in
/// eca/README.md, the file the admin executes from, not only in plan.json (admin review:
/// Token_Exchange_Gateway's token exchange switch was missing there).
#[test]
fn the_readme_carries_each_apps_steps_after_its_deploys() {
    let (_dir, out) = planned();
    let readme = std::fs::read_to_string(out.join("eca/README.md")).expect("README");
    let plan = common::plan_json(&out);
    let section = |app: &str| {
        let start = readme.find(&format!("### {app} (ECA ")).expect(app);
        let rest = &readme[start + 4..];
        rest[..rest.find("\n#").unwrap_or(rest.len())].to_string()
    };
    let loyalty = "switch the client to Loyalty_Handler_ECA";
    let steps = common::plan_app(&plan, "Loyalty_Handler")["runbook"]["steps"].to_string();
    assert!(steps.contains(loyalty), "plan.json lacks `{loyalty}`");
    let text = section("Loyalty_Handler");
    let after = text
        .find("After the deploys above")
        .expect("after-deploy step");
    assert!(text[after..].contains(loyalty), "{text}");
    // Validation last: what tells the admin the cutover worked (or that it is time to roll back).
    let validate = text.find("Then validate").expect("validation");
    assert!(
        validate > after && text[validate..].contains("the handler"),
        "{text}"
    );
    // A switch the migrated ECA may lack: right after the button, before the hardening deploy
    // (admin review 29 #4).
    let text = section("Token_Exchange_Gateway");
    let check = text
        .find("right after the button, before this manifest: check that token exchange is on")
        .expect("token exchange check");
    let button = text
        .find("Migrate to External Client App has created")
        .expect("button");
    let deploy = text.find("   - deploy: ").expect("deploy");
    assert!(button < check && check < deploy, "{text}");
}
