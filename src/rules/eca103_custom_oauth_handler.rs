//! ECA103 custom-oauth-handler: a connected app with an Apex OAuth plugin.

use super::support::{apps_with_facts, at, is_connected_app};
use super::{Context, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA103",
    name: "custom-oauth-handler",
    severity: Severity::High,
    summary: "The app runs a custom Apex OAuth handler that must be rewritten for ECAs",
    explain: "What: the connected app names an Apex class in <plugin> (a subclass of \
Auth.ConnectedAppPlugin), optionally run as <pluginExecutionUser>.\n\
Why it matters: External Client Apps call a different interface, \
Auth.ExternalClientAppOauthHandler (OauthPolicies apexHandler / executeHandlerAs). The existing \
class does not compile against it, so the app cannot be cut over until the handler is \
rewritten, tested and deployed.\n\
How to fix: port the class to Auth.ExternalClientAppOauthHandler, deploy it, reference it from \
the ECA's OAuth policies, and plan a side-by-side cutover.\n\
Evidence: the <plugin> and <pluginExecutionUser> elements of the connected app.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    apps_with_facts(&cx.org.inventory)
        .filter(|(app, _)| is_connected_app(app))
        .filter_map(|(app, f)| {
            let class = f.handler.as_deref()?;
            let ca = app.connected_app.as_ref()?;
            let mut evidence = vec![at(ca, "plugin")];
            if f.handler_user.is_some() {
                evidence.push(at(ca, "pluginExecutionUser"));
            }
            let runs = f.handler_user.as_ref().map(|u| format!(" run as {u}")).unwrap_or_default();
            let msg = format!(
                "{} uses the Apex OAuth handler {class}{runs}; ECAs need a rewrite to Auth.ExternalClientAppOauthHandler",
                app.api_name
            );
            Some(Hit::app(&app.api_name, msg, evidence))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::*;

    #[test]
    fn triggers_on_plugin() {
        let inv = inventory(&[connected_app("H", "<oauthConfig><callbackUrl>https://x</callbackUrl></oauthConfig>\n<plugin>MyPlugin</plugin>\n<pluginExecutionUser>u@x.com</pluginExecutionUser>")]);
        let hits = run(&RULE, &inv);
        assert_eq!(hits.len(), 1);
        assert!(hits[0].message.contains("MyPlugin"));
        assert_eq!(hits[0].evidence.len(), 2);
    }

    #[test]
    fn quiet_without_plugin() {
        let inv = inventory(&[connected_app(
            "H",
            "<oauthConfig><callbackUrl>https://x</callbackUrl></oauthConfig>",
        )]);
        assert!(run(&RULE, &inv).is_empty());
    }
}
