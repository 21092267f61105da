//! ECA204 refresh-token-never-expires: infinite refresh tokens on an app that issues them.

use super::support::{app_evidence, apps_with_facts, EcaPart};
use super::{Context, Hit, Rule, Severity};
use crate::model::RefreshPolicy;

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA204",
    name: "refresh-token-never-expires",
    severity: Severity::Medium,
    summary:
        "Refresh tokens are valid until revoked (policy infinite) on an app with a refresh scope",
    explain: "What: the refresh-token policy is infinite (the connected-app default when \
oauthPolicy is absent) and the app has the RefreshToken (or Full/OfflineAccess) scope.\n\
Why it matters: a refresh token that never expires is a permanent credential; leaked once, it \
works until someone notices.\n\
How to fix: expire refresh tokens after a period without use (the integration standard's \
refresh_token_inactivity_days; the generated ECA policy does this).\n\
Evidence: oauthPolicy/refreshTokenPolicy (or its absence) and the scopes.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    apps_with_facts(&cx.org.inventory)
        .filter(|(_, f)| {
            f.refresh_policy == Some(RefreshPolicy::Infinite)
                && f.scopes
                    .iter()
                    .any(|s| matches!(s.as_str(), "RefreshToken" | "OfflineAccess" | "Full"))
        })
        .map(|(app, _)| {
            let ev = app_evidence(
                app,
                "oauthPolicy/refreshTokenPolicy",
                EcaPart::OauthPolicies,
                "refreshTokenPolicyType",
            );
            let ev = match ev {
                crate::rules::Evidence::Metadata { line: None, .. } => app_evidence(
                    app,
                    "oauthConfig/scopes",
                    EcaPart::OauthSettings,
                    "commaSeparatedOauthScopes",
                ),
                other => other,
            };
            Hit::app(
                &app.api_name,
                format!("{}: refresh tokens never expire", app.api_name),
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
    fn infinite_with_refresh_scope_triggers() {
        let inv = inventory(&[
            connected_app("Default", "<oauthConfig><callbackUrl>https://x</callbackUrl><scopes>RefreshToken</scopes></oauthConfig>"),
            connected_app("Zero", "<oauthConfig><callbackUrl>https://x</callbackUrl><scopes>RefreshToken</scopes></oauthConfig><oauthPolicy><ipRelaxation>ENFORCE</ipRelaxation><refreshTokenPolicy>zero</refreshTokenPolicy></oauthPolicy>"),
            connected_app("NoRefresh", "<oauthConfig><callbackUrl>https://x</callbackUrl><scopes>Api</scopes></oauthConfig>"),
        ]);
        let apps: Vec<_> = run(&RULE, &inv).into_iter().filter_map(|h| h.app).collect();
        assert_eq!(apps, ["Default"]);
    }
}
