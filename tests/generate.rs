//! The ECA generator end to end: generate for every connected app of the samples and of the
//! real corpus, write the files, and check them with Salesforce's schema (`metadata-xsd`),
//! Salesforce's resolver (`sf-resolve`), our own readers (round trip) and a secret scan.
#![allow(clippy::print_stderr)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use ecaplan::config::Standard;
use ecaplan::generate::{generate, EcaTarget, GenerateError, Generated};
use ecaplan::model::FileStatus;
use ecaplan::model::{App, Inventory, RefreshPolicy};
use ecaplan::plan::eca::EcaScope;
use ecaplan::plan::eca::{EcaNames, TargetFlow};

fn load(dirs: &[PathBuf]) -> (Inventory, Vec<FileStatus>, Vec<ecaplan::diag::Note>) {
    let sources = ecaplan::ingest::discover(dirs).expect("discover");
    let mut ingested = ecaplan::ingest::read_all(sources);
    let docs = std::mem::take(&mut ingested.documents);
    let (inv, _) = ecaplan::model::assemble(docs);
    let statuses = ingested.files.into_iter().map(|f| f.status).collect();
    (inv, statuses, ingested.notes)
}

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/northwind")
}

/// A new ECA for every connected app, named as the plan names them.
fn full_targets(inv: &Inventory) -> Vec<EcaTarget<'_>> {
    let mut names = EcaNames::new(inv);
    inv.apps
        .iter()
        .filter(|a| a.connected_app.is_some())
        .filter_map(|app| Some((app, names.give(&app.api_name, false)?)))
        .map(|(app, eca_name)| EcaTarget {
            app,
            eca_name,
            scope: EcaScope::Full,
            target_flow: None,
            policy_names: Default::default(),
            kept: Default::default(),
        })
        .collect()
}

fn write(generated: &Generated) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in &generated.files {
        let path = dir.path().join(&f.path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, &f.contents).expect("write");
    }
    dir
}

/// What the generator intends for the scopes (reference §10.6, default standard).
fn expected_scopes(app: &App) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let scopes = app
        .connected_app
        .as_ref()
        .and_then(|c| c.value.oauth_config.as_ref());
    // Full becomes Api, with RefreshToken (which Full let a client ask for) unless the app
    // runs client credentials.
    let cc = scopes.is_some_and(|o| o.is_client_credential_enabled == Some(true));
    let full: &[&str] = if cc {
        &["Api"]
    } else {
        &["Api", "RefreshToken"]
    };
    for s in scopes.map(|o| o.scopes.clone()).unwrap_or_default() {
        let mapped: Vec<String> = match s.trim() {
            "SFAP" => vec!["SFApiPlatform".to_string()],
            "Full" => full.iter().map(|m| m.to_string()).collect(),
            other => vec![other.to_string()],
        };
        for m in mapped {
            if !m.is_empty() && !out.contains(&m) {
                out.push(m);
            }
        }
    }
    out
}

