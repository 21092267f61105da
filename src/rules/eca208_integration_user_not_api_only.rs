//! ECA208 integration-user-not-api-only: a run-as user that is not a dedicated integration user.

use super::support::{integration_user, run_as_with_profiles};
use super::{Context, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA208",
    name: "integration-user-not-api-only",
    severity: Severity::Medium,
    summary: "A run-as user has neither the Integration licence nor an API-only profile",
    explain: "What: the user an app runs as (client-credentials run-as user, OAuth handler \
execution user) is, per the User export, on a licence other than the integration licences and \
on a profile without the API Only User permission (ApiUserOnly) — and the profile is not one \
of the standard's integration profiles.\n\
Why it matters: a client-credentials run-as user must have API Only (reference §8.5); a human \
licence can log in to the UI, costs a full seat, and mixes interactive and integration access.\n\
How to fix: create a dedicated user with the Salesforce Integration licence and the 'Minimum \
Access - API Only Integrations' profile, grant data access by permission set, and move the role \
to it. Do not make the present account API-only while a person signs in with it: they would \
lose the UI.\n\
Evidence: the User export row (profile, licence) and the profile metadata.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    let std = &cx.config.standard;
    run_as_with_profiles(cx)
        .into_iter()
        .filter(|r| {
            // Without licence or profile metadata there is nothing to judge by.
            let judged = r.profile.is_some() || r.row.license.is_some();
            let license = r.row.license.as_deref();
            judged && !integration_user(std, license, Some(&r.profile_name), r.profile)
        })
        .map(|r| {
            // The fix is a dedicated user: an account a person also signs in with (a handler
            // user seen logging in interactively) would lose the UI if made API-only.
            let msg = format!(
                "{} {} user {} is not an API-only integration user (profile {}): give this role to a dedicated API-only user; never make this account API-only while anyone signs in with it",
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

    fn cc(user: &str) -> String {
        format!("<oauthConfig><callbackUrl>https://x</callbackUrl><isClientCredentialEnabled>true</isClientCredentialEnabled><oauthClientCredentialUser>{user}</oauthClientCredentialUser></oauthConfig>")
    }

    #[test]
    fn human_profile_triggers_api_only_does_not() {
        let users = "Id,Username,Profile.Name,Profile.UserLicense.Name\n005000000000001AAA,sales@x.com,Sales,Salesforce\n005000000000002AAA,api@x.com,Api Profile,Salesforce\n";
        let files = [
            connected_app("A", &cc("sales@x.com")),
            connected_app("B", &cc("api@x.com")),
            file("Sales", Kind::Profile, "<Profile><userLicense>Salesforce</userLicense></Profile>"),
            file("Api Profile", Kind::Profile, "<Profile><userPermissions><enabled>true</enabled><name>ApiUserOnly</name></userPermissions></Profile>"),
        ];
        let hits = run_with_usage(&RULE, &files, &[("users.csv", users)]);
        // The fix it names is a dedicated user, never the present account made API-only.
        assert!(hits
            .iter()
            .all(|h| h.message.contains("never make this account API-only")));
        let apps: Vec<_> = hits.into_iter().filter_map(|h| h.app).collect();
        assert_eq!(apps, ["A"]);
    }
}
