//! ECA207 shared-integration-user: one run-as user serves several apps.

use super::{Context, Evidence, Hit, Rule, Severity};
use crate::graph::analysis::shared_integration_users;

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA207",
    name: "shared-integration-user",
    severity: Severity::High,
    summary: "One run-as / integration user serves several apps",
    explain: "What: two or more apps run as the same user (client-credentials run-as user, \
OAuth handler execution user or token-exchange user).\n\
Why it matters: the standard is one integration user per app. A shared user couples the apps: \
its permissions are the union of what every app needs, its audit trail mixes them, and changing \
or deactivating it during a cutover breaks all of them at once. The plan keeps such apps in one \
wave or untangles them first (a dedicated user per app in wave 0).\n\
How to fix: create a dedicated integration user (Salesforce Integration licence, API-only \
profile) for each app and move the run-as setting app by app.\n\
Evidence: the path in the dependency graph, app -runs-as-> user <-runs-as- app.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for shared in shared_integration_users(cx.graph) {
        for app in &shared.apps {
            let others: Vec<&str> = shared
                .apps
                .iter()
                .filter(|a| *a != app)
                .map(|s| s.as_str())
                .collect();
            let msg = format!(
                "{app} runs as {}, which also serves {}",
                shared.username,
                others.join(", ")
            );
            hits.push(Hit::app(
                app,
                msg,
                vec![Evidence::Graph {
                    path: shared.path.clone(),
                }],
            ));
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::*;

    fn cc(user: &str) -> String {
        format!("<oauthConfig><callbackUrl>https://x</callbackUrl><isClientCredentialEnabled>true</isClientCredentialEnabled><oauthClientCredentialUser>{user}</oauthClientCredentialUser></oauthConfig>")
    }

    #[test]
    fn shared_user_names_the_user() {
        let inv = inventory(&[
            connected_app("A", &cc("int@x.com")),
            connected_app("B", &cc("INT@x.com")),
            connected_app("C", &cc("other@x.com")),
        ]);
        let hits = run(&RULE, &inv);
        assert_eq!(hits.len(), 2);
        assert!(hits[0].message.contains("int@x.com") && hits[0].message.contains('B'));
    }

    #[test]
    fn dedicated_users_are_quiet() {
        let inv = inventory(&[
            connected_app("A", &cc("a@x.com")),
            connected_app("B", &cc("b@x.com")),
        ]);
        assert!(run(&RULE, &inv).is_empty());
    }
}
