//! Target-org values as deploy-time parameters (reference deploy-and-cli §1, "What this means"
//! items 1-4): run-as usernames, handler users, SAML issuers and My Domain hosts are written as
//! placeholders (`__ECA_X__`) and replaced by the Salesforce CLI from an environment variable
//! declared in `sfdx-project.json` `replacements`. A sandbox carries other usernames (a
//! suffix) and another My Domain than production, so a literal value would deploy the wrong
//! user; an unset variable stops the deploy before anything reaches the org.
//!
//! The plan chooses the parameters ([`for_app`], [`org_wide`]) so that `plan.json` lists them,
//! and the wave-0 task that creates the dedicated users they name; the generator replaces
//! their values in the files it writes.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use super::strategy::Strategy;
use super::{AppPlan, PlanInput, Wave};
use crate::metadata::connected_app::ConnectedApp;
use crate::rules::{ids, Finding};

/// One target-org value replaced at deploy time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parameter {
    /// Environment variable the CLI reads (`replaceWithEnv`).
    pub variable: String,
    /// Text written in the generated files instead of the value (`stringToReplace`).
    pub placeholder: String,
    /// The production value to set: the documented default.
    pub default: String,
    /// The ECA it belongs to; none for an org-wide value (My Domain).
    pub eca: Option<String>,
    /// What the value is.
    pub what: &'static str,
    /// Why the default differs from the inputs' value, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The literal values from the inputs that the placeholder stands for.
    #[serde(skip)]
    pub find: Vec<String>,
    /// A dedicated integration user to create in wave 0, replacing a shared or admin user.
    #[serde(skip)]
    pub dedicated: bool,
    /// Today's run-as user, kept although a finding says to replace it (see `run_as_kept`).
    #[serde(skip)]
    pub kept: bool,
}

impl Parameter {
    pub(crate) fn new(
        variable: String,
        default: String,
        app: Option<&str>,
        what: &'static str,
    ) -> Self {
        Parameter {
            placeholder: format!("__{variable}__"),
            variable,
            find: vec![default.clone()],
            default,
            eca: app.map(String::from),
            what,
            note: None,
            dedicated: false,
            kept: false,
        }
    }
}

/// Environment-variable stem of an ECA name: `Erp_Sync` → `ECA_ERP_SYNC`.
/// The placeholder of a SAML policy's encryption certificate that the inputs do not name: the
/// deploy stops until the admin names the service provider's certificate.
pub fn saml_certificate_placeholder(eca_name: &str) -> String {
    format!("__{}_SAML_ENCRYPTION_CERTIFICATE__", stem(eca_name))
}

fn stem(eca_name: &str) -> String {
    let up: String = eca_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("ECA_{up}")
}

/// The dedicated user that replaces a shared or admin user: `<eca>.<role>@<domain of the old
/// user>` (lower case), created in wave 0.
pub fn dedicated_user(eca_name: &str, role: &str, old: &str) -> String {
    let local = eca_name.to_ascii_lowercase();
    match old.rsplit_once('@') {
        Some((_, domain)) => format!("{local}.{role}@{domain}"),
        None => format!("{local}.{role}"),
    }
}

