//! The generated `eca/README.md` is what an admin follows step by step: for every app whose
//! policies make it admin-approved, the assignment of its access permission set to the users
//! who use it comes before the deploy that changes the policies (else they are locked out).

mod common;

use common::{copy_tree, plan_app, plan_json, plan_samples};

/// The sample's plan.json and eca/README.md.
fn planned() -> (serde_json::Value, String) {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    assert!(plan_samples(&out, &[]).status.success());
    let readme = std::fs::read_to_string(out.join("eca/README.md")).expect("README");
    (plan_json(&out), readme)
}

#[test]
fn every_assignment_comes_before_its_policy_deploy() {
    let (plan, readme) = planned();
    assignments_before_policies(&plan, &readme);
}

/// Without the User export the usage names users by id only, which `sf org assign permset`
/// does not take: every app that would be assigned stops before its policy deploy instead, and
/// its notes name a few of them, not one line per user.
#[test]
fn users_known_only_by_id_stop_the_policy_deploy() {
    let (_tmp, out) = plan_changed_sample(|input| {
        std::fs::remove_file(input.join("usage/User_sf_cli.csv")).expect("no User export");
    });
    let readme = std::fs::read_to_string(out.join("eca/README.md")).expect("README");
    let plan = plan_json(&out);
    let stopped = assignments_before_policies(&plan, &readme);
    assert!(stopped > 0, "no app stops for users known only by id");
    // OauthToken names Field_Mobile's users by id and username: its logins by id are theirs.
    let field_mobile = &common::plan_app(&plan, "Field_Mobile")["access"];
    assert!(field_mobile.get("unnamed").is_none(), "{field_mobile}");
    assert!(!field_mobile["assign"]
        .as_array()
        .expect("assign")
        .is_empty());
    for app in plan["apps"].as_array().expect("apps") {
        let notes = app["access"]["notes"].as_array().expect("notes");
        let by_id = notes
            .iter()
            .filter(|n| n.as_str().unwrap_or_default().contains("known only by id"))
            .count();
        assert!(
            by_id <= 1,
            "{}: {by_id} notes for unnamed users",
            app["api_name"]
        );
    }
}

/// Check that each app's assignment (or its STOP) comes before its policy deploy; how many
/// apps stop for users known only by id.
fn assignments_before_policies(plan: &serde_json::Value, readme: &str) -> usize {
    let mut stopped = 0;
    let mut checked = 0;
    for app in plan["apps"].as_array().expect("apps") {
        let name = app["api_name"].as_str().unwrap_or_default();
        let access = &plan_app(plan, name)["access"];
        if access["changes"] != true {
            continue;
        }
        let commands = access["commands"].as_array().map_or(0, Vec::len);
        // An app hardened in place (no ECA) changes its policies in Setup, by its runbook.
        let Some(eca) = app["eca_name"].as_str() else {
            continue;
        };
        let section = section(readme, name, eca);
        let set = access["access_permission_set"].as_str().expect("set");
        // Nobody known to assign: the README stops the admin instead.
        let unnamed = access["unnamed"].as_array().map_or(0, Vec::len);
        let wanted = if unnamed > 0 {
            format!("STOP: {unnamed} user(s) of this app are known only by their ids")
        } else if commands == 0 {
            format!("STOP: no user of this app is known to assign `{set}`")
        } else {
            format!("Assign `{set}`")
        };
        let assign = section
            .find(&wanted)
            .unwrap_or_else(|| panic!("{name}: no assignment step in its README section"));
        let policy = [
            format!("4-policies-{eca}.xml"),
            format!("5-migrated-{eca}.xml"),
        ]
        .iter()
        .filter_map(|m| section.find(m.as_str()))
        .min()
        .unwrap_or_else(|| panic!("{name}: no policy deploy"));
        assert!(
            assign < policy,
            "{name}: the assignment must come before the policy deploy"
        );
        stopped += usize::from(unnamed > 0);
        checked += 1;
        if unnamed > 0 {
            // The README stops: its commands come with the plan that names every user.
            continue;
        }
        for c in access["commands"].as_array().expect("commands") {
            assert!(
                section.contains(c.as_str().unwrap_or_default()),
                "{name}: {c} missing"
            );
        }
    }
    assert!(
        checked >= 5,
        "only {checked} apps change access in the sample"
    );
    stopped
}

