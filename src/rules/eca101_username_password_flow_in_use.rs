//! ECA101 username-password-flow-in-use: usage shows the OAuth username-password flow.

use super::support::{apps_with_usage, day, usage_evidence};
use super::{Context, Hit, Rule, Severity};
use crate::model::usage::Flow;

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA101",
    name: "username-password-flow-in-use",
    severity: Severity::Blocker,
    summary:
        "The app still logs in with the OAuth username-password flow, which ECAs do not support",
    explain: "What: LoginHistory / LoginEvent rows with LoginSubType 'OAuth Username-Password' \
(ELF LOGIN_SUB_TYPE oauthpassword) for the app within the usage period.\n\
Why it matters: External Client Apps do not support the username-password flow at all; the \
automated migration completes, but the integration stops authenticating on the ECA. The flow \
also ships a user's password (and token) to the client.\n\
How to fix: refactor the client to client credentials (with a dedicated run-as user) or to the \
JWT bearer flow, run it side by side, then cut over. Only then block the flow org-wide.\n\
Evidence: the count, users and last login of username-password logins, with the usage files \
they came from. Metadata cannot show this (reference §14.1 #15).",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    apps_with_usage(cx)
        .filter_map(|(app, view)| {
            let n = view.logins(Flow::UsernamePassword);
            let u = view.usage.filter(|_| n > 0)?;
            let last = u.logins.last_seen.map(day).unwrap_or_default();
            let summary = format!("{n} username-password login(s); logins last seen {last}");
            let msg = format!(
                "{} still uses the OAuth username-password flow ({n} logins)",
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

    pub const HEADER: &str =
        "Id,UserId,LoginTime,LoginType,LoginSubType,Application,Status,SourceIp\n";

    #[test]
    fn username_password_logins_trigger() {
        let csv = format!("{HEADER}0Ya000000000001AAA,005000000000001AAA,2026-11-01T10:00:00.000+0000,Remote Access 2.0,OAuth Username-Password,Loader,Success,203.0.113.5\n0Ya000000000002AAA,005000000000001AAA,2026-11-02T10:00:00.000+0000,Remote Access 2.0,OAuth Refresh Token,Other,Success,203.0.113.5\n");
        let files = [connected_app("Loader", ""), connected_app("Other", "")];
        let hits = run_with_usage(&RULE, &files, &[("LoginHistory.csv", &csv)]);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].app.as_deref(), Some("Loader"));
        assert!(
            matches!(&hits[0].evidence[0], crate::rules::Evidence::Usage { files, .. } if files == &["LoginHistory.csv"])
        );
    }

    #[test]
    fn no_usage_no_finding() {
        assert!(run(&RULE, &inventory(&[connected_app("Loader", "")])).is_empty());
    }
}
