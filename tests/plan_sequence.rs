//! Issue 12, "honest numbers" and "sequencing", end to end on the sample org: rates from the
//! login window only, distinct labels for side-by-side ECAs, dangerous unused apps blocked in
//! wave 0, retire = block before revoke, freeze windows, notes in runbooks and reports, and
//! the documented checks of the migration button.

mod common;

use std::path::Path;

use common::{plan_app as app, plan_samples};
use serde_json::Value;

fn run(dir: &Path, extra: &[&str]) -> Value {
    let out = plan_samples(dir, extra);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    common::plan_json(dir)
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
fn day(s: &str) -> i64 {
    let p: Vec<i64> = s.split('-').map(|x| x.parse().expect("number")).collect();
    let (y, m, d) = (p[0], p[1], p[2]);
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(per_30, logins, days)` from the evidence line "usage: ~N logins per 30 days (L logins
/// over the D-day window …".
fn rate(a: &Value) -> Option<(u64, u64, u64)> {
    let e = strings(&a["evidence"])
        .into_iter()
        .find(|e| e.starts_with("usage: ~"))?;
    let num = |s: &str| -> u64 {
        s.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .expect("number")
    };
    let per_30 = num(&e["usage: ~".len()..]);
    let (_, rest) = e.split_once(" per 30 days (")?;
    let logins = num(rest);
    let (_, rest) = rest.split_once(" logins over the ")?;
    Some((per_30, logins, num(rest)))
}

#[test]
fn rates_come_from_the_login_window_only_and_lifetime_token_use_is_shown_as_such() {
    let tmp = tempfile::tempdir().expect("tmp");
    let plan = run(&tmp.path().join("out"), &[]);
    let mut windows = std::collections::BTreeSet::new();
    let mut checked_retired = 0;
    for a in plan["apps"].as_array().expect("apps") {
        let Some((per_30, logins, days)) = rate(a) else {
            continue;
        };
        windows.insert(days);
        assert_eq!(
            per_30,
            (logins * 30 + days / 2) / days,
            "{}: the rate is the window's logins per 30 days",
            a["api_name"]
        );
        let usage = strings(&a["evidence"])
            .into_iter()
            .find(|e| e.starts_with("usage:"))
            .expect("usage line")
            .to_string();
        assert!(!usage.contains("or token uses"), "{usage}");
        if a["strategy"] == "retire" && usage.contains("token uses, lifetime") {
            checked_retired += 1;
            assert_eq!(a["high_volume"], false, "{usage}");
        }
    }
    // One window for every app: the period the login sources cover.
    assert_eq!(windows.len(), 1, "{windows:?}");
    // Legacy_Reporting_JWT is unused with 1468 lifetime token uses: no rate from them.
    let legacy = app(&plan, "Legacy_Reporting_JWT");
    assert_eq!(legacy["strategy"], "retire");
    let (per_30, logins, _) = rate(legacy).expect("rate");
    assert_eq!((per_30, logins), (0, 0));
    assert!(strings(&legacy["evidence"])
        .iter()
        .any(|e| e.contains("1468 token uses, lifetime")));
    assert!(checked_retired >= 2, "{checked_retired}");
}

#[test]
fn side_by_side_ecas_get_a_distinct_label_and_the_runbook_says_how_to_tell_them_apart() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let plan = run(&out, &[]);
    let mut seen = 0;
    for a in plan["apps"].as_array().expect("apps") {
        if !matches!(a["strategy"].as_str(), Some("side-by-side" | "big-bang")) {
            continue;
        }
        let Some(eca) = a["eca_name"].as_str() else {
            continue;
        };
        let header = out.join(format!(
            "eca/force-app/main/default/externalClientApps/{eca}.eca-meta.xml"
        ));
        let xml = std::fs::read_to_string(&header).expect("header");
        let label = a["label"].as_str().expect("label");
        assert!(
            xml.contains(&format!("<label>{label} (ECA)</label>")),
            "{eca}: {xml}"
        );
        let validation = strings(&a["runbook"]["validation"]).join("\n");
        assert!(
            validation.contains(&format!("\"{label} (ECA)\""))
                && validation.contains("LoginHistory"),
            "{validation}"
        );
        seen += 1;
    }
    assert!(seen >= 2, "{seen}");
    // The migration button keeps the app as it is: no suffix on automated apps.
    let automated = app(&plan, "ERP_Sync");
    assert_eq!(automated["strategy"], "automated");
    let explain = common::ecaplan(["explain", "ECA110"]);
    let text = String::from_utf8_lossy(&explain.stdout);
    assert!(text.contains("(ECA)"), "{text}");
}

#[test]
fn unused_high_risk_apps_are_blocked_in_wave_0_and_retire_blocks_before_revoking() {
    let tmp = tempfile::tempdir().expect("tmp");
    let plan = run(&tmp.path().join("out"), &[]);
    let last = plan["waves"].as_array().expect("waves").len() - 1;
    // Full scope (ECA201), unused: wave 0. Unused without a dangerous setting: the last wave.
    let full = app(&plan, "Full_Access_Tool");
    assert_eq!(full["strategy"], "retire");
    assert_eq!(full["wave"], 0);
    assert!(strings(&full["runbook"]["pre_checks"])
        .iter()
        .any(|p| p.contains("wave 0") && p.contains("ECA201")));
    let legacy = app(&plan, "Legacy_Reporting_JWT");
    assert_eq!(legacy["wave"], last);
    let retired: Vec<&Value> = plan["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .filter(|a| a["strategy"] == "retire")
        .collect();
    assert!(retired.len() >= 3);
    for a in retired {
        let steps = strings(&a["runbook"]["steps"]);
        let at = |w: &str| steps.iter().position(|s| s.starts_with(w));
        let (block, revoke, wait, delete) = (
            at("block").expect("block step"),
            at("then revoke").expect("revoke step"),
            at("wait").expect("wait step"),
            at("delete").expect("delete step"),
        );
        assert!(
            block < revoke && revoke < wait && wait < delete,
            "{}: {steps:?}",
            a["api_name"]
        );
        assert!(strings(&a["runbook"]["rollback"])
            .iter()
            .any(|r| r.contains("unblock")));
    }
}

fn assert_no_overlap(plan: &Value, from: &str, to: &str) {
    let (f, t) = (day(from), day(to));
    for w in plan["waves"].as_array().expect("waves") {
        let (a, b) = (
            day(w["start"].as_str().expect("start")),
            day(w["end"].as_str().expect("end")),
        );
        assert!(
            b < f || a > t,
            "wave {} {a}..{b} overlaps the freeze {from}..{to}",
            w["number"]
        );
    }
}

#[test]
fn a_freeze_window_in_ecaplan_toml_moves_waves_out_of_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    // The sample's own window (January month-end close).
    let plan = run(&tmp.path().join("sample"), &[]);
    assert_no_overlap(&plan, "2027-01-27", "2027-02-03");
    let md = std::fs::read_to_string(tmp.path().join("sample/report.md")).expect("report.md");
    // The freeze windows' table: the window, its reason and the wave it moved.
    assert!(md.contains("| 2027-01-27 | 2027-02-03 | January month-end close"));
    assert!(md.contains("Finance closes the books | every wave | 3 |"));
    // The monthly close protects ERP_Sync and Finance_Close only: no wave moves for it, and
    // ERP_Sync's runbook (wave 4, 2027-02-18 – 2027-03-03) leaves it the days before the close.
    assert!(
        md.contains("| ERP_Sync, Finance_Close, every month (their runbooks say when) | none |")
    );
    let erp = plan["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .find(|a| a["api_name"] == "ERP_Sync")
        .expect("ERP_Sync");
    let first = erp["runbook"]["pre_checks"][0]
        .as_str()
        .expect("a pre-check");
    assert!(
        first.starts_with("ERP_Sync is frozen on 2027-02-27 – 2027-03-03")
            && first.contains("on 2027-02-18 – 2027-02-26 only"),
        "{first}"
    );
    assert!(plan["waves"]
        .as_array()
        .expect("waves")
        .iter()
        .any(|w| strings(&w["tasks"])
            .iter()
            .any(|t| t.contains("month-end close"))));
    // A window over the pilot (2026-12-21 without it), from a config passed with --config.
    let sample = std::fs::read_to_string("samples/northwind/ecaplan.toml").expect("sample");
    let config = tmp.path().join("ecaplan.toml");
    std::fs::write(
        &config,
        format!("{sample}\n[[blackout]]\nfrom = \"2026-12-24\"\nto = \"2027-01-01\"\nreason = \"holidays\"\n"),
    )
    .expect("write");
    let config = config.to_string_lossy().into_owned();
    let moved = run(&tmp.path().join("moved"), &["--config", &config]);
    assert_no_overlap(&moved, "2026-12-24", "2027-01-01");
    assert_no_overlap(&moved, "2027-01-27", "2027-02-03");
    let pilot = &moved["waves"][1];
    assert_eq!(pilot["kind"], "pilot");
    assert_eq!(pilot["start"], "2027-01-02");
    // Same waves, same apps: only the dates move.
    let apps = |p: &Value| -> Vec<Value> {
        p["waves"]
            .as_array()
            .expect("waves")
            .iter()
            .map(|w| w["apps"].clone())
            .collect()
    };
    assert_eq!(apps(&plan), apps(&moved));
    // A bad window is an error, like an unknown key.
    std::fs::write(
        tmp.path().join("bad.toml"),
        "[[blackout]]\nfrom = \"2027-02-05\"\nto = \"2027-01-25\"\nreason = \"r\"\n",
    )
    .expect("write");
    let bad = tmp.path().join("bad.toml").to_string_lossy().into_owned();
    let out = plan_samples(&tmp.path().join("bad"), &["--config", &bad]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("blackout"));
}

#[test]
fn notes_appear_in_the_runbook_and_the_reports() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let plan = run(&out, &[]);
    let note = "Order sync every 5 minutes; no downtime during month-end close";
    let erp = app(&plan, "ERP_Sync");
    assert_eq!(erp["notes"], note);
    assert!(strings(&erp["runbook"]["pre_checks"])
        .iter()
        .any(|p| p.contains(note)));
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(
        md.contains("## Owners and notes (ecaplan.toml)"),
        "no notes section"
    );
    assert!(md
        .lines()
        .any(|l| l.contains("ERP_Sync") && l.contains(note)));
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(html.contains(note));
    let csv = std::fs::read_to_string(out.join("apps.csv")).expect("apps.csv");
    assert!(csv.contains(note));
    // An app without notes has none.
    assert!(app(&plan, "Okta_SSO").get("notes").is_none());
}

#[test]
fn the_migration_button_runbook_has_the_documented_checks() {
    let tmp = tempfile::tempdir().expect("tmp");
    let plan = run(&tmp.path().join("out"), &[]);
    for a in plan["apps"].as_array().expect("apps") {
        if a["strategy"] != "automated" {
            continue;
        }
        let pre = strings(&a["runbook"]["pre_checks"]).join("\n");
        assert!(
            pre.contains("Notification Delivery Settings") && pre.contains("Briefcase"),
            "{}: {pre}",
            a["api_name"]
        );
    }
    // Web server flow without PKCE (sample README): a PKCE pre-check.
    let web = app(&plan, "Field_Service_Web");
    assert_eq!(web["strategy"], "automated");
    assert!(strings(&web["runbook"]["pre_checks"])
        .iter()
        .any(|p| p.contains("PKCE") && p.contains("code_challenge")));
    // Web server flow that already requires PKCE: no such pre-check.
    let portal = app(&plan, "Partner_Portal");
    assert!(!strings(&portal["runbook"]["pre_checks"])
        .iter()
        .any(|p| p.contains("code_challenge")));
}

#[test]
fn a_cutover_closes_and_blocks_its_connected_app_but_never_deletes_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let plan = run(&tmp.path().join("out"), &[]);
    for a in plan["apps"].as_array().expect("apps") {
        if a["strategy"] == "retire" {
            continue;
        }
        let runbook = a["runbook"].to_string();
        assert!(
            !runbook.contains("deactivate"),
            "{}: {runbook}",
            a["api_name"]
        );
        for text in strings(&a["runbook"]["decommission"]) {
            assert!(
                !text.contains("delete it") || text.contains("never delete it"),
                "{}: {text}",
                a["api_name"]
            );
        }
    }
    let marketing = plan["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .find(|a| a["api_name"] == "Marketing_SPA")
        .expect("Marketing_SPA");
    let steps = strings(&marketing["runbook"]["steps"]).join("\n");
    assert!(steps.contains("close the connected app Marketing_SPA to its users: record its Permitted Users setting"), "{steps}");
    let rollback = strings(&marketing["runbook"]["rollback"]).join("\n");
    assert!(
        rollback.contains("reopen the connected app Marketing_SPA"),
        "{rollback}"
    );
}

#[test]
fn the_deploy_readme_carries_the_runbooks_of_apps_without_eca_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    run(&out, &[]);
    let readme = std::fs::read_to_string(out.join("eca/README.md")).expect("README");
    let wave1 = readme.find("\n## Wave 1\n").expect("wave 1");
    // Wave 0's vendor app: its users get their access before it turns admin-approved.
    let at = |what: &str| readme.find(what).unwrap_or_else(|| panic!("{what}"));
    let section = at("### Dataloader Bulk (install-and-harden: no ECA files)");
    let assign = at("--name Dataloader_Bulk_App_Access");
    let approve = section
        + readme[section..]
            .find("set Permitted Users")
            .expect("approve");
    assert!(section < assign && assign < approve && approve < wave1);
    // The final wave: its tasks and its retired app's runbook, after the last ECA wave.
    let last = at("\n## Wave 6\n");
    assert!(last > at("\n## Wave 5\n"));
    assert!(at("never delete one: since Spring '26") > last);
    assert!(at("### Legacy_Reporting_JWT (retire: no ECA files)") > last);
}

#[test]
fn a_handler_user_people_sign_in_with_is_replaced_and_the_person_keeps_access() {
    let tmp = tempfile::tempdir().expect("tmp");
    let plan = run(&tmp.path().join("out"), &[]);
    let params = plan["parameters"].as_array().expect("parameters");
    let handler = params
        .iter()
        .find(|p| p["variable"] == "ECA_LOYALTY_HANDLER_ECA_HANDLER_USER")
        .expect("handler user");
    // ECA208: loyalty.handler signs in interactively, so the ECA's handler runs as a new user.
    assert_eq!(
        handler["default"],
        "loyalty_handler_eca.handler@northwind.example"
    );
    // The button makes Okta_SSO's SAML policy: no certificate variable for a file never written.
    assert!(params.iter().all(|p| p["eca"] != "Okta_SSO"), "{params:?}");
    let loyalty = app(&plan, "Loyalty_Handler");
    let checks = strings(&loyalty["runbook"]["pre_checks"]).join("\n");
    assert!(
        checks.contains("access: seen using the app without a granting profile")
            && checks.contains("--name Loyalty_Handler_ECA_ECA_Access --target-org \"$ECA_TARGET_ORG\" --on-behalf-of loyalty.handler@northwind.example"),
        "{checks}"
    );
}

#[test]
fn a_grant_an_exception_keeps_is_not_removed_later() {
    let tmp = tempfile::tempdir().expect("tmp");
    let plan = run(&tmp.path().join("out"), &[]);
    let steps = strings(&app(&plan, "Supplier_API")["runbook"]["steps"]).join("\n");
    assert!(
        steps.contains("then remove the old grants, except the System Administrator grant that ecaplan.toml's exception for ECA215 keeps"),
        "{steps}"
    );
    // Without the exception the later change removes every old grant.
    let steps = strings(&app(&plan, "Tableau_Bridge")["runbook"]["steps"]).join("\n");
    assert!(
        steps.contains("then remove the old grants")
            && !steps.contains("except the System Administrator")
    );
}

#[test]
fn a_switch_the_eca_may_lack_is_checked_right_after_the_button() {
    let tmp = tempfile::tempdir().expect("tmp");
    let plan = run(&tmp.path().join("out"), &[]);
    let steps = strings(&app(&plan, "Token_Exchange_Gateway")["runbook"]["steps"]);
    let button = steps
        .iter()
        .position(|s| s.contains("Migrate to External Client App"))
        .expect("the button");
    assert!(
        steps[button + 1].contains("check that token exchange is on"),
        "{steps:?}"
    );
}
