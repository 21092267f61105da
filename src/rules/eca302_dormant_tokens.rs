//! ECA302 dormant-tokens: refresh tokens unused for a long time.

use super::support::{apps_with_usage, usage_evidence};
use super::{Context, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA302",
    name: "dormant-tokens",
    severity: Severity::Low,
    summary: "Users hold refresh tokens for the app that have not been used for dormant_token_days",
    explain: "What: OauthToken rows for the app whose LastUsedDate is more than \
dormant_token_days before the as-of date.\n\
Why it matters: every dormant refresh token is a standing credential nobody watches; after the \
cutover to an ECA they keep working against the old connected app until revoked.\n\
How to fix: revoke them (Setup → Connected Apps OAuth Usage, or delete the OauthToken records) \
and set a refresh-token inactivity policy on the ECA.\n\
Evidence: the number of dormant tokens and users, from the OauthToken export.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    let Some(as_of) = cx.org.as_of_day else {
        return Vec::new();
    };
    let limit = i64::from(cx.config.thresholds.dormant_token_days);
    apps_with_usage(cx)
        .filter_map(|(app, view)| {
            let u = view.usage?;
            let dormant: Vec<(&String, u64)> = u
                .tokens
                .iter()
                .filter(|(_, t)| {
                    t.last_used
                        .is_some_and(|l| as_of.days_since(crate::time::Day::of(l)) > limit)
                })
                .map(|(user, t)| (user, t.tokens))
                .collect();
            if dormant.is_empty() {
                return None;
            }
            let tokens: u64 = dormant.iter().map(|d| d.1).sum();
            let summary = format!(
                "{tokens} token(s) of {} user(s) unused for more than {limit} days",
                dormant.len()
            );
            let msg = format!(
                "{}: {tokens} dormant refresh token(s) — revoke them",
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

    #[test]
    fn old_tokens_trigger() {
        let tokens = "Id,AppName,UserId,UseCount,LastUsedDate,CreatedDate,AppMenuItemId\n0CQ000000000001AAA,A,005000000000001AAA,3,2026-01-01T10:00:00.000+0000,2025-01-01T10:00:00.000+0000,0DS000000000001AAA\n0CQ000000000002AAA,B,005000000000001AAA,3,2026-11-01T10:00:00.000+0000,2025-01-01T10:00:00.000+0000,0DS000000000002AAA\n";
        let hits = run_with_usage(
            &RULE,
            &[connected_app("A", ""), connected_app("B", "")],
            &[("tokens.csv", tokens)],
        );
        let apps: Vec<_> = hits.into_iter().filter_map(|h| h.app).collect();
        assert_eq!(apps, ["A"]);
    }
}
