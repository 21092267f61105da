//! Can the org-wide insecure flows (username-password, user-agent) be blocked now? Only when
//! no login through them is left in the exports.

use super::FlowCheck;
use crate::metadata::access::OauthOidcSettings;
use crate::model::usage::Flow;
use crate::model::Org;
use crate::time::Day;

/// How many apps a flow check names.
const APPS_LISTED: usize = 10;

/// Both flows, checked against `org`'s exports and settings.
pub(super) fn check(org: &Org) -> Vec<FlowCheck> {
    let blocked_up: fn(&OauthOidcSettings) -> Option<bool> = |s| s.block_oauth_un_pw_flow;
    let blocked_ua: fn(&OauthOidcSettings) -> Option<bool> = |s| s.block_oauth_usr_agt_flow;
    vec![
        one(
            org,
            Flow::UsernamePassword,
            "username-password",
            "blockOAuthUnPwFlow",
            blocked_up,
        ),
        one(
            org,
            Flow::UserAgent,
            "user-agent",
            "blockOAuthUsrAgtFlow",
            blocked_ua,
        ),
    ]
}

fn one(
    org: &Org,
    flow: Flow,
    name: &'static str,
    setting: &'static str,
    blocked: fn(&OauthOidcSettings) -> Option<bool>,
) -> FlowCheck {
    let mut apps: Vec<(u64, String)> = org
        .usage
        .apps
        .values()
        .filter_map(|u| {
            let n = u.logins.by_flow.get(&flow).map_or(0, |c| c.logins);
            let last = u.logins.last_seen.map_or_else(String::new, |t| {
                format!(", last login of the app {}", Day::of(t))
            });
            (n > 0).then(|| (n, format!("{}: {n} login(s){last}", u.display())))
        })
        .collect();
    apps.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let logins: u64 = apps.iter().map(|a| a.0).sum();
    let org_setting = match org
        .inventory
        .org
        .oauth_oidc
        .as_ref()
        .and_then(|s| blocked(&s.value))
    {
        Some(true) => "blocked",
        Some(false) => "allowed",
        None => "unknown",
    };
    let window = org
        .join
        .login_window
        .map(|(f, t)| format!("{} to {}", Day::of(f), Day::of(t)));
    let (can_block, reason) = match (&window, logins, org_setting) {
        (_, _, "blocked") => (false, format!("already blocked ({setting} is true)")),
        (None, _, _) => (false, "no login export among the inputs: nothing shows whether it is still used".to_string()),
        (Some(w), 0, _) => (true, format!("no login through it from {w}: set {setting} to true in OauthOidcSettings (Setup → OAuth and OpenID Connect Settings)")),
        (Some(w), n, _) => (false, format!("{n} login(s) through it from {w}: move those apps first (export only the days after the last cutover to see what is left)")),
    };
    FlowCheck {
        flow: name,
        setting,
        org_setting,
        logins,
        apps: apps.into_iter().take(APPS_LISTED).map(|a| a.1).collect(),
        can_block,
        reason,
    }
}