/// The per-app parameters: the client-credentials run-as user (`run_as`: the refactor's or
/// the connected app's), the handler's execution user and a SAML issuer that is not a My
/// Domain URL. With `dedicated` (the plan replaces a shared or admin run-as user: ECA207,
/// ECA210) the default is the dedicated user to create, never the old one. The SAML
/// certificate only for an ECA created from files (`full`).
pub fn for_app(
    ca: &ConnectedApp,
    eca_name: &str,
    run_as: Option<&str>,
    (dedicated, full): (bool, bool),
) -> Vec<Parameter> {
    let stem = stem(eca_name);
    let app = Some(eca_name);
    let mut out = Vec::new();
    let old_cc = ca
        .oauth_config
        .as_ref()
        .and_then(|o| o.oauth_client_credential_user.as_deref());
    let mut users: Vec<String> = run_as.into_iter().chain(old_cc).map(trimmed).collect();
    users.retain(|u| !u.is_empty());
    users.dedup();
    if let Some(first) = users.first().cloned() {
        let mut p = Parameter::new(
            format!("{stem}_RUN_AS"),
            first.clone(),
            app,
            "client credentials run-as user (clientCredentialsFlowUser)",
        );
        p.find = users;
        if dedicated {
            p.dedicated = true;
            p.default = dedicated_user(eca_name, "integration", &first);
            p.note = Some(format!(
                "dedicated integration user to create in wave 0; replaces {first} (a shared, admin or personal account, not a dedicated API-only one)"
            ));
        }
        out.push(p);
    }
    if let Some(user) = ca.plugin_execution_user.as_deref().map(trimmed) {
        if !user.is_empty() {
            let mut p = Parameter::new(
                format!("{stem}_HANDLER_USER"),
                user.clone(),
                app,
                "OAuth handler execution user (executeHandlerAs)",
            );
            if dedicated {
                p.dedicated = true;
                p.default = dedicated_user(eca_name, "handler", &user);
                p.note = Some(format!(
                    "dedicated user to create in wave 0; replaces {user} (a shared, admin or personal account, not a dedicated API-only one)"
                ));
            }
            out.push(p);
        }
    }
    out.extend(saml_certificate(ca, eca_name).filter(|_| full));
    let issuer = ca.saml_config.as_ref().and_then(|s| s.issuer.as_deref());
    if let Some(issuer) = issuer.map(trimmed).filter(|i| !i.is_empty()) {
        // A My Domain issuer is covered by the org-wide My Domain parameter.
        if my_domains(&issuer).is_empty() {
            out.push(Parameter::new(
                format!("{stem}_SAML_ISSUER"),
                issuer,
                app,
                "SAML issuer (issuer)",
            ));
        }
    }
    out
}

/// A SAML policy that encrypts without a certificate named in the inputs: a parameter with no
/// default, so that the deploy stops until the admin names the service provider's certificate.
fn saml_certificate(ca: &ConnectedApp, eca_name: &str) -> Option<Parameter> {
    let s = ca.saml_config.as_ref()?;
    let missing = s
        .encryption_certificate
        .as_deref()
        .is_none_or(|c| c.trim().is_empty());
    if !missing || super::eca::saml_encryption(s.encryption_type.as_deref()).is_none() {
        return None;
    }
    let mut p = Parameter::new(
        format!("{}_SAML_ENCRYPTION_CERTIFICATE", stem(eca_name)),
        String::new(),
        Some(eca_name),
        "SAML encryption certificate (encryptionCertificate)",
    );
    p.find = vec![saml_certificate_placeholder(eca_name)];
    p.note = Some("not in the inputs: upload the service provider's encryption certificate to Certificate and Key Management and set this to its name; the deploy stops while it is unset".into());
    Some(p)
}

fn trimmed(s: &str) -> String {
    s.trim().to_string()
}

/// One parameter per My Domain host seen in the connected apps: `ECA_MY_DOMAIN`, then
/// `ECA_MY_DOMAIN_2`… in sorted order.
pub fn org_wide(apps: &[&ConnectedApp]) -> Vec<Parameter> {
    // Every text of a record, whatever element it sits in (callback, start URL, issuer,
    // canvas URL…): the Debug rendering holds them all. Each app's on its own, on all cores.
    let found: Vec<Vec<String>> = apps
        .par_iter()
        .map(|ca| my_domains(&format!("{ca:?}")))
        .collect();
    let hosts: std::collections::BTreeSet<String> = found.into_iter().flatten().collect();
    hosts
        .into_iter()
        .enumerate()
        .map(|(i, host)| {
            let variable = match i {
                0 => "ECA_MY_DOMAIN".to_string(),
                n => format!("ECA_MY_DOMAIN_{}", n + 1),
            };
            Parameter::new(variable, host, None, "My Domain host")
        })
        .collect()
}

