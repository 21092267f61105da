//! ECA305 org-allows-user-agent: the org does not block the user-agent flow.

use super::support::org_allows;
use super::{Context, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA305",
    name: "org-allows-user-agent",
    severity: Severity::Medium,
    summary: "The org allows the OAuth user-agent flow (OauthOidcSettings)",
    explain: "What: OauthOidc.settings states blockOAuthUsrAgtFlow false (Setup: 'Allow OAuth \
User-Agent Flows' on).\n\
Why it matters: the user-agent (implicit) flow returns the access token in the redirect URL \
fragment, where browser history, extensions and referrers can leak it. Salesforce recommends \
the web server flow with PKCE instead.\n\
How to fix: move single-page and mobile apps to authorization code + PKCE, then block the flow \
once no app uses it (ECA102).\n\
Evidence: the blockOAuthUsrAgtFlow element. A missing element does not state the value, so it \
is not reported.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    org_allows(
        cx,
        |s| s.block_oauth_usr_agt_flow,
        "blockOAuthUsrAgtFlow",
        "user-agent",
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
                &org("<blockOAuthUsrAgtFlow>false</blockOAuthUsrAgtFlow>")
            )
            .len(),
            1
        );
    }

    #[test]
    fn blocked_is_quiet() {
        assert!(run(
            &RULE,
            &org("<blockOAuthUsrAgtFlow>true</blockOAuthUsrAgtFlow>")
        )
        .is_empty());
    }
}
