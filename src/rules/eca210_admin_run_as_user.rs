//! ECA210 admin-run-as-user: an app runs as a System Administrator.

use super::support::run_as_with_profiles;
use super::{Context, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA210",
    name: "admin-run-as-user",
    severity: Severity::High,
    summary: "A client-credentials or handler run-as user is a System Administrator",
    explain: "What: the user an app runs as has the System Administrator profile, or a profile \
with Modify All Data, per the User export and the profile metadata.\n\
Why it matters: every token of a client-credentials app acts as its run-as user without any \
user interaction; an admin run-as user turns a leaked client secret into full control of the \
org.\n\
How to fix: run the app as a dedicated integration user with only the permissions it needs.\n\
Evidence: the User export row and the profile (name or ModifyAllData permission).",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    run_as_with_profiles(cx)
        .into_iter()
        .filter(|r| {
            r.profile_name.eq_ignore_ascii_case("System Administrator")
                || r.profile
                    .is_some_and(|p| p.permissions.iter().any(|x| x == "ModifyAllData"))
        })
        .map(|r| {
            let msg = format!(
                "{} {} user {} is an administrator ({})",
                r.app.api_name, r.role, r.user, r.profile_name
            );
            Hit::app(&r.app.api_name, msg, r.evidence())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::*;

    #[test]
    fn admin_triggers_integration_does_not() {
        let users = "Id,Username,Profile.Name\n005000000000001AAA,admin@x.com,System Administrator\n005000000000002AAA,int@x.com,Integration\n";
        let cc = |u: &str| {
            format!("<oauthConfig><callbackUrl>https://x</callbackUrl><isClientCredentialEnabled>true</isClientCredentialEnabled><oauthClientCredentialUser>{u}</oauthClientCredentialUser></oauthConfig>")
        };
        let files = [
            connected_app("A", &cc("admin@x.com")),
            connected_app("B", &cc("int@x.com")),
        ];
        let apps: Vec<_> = run_with_usage(&RULE, &files, &[("users.csv", users)])
            .into_iter()
            .filter_map(|h| h.app)
            .collect();
        assert_eq!(apps, ["A"]);
    }
}
