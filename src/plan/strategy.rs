//! The strategy decision table (DESIGN §6): first match wins; every decision is explained in
//! words with the evidence it rests on. Per-app overrides from `ecaplan.toml` need a reason.

use serde::Serialize;

use crate::config::{Config, Criticality};
use crate::model::{App, Distribution};
use crate::rules::Finding;
use crate::usage::view::AppUsageView;
use crate::usage::Flow;

/// How an app is cut over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Salesforce first-party: nothing to migrate.
    SalesforceManaged,
    /// An ECA exists: verify, then decommission the connected app.
    AlreadyMigrated,
    /// Unused: block, revoke tokens, then delete.
    Retire,
    /// Packaged or uninstalled vendor app: install, harden, wait for the vendor's ECA.
    InstallAndHarden,
    /// App Manager's "Migrate to External Client App" (keeps key and secret).
    Automated,
    /// New ECA with a modern flow in parallel, staged credentials, then switch.
    SideBySide,
    /// Deploy the ECA, switch the client and deactivate the connected app in one window.
    BigBang,
}

impl Strategy {
    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::SalesforceManaged => "salesforce-managed",
            Strategy::AlreadyMigrated => "already-migrated",
            Strategy::Retire => "retire",
            Strategy::InstallAndHarden => "install-and-harden",
            Strategy::Automated => "automated",
            Strategy::SideBySide => "side-by-side",
            Strategy::BigBang => "big-bang",
        }
    }

    /// Parse a kebab-case name (config overrides).
    pub fn parse(s: &str) -> Option<Strategy> {
        [
            Strategy::SalesforceManaged,
            Strategy::AlreadyMigrated,
            Strategy::Retire,
            Strategy::InstallAndHarden,
            Strategy::Automated,
            Strategy::SideBySide,
            Strategy::BigBang,
        ]
        .into_iter()
        .find(|x| x.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

pub use crate::generate::TargetFlow;

/// The decision for one app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The strategy.
    pub strategy: Strategy,
    /// Why, in words.
    pub reason: String,
    /// What the decision rests on (rule ids, usage numbers, config).
    pub evidence: Vec<String>,
    /// For refactors: the flow to move to.
    pub target_flow: Option<TargetFlow>,
    /// Whether the app counts as high-volume.
    pub high_volume: bool,
    /// Whether the config marks it critical (critical or high).
    pub critical: bool,
}

/// Rules whose findings mean the automated migration would break the integration.
const REFACTOR_BLOCKERS: &[&str] = &["ECA101", "ECA102", "ECA103", "ECA107", "ECA108"];

/// Decide one app's strategy.
pub fn decide(
    app: &App,
    findings: &[&Finding],
    usage: Option<AppUsageView<'_>>,
    config: &Config,
) -> Decision {
    let open: Vec<&&Finding> = findings.iter().filter(|f| f.accepted.is_none()).collect();
    let has = |id: &str| open.iter().any(|f| f.rule == id);
    let blockers: Vec<String> = open
        .iter()
        .filter(|f| REFACTOR_BLOCKERS.contains(&f.rule))
        .map(|f| format!("{} {}", f.rule, f.message))
        .collect();
    let critical = matches!(
        config.criticality(&app.api_name),
        Some(Criticality::Critical | Criticality::High)
    );
    let (high_volume, volume_note) = volume(usage, config);
    let mut d = Decision {
        strategy: Strategy::Automated,
        reason: String::new(),
        evidence: vec![format!(
            "distribution: {} ({})",
            app.distribution.as_str(),
            app.distribution_reason
        )],
        target_flow: None,
        high_volume,
        critical,
    };
    d.evidence.extend(volume_note);
    if let Some((s, why)) = override_of(app, config) {
        d.strategy = s;
        d.reason = format!("set in ecaplan.toml: {why}");
        d.evidence.push(format!(
            "config [apps.{}] strategy = {}",
            app.api_name,
            s.as_str()
        ));
    } else if app.distribution == Distribution::Salesforce {
        d.strategy = Strategy::SalesforceManaged;
        d.reason = "a Salesforce first-party app: nothing to migrate; install it if it is used and uninstalled, to govern it".into();
    } else if app.distribution == Distribution::AlreadyEca {
        d.strategy = Strategy::AlreadyMigrated;
        d.reason = "an ECA with this identity already exists: verify it, then decommission the connected app".into();
    } else if has("ECA301") {
        d.strategy = Strategy::Retire;
        d.reason = "no use within the unused window of the covered period: block it, revoke its tokens, then delete it instead of migrating".into();
        d.evidence.extend(
            open.iter()
                .filter(|f| f.rule == "ECA301")
                .map(|f| format!("ECA301 {}", f.message)),
        );
    } else if matches!(
        app.distribution,
        Distribution::Packaged | Distribution::GlobalUninstalled
    ) {
        d.strategy = Strategy::InstallAndHarden;
        d.reason = "a vendor app (packaged, or used without being installed): it cannot be migrated here; install it, allow admin-approved users only, enforce IP restrictions and wait for the vendor's ECA".into();
    } else if blockers.is_empty() {
        d.strategy = Strategy::Automated;
        d.reason = "a local app with no blocker: App Manager's \"Migrate to External Client App\" keeps its consumer key and secret; rollback is deleting the ECA".into();
    } else if critical || high_volume {
        d.strategy = Strategy::SideBySide;
        d.reason = format!(
            "needs a refactor ({}) and is {}: build a new ECA with a modern flow, run both in parallel with staged credentials, sandbox first, then switch",
            blocker_names(&blockers),
            if critical { "critical" } else { "high-volume" }
        );
    } else {
        d.strategy = Strategy::BigBang;
        d.reason = format!(
            "needs a refactor ({}) but is low-volume and not critical: deploy the ECA, switch the client and deactivate the connected app in one window",
            blocker_names(&blockers)
        );
    }
    d.evidence.extend(blockers);
    // SAML-only apps keep SAML (with AES); only OAuth apps get a target flow.
    if matches!(d.strategy, Strategy::SideBySide | Strategy::BigBang)
        && app.facts().is_some_and(|f| f.oauth)
    {
        d.target_flow = Some(target_flow(app, usage));
    }
    d
}

fn blocker_names(blockers: &[String]) -> String {
    blockers
        .iter()
        .map(|b| b.split(' ').next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join(", ")
}

fn override_of(app: &App, config: &Config) -> Option<(Strategy, String)> {
    let c = config.apps.get(&app.api_name)?;
    let s = Strategy::parse(c.strategy.as_deref()?)?;
    Some((s, c.strategy_reason.clone().unwrap_or_default()))
}

/// High volume: ≥ `high_volume_per_30_days` logins per 30 days of the period the login
/// sources cover, or ≥ `high_volume_users` distinct users seen in it (logins, API calls). Lifetime `OauthToken.UseCount` is
/// shown as such and never enters the rate: adding a since-granted total to a windowed count
/// made unused apps look busy (issue 12, defect 6).
fn volume(usage: Option<AppUsageView<'_>>, config: &Config) -> (bool, Option<String>) {
    let Some(view) = usage.filter(|v| v.usage.is_some()) else {
        return (false, None);
    };
    // Users too: token holders are a since-granted list, so only users seen in the window count.
    let users = view.window_users().len() as u64;
    let holders = view.users().len() as u64 - users;
    let t = &config.thresholds;
    let rate = view.logins_per_30_days();
    let high = rate.is_some_and(|(per_30, _)| per_30 >= t.high_volume_per_30_days)
        || users >= t.high_volume_users;
    let mut note = match rate {
        Some((per_30, days)) => format!(
            "usage: ~{per_30} logins per 30 days ({} logins over the {days}-day window the login sources cover)",
            view.total_logins()
        ),
        None => "usage: no login source, so no rate".to_string(),
    };
    note.push_str(&format!(", {users} distinct users in the window"));
    let lifetime = view.lifetime_token_uses();
    if lifetime > 0 || holders > 0 {
        note.push_str(&format!(
            "; {lifetime} token uses, lifetime (OauthToken.UseCount since each grant: not a rate)"
        ));
        if holders > 0 {
            note.push_str(&format!(", {holders} more user(s) holding tokens only"));
        }
    }
    (high, Some(note))
}

/// The target flow from evidence: a certificate → JWT bearer; one integration user on a
/// password or client-credentials flow → client credentials as that user; otherwise the app
/// serves people → authorization code + PKCE.
fn target_flow(app: &App, usage: Option<AppUsageView<'_>>) -> TargetFlow {
    if app.certificate.is_some() {
        return TargetFlow::JwtBearer;
    }
    let facts = app.facts();
    let users: Vec<String> = usage
        .map(|v| v.users().into_iter().map(String::from).collect())
        .unwrap_or_default();
    let password = usage.is_some_and(|v| v.logins(Flow::UsernamePassword) > 0);
    let run_as = facts.as_ref().and_then(|f| f.run_as_user.clone());
    match (run_as, users.as_slice(), password) {
        (Some(user), _, _) => TargetFlow::ClientCredentials { run_as: user },
        (None, [one], true) => TargetFlow::ClientCredentials {
            run_as: one.clone(),
        },
        _ => TargetFlow::AuthorizationCodePkce,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in [
            "automated",
            "side-by-side",
            "big-bang",
            "retire",
            "install-and-harden",
            "already-migrated",
            "salesforce-managed",
        ] {
            assert_eq!(Strategy::parse(s).map(Strategy::as_str), Some(s));
        }
        assert_eq!(Strategy::parse("lift-and-shift"), None);
    }
}