/// Read the generated files back with our own pipeline and compare the facts with intent.
fn round_trip(targets: &[EcaTarget<'_>], generated: &Generated, dir: &Path) -> usize {
    let (inv, statuses, notes) = load(&[dir.to_path_buf()]);
    for s in &statuses {
        assert!(!matches!(s, FileStatus::Unreadable { .. }), "{s:?}");
    }
    let unknown: Vec<_> = notes
        .iter()
        .filter(|n| n.code == "unknown-element")
        .collect();
    assert!(unknown.is_empty(), "{unknown:?}");
    let mut checked = 0;
    // One name per target, in target order (a second definition of an API name gets none).
    let apps = targets.iter().map(|t| t.app);
    for (app, (_, eca_name)) in apps.zip(&generated.eca_names) {
        let ca = &app.connected_app.as_ref().expect("ca").value;
        let Some(oauth) = &ca.oauth_config else {
            continue;
        };
        let eca = inv
            .app(eca_name)
            .filter(|a| a.eca.as_ref().is_some_and(|e| e.global_oauth.is_some()))
            .unwrap_or_else(|| panic!("no generated ECA for {}", app.api_name));
        let facts = eca.facts().expect("facts");
        let name = &eca.api_name;
        assert_eq!(facts.scopes, expected_scopes(app), "{name}");
        // The 1:1 access set first, then every grant the connected app had (issue 12:
        // hardening never drops access), each once.
        let kept = |names: &[String], mut out: Vec<String>| {
            for n in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
                if !out.iter().any(|o| o.eq_ignore_ascii_case(n)) {
                    out.push(n.to_string());
                }
            }
            out
        };
        assert_eq!(
            facts.permission_sets,
            kept(&ca.permission_set_name, vec![format!("{name}_ECA_Access")]),
            "{name}"
        );
        assert_eq!(facts.profiles, kept(&ca.profile_name, Vec::new()), "{name}");
        assert_eq!(facts.admin_approved, Some(true), "{name}");
        assert_eq!(facts.ip_relaxation.as_deref(), Some("Enforce"), "{name}");
        let refresh = facts.refresh_policy.clone().expect("refresh");
        assert!(refresh != RefreshPolicy::Infinite, "{name}: {refresh:?}");
        let cc = oauth.is_client_credential_enabled == Some(true);
        assert_eq!(facts.flows.contains(&"client-credentials"), cc, "{name}");
        if cc {
            assert_eq!(
                facts.run_as_user, oauth.oauth_client_credential_user,
                "{name}"
            );
        }
        let has_cert = oauth
            .certificate
            .as_deref()
            .is_some_and(|c| !c.trim().is_empty());
        assert_eq!(facts.flows.contains(&"jwt-bearer"), has_cert, "{name}");
        let auth_code = !oauth.callback_urls().is_empty();
        assert_eq!(
            facts.flows.contains(&"authorization-code"),
            auth_code,
            "{name}"
        );
        if auth_code {
            assert_eq!(facts.pkce_required, Some(true), "{name}");
            assert_eq!(facts.refresh_rotation, Some(true), "{name}");
        }
        assert!(facts.consumer_key.is_none(), "{name}");
        checked += 1;
    }
    checked
}

/// No consumer key, secret or private key of the inputs anywhere under eca/ (or eca-global/).
fn scan_secrets(source: &Inventory, generated: &Generated) {
    let mut secrets = Vec::new();
    for app in &source.apps {
        let o = app
            .connected_app
            .as_ref()
            .and_then(|c| c.value.oauth_config.as_ref());
        if let Some(o) = o {
            secrets.extend(o.consumer_key.clone());
            secrets.extend(o.consumer_secret.clone());
        }
    }
    for f in &generated.files {
        assert!(!f.contents.contains("PRIVATE KEY"), "{}", f.path);
        assert!(!f.contents.contains("consumerSecret"), "{}", f.path);
        assert!(!f.contents.contains("<consumerKey>"), "{}", f.path);
        for s in secrets.iter().filter(|s| s.trim().len() >= 8) {
            assert!(
                !f.contents.contains(s.trim()),
                "{} holds an input key",
                f.path
            );
        }
    }
}

fn shell_checks_required() -> bool {
    std::env::var("ECAPLAN_REQUIRE_SHARED").is_ok_and(|v| v == "1")
}

