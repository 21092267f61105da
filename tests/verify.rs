//! `ecaplan verify`: the plan of `samples/northwind` against the post-cutover fixture
//! (`tests/fixtures/verify/after`, its README says which app shows which status), the plan's own
//! inputs, `--fail-on`, the formats and the errors.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::{ecaplan, json_of, plan_samples};
use serde_json::Value;

/// The plan of the samples, written once per test into `dir`.
fn plan_into(dir: &Path) -> PathBuf {
    let out = dir.join("out");
    let run = plan_samples(&out, &[]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    out.join("plan.json")
}

/// A copy of the fixture whose files are dated 2027-05-21, as exports taken then would be
/// (ecaplan refuses rows dated after their file; a checkout dates files today).
fn after_exports(dir: &Path) -> PathBuf {
    let from = common::fixture("verify/after");
    let to = dir.join("after");
    let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_810_857_600); // 2027-05-21
    copy_dated(&from, &to, when);
    to
}

fn copy_dated(from: &Path, to: &Path, when: SystemTime) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read fixture") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dated(&e.path(), &target, when);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
            let f = std::fs::File::options()
                .write(true)
                .open(&target)
                .expect("open");
            f.set_modified(when).expect("set mtime");
        }
    }
}

fn verify_json(plan: &Path, input: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "verify".to_string(),
        "--plan".into(),
        plan.display().to_string(),
        input.display().to_string(),
        "--format".into(),
        "json".into(),
        "--quiet".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    json_of(&ecaplan(&args))
}

