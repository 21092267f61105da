//! Per-app runbooks: pre-checks, steps, validation, rollback, decommission criteria, the
//! credential plan and the open questions for the workshop — written from the strategy and
//! the app's own facts and findings.

mod kinds;
mod manifests;
mod step;
mod tokens;
mod unknown;

use serde::Serialize;

use super::eca::{eca_label, label_of, EcaScope, TargetFlow};
use super::strategy::{Decision, Strategy};
use crate::config::Config;
use crate::model::usage::LoginStats;
use crate::model::App;
use crate::rules::{ids, Finding};
pub use manifests::name_manifests;
pub use step::{Step, StepKind};
pub use tokens::idle_refresh_tokens;
pub use unknown::unknown_flows;

/// What to do for one app, step by step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Runbook {
    /// Before the change.
    pub pre_checks: Vec<String>,
    /// The change.
    pub steps: Vec<Step>,
    /// How to know it worked.
    pub validation: Vec<String>,
    /// How to undo it.
    pub rollback: Vec<String>,
    /// When the old app can go.
    pub decommission: Vec<String>,
    /// What happens to consumer key and secret.
    pub credentials: String,
    /// Questions for the workshop.
    pub open_questions: Vec<String>,
}

impl Runbook {
    /// Add a step nothing refers to.
    pub fn step(&mut self, text: impl Into<String>) {
        self.steps.push(Step::new(StepKind::Other, text));
    }

    /// Add a step of `kind`.
    pub fn step_of(&mut self, kind: StepKind, text: impl Into<String>) {
        self.steps.push(Step::new(kind, text));
    }

    /// The first step of `kind`.
    pub fn position(&self, kind: StepKind) -> Option<usize> {
        self.steps.iter().position(|s| s.kind == kind)
    }

    /// The steps' words, in order.
    pub fn step_texts(&self) -> Vec<String> {
        self.steps.iter().map(|s| s.text.clone()).collect()
    }
}

/// Write the runbook of an app.
pub fn runbook(
    app: &App,
    d: &Decision,
    eca_name: Option<&str>,
    findings: &[&Finding],
    config: &Config,
) -> Runbook {
    let name = &app.api_name;
    let eca = eca_name.unwrap_or(name);
    let mut r = Runbook::default();
    workshop_checks(&mut r, name, findings, config);
    match d.strategy {
        Strategy::Automated | Strategy::SideBySide | Strategy::BigBang if kinds::saml_only(app) => {
            kinds::saml(&mut r, app, d, eca, config.plan.parallel_run_days);
        }
        Strategy::Automated if !super::strategy::has_sign_in(app) => kinds::tile(&mut r, app, eca),
        Strategy::InvestigateAndBlock => kinds::investigate(&mut r, name),
        Strategy::SalesforceManaged => salesforce_managed(&mut r, name),
        Strategy::AlreadyMigrated => already_migrated(&mut r, name, eca),
        Strategy::Retire => retire(&mut r, name, findings),
        Strategy::InstallAndHarden => install_and_harden(&mut r, name),
        Strategy::Automated => automated(&mut r, name, eca, findings),
        Strategy::SideBySide | Strategy::BigBang => refactor(&mut r, name, eca, d, config),
    }
    if d.strategy == Strategy::Automated {
        automated_checks(&mut r, app);
    }
    if matches!(d.strategy, Strategy::SideBySide | Strategy::BigBang) {
        people_too(&mut r, name, eca, d, findings);
    }
    if matches!(d.strategy, Strategy::SideBySide | Strategy::BigBang) && eca_name.is_some() {
        tell_apart(&mut r, app, eca, d.strategy);
        if d.target_flow.is_none() {
            same_flow_pkce_check(&mut r, app, eca, findings);
        }
    }
    if d.strategy.generates() {
        generated_checks(&mut r, app, d, eca, findings, config);
    }
    r
}

