//! The admin policies with the integration standard's hardening (DESIGN §7, reference §10.3,
//! §10.4), the plugin switches, and the SAML and canvas files (§10.7, §10.8).

use super::map;
use super::xml::Record;
use super::AppCx;
use crate::diag::Level;
use crate::metadata::eca::{EcaCanvas, EcaOauthPolicies, EcaPolicies, EcaSamlPolicies};
use crate::model::facts::eca_ip_relaxation;
use crate::model::RefreshPolicy;
use crate::plan::eca::{handler_class, saml_encryption};

const IP_RELAXATION: &[&str] = &[
    "Enforce",
    "Bypass",
    "Bypass_2factor",
    "Enforce_RelaxRefresh",
];

/// Admin OAuth policies: who may use the app, refresh tokens, IP relaxation, session, run-as.
pub(super) fn oauth_policies(cx: &mut AppCx<'_>) -> Record {
    let ca = cx.ca;
    let mut r = Record::new(EcaOauthPolicies::XML_NAMES);
    access(cx, &mut r);
    handler(cx, &mut r);
    let cc = map::client_credentials(cx);
    if cc {
        match map::run_as(cx) {
            Some(user) => r.text("clientCredentialsFlowUser", Some(&user)),
            None => {
                let msg = "client credentials is on but no run-as user is known: the deploy fails without clientCredentialsFlowUser; add an API-only user".into();
                cx.note(Level::Warning, "eca-no-run-as", msg);
            }
        }
    }
    r.bool("isClientCredentialsFlowEnabled", cc);
    ip_relaxation(cx, &mut r);
    let policy = ca.oauth_policy.as_ref();
    r.opt_bool(
        "isTokenExchangeFlowEnabled",
        policy.and_then(|p| p.is_token_exchange_flow_enabled),
    );
    permitted_users(cx, &mut r);
    refresh(cx, &mut r);
    session(cx, &mut r);
    r.text(
        "singleLogoutUrl",
        policy.and_then(|p| p.single_logout_url.as_deref()),
    );
    if cx.api < super::version::ApiVersion(63) {
        // The plugin policies' startUrl needs 63.0; the OAuth policies have one since 59.0.
        r.text("startUrl", ca.start_url.as_deref());
    }
    r
}

/// Who may use the ECA: the app's own 1:1 permission set beside every grant it has today
/// (the connected app's `profileName` / `permissionSetName` and the grants SetupEntityAccess
/// shows), so that hardening never removes access (DESIGN §7, reference §10.3).
fn access(cx: &mut AppCx<'_>, r: &mut Record) {
    let (profiles, sets) = grants(cx);
    r.text("commaSeparatedPermissionSet", Some(&sets.join(",")));
    if !profiles.is_empty() {
        r.text("commaSeparatedProfile", Some(&profiles.join(",")));
    }
}

/// (profiles, permission sets) the policies name: the access set first, then today's grants
/// without duplicates (case-insensitive). A name with a comma cannot be listed: it is reported.
pub(super) fn grants(cx: &mut AppCx<'_>) -> (Vec<String>, Vec<String>) {
    let ca = cx.ca;
    let kept = cx.kept;
    let mut profiles: Vec<String> = Vec::new();
    let mut sets: Vec<String> = vec![cx.access_set()];
    let mut skipped = Vec::new();
    let lists = [
        (
            &mut profiles,
            &ca.profile_name,
            &kept.profiles,
            "profileName",
        ),
        (
            &mut sets,
            &ca.permission_set_name,
            &kept.permission_sets,
            "permissionSetName",
        ),
    ];
    for (out, from_file, from_export, element) in lists {
        for name in from_file.iter().chain(from_export.iter()) {
            let name = name.trim();
            if name.is_empty() || out.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                continue;
            }
            if name.contains(',') {
                skipped.push((element, name.to_string()));
                continue;
            }
            out.push(name.to_string());
        }
    }
    for (element, name) in skipped {
        let why = format!("{name:?} contains a comma and cannot be listed in the policies' comma-separated grants; grant it by hand in Setup");
        cx.skip(element, why);
    }
    (profiles, sets)
}