/// Plan a copy of the sample that `change` edits first: the temporary folder and the output.
fn plan_changed_sample(
    change: impl FnOnce(&std::path::Path),
) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let input = tmp.path().join("northwind");
    copy_tree(std::path::Path::new("samples/northwind"), &input);
    change(&input);
    let out = tmp.path().join("out");
    common::plan_ok(&input, &out);
    (tmp, out)
}

/// The section of one app in `eca/README.md` (up to the next app or wave).
fn section<'a>(readme: &'a str, app: &str, eca: &str) -> &'a str {
    let head = format!("\n### {app} (ECA {eca})\n");
    let at = readme.find(&head).unwrap_or_else(|| panic!("no {head:?}"));
    let rest = &readme[at + head.len()..];
    let end = rest
        .find("\n### ")
        .or_else(|| rest.find("\n## "))
        .unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn the_handler_class_and_run_as_users_come_before_the_policies_that_name_them() {
    let (plan, readme) = planned();
    let mut checked = 0;
    for p in plan["parameters"].as_array().expect("parameters") {
        let var = p["variable"].as_str().unwrap_or_default();
        if !(var.ends_with("_RUN_AS") || var.ends_with("_HANDLER_USER")) {
            continue;
        }
        let eca = p["eca"].as_str().expect("eca");
        let app = plan["apps"]
            .as_array()
            .expect("apps")
            .iter()
            .find(|a| a["eca_name"] == eca)
            .and_then(|a| a["api_name"].as_str())
            .expect("app of the ECA");
        let s = section(&readme, app, eca);
        // A user the migration keeps has its own step (set the variable, change nothing).
        let user = s
            .find(&format!("The user in `${var}`"))
            .or_else(|| s.find(&format!("`${var}` (production: ")))
            .unwrap_or_else(|| panic!("{app}: no {var} step"));
        let policy = [
            format!("4-policies-{eca}.xml"),
            format!("5-migrated-{eca}.xml"),
        ]
        .iter()
        .filter_map(|m| s.find(m.as_str()))
        .min()
        .expect("policy deploy");
        assert!(user < policy, "{app}: {var} must come first");
        checked += 1;
    }
    let loyalty = section(&readme, "Loyalty_Handler", "Loyalty_Handler_ECA");
    let class = loyalty
        .find("Deploy the Apex class `LoyaltyConnectedAppPlugin_EcaHandler` first")
        .expect("the handler class step");
    assert!(
        class
            < loyalty
                .find("4-policies-Loyalty_Handler_ECA.xml")
                .expect("policies")
    );
    assert!(checked >= 5, "{checked}");
}

/// The plan runs Data_Warehouse_Loader as the one user of its password flow, etl.service. When
/// the User export shows a person's profile for it, the ECA gets a dedicated integration user
/// instead (client credentials needs an API-only user); on the sample's integration profile it
/// keeps etl.service.
#[test]
fn a_person_seen_on_the_password_flow_is_not_made_the_run_as_user() {
    let run_as = |users_csv: Option<String>| {
        let (_tmp, out) = plan_changed_sample(|input| {
            if let Some(text) = users_csv {
                std::fs::write(input.join("usage/User_sf_cli.csv"), text).expect("write");
            }
        });
        let plan = plan_json(&out);
        let p = plan["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .find(|p| p["variable"] == "ECA_DATA_WAREHOUSE_LOADER_ECA_RUN_AS")
            .expect("run-as parameter")
            .clone();
        p["default"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(run_as(None), "etl.service@northwind.example");
    let users = std::fs::read_to_string("samples/northwind/usage/User_sf_cli.csv").expect("users");
    let person = users.replace(
        "ETL Service,true,Standard,Northwind Integration,",
        "ETL Service,true,Standard,Custom: Sales Profile,",
    );
    assert_ne!(person, users, "the sample's etl.service row changed");
    assert_eq!(
        run_as(Some(person)),
        "data_warehouse_loader_eca.integration@northwind.example"
    );
}
