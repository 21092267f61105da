//! Refresh tokens that a hardened policy ends: an app the Migrate button migrates keeps its
//! users' refresh tokens, and its hardening policy's inactivity expiry applies to them, so a
//! user whose token has lain unused for longer must sign in again after the policy deploy.

use super::Runbook;
use crate::model::usage::TokenUse;
use crate::model::{App, RefreshPolicy};
use crate::plan::strategy::Strategy;
use crate::time::Day;

/// Users listed by name in the check; the rest are counted.
const NAMED: usize = 5;

/// Add a pre-check naming the users whose refresh tokens the hardened policy ends, for an app
/// the button migrates whose policy goes from a longer (or no) expiry to the standard's
/// inactivity expiry of `days` days. `as_of`: the exports' date (idleness is counted to it,
/// so the list is a lower bound at the deploy day).
pub fn idle_refresh_tokens(
    r: &mut Runbook,
    app: &App,
    strategy: Strategy,
    tokens: Option<&std::collections::BTreeMap<String, TokenUse>>,
    as_of: Option<Day>,
    days: u32,
) {
    // Only OAuth apps have a refresh policy (not a SAML-only app, not a tile).
    let current = match app.facts().and_then(|f| f.refresh_policy.clone()) {
        Some(policy) if strategy == Strategy::Automated => policy,
        _ => return,
    };
    let hardened = current.hardened(days);
    if hardened == current || !matches!(hardened, RefreshPolicy::SpecificInactivity { .. }) {
        return;
    }
    let name = &app.api_name;
    let rule = format!(
        "the hardening policies of {name} expire refresh tokens after {days} days without use ({} today): the button keeps today's tokens, so every user whose token was last used more than {days} days before the policy deploy must sign in again",
        current.display()
    );
    // No token rows: no OauthToken export for the app, or none that says who holds one.
    let (Some(as_of), Some(tokens)) = (as_of, tokens.filter(|t| !t.is_empty())) else {
        r.pre_checks.push(format!(
            "{rule}: list them from OauthToken (LastUsedDate) and tell them before the deploy"
        ));
        return;
    };
    let cutoff = as_of.plus(-i64::from(days)).start();
    let idle: Vec<&str> = tokens
        .iter()
        .filter(|(_, t)| t.last_used.is_some_and(|u| u < cutoff))
        .map(|(user, _)| user.as_str())
        .collect();
    if idle.is_empty() {
        return;
    }
    let mut named = idle[..idle.len().min(NAMED)].join(", ");
    if idle.len() > NAMED {
        named.push_str(&format!(" and {} more", idle.len() - NAMED));
    }
    r.pre_checks.push(format!(
        "{rule}: at least {} user(s), idle that long at the exports' date ({as_of}): {named}; tell them before the deploy (more may pass the mark by the deploy day)",
        idle.len()
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::{connected_app, inventory};

    fn app(policy: &str) -> App {
        let xml = format!(
            "<oauthConfig><callbackUrl>https://x.example/cb</callbackUrl></oauthConfig>{policy}"
        );
        inventory(&[connected_app("Tableau", &xml)])
            .apps
            .into_iter()
            .next()
            .expect("app")
    }

    fn used(day: &str) -> TokenUse {
        TokenUse {
            last_used: Some(Day::parse(day).expect("day").start()),
            ..TokenUse::default()
        }
    }

    #[test]
    fn users_idle_past_the_new_expiry_are_named() {
        let tokens = [
            ("emma@x.example".to_string(), used("2026-06-11")),
            ("ana@x.example".to_string(), used("2026-11-20")),
        ]
        .into_iter()
        .collect();
        let as_of = Day::parse("2026-12-01");
        let mut r = Runbook::default();
        let infinite = app("");
        idle_refresh_tokens(
            &mut r,
            &infinite,
            Strategy::Automated,
            Some(&tokens),
            as_of,
            90,
        );
        assert_eq!(r.pre_checks.len(), 1);
        assert!(
            r.pre_checks[0].contains("at least 1 user(s)"),
            "{:?}",
            r.pre_checks
        );
        assert!(r.pre_checks[0].contains("emma@x.example") && !r.pre_checks[0].contains("ana@"));
        // Not for a new ECA (its users authorize anew), nor for a policy already as strict.
        let mut none = Runbook::default();
        idle_refresh_tokens(
            &mut none,
            &infinite,
            Strategy::SideBySide,
            Some(&tokens),
            as_of,
            90,
        );
        let saml = inventory(&[connected_app(
            "Sso",
            "<samlConfig><acsUrl>https://sp.example/acs</acsUrl></samlConfig>",
        )]);
        let saml = saml.apps.into_iter().next().expect("app");
        idle_refresh_tokens(
            &mut none,
            &saml,
            Strategy::Automated,
            Some(&tokens),
            as_of,
            90,
        );
        let strict = app("<oauthPolicy><refreshTokenPolicy>specific_inactivity:7:DAYS</refreshTokenPolicy></oauthPolicy>");
        idle_refresh_tokens(
            &mut none,
            &strict,
            Strategy::Automated,
            Some(&tokens),
            as_of,
            90,
        );
        assert!(none.pre_checks.is_empty(), "{:?}", none.pre_checks);
    }
}
