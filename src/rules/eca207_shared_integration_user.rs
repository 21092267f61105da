//! ECA207 shared-integration-user: one run-as user serves several apps.

use super::support::{first_peers, PEERS_SHOWN};
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
Evidence: the path in the dependency graph, app -runs-as-> user <-runs-as- app. When more \
than 10 other apps share the user, the finding names how many and the first 10 in sorted order; \
the graph exports (graph.dot, graph.mmd, the graph in report.json) list all of them.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for shared in shared_integration_users(cx.graph) {
        let others = shared.apps.len() - 1;
        for app in &shared.apps {
            let named = first_peers(shared.apps.iter().filter(|a| *a != app).map(String::as_str));
            let msg = if others <= PEERS_SHOWN {
                format!(
                    "{app} runs as {}, which also serves {named}",
                    shared.username
                )
            } else {
                format!(
                    "{app} runs as {}, which also serves {others} other apps: {named} and {} more \
                     (all of them in the dependency graph)",
                    shared.username,
                    others - PEERS_SHOWN
                )
            };
            hits.push(Hit::app(
                app,
                msg,
                vec![Evidence::Graph {
                    path: shared.path_for(app, PEERS_SHOWN),
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
    fn many_peers_are_counted_not_listed() {
        let apps: Vec<_> = (0..25)
            .map(|i| connected_app(&format!("App{i:02}"), &cc("int@x.com")))
            .collect();
        let hits = run(&RULE, &inventory(&apps));
        assert_eq!(hits.len(), 25);
        let last = &hits[24].message;
        assert!(
            last.starts_with(
                "App24 runs as int@x.com, which also serves 24 other apps: App00, App01,"
            ),
            "{last}"
        );
        assert!(last.contains("App09 and 14 more"), "{last}");
        assert!(!last.contains("App10"), "{last}");
        let Evidence::Graph { path } = &hits[24].evidence[0] else {
            panic!("graph evidence")
        };
        assert_eq!(path.len(), 3 + 2 * PEERS_SHOWN);
        assert_eq!(path[0], "app:App24");
        assert_eq!(path[2], "user:int@x.com");
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