/// The owner question, the workshop's note and the findings to resolve first.
fn workshop_checks(r: &mut Runbook, name: &str, findings: &[&Finding], config: &Config) {
    let owner = config.apps.get(name).and_then(|a| a.owner.clone());
    if owner.is_none() {
        r.open_questions.push(format!(
            "Who owns {name}? (set [apps.{name}] owner in ecaplan.toml)"
        ));
    }
    if let Some(notes) = config.notes(name) {
        // The workshop's constraints come first: they can veto a step or a date.
        r.pre_checks
            .push(format!("read the note in ecaplan.toml: {notes}"));
    }
    for f in findings.iter().filter(|f| f.accepted.is_none()) {
        if f.rule == ids::NO_LOGIN_IP_RANGES {
            // Hardening, not a gate: login IP ranges on a profile bind every user of it, and
            // an integration sharing the profile would be locked out by a range that misses it.
            r.open_questions.push(format!(
                "later, as a change of its own (not a condition of this migration): {} ({}): {}; login IP ranges on a profile apply to every user of that profile, so collect the source IPs of all of them (LoginHistory SourceIp) and test in a sandbox before adding any",
                f.rule, f.name, f.message
            ));
        } else if PRE_CHECK_RULES.contains(&f.rule) {
            r.pre_checks
                .push(format!("resolve {} ({}): {}", f.rule, f.name, f.message));
        }
    }
}

/// What an app with generated metadata adds: its kind's extras (OAuth), the IP enforcement
/// and Salesforce CLI checks.
fn generated_checks(
    r: &mut Runbook,
    app: &App,
    d: &Decision,
    eca: &str,
    findings: &[&Finding],
    config: &Config,
) {
    if !kinds::saml_only(app) {
        let push_resolved = findings
            .iter()
            .any(|f| f.accepted.is_none() && f.rule == ids::MOBILE_PUSH_SETTINGS_UNVERIFIABLE);
        kinds::extras(r, app, d, eca, push_resolved);
    }
    if config.standard.ip_enforcement {
        ip_enforcement_check(r, app, findings);
    }
    cli_login_check(r, app);
}

fn salesforce_managed(r: &mut Runbook, name: &str) {
    r.step(format!("nothing to migrate: {name} is a Salesforce app"));
    r.step("if it is used but not installed, install it (Setup → Connected Apps OAuth Usage → Install) so that its users keep access; change none of its policies in this migration (the Salesforce CLI that runs these runbooks may sign in through it)");
    r.credentials = "managed by Salesforce".into();
}

fn already_migrated(r: &mut Runbook, name: &str, eca: &str) {
    r.validation.push(format!(
        "the ECA {eca} issues tokens: OAuth usage shows it, the connected app shows no new tokens"
    ));
    r.decommission.push(format!(
        "no login through the connected app {name} for 30 days after the ECA went live"
    ));
    r.step(format!("compare the policies of the ECA {eca} with the integration standard (ecaplan.toml [standard]) and agree each difference with its owner before changing it in Setup: nothing is generated for an ECA that exists already, and a scope its client needs (e.g. Chatbot) stays until the owner agrees"));
    r.credentials = "already on the ECA".into();
}

fn install_and_harden(r: &mut Runbook, name: &str) {
    r.step(format!(
        "install {name} (Setup → Connected Apps OAuth Usage → Install) if it is not installed"
    ));
    r.step(format!("record {name}'s policies before changing them (Manage → Edit Policies: Permitted Users, IP Relaxation, Refresh Token Policy, and the profiles and permission sets it lists): the rollback restores them"));
    r.step_of(StepKind::PermittedUsers, "set Permitted Users to 'Admin approved users are pre-authorized' and grant a dedicated permission set");
    r.step("set IP Relaxation to 'Enforce IP restrictions' and a refresh-token inactivity expiry");
    r.validation
        .push("the authorized users still sign in; others are refused".into());
    r.rollback
        .push("restore the policies recorded before the change".into());
    r.open_questions.push(format!(
        "When will the vendor of {name} ship an External Client App?"
    ));
    r.credentials = "owned by the vendor; unchanged".into();
}

