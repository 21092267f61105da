//! Runbooks by kind of app (issue 12, defects 4 and 5): SAML, App Launcher tiles, unknown
//! apps, and the additions for custom OAuth handlers, public clients, the device flow, token
//! exchange, canvas and mobile apps. The OAuth runbooks by target flow stay in the parent.

use super::{Runbook, Step, StepKind};
use crate::model::usage::Flow;
use crate::model::App;
use crate::plan::eca::{handler_class, saml_encryption, TargetFlow};
use crate::plan::strategy::{Decision, Strategy};

/// SAML without OAuth: the SAML runbook replaces the OAuth one (no flows, no secrets).
pub(super) fn saml_only(app: &App) -> bool {
    app.facts().is_some_and(|f| f.saml && !f.oauth)
}

/// An unknown app seen only in usage: investigate, block, then revoke (blocking first leaves
/// no window to re-authorize between the two).
pub(super) fn investigate(r: &mut Runbook, name: &str) {
    r.step(format!("investigate who uses {name} and from where: its users, source IPs and times in LoginHistory and OauthToken (Setup → Connected Apps OAuth Usage → {name}), and what it reads (API events in Event Monitoring, if licensed); ask the users' managers and security whether it is sanctioned"));
    r.step(format!(
        "block it: Setup → Connected Apps OAuth Usage → {name} → Block"
    ));
    r.step(format!("then revoke its tokens: Setup → Connected Apps OAuth Usage → {name} → Revoke all (after the block, so that nobody re-authorizes in between)"));
    r.step(format!("never install {name} to make it work: if the investigation finds a sanctioned vendor tool, keep it blocked until its owner and vendor are known, then re-plan it in ecaplan.toml ([apps.\"{name}\"] strategy = \"install-and-harden\" with a strategy_reason)"));
    r.validation.push(format!(
        "no login or token use by {name} after the block (LoginHistory, Connected Apps OAuth Usage)"
    ));
    r.rollback.push(format!("unblock {name} (Setup → Connected Apps OAuth Usage → Unblock) only when the investigation shows a sanctioned use; its users re-authorize"));
    r.decommission.push(format!("no sanctioned owner after 30 days: {name} stays blocked; if the pattern suggests data exfiltration (CRM objects read from one IP), hand the findings to security as an incident"));
    r.credentials = "not the org's: its tokens are revoked and the app stays blocked".into();
    r.open_questions.push(format!(
        "Who runs {name}, from which IP addresses, and which data does it read?"
    ));
}

/// A local app with neither OAuth nor SAML (an App Launcher tile): nothing signs in.
pub(super) fn tile(r: &mut Runbook, app: &App, eca: &str) {
    let name = &app.api_name;
    let url = app
        .facts()
        .and_then(|f| f.start_url.clone())
        .unwrap_or_else(|| "its start URL".into());
    r.pre_checks.push(format!("App Manager offers \"Migrate to External Client App\" for {name} (UNVERIFIED for an app without OAuth or SAML); if it does not, keep the connected app: it issues no tokens, so nothing breaks"));
    r.step_of(
        StepKind::MigrateButton,
        format!("Setup → App Manager → {name} → Migrate to External Client App, if offered"),
    );
    // The automated deploy step: the manifest and commands are named in it.
    r.step_of(
        StepKind::HardeningDeploy,
        format!("deploy the generated hardening policies for {eca} (eca/: .ecaPlcy with the start URL, plugins off)"),
    );
    r.validation.push(format!(
        "the App Launcher tile of {eca} opens {url} for its users"
    ));
    r.rollback.push(format!("delete the ECA {eca}: the connected app becomes editable again with its settings of the migration day"));
    r.decommission
        .push("none: the read-only connected app stays as it is".into());
    r.credentials = "none: the app has no OAuth".into();
}

