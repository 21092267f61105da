//! ECA205 refresh-token-rotation-off: refresh tokens issued without rotation.

use super::support::{app_evidence, apps_with_facts, EcaPart};
use super::{Context, Hit, Rule, Severity};
use crate::model::RefreshPolicy;

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA205",
    name: "refresh-token-rotation-off",
    severity: Severity::Medium,
    summary: "The app issues refresh tokens without rotation",
    explain: "What: the app has a refresh scope, its refresh tokens are not disabled (policy \
not zero), and isRefreshTokenRotationEnabled is false or absent.\n\
Why it matters: with rotation every refresh returns a new refresh token and invalidates the \
old one, so a stolen token is detected at the next legitimate refresh. Without it a copy keeps \
working.\n\
How to fix: enable refresh token rotation (GlobalOauth isRefreshTokenRotationEnabled in the ECA) \
after checking the client stores the new token it receives.\n\
Evidence: oauthConfig/isRefreshTokenRotationEnabled (or its absence) and the scopes.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    apps_with_facts(&cx.org.inventory)
        .filter(|(_, f)| {
            f.refresh_rotation == Some(false)
                && f.refresh_policy != Some(RefreshPolicy::Zero)
                && f.scopes
                    .iter()
                    .any(|s| matches!(s.as_str(), "RefreshToken" | "OfflineAccess" | "Full"))
        })
        .map(|(app, _)| {
            let mut ev = app_evidence(
                app,
                "oauthConfig/isRefreshTokenRotationEnabled",
                EcaPart::GlobalOauth,
                "isRefreshTokenRotationEnabled",
            );
            if matches!(ev, crate::rules::Evidence::Metadata { line: None, .. }) {
                ev = app_evidence(
                    app,
                    "oauthConfig/scopes",
                    EcaPart::OauthSettings,
                    "commaSeparatedOauthScopes",
                );
            }
            Hit::app(
                &app.api_name,
                format!("{}: refresh tokens are not rotated", app.api_name),
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
    fn rotation_off_triggers() {
        let inv = inventory(&[
            connected_app("Off", "<oauthConfig><callbackUrl>https://x</callbackUrl><isRefreshTokenRotationEnabled>false</isRefreshTokenRotationEnabled><scopes>RefreshToken</scopes></oauthConfig>"),
            connected_app("On", "<oauthConfig><callbackUrl>https://x</callbackUrl><isRefreshTokenRotationEnabled>true</isRefreshTokenRotationEnabled><scopes>RefreshToken</scopes></oauthConfig>"),
            connected_app("Zero", "<oauthConfig><callbackUrl>https://x</callbackUrl><scopes>RefreshToken</scopes></oauthConfig><oauthPolicy><ipRelaxation>ENFORCE</ipRelaxation><refreshTokenPolicy>zero</refreshTokenPolicy></oauthPolicy>"),
        ]);
        let apps: Vec<_> = run(&RULE, &inv).into_iter().filter_map(|h| h.app).collect();
        assert_eq!(apps, ["Off"]);
    }
}
