//! ECA209 no-login-ip-ranges: an integration user's profile has no login IP ranges.

use super::support::run_as_with_profiles;
use super::{Context, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA209",
    name: "no-login-ip-ranges",
    severity: Severity::Medium,
    summary: "The profile of a run-as / integration user has no login IP ranges",
    explain: "What: the profile of a user an app runs as (from the User export) is among the \
inputs and has no loginIpRanges.\n\
Why it matters: an integration calls from known servers; without IP ranges a stolen credential \
or token of this user works from anywhere, and 'Enforce IP restrictions' on the app has nothing \
to enforce.\n\
How to fix: add the integration servers' ranges to the profile (or to a dedicated integration \
profile) and keep the app's IP relaxation at Enforce. A profile's ranges bind every user of it: \
collect the source IPs of all of them first. The plan lists this as a later change, not as a \
condition of the migration.\n\
Evidence: the User export row and the profile file.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    run_as_with_profiles(cx)
        .into_iter()
        .filter(|r| r.profile.is_some_and(|p| p.login_ip_ranges.is_empty()))
        .map(|r| {
            let msg = format!(
                "{} {} user {}: profile {} has no login IP ranges",
                r.app.api_name, r.role, r.user, r.profile_name
            );
            Hit::app(&r.app.api_name, msg, r.evidence())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::Kind;
    use crate::rules::support::testing::*;

    #[test]
    fn profile_without_ranges_triggers() {
        let users = "Id,Username,Profile.Name\n005000000000001AAA,a@x.com,Open\n005000000000002AAA,b@x.com,Fenced\n";
        let cc = |u: &str| {
            format!("<oauthConfig><callbackUrl>https://x</callbackUrl><isClientCredentialEnabled>true</isClientCredentialEnabled><oauthClientCredentialUser>{u}</oauthClientCredentialUser></oauthConfig>")
        };
        let files = [
            connected_app("A", &cc("a@x.com")),
            connected_app("B", &cc("b@x.com")),
            file("Open", Kind::Profile, "<Profile><userLicense>Salesforce</userLicense></Profile>"),
            file("Fenced", Kind::Profile, "<Profile><loginIpRanges><endAddress>10.0.0.9</endAddress><startAddress>10.0.0.1</startAddress></loginIpRanges></Profile>"),
        ];
        let apps: Vec<_> = run_with_usage(&RULE, &files, &[("users.csv", users)])
            .into_iter()
            .filter_map(|h| h.app)
            .collect();
        assert_eq!(apps, ["A"]);
    }
}
