//! ECA301 unused-app: no use within the unused window of a period the usage data covers.

use super::support::{apps_with_usage, day};
use super::{Context, Evidence, Hit, Rule, Severity};
use crate::model::usage::Evidence as Level;
use crate::model::Origin;

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA301",
    name: "unused-app",
    severity: Severity::Low,
    summary:
        "No login, API call or token use within unused_after_days: retire instead of migrating",
    explain: "What: the usage data covers the app (login and token exports both present) and its \
newest use — login, API call or token use — is older than unused_after_days before the as-of \
date, or there is none at all.\n\
Why it matters: migrating an app nobody uses is wasted work and keeps an attack surface alive. \
Retiring it is the cheapest migration.\n\
How to fix: confirm with the owner, revoke its tokens, and delete or block the connected app \
in the decommission wave.\n\
Evidence: the newest use found and the as-of date. Apps whose usage evidence is partial are \
only reported when old use is positively seen.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    let Some(as_of) = cx.org.as_of_day else {
        return Vec::new();
    };
    let window = i64::from(cx.config.thresholds.unused_after_days);
    apps_with_usage(cx)
        // LoginHistory and OauthToken only see OAuth: a SAML or bookmark app looks unused there
        // whatever happens (ECA303 says so instead).
        .filter(|(app, _)| app.origin == Origin::Metadata && app.facts().is_some_and(|f| f.oauth))
        .filter_map(|(app, view)| {
            let last = view.last_use();
            let last_day = last.map(crate::time::Day::of);
            let unused = match (view.evidence, last_day) {
                (Level::Full, None) => true,
                (Level::Full | Level::Partial, Some(d)) => as_of.days_since(d) > window,
                _ => false,
            };
            if !unused {
                return None;
            }
            let when = last.map_or_else(
                || "never used in the covered period".to_string(),
                |t| format!("last used {}", day(t)),
            );
            let text = format!("{when}; as of {as_of} the window is {window} days");
            let msg = format!(
                "{} looks unused ({when}): retire it instead of migrating",
                app.api_name
            );
            Some(Hit::app(&app.api_name, msg, vec![Evidence::Note { text }]))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::*;

    const OAUTH: &str = "<oauthConfig><callbackUrl>https://x</callbackUrl></oauthConfig>";

    #[test]
    fn old_token_use_triggers_recent_login_does_not() {
        let tokens = "Id,AppName,UserId,UseCount,LastUsedDate,CreatedDate,AppMenuItemId\n0CQ000000000001AAA,Old,005000000000001AAA,3,2025-10-01T10:00:00.000+0000,2025-01-01T10:00:00.000+0000,0DS000000000001AAA\n0CQ000000000002AAA,New,005000000000001AAA,3,2026-11-01T10:00:00.000+0000,2025-01-01T10:00:00.000+0000,0DS000000000002AAA\n";
        let logins = "Id,UserId,LoginTime,LoginType,LoginSubType,Application,Status,SourceIp\n0Ya000000000001AAA,005000000000001AAA,2026-11-02T10:00:00.000+0000,Remote Access 2.0,OAuth Refresh Token,New,Success,192.0.2.5\n";
        let hits = run_with_usage(
            &RULE,
            &[
                connected_app("Old", OAUTH),
                connected_app("New", OAUTH),
                connected_app("Saml", ""),
            ],
            &[("tokens.csv", tokens), ("lh.csv", logins)],
        );
        let apps: Vec<_> = hits.into_iter().filter_map(|h| h.app).collect();
        assert_eq!(apps, ["Old"]);
    }
}
