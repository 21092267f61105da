//! Connected app → ECA header, OAuth settings and global OAuth settings (reference §10.2,
//! §10.3, §10.6), and the connected-app elements that have no ECA equivalent (§10.9).

use super::xml::Record;
use super::AppCx;
use crate::diag::Level;
use crate::metadata::connected_app::OauthConfig;
use crate::metadata::eca::{
    EcaGlobalOauth, EcaHeader, EcaIdTokenConfig, EcaIpRange, EcaOauthSettings,
};
use crate::plan::eca::TargetFlow;

/// The ECA header: identity, `Local`, not protected; no org-bound or internal values.
pub(super) fn header(cx: &mut AppCx<'_>) -> Record {
    let ca = cx.ca;
    let mut r = Record::new(EcaHeader::XML_NAMES);
    r.text("contactEmail", ca.contact_email.as_deref());
    r.text("contactPhone", ca.contact_phone.as_deref());
    r.text("description", ca.description.as_deref());
    r.text("distributionState", Some("Local"));
    r.text("iconUrl", ca.icon_url.as_deref());
    r.text("infoUrl", ca.info_url.as_deref());
    r.bool("isProtected", false);
    r.text("label", Some(&eca_label(cx)));
    r.text("logoUrl", ca.logo_url.as_deref());
    if !r.has("contactEmail") {
        let msg = "no contactEmail: Salesforce requires one for ECAs in practice; add it before deploying".into();
        cx.note(Level::Warning, "eca-contact-email", msg);
    }
    r
}

/// Developer OAuth settings: scopes, logout URL, trusted IP ranges, asset tokens.
pub(super) fn oauth_settings(cx: &mut AppCx<'_>) -> Record {
    let mut r = Record::new(EcaOauthSettings::XML_NAMES);
    let Some(o) = cx.ca.oauth_config.as_ref() else {
        return r;
    };
    if let Some(a) = &o.asset_token_config {
        r.opt_bool(
            "areAttributesIncludedInAssetToken",
            a.asset_include_attributes,
        );
        r.opt_bool(
            "areCustomPermsIncludedInAssetToken",
            a.asset_include_custom_perms,
        );
        r.text("assetTokenAudiences", a.asset_audiences.as_deref());
        r.text(
            "assetTokenSigningCertificate",
            a.asset_signing_cert_id.as_deref(),
        );
        r.int("assetTokenValidity", a.asset_validity_period);
    }
    let scopes = mapped_scopes(cx);
    if !scopes.is_empty() {
        r.text("commaSeparatedOauthScopes", Some(&scopes.join(", ")));
    }
    r.text("singleLogoutUrl", o.single_logout_url.as_deref());
    for (i, range) in cx.ca.ip_ranges.iter().enumerate() {
        match (range.start.as_deref(), range.end.as_deref()) {
            (Some(start), Some(end)) => {
                let mut ip = Record::new(EcaIpRange::XML_NAMES);
                ip.text("description", range.description.as_deref());
                ip.text("endIpAddress", Some(end));
                ip.text("startIpAddress", Some(start));
                r.record("trustedIpRanges", ip);
            }
            _ => cx.skip(
                &format!("ipRanges[{}]", i + 1),
                "an IP range needs both start and end",
            ),
        }
    }
    r
}

/// Map the scopes (§10.6): `SFAP` → `SFApiPlatform`; `Full` → `Api` unless the standard
/// allows `Full`, with `RefreshToken` (see [`narrowed_full`]); duplicates removed. Scopes
/// outside the standard are kept and reported.
pub(super) fn mapped_scopes(cx: &mut AppCx<'_>) -> Vec<String> {
    let raw = cx
        .ca
        .oauth_config
        .as_ref()
        .map(|o| o.scopes.clone())
        .unwrap_or_default();
    let allowed = |s: &str| {
        let list = &cx.standard.allowed_scopes;
        list.is_empty() || list.iter().any(|a| a == s)
    };
    let keep_full = cx.standard.allowed_scopes.iter().any(|a| a == "Full");
    let mut out: Vec<String> = Vec::new();
    for scope in raw.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let mapped: &[&str] = match scope {
            "SFAP" => &["SFApiPlatform"],
            "Full" if !keep_full => narrowed_full(cx, allowed("RefreshToken")),
            other => &[other],
        };
        for m in mapped {
            if !out.iter().any(|s| s == m) {
                out.push((*m).to_string());
            }
        }
    }
    let allowed = &cx.standard.allowed_scopes;
    let outside: Vec<&str> = out
        .iter()
        .filter(|s| !allowed.is_empty() && !allowed.contains(s))
        .map(String::as_str)
        .collect();
    if !outside.is_empty() {
        let msg = format!(
            "scopes outside the integration standard kept: {}; review them",
            outside.join(", ")
        );
        cx.note(Level::Warning, "eca-scope-outside-standard", msg);
    }
    out
}