fn app<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .find(|a| a["api_name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn the_after_exports_give_every_status() {
    let tmp = tempfile::tempdir().expect("tmp");
    let plan = plan_into(tmp.path());
    let v = verify_json(&plan, &after_exports(tmp.path()), &[]);
    let status = |n: &str| {
        app(&v, n)["status"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(status("CI_Deploy_JWT"), "moved");
    assert_eq!(status("Data_Warehouse_Loader"), "moved");
    assert_eq!(status("Marketing_SPA"), "both-in-use");
    assert_eq!(status("ERP_Sync"), "still-on-connected-app");
    assert_eq!(status("Okta_SSO"), "not-yet-seen");
    assert_eq!(status("Postman_Dev"), "retired-but-used");
    assert_eq!(status("Full_Access_Tool"), "retired");
    assert_eq!(status("Salesforce CLI"), "kept");
    let spa = app(&v, "Marketing_SPA");
    assert_eq!(
        spa["still_on_old_path"],
        serde_json::json!(["emma.schultz@northwind.example"])
    );
    assert_eq!(spa["overdue"], true);
    assert_eq!(app(&v, "ERP_Sync")["overdue"], true);
    // The automated app moved on a label both paths carry: only because its ECA is retrieved.
    let ci = app(&v, "CI_Deploy_JWT");
    assert_eq!(ci["eca_in_inputs"], true);
    assert_eq!(ci["by_shared_label"], true, "{ci}");
    // The button leaves the connected app read-only: never "delete it".
    assert!(ci["decommission"].is_null(), "{ci}");
    assert!(ci["evidence"].to_string().contains("unconfirmed"), "{ci}");
    assert!(
        ci["evidence"]
            .to_string()
            .contains("the shared label was used from 2026-12-01"),
        "{ci}"
    );
    let dwl = app(&v, "Data_Warehouse_Loader");
    assert_eq!(dwl["old_path"]["last_use"], "2027-03-08");
    assert_eq!(dwl["decommission"]["ready"], true, "{dwl}");
    assert_eq!(app(&v, "Full_Access_Tool")["decommission"]["ready"], true);
}

#[test]
fn without_a_login_export_nothing_is_ready_to_delete() {
    let tmp = tempfile::tempdir().expect("tmp");
    let plan = plan_into(tmp.path());
    let after = after_exports(tmp.path());
    std::fs::remove_file(after.join("usage/LoginHistory.csv")).expect("rm");
    let v = verify_json(&plan, &after, &[]);
    for a in v["apps"].as_array().expect("apps") {
        assert_ne!(a["decommission"]["ready"], true, "{a}");
    }
    let fat = app(&v, "Full_Access_Tool");
    assert!(
        fat["decommission"]["reason"]
            .as_str()
            .unwrap_or_default()
            .starts_with("cannot judge"),
        "{fat}"
    );
    // Used without being installed: blocked for good, nothing to delete.
    assert!(app(&v, "ShadowSync")["decommission"].is_null());
}

#[test]
fn insecure_flows_and_tokens_left_over() {
    let tmp = tempfile::tempdir().expect("tmp");
    let plan = plan_into(tmp.path());
    let v = verify_json(&plan, &after_exports(tmp.path()), &[]);
    let flows = v["insecure_flows"].as_array().expect("flows");
    // Data Warehouse Loader used username-password until March; Marketing SPA's straggler
    // used the user-agent flow in April: neither can be blocked yet.
    assert!(flows.iter().all(|f| f["can_block"] == false), "{flows:?}");
    assert!(flows[0]["apps"][0]
        .as_str()
        .unwrap_or_default()
        .starts_with("Data Warehouse Loader"));
    let tokens = v["tokens_to_revoke"].as_array().expect("tokens");
    let of = |app: &str| {
        tokens
            .iter()
            .find(|t| t["app"] == app)
            .map(|t| t["reason"].clone())
    };
    assert!(of("Data_Warehouse_Loader")
        .is_some_and(|r| r.as_str().unwrap_or_default().contains("moved")));
    assert!(of("Legacy_Reporting_JWT").is_some());
    assert!(
        of("Marketing_SPA").is_none(),
        "the ECA's own token is not left over: {tokens:?}"
    );
}

#[test]
fn a_later_cutover_day_clears_expected_old_use() {
    let tmp = tempfile::tempdir().expect("tmp");
    let plan = plan_into(tmp.path());
    let after = after_exports(tmp.path());
    let v = verify_json(&plan, &after, &["--cutover", "Marketing_SPA=2027-04-21"]);
    let spa = app(&v, "Marketing_SPA");
    assert_eq!(spa["cutover_source"], "--cutover");
    assert_eq!(spa["status"], "moved", "{spa}");
}

#[test]
fn the_plans_own_inputs_never_show_a_move() {
    let tmp = tempfile::tempdir().expect("tmp");
    let plan = plan_into(tmp.path());
    let v = verify_json(&plan, Path::new("samples/northwind"), &[]);
    for a in v["apps"].as_array().expect("apps") {
        let migrating = ["automated", "side-by-side", "big-bang"]
            .contains(&a["strategy"].as_str().unwrap_or_default());
        if migrating {
            let s = a["status"].as_str().unwrap_or_default();
            assert!(
                ["not-yet-seen", "still-on-connected-app"].contains(&s),
                "{}: {s}",
                a["api_name"]
            );
        }
    }
    let notes = v["notes"].to_string();
    assert!(notes.contains("no later than the plan's data"), "{notes}");
}

#[test]
fn the_exit_code_follows_fail_on() {
    let tmp = tempfile::tempdir().expect("tmp");
    let plan = plan_into(tmp.path());
    let after = after_exports(tmp.path());
    let code = |fail_on: &str| {
        let p = plan.display().to_string();
        let a = after.display().to_string();
        ecaplan(["verify", "--plan", &p, &a, "--quiet", "--fail-on", fail_on])
            .status
            .code()
    };
    assert_eq!(code("never"), Some(0));
    assert_eq!(code("retired-but-used"), Some(1));
    assert_eq!(code("both-in-use,still-on-connected-app"), Some(1));
    assert_eq!(code("overdue"), Some(1));
    // On the plan's own inputs nothing is overdue and nothing retired is used yet.
    let p = plan.display().to_string();
    let own = ecaplan([
        "verify",
        "--plan",
        &p,
        "samples/northwind",
        "--quiet",
        "--fail-on",
        "overdue,retired-but-used,both-in-use",
    ]);
    assert_eq!(
        own.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&own.stdout)
    );
}

#[test]
fn every_format_renders_and_escapes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let plan = plan_into(tmp.path());
    let after = after_exports(tmp.path());
    let (p, a) = (plan.display().to_string(), after.display().to_string());
    let run = |format: &str| {
        let out = ecaplan(["verify", "--plan", &p, &a, "--quiet", "--format", format]);
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let human = run("human");
    assert!(
        human.contains("both-in-use (overdue)") && human.contains("Marketing_SPA"),
        "{human}"
    );
    let md = run("markdown");
    assert!(
        md.starts_with("# Post-cutover verification")
            && md.contains("| both-in-use (overdue) | Marketing_SPA |"),
        "{md}"
    );
    let html = run("html");
    assert!(
        html.contains("<td class=\"s-both-in-use\">")
            && html.contains("&quot;Marketing SPA (ECA)&quot;"),
        "{html}"
    );
    let sarif: Value = serde_json::from_str(&run("sarif")).expect("sarif json");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "retired-but-used" && r["level"] == "error"));
    assert!(results.iter().all(|r| r["ruleId"] != "moved"));
    // Same inputs, same bytes.
    assert_eq!(run("json"), run("json"));
}

#[test]
fn bad_plans_and_cutovers_are_named() {
    let tmp = tempfile::tempdir().expect("tmp");
    let broken = tmp.path().join("plan.json");
    std::fs::write(&broken, "{\n  \"schema_version\": 1,\n  nope\n}").expect("write");
    let b = broken.display().to_string();
    let out = ecaplan(["verify", "--plan", &b, "samples/northwind"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("plan.json:3:3"), "{err}");
    let plan = plan_into(tmp.path());
    let p = plan.display().to_string();
    let out = ecaplan([
        "verify",
        "--plan",
        &p,
        "samples/northwind",
        "--cutover",
        "ERP_Sinc=2027-02-20",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean ERP_Sync"), "{err}");
    let out = ecaplan([
        "verify",
        "--plan",
        &p,
        "samples/northwind",
        "--cutover",
        "ERP_Sync=2027-02-30x",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a date"));
}
