//! `ecaplan plan` end to end on the sample org.

mod common;

use common::plan_samples;
use serde_json::Value;

fn plan_of(dir: &std::path::Path) -> Value {
    let out = plan_samples(dir, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&std::fs::read(dir.join("plan.json")).expect("plan.json")).expect("json")
}

#[test]
fn strategies_of_the_sample_apps() {
    let tmp = tempfile::tempdir().expect("tmp");
    let plan = plan_of(&tmp.path().join("out"));
    assert_eq!(plan["schema_version"], 1);
    let app = |name: &str| {
        plan["apps"]
            .as_array()
            .expect("apps")
            .iter()
            .find(|a| a["api_name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name}"))
    };
    let strategy = |name: &str| {
        app(name)["strategy"]
            .as_str()
            .expect("strategy")
            .to_string()
    };
    assert_eq!(
        strategy("Data_Warehouse_Loader"),
        "side-by-side",
        "username-password + high criticality"
    );
    assert_eq!(
        app("Data_Warehouse_Loader")["target_flow"]["flow"],
        "client-credentials"
    );
    assert_eq!(
        app("Data_Warehouse_Loader")["target_flow"]["run_as"],
        "etl.service@northwind.example"
    );
    assert_eq!(
        app("Data_Warehouse_Loader")["eca_name"],
        "Data_Warehouse_Loader_ECA"
    );
    assert_eq!(strategy("Marketing_SPA"), "big-bang");
    // A browser single-page app becomes a public client (issue 12).
    assert_eq!(
        app("Marketing_SPA")["target_flow"]["flow"],
        "public-client-pkce"
    );
    assert_eq!(strategy("Customer_Support_Chat"), "already-migrated");
    // Unknown (usage only, no catalogue name): investigated and blocked, never installed.
    assert_eq!(strategy("ShadowSync"), "investigate-and-block");
    assert_eq!(
        strategy("acmesync__AcmeSync_Connector"),
        "install-and-harden"
    );
    assert_eq!(strategy("Salesforce CLI"), "salesforce-managed");
    assert_eq!(strategy("Old_Survey_Tool"), "retire");
    assert_eq!(strategy("ERP_Sync"), "automated");
    assert_eq!(app("ERP_Sync")["eca_name"], "ERP_Sync");
    assert!(app("ERP_Sync")["reason"]
        .as_str()
        .expect("reason")
        .contains("keeps its consumer key"));
    assert!(!app("ERP_Sync")["runbook"]["steps"]
        .as_array()
        .expect("steps")
        .is_empty());
}

#[test]
fn waves_hold_every_app_once_and_keep_the_coupled_group_together() {
    let tmp = tempfile::tempdir().expect("tmp");
    let plan = plan_of(&tmp.path().join("out"));
    let apps: Vec<String> = plan["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .map(|a| a["api_name"].as_str().expect("name").to_string())
        .collect();
    let mut seen = std::collections::BTreeMap::new();
    for w in plan["waves"].as_array().expect("waves") {
        for a in w["apps"].as_array().expect("apps") {
            *seen
                .entry(a.as_str().expect("name").to_string())
                .or_insert(0) += 1;
        }
    }
    assert_eq!(seen.len(), apps.len());
    assert!(seen.values().all(|&n| n == 1));
    let wave = |name: &str| {
        plan["apps"]
            .as_array()
            .expect("apps")
            .iter()
            .find(|a| a["api_name"] == name)
            .map(|a| a["wave"].clone())
    };
    assert_eq!(
        wave("ERP_Sync"),
        wave("Warehouse_Events"),
        "apps sharing a run-as user move together"
    );
    let waves = plan["waves"].as_array().expect("waves");
    assert_eq!(waves[0]["kind"], "prepare");
    assert_eq!(
        waves[0]["start"], "2026-12-07",
        "[plan] start of samples/northwind/ecaplan.toml"
    );
    assert_eq!(waves.last().expect("final")["kind"], "decommission");
    // ERP_Sync and Warehouse_Events share erp.integration and the Migrate button migrates
    // both: they keep that user (no change of identity), so wave 0 creates no user for them.
    assert!(!waves[0]["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .any(|t| t
            .as_str()
            .expect("task")
            .contains("erp.integration@northwind.example")));
}

#[test]
fn output_folder_rules_and_determinism() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("out");
    let first = plan_of(&dir);
    let again = plan_samples(&dir, &[]);
    assert_eq!(again.status.code(), Some(2), "no overwrite without --force");
    let bytes = std::fs::read(dir.join("plan.json")).expect("read");
    let forced = plan_samples(&dir, &["--force"]);
    assert!(forced.status.success());
    assert_eq!(
        std::fs::read(dir.join("plan.json")).expect("read"),
        bytes,
        "same inputs, same bytes"
    );
    assert_eq!(first["as_of"], "2026-11-20");
}
