//! ECA201 full-scope: the app requests the `Full` scope.

use super::support::{app_evidence, apps_with_facts, EcaPart};
use super::{Context, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA201",
    name: "full-scope",
    severity: Severity::High,
    summary: "The app requests the Full scope (all data the user can access, plus refresh)",
    explain: "What: the app's OAuth scopes include Full.\n\
Why it matters: Full grants everything the user can do, including refresh tokens; an \
integration rarely needs it, and a leaked token then exposes the whole org. The generated ECA \
narrows Full to Api and RefreshToken (Api alone for client credentials, which issues no refresh \
token) unless you override it.\n\
How to fix: find the APIs the integration calls (ApiTotalUsage / RestApi event logs) and request \
only those scopes (usually Api, plus RefreshToken if it works offline).\n\
Evidence: the scopes element (connected app) or commaSeparatedOauthScopes (ECA).",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    apps_with_facts(&cx.org.inventory)
        .filter(|(_, f)| f.scopes.iter().any(|s| s == "Full"))
        .map(|(app, _)| {
            let ev = app_evidence(
                app,
                "oauthConfig/scopes",
                EcaPart::OauthSettings,
                "commaSeparatedOauthScopes",
            );
            Hit::app(
                &app.api_name,
                format!("{} requests the Full scope", app.api_name),
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
    fn full_triggers_and_api_does_not() {
        let inv = inventory(&[
            connected_app("F", "<oauthConfig><callbackUrl>https://x</callbackUrl><scopes>Full</scopes></oauthConfig>"),
            connected_app("A", "<oauthConfig><callbackUrl>https://x</callbackUrl><scopes>Api</scopes></oauthConfig>"),
        ]);
        let hits = run(&RULE, &inv);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].app.as_deref(), Some("F"));
    }
}
