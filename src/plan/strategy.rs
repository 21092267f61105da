//! The strategy decision table (DESIGN §6): first match wins; every decision is explained in
//! words with the evidence it rests on. Per-app overrides from `ecaplan.toml` need a reason.

use serde::{Deserialize, Serialize};

use super::eca::{EcaScope, TargetFlow};
use crate::config::{Config, Criticality};
use crate::model::usage::view::AppUsageView;
use crate::model::usage::Flow;
use crate::model::{App, Distribution, Origin};
use crate::rules::ids::{
    CUSTOM_OAUTH_HANDLER, DEVICE_FLOW_ON_UNINSTALLED_APP, SAML_TRIPLE_DES, UNUSED_APP,
    USERNAME_PASSWORD_FLOW_IN_USE, USER_AGENT_FLOW_IN_USE,
};
use crate::rules::Finding;

/// How an app is cut over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
    /// Seen only in usage and matched to no metadata, package or first-party catalogue entry:
    /// investigate who uses it, block it, then revoke its tokens. Never installed.
    InvestigateAndBlock,
    /// App Manager's "Migrate to External Client App" (keeps key and secret).
    Automated,
    /// New ECA with a modern flow in parallel, staged credentials, then switch.
    SideBySide,
    /// Deploy the ECA, switch the client and close the connected app in one window.
    BigBang,
}

impl Strategy {
    /// Every strategy, in the order of the decision table's outcomes.
    pub const ALL: [Strategy; 8] = [
        Strategy::SalesforceManaged,
        Strategy::AlreadyMigrated,
        Strategy::Retire,
        Strategy::InstallAndHarden,
        Strategy::InvestigateAndBlock,
        Strategy::Automated,
        Strategy::SideBySide,
        Strategy::BigBang,
    ];

    /// The ECA metadata generated for an app of this strategy: the files of a new ECA beside
    /// the connected app, the hardening of the ECA App Manager creates, or none. The apps
    /// that get some are the ones that migrate (in the pilot and the migration waves).
    pub fn eca_scope(self) -> Option<EcaScope> {
        match self {
            Strategy::Automated => Some(EcaScope::HardeningOnly),
            Strategy::SideBySide | Strategy::BigBang => Some(EcaScope::Full),
            Strategy::SalesforceManaged
            | Strategy::AlreadyMigrated
            | Strategy::Retire
            | Strategy::InstallAndHarden
            | Strategy::InvestigateAndBlock => None,
        }
    }

    /// Does an app of this strategy get ECA metadata (and migrate)?
    pub fn generates(self) -> bool {
        self.eca_scope().is_some()
    }

    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::SalesforceManaged => "salesforce-managed",
            Strategy::AlreadyMigrated => "already-migrated",
            Strategy::Retire => "retire",
            Strategy::InstallAndHarden => "install-and-harden",
            Strategy::InvestigateAndBlock => "investigate-and-block",
            Strategy::Automated => "automated",
            Strategy::SideBySide => "side-by-side",
            Strategy::BigBang => "big-bang",
        }
    }

    /// Parse a kebab-case name (config overrides).
    pub fn parse(s: &str) -> Option<Strategy> {
        Strategy::ALL
            .into_iter()
            .find(|x| x.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// [`Strategy::parse`], or why not in the user's terms: the closest names and the list.
    pub fn parse_or_explain(s: &str) -> Result<Strategy, String> {
        Strategy::parse(s).ok_or_else(|| {
            let known = Strategy::ALL.map(Strategy::as_str);
            let close = crate::text::similar(s, known);
            format!(
                "{s:?} is not a strategy{}: one of {}",
                crate::text::did_you_mean(&close),
                known.join(", ")
            )
        })
    }
}

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
    /// Flows that need a switch on the ECA, seen in the metadata or in usage: the device
    /// flow, token exchange (for the runbook; the evidence names them).
    #[serde(skip)]
    pub special_flows: Vec<Flow>,
}

