//! ECA203 ip-restrictions-relaxed: IP relaxation other than Enforce.

use super::support::{app_evidence, apps_with_facts, EcaPart};
use super::{Context, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA203",
    name: "ip-restrictions-relaxed",
    severity: Severity::Medium,
    summary: "The app relaxes IP restrictions (ipRelaxation is not ENFORCE)",
    explain: "What: the OAuth policy's IP relaxation is BYPASS, BYPASS_2FACTOR or \
ENFORCE_RELAXREFRESH instead of ENFORCE.\n\
Why it matters: the profile's login IP ranges stop protecting tokens of this app; a stolen \
refresh token works from anywhere.\n\
How to fix: set Enforce IP restrictions and give the integration user's profile login IP ranges \
that cover the integration's servers (ECA209 reports profiles without ranges).\n\
Evidence: the oauthPolicy/ipRelaxation element (ECA: ipRelaxationPolicyType).",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    if !cx.config.standard.ip_enforcement {
        return Vec::new();
    }
    apps_with_facts(&cx.org.inventory)
        .filter_map(|(app, f)| {
            let relax = f
                .ip_relaxation
                .as_deref()
                .filter(|r| !r.eq_ignore_ascii_case("Enforce"))?;
            let ev = app_evidence(
                app,
                "oauthPolicy/ipRelaxation",
                EcaPart::OauthPolicies,
                "ipRelaxationPolicyType",
            );
            // A literal outside the documented set (the reader warned about it) is reported
            // as unknown, not as a known relaxation: it may be a typo for ENFORCE.
            let known = ["Bypass", "Bypass_2factor", "Enforce_RelaxRefresh"]
                .iter()
                .any(|k| k.eq_ignore_ascii_case(relax));
            let msg = if known {
                format!("{} relaxes IP restrictions ({relax})", app.api_name)
            } else {
                format!(
                    "{} has an unrecognised IP relaxation {relax:?}: it may relax IP restrictions; set a documented value",
                    app.api_name
                )
            };
            Some(Hit::app(&app.api_name, msg, vec![ev]))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::*;

    #[test]
    fn bypass_triggers_enforce_and_default_do_not() {
        let inv = inventory(&[
            connected_app("B", "<oauthConfig><callbackUrl>https://x</callbackUrl></oauthConfig><oauthPolicy><ipRelaxation>BYPASS</ipRelaxation><refreshTokenPolicy>zero</refreshTokenPolicy></oauthPolicy>"),
            connected_app("E", "<oauthConfig><callbackUrl>https://x</callbackUrl></oauthConfig><oauthPolicy><ipRelaxation>ENFORCE</ipRelaxation><refreshTokenPolicy>zero</refreshTokenPolicy></oauthPolicy>"),
            connected_app("D", "<oauthConfig><callbackUrl>https://x</callbackUrl></oauthConfig>"),
        ]);
        let hits = run(&RULE, &inv);
        assert_eq!(hits.len(), 1);
        assert!(hits[0].message.contains("Bypass"));
    }

    #[test]
    fn an_unknown_value_is_reported_as_unknown() {
        let inv = inventory(&[connected_app(
            "W",
            "<oauthConfig><callbackUrl>https://x</callbackUrl></oauthConfig><oauthPolicy><ipRelaxation>WHATEVER</ipRelaxation><refreshTokenPolicy>zero</refreshTokenPolicy></oauthPolicy>",
        )]);
        let hits = run(&RULE, &inv);
        assert_eq!(hits.len(), 1);
        assert!(
            hits[0]
                .message
                .contains("unrecognised IP relaxation \"WHATEVER\""),
            "{}",
            hits[0].message
        );
    }
}