/// SAML single sign-on: encryption kept (Triple DES raised to AES_256 after ECA107's fix).
pub(super) fn saml(r: &mut Runbook, app: &App, d: &Decision, eca: &str, parallel_days: u32) {
    let name = &app.api_name;
    let raw = app.facts().and_then(|f| f.saml_encryption.clone());
    let enc = saml_encryption(raw.as_deref());
    let triple_des = raw
        .as_deref()
        .is_some_and(|e| e.trim().eq_ignore_ascii_case("Triple_Des"));
    let kept = enc.map_or("no assertion encryption (as today)".to_string(), |e| {
        format!("assertions encrypted with {e}")
    });
    let certificate = app
        .connected_app
        .as_ref()
        .and_then(|c| c.value.saml_config.as_ref())
        .and_then(|s| s.encryption_certificate.as_deref())
        .is_some_and(|c| !c.trim().is_empty());
    match (enc, certificate) {
        (Some(e), false) if d.strategy == Strategy::Automated => r.pre_checks.push(format!("the inputs name no encryption certificate for {name}: check in Setup that its {e} encryption has the service provider's certificate today (the migration carries what is set)")),
        (Some(e), false) => r.pre_checks.push(format!("{name} names no encryption certificate: get the service provider's certificate for {e} encryption into Certificate and Key Management and set {} to its name (the generated SAML policy carries a placeholder there; the deploy stops while it is unset)", crate::plan::params::saml_certificate_placeholder(eca).trim_matches('_'))),
        _ => {}
    }
    if triple_des {
        // After the certificate check: the switch on the live app needs the service
        // provider's certificate and its agreement, or single sign-on breaks at once.
        r.pre_checks.push(format!("ECA107 before the ECA: agree AES_256 with the service provider of {name}; once the certificate it decrypts with is in place (the check above, when the inputs name none), switch the connected app's SAML encryption from Triple_Des to AES_256 at a time agreed with it and verify single sign-on; deploy the ECA only after that (the generated SAML policy encrypts with AES_256)"));
        r.rollback.push(format!("if single sign-on fails after the encryption switch: set the connected app's SAML encryption back to Triple_Des (Setup → App Manager → {name} → Edit) and tell the service provider; agree the switch's time with it beforehand"));
        r.open_questions.push(format!(
            "Does the service provider of {name} accept AES_256-encrypted assertions?"
        ));
    }
    r.pre_checks.push(format!(
        "the owner of the service provider of {name} is available for a test sign-in"
    ));
    if d.strategy == Strategy::Automated {
        r.pre_checks.push("the org has 'Opt in to External Client Apps' and the user has 'Create, edit, and delete External Client Apps'".into());
        r.step_of(
            StepKind::MigrateButton,
            format!("Setup → App Manager → {name} → Migrate to External Client App"),
        );
        r.step_of(
            StepKind::HardeningDeploy,
            format!("deploy the generated hardening policies for {eca} (eca/: .ecaPlcy with the SAML plugin on)"),
        );
        r.step(format!("retrieve the ECA's SAML policies (ExtlClntAppSamlConfigurablePolicies) and check them against the connected app: entity ID, ACS URL, signing algorithm, subject type, {kept}"));
        r.rollback.push(format!("delete the ECA {eca}: the connected app becomes editable again with its settings of the migration day"));
        r.decommission.push(
            "after 30 days without incident the read-only connected app needs no action".into(),
        );
    } else {
        saml_new_eca(r, name, eca, d.strategy, (&kept, parallel_days));
    }
    r.validation.push(format!("a user signs in to the service provider through {eca} (service-provider- and IdP-initiated); LoginHistory shows the SAML login"));
    if let Some(e) = enc {
        r.validation.push(format!(
            "the service provider decrypts {e}-encrypted assertions (its SSO log)"
        ));
    }
    r.credentials = "SAML: no consumer key or secret; the IdP certificate and the service provider's certificates are unchanged".into();
}

/// A SAML app moved to a new ECA: sandbox first, the service provider switched, the
/// connected app closed (kept, never deleted).
fn saml_new_eca(
    r: &mut Runbook,
    name: &str,
    eca: &str,
    strategy: Strategy,
    (kept, parallel_days): (&str, u32),
) {
    r.step_of(StepKind::SandboxDeploy, format!("deploy the generated ECA {eca} to a sandbox (eca/: .eca, .ecaSamlPlcy with {kept}, .ecaPlcy with the SAML plugin on); a SAML ECA is configured through the Metadata API only"));
    r.step("give the service provider the ECA's SAML settings where they differ from the connected app's (login URL, entity ID; UNVERIFIED whether they change) and test a sign-in against the sandbox");
    r.step_of(
        StepKind::ProductionDeploy,
        format!("deploy {eca} to production; assign {eca}_ECA_Access to the users"),
    );
    if strategy == Strategy::SideBySide {
        r.step(format!("run both for {parallel_days} days: the service provider signs in through {eca}, the connected app stays as fallback"));
        r.step(format!(
            "switch fully to {eca}; block the connected app {name}"
        ));
    } else {
        r.step(format!(
            "in one change window: switch the service provider to {eca} and {}",
            super::close_app(name)
        ));
    }
    r.rollback.push(format!(
        "{} and point the service provider back to it",
        super::reopen_app(name)
    ));
    r.decommission.push(format!(
        "no sign-in through {name} for 30 days; then close it for good (no profile or permission set left) and keep it: never delete it, a deleted connected app cannot be re-created without Salesforce Support"
    ));
}

/// Where a switch the ECA may lack is checked: right after the step that creates the ECA
/// (the button, or the production deploy), before anything else runs against it.
fn right_after_the_ecas_creation(r: &Runbook) -> usize {
    r.position(StepKind::MigrateButton)
        .or_else(|| r.position(StepKind::ProductionDeploy))
        .map_or(r.steps.len(), |i| i + 1)
}