/// The generated policies enforce IP restrictions (integration standard): an app that relaxes
/// them today is used from addresses nobody has checked, and the deploy would refuse them.
fn ip_enforcement_check(r: &mut Runbook, app: &App, findings: &[&Finding]) {
    let kept =
        super::waivers::kept_text(findings, ids::IP_RESTRICTIONS_RELAXED, "its IP relaxation");
    r.pre_checks
        .extend(kept.or_else(|| ip_enforcement_text(app)));
}

/// What the IP check says of the addresses to confirm, from the app's logins in the exports:
/// how many source networks. Past the exact count (an estimate, thousands of networks), nobody
/// can confirm them against IP ranges: the generated policies keep today's relaxation instead,
/// and the check says so; `true` then.
pub fn ip_networks(r: &mut Runbook, app: &App, logins: Option<&LoginStats>) -> bool {
    let Some(base) = ip_enforcement_text(app) else {
        return false;
    };
    let Some(l) = logins.filter(|l| l.logins > 0) else {
        return false;
    };
    let Some(check) = r.pre_checks.iter_mut().find(|c| **c == base) else {
        return false;
    };
    let (n, error) = l.network_count();
    let today = relaxed_today(app).unwrap_or_default();
    let name = &app.api_name;
    match error {
        None => {
            check.push_str(&format!("; its logins in the usage exports came from {n} network(s) (IPv4 /24, IPv6 /48), listed in report.json (apps[].usage.networks)"));
            false
        }
        Some(e) => {
            *check = format!("{name} relaxes IP restrictions today ({today}) and its logins in the usage exports came from about {n} networks (an estimate, {e}): too many to confirm against IP ranges, so the generated policies keep {today} (ipRelaxationPolicyType) instead of enforcing IP restrictions (the integration standard), which could refuse users from networks nobody listed. Record this exception in the change; enforcing IP restrictions is a later change, once the ranges are agreed with security");
            true
        }
    }
}

/// The app's IP relaxation today, when it is not `Enforce`.
fn relaxed_today(app: &App) -> Option<&str> {
    app.facts()
        .and_then(|f| f.ip_relaxation.as_deref())
        .filter(|ip| *ip != "Enforce")
}

/// The check [`ip_enforcement_check`] asks for, also a step of `eca/README.md` ([`ip_networks`]
/// adds what the usage exports show).
pub fn ip_enforcement_text(app: &App) -> Option<String> {
    let today = relaxed_today(app)?;
    let name = &app.api_name;
    Some(format!("{name} relaxes IP restrictions today ({today}) and the generated policies enforce them (integration standard): before the policy deploy, confirm that the addresses its users and integration connect from (SourceIp in LoginHistory) are inside their profiles' login IP ranges or the org's trusted IP ranges, in the sandbox first; otherwise that deploy refuses them. If they cannot be listed in time and security agrees to keep {today}: {}", super::waivers::how_to_waive(name, ids::IP_RESTRICTIONS_RELAXED)))
}

/// An app the Salesforce CLI logs in through (its loopback callback): scratch-org creation
/// needs a connected app or the CLI's workaround once it is an ECA (deploy-and-cli.md §7).
fn cli_login_check(r: &mut Runbook, app: &App) {
    let cli = app.facts().is_some_and(|f| {
        f.callback_urls
            .iter()
            .any(|u| u.contains("localhost:1717") || u.contains("127.0.0.1:1717"))
    });
    if cli {
        let name = &app.api_name;
        r.pre_checks.push(format!("{name} looks like a Salesforce CLI login app (callback on port 1717): if a Dev Hub is authorized through it, `sf org create scratch` fails after the move to an ECA (C-1016 RemoteOrgSignupFailed): use CLI 2.147.7 or later with SF_SCRATCH_SIGNUP_CONNECTED_APP=PlatformCLI and SF_SCRATCH_SIGNUP_CALLBACK_URL=http://localhost:1717/OauthRedirect, or keep a connected app for scratch-org creation; JWT logins to new or refreshed sandboxes need the ECA deployed there (local ECAs are not copied on refresh)"));
    }
}