/// Rules whose findings mean the automated migration would break the integration.
const REFACTOR_BLOCKERS: &[&str] = &[
    USERNAME_PASSWORD_FLOW_IN_USE,
    USER_AGENT_FLOW_IN_USE,
    CUSTOM_OAUTH_HANDLER,
    SAML_TRIPLE_DES,
    DEVICE_FLOW_ON_UNINSTALLED_APP,
];

/// Decide one app's strategy.
pub fn decide(
    app: &App,
    findings: &[&Finding],
    usage: Option<AppUsageView<'_>>,
    config: &Config,
) -> Decision {
    let open: Vec<&Finding> = findings
        .iter()
        .copied()
        .filter(|f| f.accepted.is_none())
        .collect();
    let blockers: Vec<&Finding> = open
        .iter()
        .copied()
        .filter(|f| REFACTOR_BLOCKERS.contains(&f.rule))
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
        special_flows: Vec::new(),
    };
    d.evidence.extend(volume_note);
    special_flows(app, usage, &mut d);
    let overridden = override_of(app, config);
    if let Some((s, why)) = &overridden {
        d.strategy = *s;
        d.reason = format!("set in ecaplan.toml: {why}");
        d.evidence.push(format!(
            "config [apps.{}] strategy = {}",
            app.api_name,
            s.as_str()
        ));
    } else {
        let kept: Vec<&Finding> = findings
            .iter()
            .copied()
            .filter(|f| f.accepted.is_some())
            .collect();
        decision_table(app, &open, &blockers, &kept, usage, &mut d);
    }
    d.evidence
        .extend(blockers.iter().map(|f| format!("{} {}", f.rule, f.message)));
    let overridden = overridden.is_some();
    // SAML-only apps keep SAML (with AES); only OAuth apps get a target flow, and only when a
    // blocker is about the flow itself: a handler port (ECA103) or an encryption change
    // (ECA107) keeps the flows the client uses today.
    let flow_blocker = open.iter().any(|f| FLOW_BLOCKERS.contains(&f.rule));
    if matches!(d.strategy, Strategy::SideBySide | Strategy::BigBang)
        && app.facts().is_some_and(|f| f.oauth)
        && (flow_blocker || overridden)
    {
        let user_agent = open.iter().any(|f| f.rule == USER_AGENT_FLOW_IN_USE);
        d.target_flow = Some(target_flow(app, usage, user_agent));
    }
    if d.strategy == Strategy::Automated && !overridden && !has_sign_in(app) {
        d.reason = "a local app without OAuth or SAML (an App Launcher tile: start URL only): nothing signs in through it, so it is no pilot; App Manager's \"Migrate to External Client App\" is UNVERIFIED for such apps — migrate it if the button is offered, otherwise keep it (it issues no tokens)".into();
    }
    d
}

