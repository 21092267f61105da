//! The registry: every rule, in id order. Ids are never reused; retired rules stay listed in
//! RETIRED so a new rule cannot take their id.

use super::*;

/// All rules, sorted by id.
pub static RULES: &[&Rule] = &[
    &eca101_username_password_flow_in_use::RULE,
    &eca102_user_agent_flow_in_use::RULE,
    &eca103_custom_oauth_handler::RULE,
    &eca104_packaged_app::RULE,
    &eca105_uninstalled_app_in_use::RULE,
    &eca106_mobile_push_settings_unverifiable::RULE,
    &eca107_saml_triple_des::RULE,
    &eca108_device_flow_on_uninstalled_app::RULE,
    &eca109_ecaname_collision::RULE,
    &eca110_look_alike_label::RULE,
    &eca111_scope_needs_mapping::RULE,
    &eca112_not_carried_over::RULE,
    &eca201_full_scope::RULE,
    &eca202_self_authorization::RULE,
    &eca203_ip_restrictions_relaxed::RULE,
    &eca204_refresh_token_never_expires::RULE,
    &eca205_refresh_token_rotation_off::RULE,
    &eca206_pkce_not_required::RULE,
    &eca207_shared_integration_user::RULE,
    &eca208_integration_user_not_api_only::RULE,
    &eca209_no_login_ip_ranges::RULE,
    &eca210_admin_run_as_user::RULE,
    &eca211_insecure_callback::RULE,
    &eca212_certificate_expiring::RULE,
    &eca213_identity_model_mismatch::RULE,
    &eca214_scope_outside_standard::RULE,
    &eca215_admin_profile_access::RULE,
    &eca216_missing_contact_email::RULE,
    &eca217_certificate_unreadable::RULE,
    &eca301_unused_app::RULE,
    &eca302_dormant_tokens::RULE,
    &eca303_no_usage_evidence::RULE,
    &eca304_org_allows_username_password::RULE,
    &eca305_org_allows_user_agent::RULE,
    &eca306_secret_in_source::RULE,
    &eca307_eca_org_bound_values::RULE,
    &eca308_eca_newer_than_schema::RULE,
];

/// The ids other stages refer to (the plan's decision table, waves and runbooks), named once
/// here so that no other module spells an id out; a test checks each names its rule.
pub(crate) mod ids {
    /// ECA101 username-password-flow-in-use.
    pub const USERNAME_PASSWORD_FLOW_IN_USE: &str = "ECA101";
    /// ECA102 user-agent-flow-in-use.
    pub const USER_AGENT_FLOW_IN_USE: &str = "ECA102";
    /// ECA103 custom-oauth-handler.
    pub const CUSTOM_OAUTH_HANDLER: &str = "ECA103";
    /// ECA105 uninstalled-app-in-use.
    pub const UNINSTALLED_APP_IN_USE: &str = "ECA105";
    /// ECA106 mobile-push-settings-unverifiable.
    pub const MOBILE_PUSH_SETTINGS_UNVERIFIABLE: &str = "ECA106";
    /// ECA107 saml-triple-des.
    pub const SAML_TRIPLE_DES: &str = "ECA107";
    /// ECA108 device-flow-on-uninstalled-app.
    pub const DEVICE_FLOW_ON_UNINSTALLED_APP: &str = "ECA108";
    /// ECA303 no-usage-evidence.
    pub const NO_USAGE_EVIDENCE: &str = "ECA303";
    /// ECA201 full-scope.
    pub const FULL_SCOPE: &str = "ECA201";
    /// ECA202 self-authorization.
    pub const SELF_AUTHORIZATION: &str = "ECA202";
    /// ECA203 ip-restrictions-relaxed.
    pub const IP_RESTRICTIONS_RELAXED: &str = "ECA203";
    /// ECA204 refresh-token-never-expires.
    pub const REFRESH_TOKEN_NEVER_EXPIRES: &str = "ECA204";
    /// ECA205 refresh-token-rotation-off.
    pub const REFRESH_TOKEN_ROTATION_OFF: &str = "ECA205";
    /// ECA206 pkce-not-required.
    pub const PKCE_NOT_REQUIRED: &str = "ECA206";
    /// ECA215 admin-profile-access.
    pub const ADMIN_PROFILE_ACCESS: &str = "ECA215";
    /// ECA207 shared-integration-user.
    pub const SHARED_INTEGRATION_USER: &str = "ECA207";
    /// ECA208 integration-user-not-api-only.
    pub const INTEGRATION_USER_NOT_API_ONLY: &str = "ECA208";
    /// ECA209 no-login-ip-ranges.
    pub const NO_LOGIN_IP_RANGES: &str = "ECA209";
    /// ECA210 admin-run-as-user.
    pub const ADMIN_RUN_AS_USER: &str = "ECA210";
    /// ECA212 certificate-expiring.
    pub const CERTIFICATE_EXPIRING: &str = "ECA212";
    /// ECA213 identity-model-mismatch.
    pub const IDENTITY_MODEL_MISMATCH: &str = "ECA213";
    /// ECA217 certificate-unreadable.
    pub const CERTIFICATE_UNREADABLE: &str = "ECA217";
    /// ECA301 unused-app.
    pub const UNUSED_APP: &str = "ECA301";
}