/// The app allows the web-server (authorization code) flow without requiring PKCE, which an
/// ECA requires by default.
fn web_server_without_pkce(app: &App) -> bool {
    let facts = app.facts();
    let web_server = facts
        .is_some_and(|f| f.flows.contains(&"authorization-code") || !f.callback_urls.is_empty());
    web_server && facts.and_then(|f| f.pkce_required) != Some(true)
}

/// A new ECA that keeps the client's flow (a handler port) still gets the integration
/// standard's PKCE requirement: a web-server client that sends no code challenge today is
/// refused at the switch unless it changes first.
fn same_flow_pkce_check(r: &mut Runbook, app: &App, eca: &str, findings: &[&Finding]) {
    let name = &app.api_name;
    if !web_server_without_pkce(app) {
        return;
    }
    let waived = super::waivers::Waived::of(findings);
    let kept = |rule, what| super::waivers::kept_text(findings, rule, what);
    r.pre_checks
        .extend(kept(ids::PKCE_NOT_REQUIRED, "PKCE optional"));
    r.pre_checks.extend(kept(
        ids::REFRESH_TOKEN_ROTATION_OFF,
        "refresh tokens without rotation",
    ));
    // Rotation matters where ECA205 fires: an app that issues refresh tokens without it.
    let rotation = !waived.rotation
        && findings
            .iter()
            .any(|f| f.rule == ids::REFRESH_TOKEN_ROTATION_OFF);
    let (what, check, rules) = match (!waived.pkce, rotation) {
        (false, false) => return,
        (true, false) => (
            format!("requires PKCE (isPkceRequired in eca-global/, from the integration standard), while {name} does not today"),
            "sends code_challenge and code_verifier",
            ids::PKCE_NOT_REQUIRED.to_string(),
        ),
        (false, true) => (
            format!("rotates refresh tokens (isRefreshTokenRotationEnabled in eca-global/, from the integration standard), while {name} does not today"),
            "accepts a new refresh token on each refresh",
            ids::REFRESH_TOKEN_ROTATION_OFF.to_string(),
        ),
        (true, true) => (
            format!("requires PKCE (isPkceRequired in eca-global/, from the integration standard) and rotates refresh tokens, while {name} does neither today"),
            "sends code_challenge and code_verifier and accepts a new refresh token on each refresh",
            format!("{} and {}", ids::PKCE_NOT_REQUIRED, ids::REFRESH_TOKEN_ROTATION_OFF),
        ),
    };
    let waive = super::waivers::how_to_waive(name, &rules);
    r.pre_checks.push(format!("the generated {eca} {what}: before the switch, confirm in the sandbox that the client {check}; if it cannot change in time and the owner and security agree: {waive}"));
}

/// The documented side effects of App Manager's migration button (deploy-and-cli.md §6: the
/// migrated app no longer shows in Notification Delivery Settings nor in Briefcase
/// assignments) and, for web-server apps, PKCE, which an ECA requires by default.
fn automated_checks(r: &mut Runbook, app: &App) {
    let name = &app.api_name;
    r.pre_checks.push(format!("record whether {name} is selected in Setup → Notification Delivery Settings and in the Briefcase connected app assignments: the migrated app no longer shows there; if it is used there, agree a replacement with the owner before migrating"));
    if web_server_without_pkce(app) {
        r.pre_checks.push(format!("{name} allows the web-server (authorization code) flow without requiring PKCE, and an ECA requires PKCE by default (isPkceRequired); whether the migration keeps the connected app's setting is UNVERIFIED: if a client signs in through that flow, confirm in a sandbox that it sends code_challenge and code_verifier, else set isPkceRequired to false on the ECA's OAuth settings right after the migration and plan the client change"));
        r.validation.push(
            "if a client uses the web-server flow: a user signs in through it after the migration (no PKCE error such as invalid code verifier)".into(),
        );
    }
    r.validation.push(format!("Notification Delivery Settings and Briefcase assignments: {name} is no longer listed, and whatever used it there was replaced as agreed"));
}

