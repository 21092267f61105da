//! ECA214 scope-outside-standard: scopes that the integration standard does not allow.

use super::support::{app_evidence, apps_with_facts, EcaPart};
use super::{Context, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA214",
    name: "scope-outside-standard",
    severity: Severity::Low,
    summary: "The app requests scopes outside the integration standard's allowed list",
    explain: "What: a scope of the app is not in [standard] allowed_scopes of ecaplan.toml \
(Full is reported separately by ECA201).\n\
Why it matters: every scope widens what a token can do; the allow-list is the org's decision of \
what integrations may request.\n\
How to fix: remove the scope, or add it to allowed_scopes if the org accepts it, or record an \
exception with its reason.\n\
Evidence: the scopes element. An empty allowed_scopes turns the rule off.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    let allowed = &cx.config.standard.allowed_scopes;
    if allowed.is_empty() {
        return Vec::new();
    }
    apps_with_facts(&cx.org.inventory)
        .filter_map(|(app, f)| {
            let extra: Vec<&String> = f
                .scopes
                .iter()
                .filter(|s| *s != "Full" && !allowed.iter().any(|a| a.eq_ignore_ascii_case(s)))
                .collect();
            if extra.is_empty() {
                return None;
            }
            let list: Vec<&str> = extra.iter().map(|s| s.as_str()).collect();
            let ev = app_evidence(
                app,
                "oauthConfig/scopes",
                EcaPart::OauthSettings,
                "commaSeparatedOauthScopes",
            );
            Some(Hit::app(
                &app.api_name,
                format!(
                    "{} requests scopes outside the standard: {}",
                    app.api_name,
                    list.join(", ")
                ),
                vec![ev],
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::*;

    #[test]
    fn extra_scope_triggers() {
        let inv = inventory(&[
            connected_app("W", "<oauthConfig><callbackUrl>https://x</callbackUrl><scopes>Api</scopes><scopes>Wave</scopes></oauthConfig>"),
            connected_app("A", "<oauthConfig><callbackUrl>https://x</callbackUrl><scopes>Api</scopes><scopes>Full</scopes></oauthConfig>"),
        ]);
        let hits = run(&RULE, &inv);
        assert_eq!(hits.len(), 1);
        assert!(hits[0].message.contains("Wave"));
    }
}
