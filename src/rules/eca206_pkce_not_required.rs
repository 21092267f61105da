//! ECA206 pkce-not-required: an authorization-code app without PKCE.

use super::support::{app_evidence, apps_with_facts, EcaPart};
use super::{Context, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA206",
    name: "pkce-not-required",
    severity: Severity::Medium,
    summary: "The app has a callback (authorization code flow) but does not require PKCE",
    explain: "What: the app has an OAuth callback URL, so the authorization code (web server) \
flow can be used, but isPkceRequired is false or absent and the org does not require PKCE for \
all apps (OauthOidcSettings isPkceRequired).\n\
Why it matters: without PKCE an intercepted authorization code can be exchanged for tokens by \
someone else — critical for mobile and single-page apps, which cannot keep a secret. ECAs \
require PKCE by default; the migration will change behaviour if the client does not send it.\n\
How to fix: make the client send code_challenge / code_verifier, then require PKCE.\n\
Evidence: the callbackUrl and the isPkceRequired element (or its absence).",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    let org_pkce = cx
        .org
        .inventory
        .org
        .oauth_oidc
        .as_ref()
        .and_then(|s| s.value.is_pkce_required)
        == Some(true);
    if org_pkce {
        return Vec::new();
    }
    apps_with_facts(&cx.org.inventory)
        .filter(|(_, f)| f.flows.contains(&"authorization-code") && f.pkce_required == Some(false))
        .map(|(app, _)| {
            let ev = app_evidence(
                app,
                "oauthConfig/callbackUrl",
                EcaPart::GlobalOauth,
                "callbackUrl",
            );
            Hit::app(
                &app.api_name,
                format!(
                    "{} allows the authorization code flow without PKCE",
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
    use crate::metadata::Kind;
    use crate::rules::support::testing::*;

    #[test]
    fn callback_without_pkce_triggers() {
        let inv = inventory(&[
            connected_app("No", "<oauthConfig><callbackUrl>https://x</callbackUrl></oauthConfig>"),
            connected_app("Yes", "<oauthConfig><callbackUrl>https://x</callbackUrl><isPkceRequired>true</isPkceRequired></oauthConfig>"),
        ]);
        let apps: Vec<_> = run(&RULE, &inv).into_iter().filter_map(|h| h.app).collect();
        assert_eq!(apps, ["No"]);
    }

    #[test]
    fn org_wide_pkce_silences() {
        let inv = inventory(&[
            connected_app(
                "No",
                "<oauthConfig><callbackUrl>https://x</callbackUrl></oauthConfig>",
            ),
            file(
                "OauthOidc",
                Kind::OauthOidcSettings,
                "<OauthOidcSettings><isPkceRequired>true</isPkceRequired></OauthOidcSettings>",
            ),
        ]);
        assert!(run(&RULE, &inv).is_empty());
    }
}