/// The connected app's `Auth.ConnectedAppPlugin` cannot run on an ECA: the plugin is ported
/// to a new class extending `Auth.ExternalClientAppOauthHandler` (reference §5.4), named by
/// [`handler_class`], and wired by `apexHandler` / `executeHandlerAs`. The class must exist in
/// the org before these policies deploy (the runbook orders it first).
fn handler(cx: &mut AppCx<'_>, r: &mut Record) {
    let ca = cx.ca;
    let Some(plugin) = ca
        .plugin
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    else {
        return;
    };
    let class = handler_class(plugin);
    let why = format!("{plugin} implements Auth.ConnectedAppPlugin, which ECAs do not run: apexHandler names {class}, the port extending Auth.ExternalClientAppOauthHandler; write and deploy it first");
    cx.skip("plugin", why);
    r.text("apexHandler", Some(&class));
    match ca
        .plugin_execution_user
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        // An org-bound username, written as in the inputs (reference §5.4: a replacement
        // candidate).
        Some(user) => r.text("executeHandlerAs", Some(user)),
        None => {
            let msg = format!("the handler {class} has no execution user: it runs as the Automated Process user, and most handler methods need one; set executeHandlerAs");
            cx.note(Level::Warning, "eca-handler-user", msg);
        }
    }
}

fn ip_relaxation(cx: &mut AppCx<'_>, r: &mut Record) {
    let raw = cx
        .ca
        .oauth_policy
        .as_ref()
        .and_then(|p| p.ip_relaxation.as_deref());
    let mapped = raw.map_or("Enforce".to_string(), eca_ip_relaxation);
    let kept = cx.kept.ip_relaxation && IP_RELAXATION.contains(&mapped.as_str());
    if cx.standard.ip_enforcement && kept && mapped != "Enforce" {
        let why = if cx.kept.waived.ip_relaxation {
            "ECA203 accepted in ecaplan.toml"
        } else {
            "the app's logins came from more networks than can be confirmed against IP ranges (plan.json, its runbook's pre-checks)"
        };
        let msg = format!(
            "IP relaxation {mapped} kept, not hardened to Enforce (integration standard): {why}"
        );
        cx.note(Level::Info, "eca-ip-relaxation-kept", msg);
        r.text("ipRelaxationPolicyType", Some(&mapped));
    } else if cx.standard.ip_enforcement {
        if mapped != "Enforce" {
            let msg = format!("IP relaxation {mapped} hardened to Enforce (integration standard)");
            cx.note(Level::Info, "eca-hardened", msg);
        }
        r.text("ipRelaxationPolicyType", Some("Enforce"));
    } else if IP_RELAXATION.contains(&mapped.as_str()) {
        r.text("ipRelaxationPolicyType", Some(&mapped));
    } else {
        let why = format!("unknown IP relaxation {mapped:?}; set the ECA's IP relaxation by hand");
        cx.skip("oauthPolicy/ipRelaxation", why);
    }
}

fn permitted_users(cx: &mut AppCx<'_>, r: &mut Record) {
    let approved = cx
        .ca
        .oauth_config
        .as_ref()
        .and_then(|o| o.is_admin_approved)
        .unwrap_or(false);
    if cx.standard.admin_approved_required && !approved {
        let msg = "self-authorized users hardened to admin-approved (integration standard)".into();
        cx.note(Level::Info, "eca-hardened", msg);
    }
    let value = if crate::plan::access::admin_approved_after(cx.ca, cx.standard) {
        "AdminApprovedPreAuthorized"
    } else {
        "AllSelfAuthorized"
    };
    r.text("permittedUsersPolicyType", Some(value));
}

