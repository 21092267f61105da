//! ECA304 org-allows-username-password: the org does not block the username-password flow.

use super::support::org_allows;
use super::{Context, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA304",
    name: "org-allows-username-password",
    severity: Severity::High,
    summary: "The org allows the OAuth username-password flow (OauthOidcSettings)",
    explain: "What: OauthOidc.settings states blockOAuthUnPwFlow false (Setup: 'Allow OAuth \
Username-Password Flows' on).\n\
Why it matters: the username-password flow sends a user's password (and security token) to the \
client; ECAs do not support it at all, and Salesforce recommends blocking it for every app. \
While it is allowed, any connected app can still use it.\n\
How to fix: once usage shows no app uses the flow any more (ECA101), block it org-wide; the \
plan does this in its final wave.\n\
Evidence: the blockOAuthUnPwFlow element. A missing element does not state the value, so it is \
not reported.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    org_allows(
        cx,
        |s| s.block_oauth_un_pw_flow,
        "blockOAuthUnPwFlow",
        "username-password",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::Kind;
    use crate::rules::support::testing::*;

    fn org(v: &str) -> crate::model::Inventory {
        inventory(&[file(
            "OauthOidc",
            Kind::OauthOidcSettings,
            &format!("<OauthOidcSettings>{v}</OauthOidcSettings>"),
        )])
    }

    #[test]
    fn explicit_false_triggers() {
        assert_eq!(
            run(
                &RULE,
                &org("<blockOAuthUnPwFlow>false</blockOAuthUnPwFlow>")
            )
            .len(),
            1
        );
    }

    #[test]
    fn blocked_or_unstated_is_quiet() {
        assert!(run(&RULE, &org("<blockOAuthUnPwFlow>true</blockOAuthUnPwFlow>")).is_empty());
        assert!(run(&RULE, &org("")).is_empty());
    }
}