/// How to tell the connected app from its new ECA in usage: the generated ECA carries the
/// label with [`super::eca::ECA_LABEL_SUFFIX`] ([`eca_label`]), and usage exports name apps by label.
fn tell_apart(r: &mut Runbook, app: &App, eca: &str, strategy: Strategy) {
    let label = label_of(app);
    let new = eca_label(app, EcaScope::Full);
    r.pre_checks.push(format!(
        "no other app is labelled \"{new}\" (the label the generated ECA {eca} carries): LoginHistory and OauthToken name apps by label"
    ));
    r.validation.push(format!(
        "LoginHistory.Application (and OauthToken.AppName) shows \"{new}\" for logins through the new ECA {eca} and \"{label}\" for the connected app {}: {}",
        app.api_name,
        if strategy == Strategy::SideBySide {
            "count both during the parallel run"
        } else {
            // Big bang: no parallel run; the old label must go quiet at the switch.
            "after the switch, only the new label may appear"
        }
    ));
}

/// Open findings that make an unused app dangerous to leave in place until the last wave: Full
/// scope, self-authorization, relaxed IP restrictions. Such an app is blocked in wave 0.
pub const BLOCK_EARLY_RULES: &[&str] = &[
    ids::FULL_SCOPE,
    ids::SELF_AUTHORIZATION,
    ids::IP_RESTRICTIONS_RELAXED,
];

/// Open findings the runbook asks to resolve before the change.
const PRE_CHECK_RULES: &[&str] = &[
    ids::MOBILE_PUSH_SETTINGS_UNVERIFIABLE,
    ids::CERTIFICATE_EXPIRING,
    ids::INTEGRATION_USER_NOT_API_ONLY,
    ids::ADMIN_RUN_AS_USER,
    ids::SHARED_INTEGRATION_USER,
    ids::CERTIFICATE_UNREADABLE,
];

/// Does an app about to be retired carry a finding that gets it blocked in wave 0?
pub fn blocks_early(findings: &[&Finding]) -> bool {
    findings
        .iter()
        .any(|f| f.accepted.is_none() && BLOCK_EARLY_RULES.contains(&f.rule))
}

/// How a cutover closes the connected app: reversibly, without deleting it (a deleted one
/// cannot be re-created without Support) nor revoking its tokens (the rollback may need them).
pub fn close_app(name: &str) -> String {
    format!("close the connected app {name} to its users: record its Permitted Users setting, the profiles and permission sets it lists and its Custom Connected App Handler if it has one (App Manager → {name} → Manage), then set 'Admin approved users are pre-authorized', remove them all and clear the handler (a handler's authorize may still admit users of an admin-approved app) (it is blocked, its tokens revoked, once quiet: its decommission)")
}

/// The rollback of [`close_app`].
pub fn reopen_app(name: &str) -> String {
    format!("reopen the connected app {name}: restore the Permitted Users setting, the profiles and permission sets and the handler recorded when it was closed")
}

