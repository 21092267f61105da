//! When App Manager's migration names an app's policies otherwise than `<ECA>_oauthPlcy` and
//! `<ECA>_plcy`, the admin records the names in ecaplan.toml and plans again: the hardening
//! files, their manifest and the README follow, and the next run keeps them (a hand rename
//! would be undone).

mod common;

use common::{plan_app, plan_json, plan_samples};

fn config_with(extra: &str, dir: &std::path::Path) -> String {
    let base = std::fs::read_to_string("samples/northwind/ecaplan.toml").expect("sample config");
    let path = dir.join("ecaplan.toml");
    std::fs::write(&path, format!("{base}{extra}")).expect("write config");
    path.to_string_lossy().into_owned()
}

#[test]
fn the_buttons_policy_names_from_ecaplan_toml_name_the_hardening_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let extra = "\n[apps.Supplier_API]\noauth_policy_name = \"Supplier_API_oauthPlcy1\"\npolicy_name = \"Supplier_API_plcy1\"\n";
    let config = config_with(extra, tmp.path());
    let out = tmp.path().join("out");
    let run = plan_samples(&out, &["--config", &config]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let root = out.join("eca/force-app/main/default");
    assert!(root
        .join("extlClntAppOauthPolicies/Supplier_API_oauthPlcy1.ecaOauthPlcy-meta.xml")
        .is_file());
    assert!(root
        .join("extlClntAppPolicies/Supplier_API_plcy1.ecaPlcy-meta.xml")
        .is_file());
    assert!(!root
        .join("extlClntAppOauthPolicies/Supplier_API_oauthPlcy.ecaOauthPlcy-meta.xml")
        .exists());
    let manifest =
        std::fs::read_to_string(out.join("eca/manifest/wave-3/5-migrated-Supplier_API.xml"))
            .expect("manifest");
    assert!(
        manifest.contains("<members>Supplier_API_oauthPlcy1</members>"),
        "{manifest}"
    );
    assert!(
        manifest.contains("<members>Supplier_API_plcy1</members>"),
        "{manifest}"
    );
    let readme = std::fs::read_to_string(out.join("eca/README.md")).expect("README");
    assert!(readme.contains("this manifest deploys `Supplier_API_oauthPlcy1` (ExtlClntAppOauthConfigurablePolicies) and `Supplier_API_plcy1` (ExtlClntAppConfigurablePolicies)"));
    let plan = plan_json(&out);
    assert_eq!(
        plan_app(&plan, "Supplier_API")["policy_names"],
        serde_json::json!({"oauth": "Supplier_API_oauthPlcy1", "app": "Supplier_API_plcy1"})
    );
    // Only the button's apps: a big-bang app's new ECA is named by ecaplan.
    let extra = "\n[apps.Loyalty_Handler]\noauth_policy_name = \"Other_oauthPlcy\"\n";
    let config = config_with(extra, tmp.path());
    let other = tmp.path().join("other");
    assert!(plan_samples(&other, &["--config", &config])
        .status
        .success());
    assert!(plan_app(&plan_json(&other), "Loyalty_Handler")
        .get("policy_names")
        .is_none());
}

#[test]
fn a_policy_name_that_is_no_developer_name_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = config_with(
        "\n[apps.Supplier_API]\npolicy_name = \"Supplier API plcy\"\n",
        tmp.path(),
    );
    let run = plan_samples(&tmp.path().join("out"), &["--config", &config]);
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("[apps.Supplier_API] policy_name")
            && stderr.contains("only letters, digits and _"),
        "{stderr}"
    );
}