/// What `Full` becomes when the standard does not allow it: `Api`, and `RefreshToken` too
/// unless the app runs client credentials (no refresh tokens there) or the standard forbids
/// it. `Full` lets a client ask for `refresh_token`: narrowed to `Api` alone, an integration
/// that asks for it would be refused at its next authorization (admin review: an outage).
fn narrowed_full(cx: &mut AppCx<'_>, refresh_allowed: bool) -> &'static [&'static str] {
    let refresh = refresh_allowed && !client_credentials(cx);
    let why = if refresh {
        "scope Full narrowed to Api and RefreshToken (Full lets a client ask for a refresh token; the integration standard does not allow Full: add Full to standard.allowed_scopes to keep it)"
    } else {
        "scope Full narrowed to Api: the integration standard does not allow Full (add Full to standard.allowed_scopes to keep it); no RefreshToken: the app runs client credentials or the standard does not allow it"
    };
    cx.skip("oauthConfig/scopes/Full", why);
    if refresh {
        &["Api", "RefreshToken"]
    } else {
        &["Api"]
    }
}

/// Client credentials on: the target says so, or (no target) the connected app had it.
pub(super) fn client_credentials(cx: &AppCx<'_>) -> bool {
    match cx.target {
        Some(t) => matches!(t, TargetFlow::ClientCredentials { .. }),
        None => cx
            .ca
            .oauth_config
            .as_ref()
            .is_some_and(|o| o.is_client_credential_enabled == Some(true)),
    }
}

/// The client-credentials run-as username, when client credentials is on.
pub(super) fn run_as(cx: &AppCx<'_>) -> Option<String> {
    match cx.target {
        Some(TargetFlow::ClientCredentials { run_as }) => Some(run_as.trim().to_string()),
        Some(_) => None,
        None => cx
            .ca
            .oauth_config
            .as_ref()
            .and_then(|o| o.oauth_client_credential_user.clone())
            .filter(|_| client_credentials(cx)),
    }
    .filter(|u| !u.is_empty())
}

/// The app signs in users with the authorization code flow (it has callback URLs, or the
/// refactor targets that flow).
pub(super) fn auth_code(cx: &AppCx<'_>) -> bool {
    matches!(
        cx.target,
        Some(TargetFlow::AuthorizationCodePkce | TargetFlow::PublicClientPkce)
    ) || cx
        .ca
        .oauth_config
        .as_ref()
        .is_some_and(|o| !o.callback_urls().is_empty())
}

/// Global OAuth settings: callback URLs, certificate, flow switches, ID token. Never the
/// consumer key or secret. Flow switches are written explicitly: ECA defaults differ.
pub(super) fn global_oauth(cx: &mut AppCx<'_>) -> Record {
    let mut r = Record::new(EcaGlobalOauth::XML_NAMES);
    let Some(o) = cx.ca.oauth_config.as_ref() else {
        return r;
    };
    let urls = o.callback_urls();
    if !urls.is_empty() {
        r.text("callbackUrl", Some(&urls.join("\n")));
    }
    if let Some(cert) = certificate(cx) {
        r.text("certificate", Some(&cert));
    }
    if let Some(id) = &o.id_token_config {
        let mut t = Record::new(EcaIdTokenConfig::XML_NAMES);
        t.text("idTokenAudience", id.id_token_audience.as_deref());
        t.opt_bool("idTokenIncludeAttributes", id.id_token_include_attributes);
        t.opt_bool(
            "idTokenIncludeCustomPermissions",
            id.id_token_include_custom_perms,
        );
        t.opt_bool(
            "idTokenIncludeStandardClaims",
            id.id_token_include_standard_claims,
        );
        t.int("idTokenValidityInMinutes", id.id_token_validity);
        r.record("idTokenConfig", t);
    }
    let on = |b: Option<bool>| b.unwrap_or(false);
    let cc = client_credentials(cx);
    if !cc && on(o.is_client_credential_enabled) {
        let why = format!(
            "client credentials is not carried: the target flow is {}",
            cx.target.map_or("", |t| t.label())
        );
        cx.skip("oauthConfig/isClientCredentialEnabled", why);
    }
    r.bool("isClientCredentialsFlowEnabled", cc);
    r.bool("isCodeCredFlowEnabled", on(o.is_code_credential_enabled));
    r.bool("isCodeCredPostOnly", on(o.is_code_credential_post_only));
    // A public client (browser single-page or native app) cannot keep a secret: the secret
    // is optional for the code exchange and for refresh tokens (reference §5.3).
    let public = matches!(cx.target, Some(TargetFlow::PublicClientPkce))
        || (cx.target.is_none() && on(o.is_consumer_secret_optional));
    r.bool(
        "isConsumerSecretOptional",
        public || on(o.is_consumer_secret_optional),
    );
    r.bool("isDeviceFlowEnabled", on(o.is_device_flow_enabled));
    r.bool("isIntrospectAllTokens", on(o.is_introspect_all_tokens));
    r.bool("isNamedUserJwtEnabled", on(o.is_named_user_jwt_enabled));
    hardening(cx, o, &mut r);
    r.bool(
        "isSecretRequiredForRefreshToken",
        !public && o.is_secret_required_for_refresh_token.unwrap_or(true),
    );
    r.bool(
        "isSecretRequiredForTokenExchange",
        on(o.is_secret_required_for_token_exchange),
    );
    r.bool("isTokenExchangeEnabled", on(o.is_token_exchange_enabled));
    if auth_code(cx) && cx.target.is_some() && urls.is_empty() {
        let msg = "target flow is authorization code + PKCE but the app has no callback URL; add one to the global OAuth settings".into();
        cx.note(Level::Warning, "eca-no-callback", msg);
    }
    r
}

/// PKCE and refresh-token rotation for apps that sign users in (DESIGN §7: hardening),
/// unless an accepted exception keeps today's setting.
fn hardening(cx: &mut AppCx<'_>, o: &OauthConfig, r: &mut Record) {
    let on = |b: Option<bool>| b.unwrap_or(false);
    let auth_code = auth_code(cx);
    let waived = cx.kept.waived;
    let pkce = on(o.is_pkce_required);
    r.bool("isPkceRequired", (auth_code && !waived.pkce) || pkce);
    let rotation = on(o.is_refresh_token_rotation_enabled);
    r.bool(
        "isRefreshTokenRotationEnabled",
        (auth_code && !waived.rotation) || rotation,
    );
    for (kept, today, what) in [
        (waived.pkce, pkce, "PKCE optional (ECA206"),
        (
            waived.rotation,
            rotation,
            "refresh-token rotation off (ECA205",
        ),
    ] {
        if kept && auth_code && !today {
            let msg = format!("{what} accepted in ecaplan.toml): kept as today, not hardened");
            cx.note(Level::Info, "eca-hardening-waived", msg);
        }
    }
}

/// The JWT bearer certificate to keep, if any; reports when it is dropped.
fn certificate(cx: &mut AppCx<'_>) -> Option<String> {
    let cert = cx
        .ca
        .oauth_config
        .as_ref()
        .and_then(|o| o.certificate.as_deref())
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let wanted = matches!(cx.target, None | Some(TargetFlow::JwtBearer));
    match cert {
        Some(c) if crate::metadata::cert::contains_private_key(c) => {
            cx.skip(
                "oauthConfig/certificate",
                "the certificate element holds a private key: never written; upload the public certificate by hand and rotate the key",
            );
            None
        }
        Some(c) if wanted => Some(c.to_string()),
        Some(_) => {
            let why = format!(
                "the JWT bearer certificate is not carried: the target flow is {}",
                cx.target.map_or("", |t| t.label())
            );
            cx.skip("oauthConfig/certificate", why);
            None
        }
        None => {
            if matches!(cx.target, Some(TargetFlow::JwtBearer)) {
                let msg = "target flow is JWT bearer but the connected app has no certificate; add one to the global OAuth settings".into();
                cx.note(Level::Warning, "eca-no-certificate", msg);
            }
            None
        }
    }
}

/// Connected-app elements with no ECA equivalent or deliberately not written (§10.9, §14.1).
pub(super) fn unmapped_elements(cx: &mut AppCx<'_>) {
    let ca = cx.ca;
    if let Some(o) = &ca.oauth_config {
        if o.consumer_key
            .as_deref()
            .is_some_and(|k| !k.trim().is_empty())
        {
            cx.skip("oauthConfig/consumerKey", "never copied: consumer keys are globally unique, so the new ECA gets a new key; give it to the integration (the automated migration keeps the old key)");
        }
        cx.skip("oauthConfig/consumerSecret", "never written: Salesforce issues a new secret for the ECA (or use staged credentials, reference §13)");
        let newer = [
            ("isDPopEnabled", o.is_dpop_enabled),
            ("isEnforceRefreshTokenTTL", o.is_enforce_refresh_token_ttl),
            ("isIpBindingEnabled", o.is_ip_binding_enabled),
            ("isPKImTLSEnabled", o.is_pki_mtls_enabled),
        ];
        for (name, value) in newer {
            if value.is_some() {
                let why = "newer than API 66 (not in the schema ecaplan generates for); set it in Setup after deploying if needed";
                cx.skip(&format!("oauthConfig/{name}"), why);
            }
        }
    }
    if ca.mobile_start_url.is_some() {
        cx.skip("mobileStartUrl", "no ECA field for a mobile start URL");
    }
    if ca.mobile_app_config.is_some() {
        cx.skip(
            "mobileAppConfig",
            "no ECA equivalent (mobile app distribution); handle it outside the ECA",
        );
    }
    if !ca.attributes.is_empty() {
        cx.skip("attributes", format!("{} custom attribute(s): whether they belong in the OAuth policies, OAuth settings or SAML policies is UNVERIFIED; add them by hand", ca.attributes.len()));
    }
    if ca.canvas.is_some() {
        cx.skip(
            "canvas",
            "the legacy canvas element has no ECA equivalent (canvasConfig does)",
        );
    }
}

/// The ECA's label, as the plan decides it ([`crate::plan::eca::eca_label`]).
pub(super) fn eca_label(cx: &AppCx<'_>) -> String {
    crate::plan::eca::eca_label(cx.app, cx.scope)
}
