//! ECA105 uninstalled-app-in-use: an app used in the org but neither defined nor installed.

use super::support::{apps_with_usage, day, usage_evidence};
use super::{Context, Hit, Rule, Severity};
use crate::model::Distribution;

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA105",
    name: "uninstalled-app-in-use",
    severity: Severity::High,
    summary: "Users use an app that is neither defined nor installed in the org",
    explain: "What: usage exports (LoginHistory, OauthToken, event logs) show an app that no \
connected-app or ECA file defines and that is not installed (no AppMenuItem, no installed \
package).\n\
Why it matters: since September 2025 Salesforce blocks end users from uninstalled connected \
apps (users who already authorized keep access, except with the device flow). These are the \
global apps the restriction is about — and the ones attackers used in 2025 phishing campaigns.\n\
How to fix: decide per app: install it (Setup → Connected Apps OAuth Usage → Install), restrict \
it to admin-approved users and enforce IP restrictions; or revoke its tokens and block it.\n\
Evidence: the usage aggregate and its files; the installation evidence.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    apps_with_usage(cx)
        .filter(|(app, _)| app.distribution == Distribution::GlobalUninstalled)
        .filter_map(|(app, view)| {
            let u = view.usage?;
            let users = view.user_count();
            let last = view.last_use().map(day).unwrap_or_else(|| "unknown".into());
            let summary = format!(
                "{} login(s), {} token(s), {users} user(s), last use {last}; not installed: {}",
                u.logins.logins,
                u.tokens.values().map(|t| t.tokens).sum::<u64>(),
                view.installation_evidence.join("; ")
            );
            let msg = format!(
                "{} is used by {users} user(s) but is neither defined nor installed here",
                app.api_name
            );
            Some(Hit::app(
                &app.api_name,
                msg,
                vec![usage_evidence(cx, u, summary)],
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::*;

    const HEADER: &str = "Id,UserId,LoginTime,LoginType,LoginSubType,Application,Status,SourceIp\n";

    #[test]
    fn unknown_app_triggers_defined_app_does_not() {
        let csv = format!("{HEADER}0Ya000000000001AAA,005000000000001AAA,2026-11-01T10:00:00.000+0000,Remote Access 2.0,OAuth Web Server,ShadowSync,Success,198.51.100.7\n0Ya000000000002AAA,005000000000001AAA,2026-11-01T11:00:00.000+0000,Remote Access 2.0,OAuth Web Server,Known,Success,198.51.100.7\n");
        let menu = "Id,ApplicationId,Name,Label,NamespacePrefix,Type\n0DS000000000001AAA,0H4000000000001AAA,Known,Known,,ConnectedApplication\n";
        let hits = run_with_usage(
            &RULE,
            &[connected_app("Known", "")],
            &[("lh.csv", &csv), ("menu.csv", menu)],
        );
        let apps: Vec<_> = hits.into_iter().filter_map(|h| h.app).collect();
        assert_eq!(apps, ["ShadowSync"]);
    }
}
