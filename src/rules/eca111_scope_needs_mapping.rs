//! ECA111 scope-needs-mapping: scopes that change name or are unverified in ECAs.

use super::support::{app_evidence, apps_with_facts, is_connected_app, EcaPart};
use super::{Context, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA111",
    name: "scope-needs-mapping",
    severity: Severity::Low,
    summary: "A scope is spelled differently in ECAs (SFAP) or its ECA support is unverified",
    explain: "What: the connected app requests SFAP, which ECAs call SFApiPlatform, or one of \
the newer scopes A2A, CmdbDiscovery, SemanticLayer whose acceptance by ECAs is not documented.\n\
Why it matters: a hand-made or generated ECA that copies the connected-app token verbatim \
fails to deploy (the ECA scope list has no SFAP); an unverified scope may be rejected.\n\
How to fix: the generator maps SFAP to SFApiPlatform; validate ECAs with the unverified scopes \
in a sandbox before the production cutover.\n\
Evidence: the scopes element.",
    check,
};

const UNVERIFIED: &[&str] = &["A2A", "CmdbDiscovery", "SemanticLayer"];

fn check(cx: &Context) -> Vec<Hit> {
    apps_with_facts(&cx.org.inventory)
        .filter(|(app, _)| is_connected_app(app))
        .filter_map(|(app, f)| {
            let mut notes = Vec::new();
            if f.scopes.iter().any(|s| s == "SFAP") {
                notes.push("SFAP becomes SFApiPlatform".to_string());
            }
            for s in f.scopes.iter().filter(|s| UNVERIFIED.contains(&s.as_str())) {
                notes.push(format!("{s} is not confirmed for ECAs"));
            }
            if notes.is_empty() {
                return None;
            }
            let ev = app_evidence(
                app,
                "oauthConfig/scopes",
                EcaPart::OauthSettings,
                "commaSeparatedOauthScopes",
            );
            Some(Hit::app(
                &app.api_name,
                format!("{}: {}", app.api_name, notes.join("; ")),
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
    fn sfap_and_new_scopes_trigger() {
        let inv = inventory(&[
            connected_app("S", "<oauthConfig><callbackUrl>https://x</callbackUrl><scopes>SFAP</scopes></oauthConfig>"),
            connected_app("A", "<oauthConfig><callbackUrl>https://x</callbackUrl><scopes>A2A</scopes></oauthConfig>"),
            connected_app("P", "<oauthConfig><callbackUrl>https://x</callbackUrl><scopes>Api</scopes></oauthConfig>"),
        ]);
        let apps: Vec<_> = run(&RULE, &inv).into_iter().filter_map(|h| h.app).collect();
        assert_eq!(apps, ["A", "S"]);
    }
}