/// Host suffixes that identify an org (My Domain, Experience Cloud, Lightning, Visualforce).
const ORG_HOSTS: &[&str] = &[
    ".my.salesforce.com",
    ".my.salesforce-sites.com",
    ".my.site.com",
    ".lightning.force.com",
    ".my.salesforce-setup.com",
    ".vf.force.com",
];

/// The org hosts (lower case) in `text`.
pub fn my_domains(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lower = text.to_ascii_lowercase();
    for (at, _) in lower.match_indices("://") {
        let rest = &lower[at + 3..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
            .unwrap_or(rest.len());
        let host = &rest[..end];
        if ORG_HOSTS.iter().any(|s| host.ends_with(s)) && !out.iter().any(|h| h == host) {
            out.push(host.to_string());
        }
    }
    out
}

/// Rules whose open finding means the plan replaces the app's run-as user.
/// Findings that say to move the app's run-as or handler role to a dedicated user: shared
/// (ECA207), an administrator (ECA210), or a user that is not API-only, which must not be made
/// API-only while a person signs in with it (ECA208).
const REPLACED_USER: &[&str] = &[
    ids::SHARED_INTEGRATION_USER,
    ids::ADMIN_RUN_AS_USER,
    ids::INTEGRATION_USER_NOT_API_ONLY,
];

/// Whether an open finding says to replace the app's run-as user, and the Migrate button
/// migrates it: the hardening policies then keep today's user (changing the identity an
/// integration runs as, with no parallel run, could break it or lock a person out of the UI),
/// and the replacement is a later change of its own.
pub(super) fn run_as_kept(strategy: Strategy, findings: &[&Finding]) -> bool {
    strategy == Strategy::Automated
        && findings
            .iter()
            .any(|f| f.accepted.is_none() && REPLACED_USER.contains(&f.rule))
}

/// What the plan says of a run-as user it keeps (see [`run_as_kept`]).
fn kept_note(user: &str) -> String {
    format!("today's run-as user {user}, kept by the migration (the Migrate button changes no identity); move the ECA to a dedicated API-only user in a later change of its own: the user, its permission set group, a sandbox test, then this policy's clientCredentialsFlowUser")
}

/// The parameters of every app that gets generated metadata, then the org-wide ones.
pub(super) fn parameters(
    input: &PlanInput<'_>,
    apps: &[AppPlan],
    by_app: &HashMap<&str, Vec<&Finding>>,
) -> Vec<Parameter> {
    // Each app's parameters on its own, on all cores; in the apps' order.
    let per_app: Vec<(Vec<Parameter>, &ConnectedApp)> = apps
        .par_iter()
        .filter(|a| a.decision.strategy.generates())
        .filter_map(|a| {
            let eca = a.eca_name.as_deref()?;
            let ca = input
                .org
                .inventory
                .app(&a.api_name)
                .and_then(|app| app.connected_app.as_deref())?;
            let run_as = a.decision.target_flow.as_ref().and_then(|t| t.run_as());
            let findings = by_app
                .get(a.api_name.as_str())
                .map_or(&[][..], Vec::as_slice);
            let kept = run_as_kept(a.decision.strategy, findings);
            let dedicated = !kept
                && (findings
                    .iter()
                    .any(|f| f.accepted.is_none() && REPLACED_USER.contains(&f.rule))
                    || run_as.is_some_and(|u| borrowed_person(input, &ca.value, u)));
            // Only an ECA created from files carries a SAML policy (the button makes its own).
            let full = a.decision.strategy.eca_scope() == Some(super::eca::EcaScope::Full);
            let mut params = for_app(&ca.value, eca, run_as, (dedicated, full));
            for p in params
                .iter_mut()
                .filter(|p| kept && p.variable.ends_with("_RUN_AS"))
            {
                p.note = Some(kept_note(&p.default));
                p.kept = true;
            }
            Some((params, &ca.value))
        })
        .collect();
    let cas: Vec<&ConnectedApp> = per_app.iter().map(|(_, ca)| *ca).collect();
    let wide = org_wide(&cas);
    let mut out: Vec<Parameter> = per_app.into_iter().flat_map(|(p, _)| p).collect();
    out.extend(wide);
    out
}

/// The plan runs the app as a user it saw in usage (the one user of its password flow), not as
/// the run-as user its file names, and the User export does not show an integration user:
/// client credentials needs an API-only user, and a person's account would fail the deploy or
/// lose the UI, so the ECA gets a dedicated user instead.
fn borrowed_person(input: &PlanInput<'_>, ca: &ConnectedApp, run_as: &str) -> bool {
    let named = ca
        .oauth_config
        .as_ref()
        .and_then(|o| o.oauth_client_credential_user.as_deref())
        .is_some_and(|u| u.trim().eq_ignore_ascii_case(run_as.trim()));
    if named {
        return false;
    }
    let inventory = &input.org.inventory;
    let integration = input.org.usage.tables.users.iter().any(|r| {
        let me = r.username.as_deref().map(str::trim) == Some(run_as.trim()) || r.id == run_as;
        let name = r.profile.as_deref();
        let profile = name.and_then(|n| {
            let n = n.trim();
            inventory
                .profiles
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(n))
        });
        me && crate::rules::support::integration_user(
            &input.config.standard,
            r.license.as_deref(),
            name,
            profile,
        )
    });
    !integration
}