/// The decision table (DESIGN §6), first match wins: the strategy and its reason. `kept`:
/// the app's findings an `ecaplan.toml` exception accepts.
fn decision_table(
    app: &App,
    open: &[&Finding],
    blockers: &[&Finding],
    kept: &[&Finding],
    usage: Option<AppUsageView<'_>>,
    d: &mut Decision,
) {
    let mut unused: Vec<&Finding> = open
        .iter()
        .copied()
        .filter(|f| f.rule == UNUSED_APP)
        .collect();
    // An exception is the workshop's word that the app stays, used as it is: no use seen in
    // the exports (a task run by hand each quarter) is weaker evidence than that.
    if let (Some(first), false) = (kept.first(), unused.is_empty()) {
        d.evidence.push(format!(
            "not retired though {UNUSED_APP} finds no use: ecaplan.toml accepts {} for it (\"{}\"), so the workshop keeps it; ask its owner, and set strategy = \"retire\" under [apps.{}] to retire it",
            first.rule,
            first.accepted.as_deref().unwrap_or_default(),
            app.api_name
        ));
        unused.clear();
    }
    let (strategy, reason) = if app.distribution == Distribution::Salesforce {
        (Strategy::SalesforceManaged, "a Salesforce first-party app: nothing to migrate; install it if it is used and uninstalled, to govern it".to_string())
    } else if app.distribution == Distribution::AlreadyEca {
        (Strategy::AlreadyMigrated, "an ECA with this identity already exists: verify it, then decommission the connected app".to_string())
    } else if is_unknown(app, usage) {
        (Strategy::InvestigateAndBlock, "an unknown app: seen only in usage data, matched to no metadata, installed package or first-party catalogue entry; investigate who uses it and from where, block it, then revoke its tokens — never install it".to_string())
    } else if !unused.is_empty() {
        d.evidence
            .extend(unused.iter().map(|f| format!("{UNUSED_APP} {}", f.message)));
        (Strategy::Retire, "no use within the unused window of the covered period: block it, revoke its tokens, then delete it instead of migrating".to_string())
    } else if matches!(
        app.distribution,
        Distribution::Packaged | Distribution::GlobalUninstalled
    ) {
        (Strategy::InstallAndHarden, "a vendor app (packaged, or used without being installed): it cannot be migrated here; install it, allow admin-approved users only, enforce IP restrictions and wait for the vendor's ECA".to_string())
    } else if blockers.is_empty() {
        (Strategy::Automated, "a local app with no blocker: App Manager's \"Migrate to External Client App\" keeps its consumer key and secret; rollback is deleting the ECA".to_string())
    } else if d.critical || d.high_volume {
        (Strategy::SideBySide, format!(
            "needs a refactor ({}) and is {}: build a new ECA with a modern flow, run both in parallel with staged credentials, sandbox first, then switch",
            blocker_names(blockers),
            if d.critical { "critical" } else { "high-volume" }
        ))
    } else {
        (Strategy::BigBang, format!(
            "needs a refactor ({}) but is low-volume and not critical: deploy the ECA, switch the client and close the connected app to its users in one window",
            blocker_names(blockers)
        ))
    };
    d.strategy = strategy;
    d.reason = reason;
}

/// The device flow and token exchange need their switches on the ECA: note where each is seen.
fn special_flows(app: &App, usage: Option<AppUsageView<'_>>, d: &mut Decision) {
    let facts = app.facts();
    for (flow, name, usage_flow) in [
        ("device", "device flow", Flow::Device),
        ("token-exchange", "token exchange", Flow::TokenExchange),
    ] {
        let logins = usage.map_or(0, |u| u.logins(usage_flow));
        let enabled = facts.is_some_and(|f| f.flows.contains(&flow));
        if logins > 0 {
            d.evidence.push(format!("usage: {logins} {name} login(s)"));
        }
        if logins > 0 || enabled {
            d.special_flows.push(usage_flow);
        }
    }
}

/// Blockers that force a change of OAuth flow (username-password, user-agent, device flow on
/// an uninstalled app).
const FLOW_BLOCKERS: &[&str] = &[
    USERNAME_PASSWORD_FLOW_IN_USE,
    USER_AGENT_FLOW_IN_USE,
    DEVICE_FLOW_ON_UNINSTALLED_APP,
];

/// The app signs users or integrations in: OAuth or SAML.
pub fn has_sign_in(app: &App) -> bool {
    app.facts().is_some_and(|f| f.oauth || f.saml)
}

/// Known only from usage, neither defined nor installed, and not even a first-party name
/// (trusted or not): nothing says who runs it.
fn is_unknown(app: &App, usage: Option<AppUsageView<'_>>) -> bool {
    app.origin == Origin::Usage
        && app.distribution == Distribution::GlobalUninstalled
        && usage
            .and_then(|u| u.first_party)
            .and_then(|f| f.catalogue_name.as_ref())
            .is_none()
}