fn refresh(cx: &mut AppCx<'_>, r: &mut Record) {
    let raw = cx
        .ca
        .oauth_policy
        .as_ref()
        .and_then(|p| p.refresh_token_policy.as_deref());
    let current = raw.map_or(RefreshPolicy::Infinite, RefreshPolicy::parse_connected_app);
    let days = cx.standard.refresh_token_inactivity_days;
    let waived = cx.kept.waived.refresh_policy;
    let chosen = if waived {
        current.clone()
    } else {
        current.hardened(days)
    };
    if waived && current.hardened(days) != current {
        let msg = format!(
            "refresh tokens {} kept, not hardened (ECA204 accepted in ecaplan.toml)",
            current.display()
        );
        cx.note(Level::Info, "eca-hardening-waived", msg);
    }
    if chosen != current {
        let msg = format!(
            "refresh tokens {} hardened to {} (integration standard)",
            current.display(),
            chosen.display()
        );
        cx.note(Level::Info, "eca-hardened", msg);
    }
    match &chosen {
        RefreshPolicy::Infinite => r.text("refreshTokenPolicyType", Some("Infinite")),
        RefreshPolicy::Zero => r.text("refreshTokenPolicyType", Some("Zero")),
        RefreshPolicy::SpecificLifetime { count, unit }
        | RefreshPolicy::SpecificInactivity { count, unit } => {
            let kind = if matches!(chosen, RefreshPolicy::SpecificLifetime { .. }) {
                "SpecificLifetime"
            } else {
                "SpecificInactivity"
            };
            r.text("refreshTokenPolicyType", Some(kind));
            r.int("refreshTokenValidityPeriod", Some(i64::from(*count)));
            r.text("refreshTokenValidityUnit", Some(unit));
        }
        RefreshPolicy::Unrecognised { raw } => {
            let why = format!(
                "refresh token policy {raw:?} is not in the documented grammar; set it by hand"
            );
            cx.skip("oauthPolicy/refreshTokenPolicy", why);
        }
    }
}

fn session(cx: &mut AppCx<'_>, r: &mut Record) {
    let session = cx.ca.session_policy.as_ref();
    let action = session
        .and_then(|s| s.policy_action.as_deref())
        .map(str::trim);
    match action {
        Some(a) if a.eq_ignore_ascii_case("Block") => r.text("policyAction", Some("Block")),
        Some(a) if a.eq_ignore_ascii_case("RaiseSessionLevel") => {
            r.text("policyAction", Some("RaiseSessionLevel"));
        }
        Some(a) if !a.is_empty() => {
            let why = format!("unknown session policy action {a:?}; set it by hand");
            cx.skip("sessionPolicy/policyAction", why);
        }
        _ => {}
    }
    let level = session
        .and_then(|s| s.session_level.as_deref())
        .map(str::trim);
    let high = level.is_some_and(|l| l.eq_ignore_ascii_case("HIGH_ASSURANCE"));
    if let Some(l) = level.filter(|l| !l.is_empty() && !high) {
        let why = format!("unknown session level {l:?}; the ECA requires STANDARD");
        cx.skip("sessionPolicy/sessionLevel", why);
    }
    let required = if high { "HIGH_ASSURANCE" } else { "STANDARD" };
    r.text("requiredSessionLevel", Some(required));
    r.int(
        "sessionTimeoutInMinutes",
        session.and_then(|s| s.session_timeout),
    );
}

/// Plugin switches: on for what the app has, off for the rest (all are on by default).
pub(super) fn policies(cx: &mut AppCx<'_>) -> Record {
    let ca = cx.ca;
    let facts_mobile = cx.app.facts().is_some_and(|f| f.mobile);
    let mut r = Record::new(EcaPolicies::XML_NAMES);
    r.bool("isCanvasPluginEnabled", ca.canvas_config.is_some());
    r.bool("isEnabled", true);
    if !facts_mobile {
        // Mobile, push and notification plugins are for mobile apps only.
        r.bool("isMobilePluginEnabled", false);
        r.bool("isNotificationPluginEnabled", false);
        r.bool("isPushPluginEnabled", false);
    }
    r.bool("isOauthPluginEnabled", ca.oauth_config.is_some());
    r.bool("isSamlPluginEnabled", ca.saml_config.is_some());
    if cx.api >= super::version::ApiVersion(63) {
        if let Some(url) = ca.start_url.as_deref().filter(|u| !u.trim().is_empty()) {
            r.text("startPage", Some("Custom"));
            r.text("startUrl", Some(url));
        }
    } else if ca.start_url.is_some() && ca.oauth_config.is_none() {
        let why = "the ECA start URL needs API 63.0 (or OAuth policies); choose a newer version";
        cx.skip("startUrl", why);
    }
    r
}