/// Wave 0 creates the dedicated users that parameters name instead of a shared or admin one.
pub(super) fn dedicated_user_tasks(waves: &mut [Wave], parameters: &[Parameter]) {
    let users: Vec<String> = parameters
        .iter()
        .filter(|p| p.dedicated)
        .map(|p| {
            format!(
                "{} ({} of {})",
                p.default,
                p.variable,
                p.eca.as_deref().unwrap_or("")
            )
        })
        .collect();
    if users.is_empty() {
        return;
    }
    if let Some(w) = waves.first_mut() {
        w.tasks.push(format!(
            "create the dedicated API-only integration users the generated ECAs run as (set the variables of eca/README.md to them), in the sandbox for the rehearsal and in production: licence and profile of the integration standard (ecaplan.toml integration_licenses, integration_profiles), API Only, and the object access of the user each replaces, plus access to its handler's Apex class for a handler user; check in the sandbox that the integration runs as it: {}",
            users.join(", ")
        ));
    }
}

/// The app whose ECA a parameter belongs to.
fn app_of<'a>(apps: &'a mut [AppPlan], p: &Parameter) -> Option<&'a mut AppPlan> {
    apps.iter_mut()
        .find(|a| a.eca_name.is_some() && a.eca_name == p.eca)
}

/// Runbook steps, and the pre-checks about the target flow, name the dedicated user, never the
/// shared or admin one it replaces (the findings to resolve, `resolve ECA…`, still describe
/// today's user).
pub(super) fn dedicated_users_in_steps(apps: &mut [AppPlan], parameters: &[Parameter]) {
    for p in parameters.iter().filter(|p| p.kept) {
        let Some(app) = app_of(apps, p) else {
            continue;
        };
        let findings = app
            .runbook
            .pre_checks
            .iter_mut()
            .filter(|c| c.starts_with("resolve ") && c.contains(p.default.as_str()));
        for check in findings {
            check.push_str(" — the migration keeps this user (the Migrate button changes no identity): not a step of this migration; moving the ECA to a dedicated API-only user is a later change of its own (the user, its permission set group, a sandbox test, then the policy's clientCredentialsFlowUser)");
        }
    }
    for p in parameters.iter().filter(|p| p.dedicated) {
        let Some(app) = app_of(apps, p) else {
            continue;
        };
        let with = format!("{} (${}, created in wave 0)", p.default, p.variable);
        let runbook = &mut app.runbook;
        // The access notes name the users seen in the exports: they stay who they were.
        let checks = runbook
            .pre_checks
            .iter_mut()
            .filter(|c| !c.starts_with("resolve ") && !c.starts_with("access: "));
        // Not inside a command: an assignment names users as shell words (the person whose
        // account the integration used may be one of them), and the note would break it.
        let steps = runbook
            .steps
            .iter_mut()
            .map(|s| &mut s.text)
            .filter(|t| !t.starts_with("run: "));
        for text in steps.chain(checks) {
            for old in p.find.iter().filter(|v| !v.is_empty()) {
                if text.contains(old.as_str()) {
                    *text = text.replace(old.as_str(), &with);
                }
            }
        }
        // The findings keep describing today's user, and say what the plan does about it.
        let findings = runbook.pre_checks.iter_mut().filter(|c| {
            c.starts_with("resolve ")
                && p.find
                    .iter()
                    .any(|v| !v.is_empty() && c.contains(v.as_str()))
        });
        for check in findings {
            check.push_str(&format!(
                " — the plan runs the ECA as {} instead: the user to create in wave 0",
                p.default
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_org_hosts_only() {
        let t = "https://Acme.my.salesforce.com/x https://login.salesforce.com https://acme--uat.sandbox.my.salesforce.com";
        assert_eq!(
            my_domains(t),
            [
                "acme.my.salesforce.com",
                "acme--uat.sandbox.my.salesforce.com"
            ]
        );
    }

    #[test]
    fn only_the_migrate_button_keeps_a_run_as_user_a_finding_would_replace() {
        let finding = |rule: &'static str, accepted: Option<&str>| Finding {
            rule,
            name: "",
            severity: crate::rules::Severity::High,
            app: Some("A".into()),
            message: String::new(),
            evidence: Vec::new(),
            accepted: accepted.map(String::from),
        };
        let shared = finding(ids::SHARED_INTEGRATION_USER, None);
        let admin = finding(ids::ADMIN_RUN_AS_USER, None);
        let accepted = finding(ids::SHARED_INTEGRATION_USER, Some("owner agreed"));
        assert!(run_as_kept(Strategy::Automated, &[&shared]));
        assert!(run_as_kept(Strategy::Automated, &[&accepted, &admin]));
        assert!(!run_as_kept(Strategy::Automated, &[&accepted]));
        assert!(!run_as_kept(Strategy::SideBySide, &[&shared]));
        assert!(!run_as_kept(Strategy::BigBang, &[&admin]));
    }

    #[test]
    fn dedicated_user_keeps_the_domain() {
        assert_eq!(
            dedicated_user("ERP_Sync", "integration", "erp@acme.example"),
            "erp_sync.integration@acme.example"
        );
    }

    #[test]
    fn only_dedicated_users_are_wave_zero_tasks() {
        let mut user = Parameter::new(
            "ECA_A_RUN_AS".into(),
            "a.integration@x.example".into(),
            Some("A"),
            "run-as",
        );
        user.dedicated = true;
        user.note = Some("dedicated".into());
        let mut cert = Parameter::new(
            "ECA_B_SAML_ENCRYPTION_CERTIFICATE".into(),
            String::new(),
            Some("B"),
            "cert",
        );
        cert.note = Some("not in the inputs: upload it".into());
        let mut waves = vec![Wave {
            number: 0,
            kind: super::super::waves::WaveKind::Prepare,
            name: String::new(),
            start: String::new(),
            end: String::new(),
            apps: Vec::new(),
            tasks: Vec::new(),
        }];
        dedicated_user_tasks(&mut waves, &[user, cert]);
        assert_eq!(waves[0].tasks.len(), 1);
        assert!(
            waves[0].tasks[0].ends_with(": a.integration@x.example (ECA_A_RUN_AS of A)"),
            "{}",
            waves[0].tasks[0]
        );
    }
}
