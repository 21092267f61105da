//! ECA215 admin-profile-access: access granted through the System Administrator profile.

use super::support::{app_evidence, apps_with_facts, at_nth, EcaPart};
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
            // The profileName element that names the admin profile, not the first one.
            let admin =
                |c: &crate::model::Sourced<crate::metadata::connected_app::ConnectedApp>| {
                    let n = c
                        .value
                        .profile_name
                        .iter()
                        .position(|p| p.eq_ignore_ascii_case("System Administrator"))?;
                    Some(at_nth(c, "profileName", n))
                };
            let ev = app
                .connected_app
                .as_deref()
                .and_then(admin)
                .unwrap_or_else(|| {
                    app_evidence(
                        app,
                        "profileName",
                        EcaPart::OauthPolicies,
                        "commaSeparatedProfile",
                    )
                });
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

    #[test]
    fn the_evidence_points_at_the_admin_profile_element() {
        let inv = inventory(&[connected_app(
            "A",
            "<oauthConfig><callbackUrl>https://x</callbackUrl></oauthConfig>\n<profileName>Integration</profileName>\n<profileName>System Administrator</profileName>",
        )]);
        let hit = run(&RULE, &inv).remove(0);
        let first = match &hit.evidence[0] {
            crate::rules::Evidence::Metadata { line, .. } => line.expect("a line"),
            other => panic!("{other:?}"),
        };
        let ca = inv.apps[0].connected_app.as_deref().expect("ca");
        assert_eq!(Some(&first), ca.lines.get("profileName#1"));
        assert_eq!(Some(&(first - 1)), ca.lines.get("profileName"));
    }
}