/// SAML service-provider settings (§10.7). `Triple_Des` has no ECA equivalent.
pub(super) fn saml(cx: &mut AppCx<'_>) -> Record {
    let mut r = Record::new(EcaSamlPolicies::XML_NAMES);
    let Some(s) = cx.ca.saml_config.as_ref() else {
        return r;
    };
    r.text("acsUrl", s.acs_url.as_deref());
    r.text("certificate", s.certificate.as_deref());
    let (profiles, sets) = grants(cx);
    r.text("commaSeparatedPermissionSet", Some(&sets.join(",")));
    if !profiles.is_empty() {
        r.text("commaSeparatedProfile", Some(&profiles.join(",")));
    }
    let named = s
        .encryption_certificate
        .as_deref()
        .filter(|c| !c.trim().is_empty());
    // Encryption without a named certificate gets a placeholder, not nothing: the deploy
    // stops until the certificate is named, instead of encrypting with no certificate.
    let placeholder = crate::plan::params::saml_certificate_placeholder(&cx.name);
    let encrypts = saml_encryption(s.encryption_type.as_deref()).is_some();
    r.text(
        "encryptionCertificate",
        named.or(encrypts.then_some(placeholder.as_str())),
    );
    if let Some(e) = saml_encryption(s.encryption_type.as_deref()) {
        r.text("encryptionType", Some(e));
        let raw = s.encryption_type.as_deref().unwrap_or_default().trim();
        if !raw.eq_ignore_ascii_case(e) {
            let msg = format!("SAML encryption {raw} written as {e}: the ECA supports only AES_128 and AES_256; the service provider must accept {e} before the switch (ECA107)");
            cx.note(Level::Warning, "eca-saml-encryption", msg);
        }
        if s.encryption_certificate
            .as_deref()
            .is_none_or(|c| c.trim().is_empty())
        {
            let msg = format!("SAML encryption {e} without an encryptionCertificate: upload the service provider's encryption certificate and set {} to its name (eca/README.md), or the deploy stops", placeholder.trim_matches('_'));
            cx.note(Level::Warning, "eca-saml-encryption-certificate", msg);
        }
    } else if let Some(other) = s
        .encryption_type
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let why = format!("unknown SAML encryption {other:?}: set AES_128 or AES_256 by hand with the service provider");
        cx.skip("samlConfig/encryptionType", why);
    }
    r.text("entityUrl", s.entity_url.as_deref());
    r.text("issuer", s.issuer.as_deref());
    r.text("nameIdFormat", s.saml_name_id_format.as_deref());
    r.text("signingAlgorithmType", s.saml_signing_algo_type.as_deref());
    r.text(
        "singleLogoutBindingType",
        s.saml_idp_slo_binding_enum.as_deref(),
    );
    r.text("singleLogoutUrl", s.saml_slo_url.as_deref());
    r.text(
        "subjectCustomAttribute",
        s.saml_subject_custom_attr.as_deref(),
    );
    r.text("subjectType", s.saml_subject_type.as_deref());
    for required in ["acsUrl", "entityUrl"] {
        if !r.has(required) {
            let msg =
                format!("SAML has no {required}; the SAML policies need one before deploying");
            cx.note(Level::Warning, "eca-saml-incomplete", msg);
        }
    }
    r
}

/// Canvas settings (§10.8): `lifecycleClass` → `lifeCycleHandler`, `locations` →
/// `canvasLocationOptions`, `options` → `canvasOptions`.
pub(super) fn canvas(cx: &mut AppCx<'_>) -> Record {
    let mut r = Record::new(EcaCanvas::XML_NAMES);
    let Some(c) = cx.ca.canvas_config.as_ref() else {
        return r;
    };
    r.text("accessMethod", c.access_method.as_deref());
    for l in &c.locations {
        r.text("canvasLocationOptions", Some(l));
    }
    for o in &c.options {
        r.text("canvasOptions", Some(o));
    }
    r.text("canvasUrl", c.canvas_url.as_deref());
    r.text("lifeCycleHandler", c.lifecycle_class.as_deref());
    r.text("samlInitiationMethod", c.saml_initiation_method.as_deref());
    r
}