/// The rule ids of the blockers, for the reason.
fn blocker_names(blockers: &[&Finding]) -> String {
    blockers
        .iter()
        .map(|f| f.rule)
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
    let users = view.window_user_count() as u64;
    let holders = view.user_count() as u64 - users;
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
/// serves people → authorization code + PKCE, as a public client (no secret) when it runs in
/// a browser or on a device: the user-agent flow in use (`user_agent`), a consumer secret
/// already optional, or only custom-scheme callbacks.
fn target_flow(app: &App, usage: Option<AppUsageView<'_>>, user_agent: bool) -> TargetFlow {
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
        _ if user_agent || public_client(app) => TargetFlow::PublicClientPkce,
        _ => TargetFlow::AuthorizationCodePkce,
    }
}

/// A client that cannot keep a secret: the connected app already makes the secret optional,
/// or every callback is a custom scheme (a native app).
fn public_client(app: &App) -> bool {
    let optional = app
        .connected_app
        .as_ref()
        .and_then(|c| c.value.oauth_config.as_ref())
        .and_then(|o| o.is_consumer_secret_optional)
        == Some(true);
    let urls = app
        .facts()
        .map(|f| f.callback_urls.clone())
        .unwrap_or_default();
    optional
        || (!urls.is_empty()
            && urls
                .iter()
                .all(|u| crate::model::facts::is_custom_scheme(u)))
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
            "investigate-and-block",
            "already-migrated",
            "salesforce-managed",
        ] {
            assert_eq!(Strategy::parse(s).map(Strategy::as_str), Some(s));
        }
        assert_eq!(Strategy::parse("lift-and-shift"), None);
    }

    fn usage_only(name: &str, distribution: Distribution) -> App {
        App {
            api_name: name.into(),
            label: Some(name.into()),
            namespace: None,
            distribution,
            connected_app: None,
            eca: None,
            certificate: None,
            certificate_error: None,
            origin: Origin::Usage,
            usage_key: Some(name.to_ascii_lowercase()),
            distribution_reason: "test".into(),
            facts_cache: Default::default(),
        }
    }

    fn finding(rule: &'static str, accepted: Option<&str>) -> Finding {
        Finding::for_test(rule, "Local", "Local: finding", accepted)
    }

    #[test]
    fn an_app_the_workshop_accepts_an_exception_for_is_not_retired() {
        let config = Config::default();
        let app = usage_only("Local", Distribution::Local);
        let unused = finding(UNUSED_APP, None);
        let d = decide(&app, &[&unused], None, &config);
        assert_eq!(d.strategy, Strategy::Retire);
        // An exception for another rule says the app stays (it is used, if not in the exports).
        let kept = finding("ECA215", Some("admins run it by hand each quarter"));
        let d = decide(&app, &[&unused, &kept], None, &config);
        assert_ne!(d.strategy, Strategy::Retire);
        let said = d.evidence.join("\n");
        assert!(
            said.contains("accepts ECA215") && said.contains("by hand each quarter"),
            "{said}"
        );
        // An exception for ECA301 itself accepts the finding: nothing to retire on either.
        let accepted = finding(UNUSED_APP, Some("used at year end"));
        assert_ne!(
            decide(&app, &[&accepted], None, &config).strategy,
            Strategy::Retire
        );
    }

    #[test]
    fn unknown_usage_only_app_is_investigated_not_installed() {
        let config = Config::default();
        let unknown = usage_only("ShadowSync", Distribution::GlobalUninstalled);
        let d = decide(&unknown, &[], None, &config);
        assert_eq!(d.strategy, Strategy::InvestigateAndBlock);
        assert!(!d.reason.contains("wait for the vendor"), "{}", d.reason);
        // Installed (a package) is a vendor app: install-and-harden as before.
        let vendor = usage_only("Vendor", Distribution::Packaged);
        assert_eq!(
            decide(&vendor, &[], None, &config).strategy,
            Strategy::InstallAndHarden
        );
    }
}