/// Ids of rules that were removed; never to be reused.
pub const RETIRED: &[&str] = &[];

/// A rule by id or name (case-insensitive).
pub fn find_rule(id_or_name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(id_or_name) || r.name.eq_ignore_ascii_case(id_or_name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_and_names_are_unique_well_formed_and_explained() {
        let mut ids = BTreeSet::new();
        let mut names = BTreeSet::new();
        let mut last = "";
        for r in RULES {
            assert!(ids.insert(r.id), "duplicate id {}", r.id);
            assert!(names.insert(r.name), "duplicate name {}", r.name);
            assert!(r.id > last, "registry not in id order at {}", r.id);
            last = r.id;
            assert!(
                r.id.len() == 6
                    && r.id.starts_with("ECA")
                    && r.id[3..].chars().all(|c| c.is_ascii_digit())
            );
            assert!(
                r.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                r.name
            );
            assert!(!RETIRED.contains(&r.id), "{} reuses a retired id", r.id);
            assert!(!r.summary.is_empty());
            for part in ["What:", "Why it matters:", "How to fix:", "Evidence:"] {
                assert!(r.explain.contains(part), "{} explain lacks {part}", r.id);
            }
            assert_eq!(find_rule(r.name).map(|f| f.id), Some(r.id));
        }
    }

    #[test]
    fn catalogue_of_the_design_is_implemented() {
        for id in [
            "ECA101", "ECA102", "ECA103", "ECA104", "ECA105", "ECA106", "ECA107", "ECA108",
            "ECA109", "ECA110", "ECA201", "ECA202", "ECA203", "ECA204", "ECA205", "ECA206",
            "ECA207", "ECA208", "ECA209", "ECA210", "ECA211", "ECA212", "ECA213", "ECA301",
            "ECA302", "ECA303", "ECA304", "ECA305", "ECA306",
        ] {
            assert!(find_rule(id).is_some(), "{id} is not implemented");
        }
    }

    #[test]
    fn ids_named_for_other_stages_are_their_rules() {
        for (id, name) in [
            (
                ids::USERNAME_PASSWORD_FLOW_IN_USE,
                "username-password-flow-in-use",
            ),
            (ids::USER_AGENT_FLOW_IN_USE, "user-agent-flow-in-use"),
            (ids::CUSTOM_OAUTH_HANDLER, "custom-oauth-handler"),
            (ids::UNINSTALLED_APP_IN_USE, "uninstalled-app-in-use"),
            (
                ids::MOBILE_PUSH_SETTINGS_UNVERIFIABLE,
                "mobile-push-settings-unverifiable",
            ),
            (ids::SAML_TRIPLE_DES, "saml-triple-des"),
            (
                ids::DEVICE_FLOW_ON_UNINSTALLED_APP,
                "device-flow-on-uninstalled-app",
            ),
            (ids::FULL_SCOPE, "full-scope"),
            (ids::SELF_AUTHORIZATION, "self-authorization"),
            (ids::IP_RESTRICTIONS_RELAXED, "ip-restrictions-relaxed"),
            (
                ids::REFRESH_TOKEN_NEVER_EXPIRES,
                "refresh-token-never-expires",
            ),
            (
                ids::REFRESH_TOKEN_ROTATION_OFF,
                "refresh-token-rotation-off",
            ),
            (ids::PKCE_NOT_REQUIRED, "pkce-not-required"),
            (ids::SHARED_INTEGRATION_USER, "shared-integration-user"),
            (ids::ADMIN_PROFILE_ACCESS, "admin-profile-access"),
            (
                ids::INTEGRATION_USER_NOT_API_ONLY,
                "integration-user-not-api-only",
            ),
            (ids::NO_LOGIN_IP_RANGES, "no-login-ip-ranges"),
            (ids::ADMIN_RUN_AS_USER, "admin-run-as-user"),
            (ids::CERTIFICATE_EXPIRING, "certificate-expiring"),
            (ids::CERTIFICATE_UNREADABLE, "certificate-unreadable"),
            (ids::UNUSED_APP, "unused-app"),
        ] {
            assert_eq!(find_rule(id).map(|r| r.name), Some(name), "{id}");
        }
    }
}
