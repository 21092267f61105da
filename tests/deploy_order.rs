//! The generated `eca/README.md` is what an admin follows step by step: for every app whose
//! policies make it admin-approved, the assignment of its access permission set to the users
//! who use it comes before the deploy that changes the policies (else they are locked out).

mod common;

use common::{plan_app, plan_json, plan_samples};

#[test]
fn every_assignment_comes_before_its_policy_deploy() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    assert!(plan_samples(&out, &[]).status.success());
    let plan = plan_json(&out);
    let readme = std::fs::read_to_string(out.join("eca/README.md")).expect("README");
    let mut checked = 0;
    for app in plan["apps"].as_array().expect("apps") {
        let name = app["api_name"].as_str().unwrap_or_default();
        let access = &plan_app(&plan, name)["access"];
        if access["changes"] != true {
            continue;
        }
        let commands = access["commands"].as_array().map_or(0, Vec::len);
        // An app hardened in place (no ECA) changes its policies in Setup, by its runbook.
        let Some(eca) = app["eca_name"].as_str() else {
            continue;
        };
        let head = format!("\n### {name} (ECA {eca})\n");
        let at = readme
            .find(&head)
            .unwrap_or_else(|| panic!("no section {head:?}"));
        let section = &readme[at + head.len()..];
        let section = &section[..section
            .find("\n### ")
            .or_else(|| section.find("\n## "))
            .unwrap_or(section.len())];
        let set = access["access_permission_set"].as_str().expect("set");
        // Nobody known to assign: the README stops the admin instead.
        let wanted = if commands == 0 {
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
        for c in access["commands"].as_array().expect("commands") {
            assert!(
                section.contains(c.as_str().unwrap_or_default()),
                "{name}: {c} missing"
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 5,
        "only {checked} apps change access in the sample"
    );
}