/// What an app's kind adds to an OAuth runbook: the handler port, the public client, the
/// device flow and token exchange switches, canvas and mobile checks. `push_resolved`: the
/// pre-checks already ask to resolve ECA106 (the mobile push settings).
pub(super) fn extras(r: &mut Runbook, app: &App, d: &Decision, eca: &str, push_resolved: bool) {
    let Some(f) = app.facts() else {
        return;
    };
    if let Some(plugin) = f.handler.as_deref().filter(|p| !p.trim().is_empty()) {
        let class = handler_class(plugin);
        let user = f.handler_user.as_deref().map_or(
            "its execution user (none today: set one, most handler methods need it)".to_string(),
            |u| format!("{u} (executeHandlerAs; a sandbox username carries the sandbox suffix)"),
        );
        r.pre_checks.push(format!("a developer ports {plugin} (Auth.ConnectedAppPlugin) to {class}, a class extending Auth.ExternalClientAppOauthHandler (authorize, customAttributes; reference §5.4), with tests"));
        r.steps.insert(0, Step::new(StepKind::HandlerDeploy, format!("deploy the Apex class {class} (extends Auth.ExternalClientAppOauthHandler) with its tests, before the ECA's OAuth policies: they name it in apexHandler and run it as {user}")));
        r.validation.push(format!(
            "the handler {class} runs on sign-in and grants or refuses as {plugin} did"
        ));
    }
    if matches!(d.target_flow, Some(TargetFlow::PublicClientPkce)) {
        r.pre_checks.push(format!("the browser or native client of {} can use authorization code + PKCE without a secret (no implicit / user-agent flow)", app.api_name));
        // Right after the ECA is deployed, before the client is switched to it.
        let at = r.steps.len().min(1);
        r.steps.insert(at, Step::new(StepKind::Other, format!("check {eca} is a public client: consumer secret optional for the web server and refresh token flows (eca-global: isConsumerSecretOptional true, isSecretRequiredForRefreshToken false) and PKCE required")));
        r.credentials = "new consumer key only: a public client holds no secret (never put one in the browser or app); PKCE protects the code exchange".into();
    }
    if d.special_flows.contains(&Flow::Device) {
        let at = right_after_the_ecas_creation(r);
        r.steps.insert(at, Step::new(StepKind::Other, format!("right away, before anything else of this runbook: check that the device flow is on for {eca} (External Client App Manager → {eca} → Settings → OAuth Settings → Enable Device Flow; isDeviceFlowEnabled in the global OAuth settings) and turn it on if not; whether the migration keeps it is UNVERIFIED (rehearse it in a sandbox first): device sign-ins fail until it is on")));
        r.validation.push(format!(
            "a device-flow login appears under {eca} in LoginHistory"
        ));
    }
    if d.special_flows.contains(&Flow::TokenExchange) {
        let at = right_after_the_ecas_creation(r);
        r.steps.insert(at, Step::new(StepKind::Other, format!("right away, before anything else of this runbook: check that token exchange is on for {eca} (Enable Token Exchange Flow in the OAuth settings, isTokenExchangeEnabled, and in the OAuth policies, isTokenExchangeFlowEnabled) and that the token exchange handler is enabled for {eca} (OauthTokenExchangeHandler → its enablement for the app, with its execution user), and turn on what is not; whether the connected app's enablement carries over is UNVERIFIED (rehearse it in a sandbox first): token exchanges fail until it is on")));
        r.validation.push(format!(
            "a token exchange (grant type urn:ietf:params:oauth:grant-type:token-exchange) against {eca} succeeds"
        ));
    }
    if f.canvas {
        if d.strategy == Strategy::Automated {
            r.pre_checks.push(format!("App Manager offers \"Migrate to External Client App\" for the canvas app {} (canvas apps may be ineligible: UNVERIFIED); if it does not, re-plan it as big-bang in ecaplan.toml so that a new ECA with canvas settings (API 66.0) is generated", app.api_name));
        }
        r.validation.push(format!(
            "the canvas app of {eca} loads in each of its locations with its access method"
        ));
    }
    if f.mobile {
        if !push_resolved {
            r.pre_checks.push("the mobile app's push settings are valid (an expired Apple P12 certificate or a deprecated Android server key makes the migration fail)".into());
        }
        r.pre_checks.push(format!("the mobile app's mobileAppConfig and mobileStartUrl have no ECA equivalent: keep them documented outside {eca}"));
        if matches!(d.strategy, Strategy::SideBySide | Strategy::BigBang) {
            r.step("ship the app release with the new consumer key; with Mobile SDK 13.2 or later, migrate users' refresh tokens (migrateRefreshToken) so that they are not signed out");
        }
        r.validation.push(
            "mobile users stay signed in after the change and push notifications still arrive"
                .into(),
        );
    }
}
