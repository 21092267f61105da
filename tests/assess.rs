//! `assess`, `graph`, `rules`, `explain` and `init` end to end.

mod common;

use common::{ecaplan, fixture, json_of};

fn assess_json(args: &[&std::ffi::OsStr]) -> serde_json::Value {
    let mut all: Vec<&std::ffi::OsStr> = vec!["assess".as_ref()];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format".as_ref(), "json".as_ref()]);
    json_of(&ecaplan(all))
}

#[test]
fn fail_on_high_fails_on_samples_and_passes_a_clean_fixture() {
    let samples = ecaplan([
        "assess",
        "samples/northwind",
        "--fail-on",
        "high",
        "--quiet",
    ]);
    assert_eq!(samples.status.code(), Some(1));
    let clean = ecaplan([
        "assess".as_ref(),
        fixture("clean").as_os_str(),
        "--fail-on".as_ref(),
        "high".as_ref(),
    ]);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );
    let never = ecaplan(["assess", "samples/northwind", "--quiet"]);
    assert_eq!(never.status.code(), Some(0));
}

#[test]
fn severity_override_changes_the_outcome() {
    let dir = tempfile::tempdir().expect("tmp");
    let app =
        std::fs::read_to_string(fixture("clean/Clean_App.connectedApp-meta.xml")).expect("read");
    let full = app.replace("<scopes>Api</scopes>", "<scopes>Full</scopes>");
    std::fs::write(dir.path().join("Full_App.connectedApp-meta.xml"), full).expect("write");
    let run = |extra: &[&str]| {
        let mut args: Vec<std::ffi::OsString> = vec![
            "assess".into(),
            dir.path().into(),
            "--fail-on".into(),
            "high".into(),
            "--quiet".into(),
        ];
        args.extend(extra.iter().map(|s| s.into()));
        ecaplan(args).status.code()
    };
    assert_eq!(run(&[]), Some(1), "Full scope is high by default");
    let config = dir.path().join("override.toml");
    std::fs::write(&config, "[rules.full-scope]\nseverity = \"low\"\n").expect("write");
    assert_eq!(run(&["--config", config.to_str().expect("utf8")]), Some(0));

    let exception = dir.path().join("exception.toml");
    std::fs::write(&exception, "[[exceptions]]\nrule = \"ECA201\"\napp = \"Full_App\"\nreason = \"vendor requires it until Q3\"\n").expect("write");
    assert_eq!(
        run(&["--config", exception.to_str().expect("utf8")]),
        Some(0)
    );

    let no_reason = dir.path().join("no_reason.toml");
    std::fs::write(
        &no_reason,
        "[[exceptions]]\nrule = \"ECA201\"\napp = \"Full_App\"\n",
    )
    .expect("write");
    let out = ecaplan([
        "assess".as_ref(),
        dir.path().as_os_str(),
        "--config".as_ref(),
        no_reason.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("reason"));

    let typo = dir.path().join("typo.toml");
    std::fs::write(&typo, "[thresholds]\nunused_after_dayz = 3\n").expect("write");
    let out = ecaplan([
        "assess".as_ref(),
        dir.path().as_os_str(),
        "--config".as_ref(),
        typo.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unused_after_dayz") && err.contains("line 2"),
        "{err}"
    );
}

#[test]
fn samples_findings_have_evidence_and_coupled_group() {
    let r = assess_json(&["samples/northwind".as_ref()]);
    let findings = r["findings"].as_array().expect("findings");
    let distinct = r["rules_triggered"].as_array().expect("rules").len();
    assert!(
        distinct >= 20,
        "only {distinct} distinct rules triggered on samples"
    );
    assert_eq!(
        r["as_of"], "2026-11-20",
        "as-of date comes from the usage data"
    );
    for id in [
        "ECA101", "ECA102", "ECA105", "ECA110", "ECA207", "ECA212", "ECA301",
    ] {
        assert!(
            r["rules_triggered"]
                .as_array()
                .expect("rules")
                .iter()
                .any(|x| x == id),
            "{id} not triggered"
        );
    }
    for f in findings {
        assert!(
            !f["evidence"].as_array().expect("evidence").is_empty(),
            "no evidence: {f}"
        );
    }
    let groups = r["coupled_groups"].as_array().expect("groups");
    let erp = groups
        .iter()
        .find(|g| {
            g["apps"]
                .as_array()
                .expect("apps")
                .iter()
                .any(|a| a == "ERP_Sync")
        })
        .expect("ERP_Sync coupled");
    assert!(erp["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .any(|a| a == "Warehouse_Events"));
    let shared: Vec<&serde_json::Value> =
        findings.iter().filter(|f| f["rule"] == "ECA207").collect();
    assert_eq!(shared.len(), 2);
    assert!(shared.iter().all(|f| f["message"]
        .as_str()
        .expect("msg")
        .contains("erp.integration@northwind.example")));
    let human = ecaplan(["assess", "samples/northwind"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("high[ECA201]") && text.contains("--> samples/northwind/"),
        "{text}"
    );
    assert!(!text.contains("MII"), "certificate bodies never shown");
}

#[test]
fn graph_formats() {
    let dot = ecaplan(["graph", "samples/northwind", "--format", "dot"]);
    let text = String::from_utf8_lossy(&dot.stdout);
    assert!(text.starts_with("digraph ecaplan {") && text.trim_end().ends_with('}'));
    assert!(text.contains(
        "\"app:ERP_Sync\" -> \"user:erp.integration@northwind.example\" [label=\"runs-as\"];"
    ));
    let mermaid = ecaplan(["graph", "samples/northwind", "--format", "mermaid"]);
    let text = String::from_utf8_lossy(&mermaid.stdout);
    assert!(text.starts_with("flowchart LR\n"));
    assert!(text.contains("-->|runs-as|"));
    let json = json_of(&ecaplan(["graph", "samples/northwind", "--format", "json"]));
    let nodes = json["nodes"].as_array().expect("nodes");
    assert!(nodes
        .iter()
        .any(|n| n["key"] == "user:erp.integration@northwind.example" && n["kind"] == "user"));
    let radius = json["blast_radius"]["user:erp.integration@northwind.example"]
        .as_array()
        .expect("radius");
    assert_eq!(
        radius.len(),
        2,
        "the shared run-as user affects ERP_Sync and Warehouse_Events"
    );
    let edges = json["edges"].as_array().expect("edges");
    assert!(edges
        .iter()
        .any(|e| e["from"] == "app:CI_Deploy_JWT" && e["kind"] == "signed-by"));
}

#[test]
fn rules_explain_init() {
    let list = String::from_utf8_lossy(&ecaplan(["rules"]).stdout).to_string();
    assert!(list.contains("ECA201") && list.contains("full-scope"));
    let by_id = ecaplan(["explain", "ECA201"]);
    let by_name = ecaplan(["explain", "full-scope"]);
    assert_eq!(by_id.stdout, by_name.stdout);
    assert!(String::from_utf8_lossy(&by_id.stdout).contains("Why it matters"));
    assert_eq!(ecaplan(["explain", "ECA999"]).status.code(), Some(2));

    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("ecaplan.toml");
    assert!(ecaplan(["init".as_ref(), path.as_os_str()])
        .status
        .success());
    assert_eq!(
        ecaplan(["init".as_ref(), path.as_os_str()]).status.code(),
        Some(2),
        "no overwrite without --force"
    );
    assert!(
        ecaplan(["init".as_ref(), path.as_os_str(), "--force".as_ref()])
            .status
            .success()
    );
    // The written file is a valid configuration.
    let out = ecaplan([
        "assess".as_ref(),
        fixture("clean").as_os_str(),
        "--config".as_ref(),
        path.as_os_str(),
    ]);
    assert!(out.status.success());
}

#[test]
fn assess_renders_sarif_markdown_and_html() {
    let sarif = json_of(&ecaplan([
        "assess",
        "samples/northwind",
        "--format",
        "sarif",
        "--quiet",
    ]));
    assert_eq!(sarif["version"], "2.1.0");
    assert!(!sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .is_empty());
    let md = ecaplan([
        "assess",
        "samples/northwind",
        "--format",
        "markdown",
        "--quiet",
    ]);
    assert!(String::from_utf8_lossy(&md.stdout).starts_with('#'));
    let html = ecaplan(["assess", "samples/northwind", "--format", "html", "--quiet"]);
    let text = String::from_utf8_lossy(&html.stdout);
    assert!(text.contains("<html") && text.contains("data-app"));
}
