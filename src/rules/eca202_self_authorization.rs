//! ECA202 self-authorization: any user may authorize the app themselves.

use super::support::{app_evidence, apps_with_facts, at, EcaPart};
use super::{Context, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA202",
    name: "self-authorization",
    severity: Severity::High,
    summary: "All users may self-authorize the app (it is not admin pre-approved)",
    explain: "What: the app's permitted-users policy is 'All users may self-authorize' \
(isAdminApproved false or absent; ECA permittedUsersPolicyType AllSelfAuthorized).\n\
Why it matters: any user who is tricked into the OAuth consent screen grants the app their \
access — the pattern of the 2025 connected-app phishing campaigns. ECAs are closed by default; \
migrating is the moment to close this one.\n\
How to fix: switch to 'Admin approved users are pre-authorized' and grant access through a \
dedicated permission set (the generator writes one per app).\n\
Evidence: the isAdminApproved element (or its absence, which means false) or the ECA policy.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    if !cx.config.standard.admin_approved_required {
        return Vec::new();
    }
    apps_with_facts(&cx.org.inventory)
        .filter(|(_, f)| f.oauth && f.admin_approved == Some(false))
        .map(|(app, _)| {
            // An absent isAdminApproved means false: point at the oauthConfig that omits it.
            let ev = app
                .connected_app
                .as_ref()
                .filter(|c| !c.lines.contains_key("oauthConfig/isAdminApproved"))
                .map(|c| at(c, "oauthConfig"))
                .unwrap_or_else(|| {
                    app_evidence(
                        app,
                        "oauthConfig/isAdminApproved",
                        EcaPart::OauthPolicies,
                        "permittedUsersPolicyType",
                    )
                });
            Hit::app(
                &app.api_name,
                format!("{}: all users may self-authorize", app.api_name),
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
    fn missing_or_false_triggers() {
        let inv = inventory(&[
            connected_app("Missing", "<oauthConfig><callbackUrl>https://x</callbackUrl></oauthConfig>"),
            connected_app("False", "<oauthConfig><callbackUrl>https://x</callbackUrl><isAdminApproved>false</isAdminApproved></oauthConfig>"),
            connected_app("Approved", "<oauthConfig><callbackUrl>https://x</callbackUrl><isAdminApproved>true</isAdminApproved></oauthConfig>"),
            connected_app("NoOauth", "<startUrl>https://x</startUrl>"),
        ]);
        let apps: Vec<_> = run(&RULE, &inv).into_iter().filter_map(|h| h.app).collect();
        assert_eq!(apps, ["False", "Missing"]);
    }
}