/// Retire: block first, so nobody can re-authorize between the revoke and the block; then
/// revoke, wait, delete. Deleting is the one step that cannot be undone (a connected app cannot
/// be re-created without Support), so it comes last, after the wait.
fn retire(r: &mut Runbook, name: &str, findings: &[&Finding]) {
    r.pre_checks.push(format!(
        "confirm with the owner that {name} is no longer needed"
    ));
    if blocks_early(findings) {
        let why: Vec<String> = findings
            .iter()
            .filter(|f| f.accepted.is_none() && BLOCK_EARLY_RULES.contains(&f.rule))
            .map(|f| format!("{} {}", f.rule, f.name))
            .collect();
        r.pre_checks.push(format!(
            "unused but dangerous ({}): block it in wave 0, before any migration, not in the last wave",
            why.join(", ")
        ));
    }
    r.step(format!("block {name} first: Setup → Connected Apps OAuth Usage → Block (shown while it holds tokens), and, for an installed or local app, Manage → Edit Policies → Permitted Users: 'Admin approved users are pre-authorized' with no profile or permission set (record the ones it lists first: the rollback restores them) — nobody can authorize it again"));
    r.step(
        "then revoke its OAuth tokens (Setup → Connected Apps OAuth Usage → the app's User Count → Revoke All)",
    );
    r.step("wait 30 days with the app blocked; watch LoginHistory and the support queue for it");
    r.step(format!("delete {name} only after the wait: a deleted connected app cannot be re-created without Salesforce Support"));
    r.validation.push(format!(
        "{name} no longer appears in Connected Apps OAuth Usage (no token left) and LoginHistory shows no successful login through it after the block"
    ));
    r.rollback
        .push("before the delete: unblock the app (OAuth Usage → Unblock, restore its Permitted Users and profiles); users re-authorize".into());
    r.decommission
        .push("no support ticket or failed login for the app during the 30-day block".into());
    r.credentials = "revoked with the app".into();
}

/// What the usage says about the username-password flow, which stops working on the ECA: an
/// accepted ECA101 still means logins through it, and no usage export means nobody knows.
fn password_flow_check(name: &str, findings: &[&Finding]) -> String {
    let of = |rule: &str| findings.iter().find(|f| f.rule == rule);
    if let Some(f) = of(ids::USERNAME_PASSWORD_FLOW_IN_USE) {
        return format!(
            "{name} still uses the username-password flow ({}), which stops working once the app is an ECA: its client must already sign in through another flow (client credentials, or web server with PKCE) before the button, or the integration breaks at the migration{}",
            f.message,
            f.accepted
                .as_deref()
                .map(|why| format!(" (ECA101 is accepted in ecaplan.toml: {why})"))
                .unwrap_or_default()
        );
    }
    if of(ids::NO_USAGE_EVIDENCE).is_some() {
        return format!("{name} is local; no usage export covers it, so nothing shows whether it uses the username-password flow (which stops working on the ECA): ask its owner before the button");
    }
    if of(ids::UNUSED_APP).is_some() {
        return format!("{name} is local and the exports show no use of it at all, so they cannot show which flow its users sign in with: ask the people who use it (the reason it is kept) which tool and flow they use before the button; the username-password flow stops working on the ECA");
    }
    format!("{name} is local and does not use the username-password flow (usage shows none)")
}

fn automated(r: &mut Runbook, name: &str, eca: &str, findings: &[&Finding]) {
    r.pre_checks.push("the org has 'Opt in to External Client Apps' and the user has 'Create, edit, and delete External Client Apps'".into());
    r.pre_checks.push(password_flow_check(name, findings));
    r.step_of(
        StepKind::MigrateButton,
        format!("Setup → App Manager → {name} → Migrate to External Client App"),
    );
    r.step_of(StepKind::HardeningDeploy, format!("deploy the generated hardening policies for {eca} (eca/: .ecaOauthPlcy, .ecaPlcy, {eca}_ECA_Access permission set)"));
    // A grant an accepted exception keeps (admins who use the app by hand) stays.
    let kept = findings
        .iter()
        .find(|f| f.rule == ids::ADMIN_PROFILE_ACCESS && f.accepted.is_some())
        .map(|f| {
            format!(
                ", except the System Administrator grant that ecaplan.toml's exception for {} keeps (\"{}\")",
                f.rule,
                f.accepted.as_deref().unwrap_or_default()
            )
        })
        .unwrap_or_default();
    r.step(format!(
        "the policies keep today's profile and permission set grants beside {eca}_ECA_Access (plan.json access): move the app's users to {eca}_ECA_Access, the 1:1 access standard, in a later change, then remove the old grants{kept}"
    ));
    r.validation.push(
        "right after the hardening deploy, the owner runs the integration once (or signs in through the app): a login through the ECA appears in LoginHistory. Do not wait for its next scheduled run: a job that runs only at month-end would find a failure in the close".into(),
    );
    r.validation.push(
        "tokens are issued to the ECA (Connected Apps OAuth Usage) and scopes are as generated"
            .into(),
    );
    r.rollback.push(format!("delete the ECA {eca}: the connected app becomes editable again with its settings of the migration day"));
    r.decommission.push("after 30 days without incident the read-only connected app needs no action (it stays read-only)".into());
    r.credentials =
        "kept: the migration preserves consumer key and secret; the client changes nothing".into();
}