/// Run a shared tool; `None` when it could not run (exit 2) and that is allowed.
fn run_tool(program: &str, args: &[&Path]) -> Option<(i32, String)> {
    let out = Command::new(program).args(args).output();
    let out = match out {
        Ok(o) => o,
        Err(e) if !shell_checks_required() => {
            eprintln!("skipping: cannot run {program}: {e}");
            return None;
        }
        Err(e) => panic!("cannot run {program}: {e}"),
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let code = out.status.code().unwrap_or(-1);
    if code == 2 && !shell_checks_required() {
        eprintln!("skipping: {program} could not run: {text}");
        return None;
    }
    Some((code, text))
}

fn xsd_check(shared: &Path, dir: &Path) {
    let tool = shared.join("tools/metadata-xsd");
    let Some((code, text)) = run_tool("python3", &[tool.as_path(), dir]) else {
        return;
    };
    eprintln!("metadata-xsd: {}", text.lines().last().unwrap_or(""));
    assert_eq!(code, 0, "metadata-xsd:\n{text}");
    assert!(text.contains(" 0 invalid"), "{text}");
}

fn resolve_check(shared: &Path, dir: &Path, expected_components: usize) {
    let tool = shared.join("tools/sf-resolve");
    let project = dir.join("eca");
    let mdapi = dir.join("mdapi");
    let turn = common::sf_resolve_turn();
    let run = run_tool("bash", &[tool.as_path(), &project, &mdapi]);
    drop(turn);
    let Some((code, text)) = run else {
        return;
    };
    eprintln!("sf-resolve: {}", text.lines().last().unwrap_or(""));
    assert_eq!(code, 0, "sf-resolve:\n{text}");
    assert!(
        text.contains(&format!("{expected_components} components resolved")),
        "{text}"
    );
}

fn project_components(generated: &Generated) -> usize {
    generated
        .files
        .iter()
        .filter(|f| f.path.starts_with("eca/force-app/"))
        .count()
}

#[test]
fn samples_generate_and_round_trip() {
    let (inv, _, _) = load(&[samples()]);
    let targets = full_targets(&inv);
    assert!(targets.len() >= 20, "{}", targets.len());
    let generated = generate(&targets, &Standard::default(), "66.0").expect("generate");
    let again = generate(&targets, &Standard::default(), "66.0").expect("generate");
    assert_eq!(generated, again, "output must be deterministic");
    scan_secrets(&inv, &generated);
    let dir = write(&generated);
    if let Some(keep) = std::env::var_os("ECAPLAN_KEEP_GENERATED") {
        // For inspection by hand: copy the output out of the temporary folder.
        let status = Command::new("cp")
            .arg("-r")
            .arg(dir.path())
            .arg(&keep)
            .status();
        assert!(status.is_ok_and(|s| s.success()), "copy to {keep:?}");
    }
    let checked = round_trip(&targets, &generated, dir.path());
    assert!(checked >= 15, "{checked}");
    eprintln!(
        "samples: {} apps, {} files, {} not carried",
        targets.len(),
        generated.files.len(),
        generated.not_carried.len()
    );
    if let Some(shared) = common::shared_dir() {
        xsd_check(&shared, dir.path());
        resolve_check(&shared, dir.path(), project_components(&generated));
    }
}

#[test]
fn corpus_generates_and_validates() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let (inv, _, _) = load(&[shared.join("corpus/real")]);
    let targets = full_targets(&inv);
    assert!(!targets.is_empty());
    let generated = generate(&targets, &Standard::default(), "66.0").expect("generate");
    scan_secrets(&inv, &generated);
    let dir = write(&generated);
    let checked = round_trip(&targets, &generated, dir.path());
    eprintln!(
        "corpus: {} apps ({checked} OAuth round-tripped), {} files, {} not carried",
        targets.len(),
        generated.files.len(),
        generated.not_carried.len()
    );
    xsd_check(&shared, dir.path());
    resolve_check(&shared, dir.path(), project_components(&generated));
}

