//! ECA213 identity-model-mismatch: a service app used interactively or by many users.

use super::support::{apps_with_usage, usage_evidence};
use super::{Context, Hit, Rule, Severity};
use crate::model::usage::Flow;

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA213",
    name: "identity-model-mismatch",
    severity: Severity::Medium,
    summary: "A service app (client credentials / JWT) is used interactively or by many users",
    explain: "What: the app is configured as a service integration (client credentials with a \
run-as user, or JWT bearer with a certificate), but usage shows interactive flows (web server, \
user-agent, username-password) or at least high_volume_users distinct users.\n\
Why it matters: one app serving two identity models cannot get one target flow in the ECA; \
whichever is chosen breaks the other population. It also often means a shared app that people \
reuse for ad-hoc access.\n\
How to fix: split it: one ECA for the service integration (client credentials, dedicated user) \
and one for the people (authorization code + PKCE).\n\
Evidence: the app's service flows (metadata) and the interactive logins / users (usage).",
    check,
};

const INTERACTIVE: [Flow; 3] = [Flow::WebServer, Flow::UserAgent, Flow::UsernamePassword];

fn check(cx: &Context) -> Vec<Hit> {
    let many = cx.config.thresholds.high_volume_users;
    apps_with_usage(cx)
        .filter_map(|(app, view)| {
            let f = app.facts()?;
            let service = (f.flows.contains(&"client-credentials") && f.run_as_user.is_some()) || f.flows.contains(&"jwt-bearer");
            let u = view.usage.filter(|_| service)?;
            let interactive: u64 = INTERACTIVE.iter().map(|fl| view.logins(*fl)).sum();
            let users = u.logins.users.len() as u64;
            if interactive == 0 && users < many {
                return None;
            }
            let summary = format!("{interactive} interactive login(s) (web server, user-agent, username-password); {users} distinct login user(s)");
            let msg = format!("{} is a service app ({}) but is used interactively or by many users", app.api_name, f.flows.join(", "));
            Some(Hit::app(&app.api_name, msg, vec![usage_evidence(cx, u, summary)]))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::*;

    const HEADER: &str = "Id,UserId,LoginTime,LoginType,LoginSubType,Application,Status,SourceIp\n";

    #[test]
    fn web_logins_on_client_credentials_app_trigger() {
        let cc = "<oauthConfig><callbackUrl>https://x</callbackUrl><isClientCredentialEnabled>true</isClientCredentialEnabled><oauthClientCredentialUser>svc@x.com</oauthClientCredentialUser></oauthConfig>";
        let csv = format!("{HEADER}0Ya000000000001AAA,005000000000001AAA,2026-11-01T10:00:00.000+0000,Remote Access 2.0,OAuth Web Server,Svc,Success,192.0.2.5\n0Ya000000000002AAA,005000000000002AAA,2026-11-01T11:00:00.000+0000,Remote Access 2.0,OAuth Client Credentials,Pure,Success,203.0.113.6\n");
        let hits = run_with_usage(
            &RULE,
            &[
                connected_app("Svc", cc),
                connected_app("Pure", &cc.replace("svc@", "pure@")),
            ],
            &[("lh.csv", &csv)],
        );
        let apps: Vec<_> = hits.into_iter().filter_map(|h| h.app).collect();
        assert_eq!(apps, ["Svc"]);
    }
}