/// A service app that people use too (ECA213): the generated ECA serves the service flow
/// only, so the connected app is blocked or closed only once nobody signs in through it
/// interactively any more (else they are locked out).
fn people_too(r: &mut Runbook, name: &str, eca: &str, d: &Decision, findings: &[&Finding]) {
    let service = matches!(
        d.target_flow,
        Some(TargetFlow::ClientCredentials { .. } | TargetFlow::JwtBearer)
    );
    let Some(f) = findings
        .iter()
        .find(|f| f.accepted.is_none() && f.rule == ids::IDENTITY_MODEL_MISMATCH)
        .filter(|_| service)
    else {
        return;
    };
    let seen = f
        .evidence
        .iter()
        .find_map(|e| match e {
            crate::rules::Evidence::Usage { summary, .. } => Some(summary.as_str()),
            _ => None,
        })
        .unwrap_or("interactive logins");
    r.pre_checks.push(format!(
        "{name} is a service app that people use too ({seen}; ECA213): {eca} gets the service flow only; the people need an ECA of their own (authorization code + PKCE) before {name} is blocked or closed to its users, or they lose access"
    ));
    for step in &mut r.steps {
        for (old, new) in [
            (
                format!("; then {}", close_app(name)),
                format!("; close the connected app {name} to its users only once LoginHistory shows no interactive login (web server, user-agent, username-password) through it for 30 days: its people are on their own ECA by then (ECA213); before that, leave it active"),
            ),
            (
                format!(" and {}", close_app(name)),
                format!("; close the connected app {name} to its users only once LoginHistory shows no interactive login (web server, user-agent, username-password) through it for 30 days: its people are on their own ECA by then (ECA213); before that, leave it active"),
            ),
        ] {
            if step.text.ends_with(old.as_str()) {
                step.text = step.text.replace(old.as_str(), &new);
            }
        }
    }
}

