//! ECA102 user-agent-flow-in-use: usage shows the OAuth user-agent (implicit) flow.

use super::support::{apps_with_usage, day, usage_evidence};
use super::{Context, Hit, Rule, Severity};
use crate::model::usage::Flow;

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA102",
    name: "user-agent-flow-in-use",
    severity: Severity::Blocker,
    summary: "The app still uses the OAuth user-agent (implicit) flow",
    explain: "What: login rows with LoginSubType 'OAuth User-Agent' (also the hybrid and ID-token \
variants; ELF oauthtoken*) for the app.\n\
Why it matters: the implicit flow returns tokens in the redirect URL, where they leak through \
history and referrers; Salesforce recommends the web server flow with PKCE, and whether ECAs \
accept the user-agent flow is not documented — treat it as unsupported.\n\
How to fix: move the single-page or mobile client to authorization code + PKCE, run it side by \
side, then cut over; block the user-agent flow org-wide when no app uses it.\n\
Evidence: the count, users and last login of user-agent logins, with their usage files.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    apps_with_usage(cx)
        .filter_map(|(app, view)| {
            let n = view.logins(Flow::UserAgent);
            let u = view.usage.filter(|_| n > 0)?;
            let last = u.logins.last_seen.map(day).unwrap_or_default();
            let summary = format!(
                "{n} user-agent login(s) by {} user(s); logins last seen {last}",
                u.logins.users.len()
            );
            let msg = format!(
                "{} still uses the OAuth user-agent flow ({n} logins)",
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
    fn user_agent_logins_trigger_and_web_server_does_not() {
        let csv = format!("{HEADER}0Ya000000000001AAA,005000000000001AAA,2026-11-01T10:00:00.000+0000,Remote Access 2.0,OAuth User-Agent,Spa,Success,192.0.2.5\n0Ya000000000002AAA,005000000000002AAA,2026-11-01T11:00:00.000+0000,Remote Access 2.0,OAuth Web Server,Web,Success,192.0.2.6\n");
        let hits = run_with_usage(
            &RULE,
            &[connected_app("Spa", ""), connected_app("Web", "")],
            &[("lh.csv", &csv)],
        );
        let apps: Vec<_> = hits.into_iter().filter_map(|h| h.app).collect();
        assert_eq!(apps, ["Spa"]);
    }
}
