//! ECA303 no-usage-evidence: no usage file covers the app.

use super::{Context, Evidence, Hit, Rule, Severity};
use crate::model::usage::Evidence as Level;
use crate::model::Origin;

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA303",
    name: "no-usage-evidence",
    severity: Severity::Info,
    summary: "No usage export covers the app: its strategy rests on metadata alone",
    explain: "What: no login, token or API export was given, or none of them can be attributed \
to this app (its evidence level is none), or the app has no OAuth (SAML or bookmark only) and \
the exports, which only see OAuth and UI logins, show nothing for it.\n\
Why it matters: metadata cannot show whether the app uses the username-password or user-agent \
flow, who uses it, or whether it is used at all; the strategy chosen is less certain and may \
hide a blocker.\n\
How to fix: export LoginHistory (6 months) and OauthToken (see the README's export commands) \
and run again.\n\
Evidence: the evidence level of the usage join.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    cx.org.inventory
        .apps
        .iter()
        .filter(|a| a.origin == Origin::Metadata)
        .filter(|a| {
            let view = cx.org.join.for_app(a);
            let no_oauth = !a.facts().is_some_and(|f| f.oauth);
            view.is_none_or(|v| v.evidence == Level::None || (no_oauth && v.total_logins() == 0 && v.last_use().is_none()))
        })
        .map(|app| {
            let text = if app.facts().is_some_and(|f| f.oauth) {
                "no usage export covers this app".to_string()
            } else {
                "the app has no OAuth: LoginHistory and OauthToken do not show its (SAML or bookmark) use".to_string()
            };
            Hit::app(
                &app.api_name,
                format!(
                    "{}: no usage data, strategy rests on metadata only",
                    app.api_name
                ),
                vec![Evidence::Note { text }],
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::*;

    #[test]
    fn without_usage_every_app_is_reported() {
        assert_eq!(run(&RULE, &inventory(&[connected_app("A", "")])).len(), 1);
    }

    #[test]
    fn covered_apps_are_quiet() {
        let logins = "Id,UserId,LoginTime,LoginType,LoginSubType,Application,Status,SourceIp\n0Ya000000000001AAA,005000000000001AAA,2026-11-02T10:00:00.000+0000,Remote Access 2.0,OAuth Refresh Token,A,Success,192.0.2.5\n";
        assert!(run_with_usage(&RULE, &[connected_app("A", "")], &[("lh.csv", logins)]).is_empty());
    }
}