#[test]
fn target_flows_hardening_only_and_old_versions() {
    let (inv, _, _) = load(&[samples()]);
    let by_name = |n: &str| inv.app(n).unwrap_or_else(|| panic!("{n}"));
    let targets = vec![
        EcaTarget {
            app: by_name("Legacy_Reporting_JWT"),
            eca_name: "Reporting_Service".into(),
            scope: EcaScope::Full,
            target_flow: Some(TargetFlow::ClientCredentials {
                run_as: "reporting.int@northwind.example".into(),
            }),
            policy_names: Default::default(),
            kept: Default::default(),
        },
        EcaTarget {
            app: by_name("ERP_Sync"),
            eca_name: "ERP_Sync".into(),
            scope: EcaScope::HardeningOnly,
            target_flow: None,
            policy_names: Default::default(),
            kept: Default::default(),
        },
        EcaTarget {
            app: by_name("Sales_Canvas"),
            eca_name: "Sales_Canvas_ECA".into(),
            scope: EcaScope::Full,
            target_flow: None,
            policy_names: Default::default(),
            kept: Default::default(),
        },
        EcaTarget {
            app: by_name("Okta_SSO"),
            eca_name: "Okta_SSO_ECA".into(),
            scope: EcaScope::Full,
            target_flow: None,
            policy_names: Default::default(),
            kept: Default::default(),
        },
    ];
    let generated = generate(&targets, &Standard::default(), "62.0").expect("generate");
    let paths: Vec<&str> = generated.files.iter().map(|f| f.path.as_str()).collect();
    // HardeningOnly: only the two policy files and the access permission set.
    let erp: Vec<&&str> = paths.iter().filter(|p| p.contains("/ERP_Sync")).collect();
    assert_eq!(erp.len(), 3, "{erp:?}");
    assert!(paths
        .iter()
        .any(|p| p.ends_with("/ERP_Sync_oauthPlcy.ecaOauthPlcy-meta.xml")));
    // 62.0: no canvas (66.0) and no SAML policies (63.0), both reported.
    assert!(!paths
        .iter()
        .any(|p| p.contains("extlClntAppCanvasSettings")));
    assert!(!paths
        .iter()
        .any(|p| p.contains("extlClntAppSamlConfigurablePolicies")));
    let elements: Vec<&str> = generated
        .not_carried
        .iter()
        .map(|n| n.element.as_str())
        .collect();
    assert!(elements.contains(&"canvasConfig"), "{elements:?}");
    assert!(elements.contains(&"samlConfig"), "{elements:?}");
    let plcy = generated
        .files
        .iter()
        .find(|f| {
            f.path
                .ends_with("Reporting_Service_oauthPlcy.ecaOauthPlcy-meta.xml")
        })
        .expect("the policies of the ECA under its given name");
    assert!(plcy.contents.contains(
        "<clientCredentialsFlowUser>reporting.int@northwind.example</clientCredentialsFlowUser>"
    ));
    assert!(plcy
        .contents
        .contains("<isClientCredentialsFlowEnabled>true</isClientCredentialsFlowEnabled>"));
    let global = generated
        .files
        .iter()
        .find(|f| f.path == "eca-global/extlClntAppGlobalOauthSets/Reporting_Service_glbloauth.ecaGlblOauth-meta.xml")
        .expect("global");
    assert!(
        !global.contents.contains("<certificate>"),
        "JWT not carried to a client-credentials target"
    );
    assert_eq!(generated.eca_names[0].1, "Reporting_Service");
    assert_eq!(
        generated.eca_names[1].1, "ERP_Sync",
        "automated migration keeps the name"
    );
    assert_eq!(generated.eca_names[2].1, "Sales_Canvas_ECA");
    if let Some(shared) = common::shared_dir() {
        let dir = write(&generated);
        xsd_check(&shared, dir.path());
    }
}

/// The generator writes the names it is given and never renames: an invalid name, a new ECA
/// named like its connected app and two ECAs with one name are refused, nothing is written.
#[test]
fn names_are_checked_never_changed() {
    let (inv, _, _) = load(&[samples()]);
    let by_name = |n: &str| inv.app(n).unwrap_or_else(|| panic!("{n}"));
    let target = |app: &str, eca: &str, scope| EcaTarget {
        app: by_name(app),
        eca_name: eca.into(),
        scope,
        target_flow: None,
        policy_names: Default::default(),
        kept: Default::default(),
    };
    let run = |targets: &[EcaTarget<'_>]| generate(targets, &Standard::default(), "66.0");
    assert!(matches!(
        run(&[target(
            "Legacy_Reporting_JWT",
            "Reporting Service",
            EcaScope::Full
        )]),
        Err(GenerateError::InvalidEcaName { .. })
    ));
    assert!(matches!(
        run(&[target("Sales_Canvas", "Sales_Canvas", EcaScope::Full)]),
        Err(GenerateError::EcaNameCollision { .. })
    ));
    assert!(matches!(
        run(&[
            target("Sales_Canvas", "One_ECA", EcaScope::Full),
            target("Okta_SSO", "one_eca", EcaScope::Full),
        ]),
        Err(GenerateError::EcaNameCollision { .. })
    ));
    // The automated migration keeps the connected app's name.
    let kept = run(&[target("ERP_Sync", "ERP_Sync", EcaScope::HardeningOnly)]).expect("ok");
    assert_eq!(
        kept.eca_names,
        [("ERP_Sync".to_string(), "ERP_Sync".to_string())]
    );
}
