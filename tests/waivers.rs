//! A workshop that accepts a hardening finding (ECA203 IP relaxation, ECA204 refresh-token
//! expiry, ECA206 PKCE) in ecaplan.toml gets ECA files that keep today's setting, and runbooks
//! that say so: the choice lives in the config, where the next `ecaplan plan` keeps it (a hand
//! edit of the generated files would be overwritten).

mod common;

use common::{plan_app, plan_json, plan_samples};

const EXTRA: &str = r#"
[[exceptions]]
rule = "ECA203"
app = "Data_Warehouse_Loader"
reason = "loader servers' ranges are agreed with security in Q3"

[[exceptions]]
rule = "ECA204"
app = "Tableau_Bridge"
reason = "the vendor's connector cannot re-authorize unattended"

[[exceptions]]
rule = "ECA206"
app = "Loyalty_Handler"
reason = "the loyalty client adds PKCE in its next release"
"#;

fn read(dir: &std::path::Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn accepted_hardening_findings_keep_todays_settings() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = tmp.path().join("ecaplan.toml");
    let base = std::fs::read_to_string("samples/northwind/ecaplan.toml").expect("sample config");
    std::fs::write(&config, format!("{base}{EXTRA}")).expect("write config");
    let out = tmp.path().join("out");
    let config = config.to_string_lossy().into_owned();
    let run = plan_samples(&out, &["--config", &config]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    let policies = "eca/force-app/main/default/extlClntAppOauthPolicies";
    let loader = read(
        &out,
        &format!("{policies}/Data_Warehouse_Loader_ECA_oauthPlcy.ecaOauthPlcy-meta.xml"),
    );
    assert!(
        loader.contains("<ipRelaxationPolicyType>Bypass</ipRelaxationPolicyType>"),
        "{loader}"
    );
    let tableau = read(
        &out,
        &format!("{policies}/Tableau_Bridge_oauthPlcy.ecaOauthPlcy-meta.xml"),
    );
    assert!(
        tableau.contains("<refreshTokenPolicyType>Infinite</refreshTokenPolicyType>"),
        "{tableau}"
    );
    let global = read(
        &out,
        "eca-global/extlClntAppGlobalOauthSets/Loyalty_Handler_ECA_glbloauth.ecaGlblOauth-meta.xml",
    );
    assert!(
        global.contains("<isPkceRequired>false</isPkceRequired>"),
        "{global}"
    );

    let plan = plan_json(&out);
    let loyalty = plan_app(&plan, "Loyalty_Handler");
    assert_eq!(loyalty["waived"], serde_json::json!({"pkce": true}));
    let checks = loyalty["runbook"]["pre_checks"].to_string();
    assert!(
        checks.contains("keeps PKCE optional as today") && checks.contains("next release"),
        "{checks}"
    );
    assert!(!checks.contains("set isPkceRequired"), "{checks}");
    let loader = plan_app(&plan, "Data_Warehouse_Loader");
    assert_eq!(loader["ip_relaxation_kept"], true);
    let checks = loader["runbook"]["pre_checks"].to_string();
    assert!(
        checks.contains("keeps its IP relaxation as today"),
        "{checks}"
    );
    assert!(!checks.contains("confirm that the addresses"), "{checks}");
    // Tableau_Bridge's idle tokens are not ended by a policy that keeps them.
    let tableau = plan_app(&plan, "Tableau_Bridge")["runbook"].to_string();
    assert!(
        !tableau.contains("expire refresh tokens after"),
        "{tableau}"
    );
}

#[test]
fn without_an_exception_the_runbook_asks_for_one_not_for_a_hand_edit() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    assert!(plan_samples(&out, &[]).status.success());
    let plan = plan_json(&out);
    let checks = plan_app(&plan, "Loyalty_Handler")["runbook"]["pre_checks"].to_string();
    assert!(
        checks.contains("accept ECA206 for Loyalty_Handler in ecaplan.toml"),
        "{checks}"
    );
    let checks = plan_app(&plan, "Data_Warehouse_Loader")["runbook"]["pre_checks"].to_string();
    assert!(
        checks.contains("accept ECA203 for Data_Warehouse_Loader in ecaplan.toml"),
        "{checks}"
    );
}
