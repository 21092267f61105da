//! ECA215 admin-profile-access: access granted through the System Administrator profile.

use super::support::{app_evidence, apps_with_facts, EcaPart};
use super::{Context, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA215",
    name: "admin-profile-access",
    severity: Severity::Low,
    summary: "The app is granted to the System Administrator profile",
    explain: "What: the app's pre-authorized profiles include System Administrator.\n\
Why it matters: every administrator can use the app with full privileges; access granted by a \
broad profile is hard to review and to move. The 1:1 standard is one permission set per app, \
assigned to the users who need it.\n\
How to fix: grant the app through its own permission set (the generator writes \
<App>_ECA_Access) and remove the profile from the app.\n\
Evidence: the profileName element (ECA: commaSeparatedProfile).",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    apps_with_facts(&cx.org.inventory)
        .filter(|(_, f)| {
            f.profiles
                .iter()
                .any(|p| p.eq_ignore_ascii_case("System Administrator"))
        })
        .map(|(app, _)| {
            let ev = app_evidence(
                app,
                "profileName",
                EcaPart::OauthPolicies,
                "commaSeparatedProfile",
            );
            Hit::app(
                &app.api_name,
                format!(
                    "{} is granted to the System Administrator profile",
                    app.api_name
                ),
                vec![ev],
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::*;

    #[test]
    fn admin_profile_triggers() {
        let inv = inventory(&[
            connected_app("A", "<oauthConfig><callbackUrl>https://x</callbackUrl><isAdminApproved>true</isAdminApproved></oauthConfig>\n<profileName>System Administrator</profileName>"),
            connected_app("B", "<oauthConfig><callbackUrl>https://x</callbackUrl><isAdminApproved>true</isAdminApproved></oauthConfig>\n<profileName>Integration</profileName>"),
        ]);
        let apps: Vec<_> = run(&RULE, &inv).into_iter().filter_map(|h| h.app).collect();
        assert_eq!(apps, ["A"]);
    }
}