fn refactor(r: &mut Runbook, name: &str, eca: &str, d: &Decision, config: &Config) {
    let flow = match &d.target_flow {
        Some(TargetFlow::ClientCredentials { run_as }) => {
            format!("client credentials, run as {run_as} (API-only integration user)")
        }
        Some(TargetFlow::JwtBearer) => {
            "JWT bearer with the app's certificate (rotate it if it expires soon)".into()
        }
        Some(TargetFlow::PublicClientPkce) => {
            "authorization code with PKCE as a public client (no consumer secret)".into()
        }
        Some(TargetFlow::AuthorizationCodePkce) => "authorization code with PKCE".into(),
        // No flow change (a handler port): the client keeps its flow against the new ECA.
        None => "the new ECA's consumer key and secret (same flow as today)".into(),
    };
    r.pre_checks.push(format!(
        "the client of {name} can use {flow}; the developer who owns it is available"
    ));
    r.step_of(StepKind::SandboxDeploy, format!("deploy the generated ECA {eca} to a sandbox (eca/ with sf project deploy start; eca-global/ holds callback URLs and flow switches, kept out of source control)"));
    r.step(format!(
        "change the client to {flow} against the sandbox ECA and test"
    ));
    r.step_of(
        StepKind::ProductionDeploy,
        format!("deploy {eca} to production; assign {eca}_ECA_Access to the users"),
    );
    if d.strategy == Strategy::SideBySide {
        let days = config.plan.parallel_run_days;
        r.step(format!("run old and new in parallel for {days} days: the client uses the ECA's credentials (staged credentials if rotating), the connected app stays as fallback"));
        r.step(format!(
            "switch the client fully to {eca}; then {}",
            close_app(name)
        ));
        r.rollback.push(format!(
            "during the parallel run: point the client back to the connected app (still open); after the switch: {} and point the client back to it",
            reopen_app(name)
        ));
    } else {
        r.step(format!(
            "in one change window: switch the client to {eca} and {}",
            close_app(name)
        ));
        r.rollback
            .push(format!("{} and revert the client", reopen_app(name)));
    }
    if d.target_flow.is_some() {
        r.validation.push(format!(
            "logins appear under {eca} with the new flow, none under {name}"
        ));
        r.validation
            .push("the old flow is no longer used (LoginSubType in LoginHistory)".into());
    } else {
        r.validation
            .push(format!("logins appear under {eca}, none under {name}"));
    }
    r.decommission.push(format!(
        "no login through {name} for 30 days; then block it (Connected Apps OAuth Usage → Block) and revoke its tokens; never delete it: a deleted connected app cannot be re-created without Salesforce Support"
    ));
    r.credentials = "new: the ECA gets a new consumer key and secret; store them in the client's secret store (never in source control)".into();
    if !d.critical {
        r.open_questions.push(format!(
            "Is downtime acceptable for {name} during the switch? How long?"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &'static str, accepted: Option<&str>) -> Finding {
        Finding::for_test(rule, "A", "A: 12 username-password logins", accepted)
    }

    #[test]
    fn the_password_flow_precheck_follows_the_evidence() {
        assert!(password_flow_check("A", &[]).contains("usage shows none"));
        let used = finding(ids::USERNAME_PASSWORD_FLOW_IN_USE, Some("vendor fix in Q2"));
        let text = password_flow_check("A", &[&used]);
        assert!(
            text.contains("still uses the username-password flow"),
            "{text}"
        );
        assert!(text.contains("12 username-password logins") && text.contains("vendor fix in Q2"));
        let blind = finding(ids::NO_USAGE_EVIDENCE, None);
        assert!(password_flow_check("A", &[&blind]).contains("ask its owner"));
    }

    #[test]
    fn a_service_app_people_use_is_blocked_only_once_they_have_left_it() {
        let d = Decision {
            strategy: Strategy::SideBySide,
            reason: String::new(),
            evidence: Vec::new(),
            target_flow: Some(TargetFlow::ClientCredentials {
                run_as: "svc@x.example".into(),
            }),
            high_volume: true,
            critical: false,
            special_flows: Vec::new(),
        };
        let mut mixed = finding(ids::IDENTITY_MODEL_MISMATCH, None);
        mixed.evidence = vec![crate::rules::Evidence::Usage {
            summary: "40 interactive login(s)".into(),
            files: Vec::new(),
            rows: Vec::new(),
        }];
        let runbook_with = |findings: &[&Finding]| {
            let mut r = Runbook::default();
            refactor(&mut r, "A", "A_ECA", &d, &Config::default());
            people_too(&mut r, "A", "A_ECA", &d, findings);
            r
        };
        let r = runbook_with(&[&mixed]);
        let last = &r.steps.last().expect("steps").text;
        assert!(
            last.contains(
                "close the connected app A to its users only once LoginHistory shows no interactive login"
            ),
            "{last}"
        );
        assert!(r
            .pre_checks
            .iter()
            .any(|c| c.contains("40 interactive login(s)")));
        // Accepted, or no finding: the switch closes the app at once.
        let accepted = finding(ids::IDENTITY_MODEL_MISMATCH, Some("split planned"));
        for r in [runbook_with(&[&accepted]), runbook_with(&[])] {
            let last = &r.steps.last().expect("steps").text;
            assert!(
                last.ends_with(&format!("; then {}", close_app("A"))),
                "{last}"
            );
        }
    }
}
