//! Facts derived from an app's metadata: flows, scopes, policies, access — read from the
//! connected app when there is one (that is what is being migrated), else from the ECA files.
//! Missing elements take the documented defaults (reference §5.9, §10.5).

use serde::Serialize;

use super::App;
use crate::metadata::record::split_commas;

/// Refresh-token policy, parsed from either spelling (`specific_lifetime:90:DAYS` or the ECA
/// type + period + unit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RefreshPolicy {
    /// Refresh tokens are valid until revoked.
    Infinite,
    /// Refresh tokens are not issued / expire immediately.
    Zero,
    /// Expire a fixed time after issue.
    SpecificLifetime {
        /// Count.
        count: u32,
        /// `Hours`, `Days`, `Months`.
        unit: String,
    },
    /// Expire after a time without use.
    SpecificInactivity {
        /// Count.
        count: u32,
        /// `Hours`, `Days`, `Months`.
        unit: String,
    },
    /// A value we do not understand, kept as written.
    Unrecognised {
        /// The raw value.
        raw: String,
    },
}

impl RefreshPolicy {
    /// The standard's inactivity expiry, unless the connected app's policy is already at least
    /// as strict (zero, or any expiry within the same number of days). `days == 0`: no standard.
    pub fn hardened(&self, days: u32) -> RefreshPolicy {
        if days == 0 {
            return self.clone();
        }
        let within = |count: u32, unit: &str| {
            let in_days = match unit {
                "Hours" => count.div_ceil(24),
                "Months" => count.saturating_mul(31),
                _ => count,
            };
            in_days <= days
        };
        match self {
            RefreshPolicy::Zero => RefreshPolicy::Zero,
            RefreshPolicy::SpecificLifetime { count, unit }
            | RefreshPolicy::SpecificInactivity { count, unit }
                if within(*count, unit) =>
            {
                self.clone()
            }
            _ => RefreshPolicy::SpecificInactivity {
                count: days,
                unit: "Days".into(),
            },
        }
    }

    /// Parse the connected-app grammar (reference §10.5), tolerant of case and spaces.
    pub fn parse_connected_app(raw: &str) -> RefreshPolicy {
        let t = raw.trim();
        let lower = t.to_ascii_lowercase();
        match lower.as_str() {
            "infinite" => return RefreshPolicy::Infinite,
            "zero" => return RefreshPolicy::Zero,
            _ => {}
        }
        let parts: Vec<&str> = lower.split(':').map(str::trim).collect();
        if let [kind, count, unit] = parts.as_slice() {
            if let (Ok(count), Some(unit)) = (count.parse::<u32>(), unit_name(unit)) {
                if count > 0 {
                    match *kind {
                        "specific_lifetime" => {
                            return RefreshPolicy::SpecificLifetime { count, unit }
                        }
                        "specific_inactivity" => {
                            return RefreshPolicy::SpecificInactivity { count, unit }
                        }
                        _ => {}
                    }
                }
            }
        }
        RefreshPolicy::Unrecognised { raw: t.to_string() }
    }

    /// Build from the ECA OAuth policy fields.
    pub fn from_eca(kind: &str, period: Option<i64>, unit: Option<&str>) -> RefreshPolicy {
        let count = period.and_then(|p| u32::try_from(p).ok()).unwrap_or(0);
        let specific = matches!(kind.trim(), "SpecificLifetime" | "SpecificInactivity");
        // An absent unit reads as days; a unit that is not one of the three is unrecognised,
        // not silently days (the reader has already warned about it).
        let unit = match unit.map(|u| (u, unit_name(u))) {
            None => "Days".into(),
            Some((_, Some(name))) => name,
            Some((raw, None)) if specific => {
                return RefreshPolicy::Unrecognised {
                    raw: format!("{} {count} {}", kind.trim(), raw.trim()),
                }
            }
            Some((_, None)) => "Days".into(),
        };
        match kind.trim() {
            "Infinite" => RefreshPolicy::Infinite,
            "Zero" => RefreshPolicy::Zero,
            "SpecificLifetime" => RefreshPolicy::SpecificLifetime { count, unit },
            "SpecificInactivity" => RefreshPolicy::SpecificInactivity { count, unit },
            other => RefreshPolicy::Unrecognised {
                raw: other.to_string(),
            },
        }
    }

    /// Short display form: `infinite`, `lifetime 90 Days`, ...
    pub fn display(&self) -> String {
        match self {
            RefreshPolicy::Infinite => "infinite".into(),
            RefreshPolicy::Zero => "zero".into(),
            RefreshPolicy::SpecificLifetime { count, unit } => format!("lifetime {count} {unit}"),
            RefreshPolicy::SpecificInactivity { count, unit } => {
                format!("inactivity {count} {unit}")
            }
            RefreshPolicy::Unrecognised { raw } => format!("unrecognised {raw:?}"),
        }
    }
}

fn unit_name(unit: &str) -> Option<String> {
    match unit.trim().to_ascii_lowercase().as_str() {
        "hours" => Some("Hours".into()),
        "days" => Some("Days".into()),
        "months" => Some("Months".into()),
        _ => None,
    }
}

/// Which files the facts were taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FactSource {
    /// The connected app file.
    ConnectedApp,
    /// The ECA files.
    Eca,
}

/// What metadata says about how an app authenticates and who may use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppFacts {
    /// Where the facts come from.
    pub source: FactSource,
    /// OAuth is configured.
    pub oauth: bool,
    /// Flows switched on in metadata (`authorization-code`, `client-credentials`, `jwt-bearer`,
    /// `code-credentials`, `token-exchange`, `device`, `refresh-token`).
    pub flows: Vec<&'static str>,
    /// OAuth scopes as written.
    pub scopes: Vec<String>,
    /// Admin-approved (`true`) or self-authorized (`false`); `None` when not stated.
    pub admin_approved: Option<bool>,
    /// IP relaxation, ECA spelling (`Enforce`, `Bypass`, ...).
    pub ip_relaxation: Option<String>,
    /// Refresh-token policy.
    pub refresh_policy: Option<RefreshPolicy>,
    /// PKCE required.
    pub pkce_required: Option<bool>,
    /// Refresh-token rotation.
    pub refresh_rotation: Option<bool>,
    /// OAuth callback URLs.
    pub callback_urls: Vec<String>,
    /// Client-credentials run-as user.
    pub run_as_user: Option<String>,
    /// Custom OAuth handler class (`plugin` / `apexHandler`).
    pub handler: Option<String>,
    /// User the handler runs as.
    pub handler_user: Option<String>,
    /// SAML configured.
    pub saml: bool,
    /// SAML encryption type.
    pub saml_encryption: Option<String>,
    /// Canvas configured.
    pub canvas: bool,
    /// Mobile: `mobileAppConfig`, ECA mobile files, or a custom-scheme callback.
    pub mobile: bool,
    /// Profiles granted access.
    pub profiles: Vec<String>,
    /// Permission sets granted access.
    pub permission_sets: Vec<String>,
    /// Start URL.
    pub start_url: Option<String>,
    /// Session timeout in minutes.
    pub session_timeout: Option<i64>,
    /// Custom attributes count.
    pub custom_attributes: usize,
    /// Trusted IP ranges count.
    pub ip_ranges: usize,
    /// Consumer key (never serialized; use [`mask_key`]).
    #[serde(skip)]
    pub consumer_key: Option<String>,
}

/// Show only the last 4 characters of a consumer key.
pub fn mask_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("…{tail}")
}

/// A callback with a custom (non-http) scheme, as mobile apps use.
pub fn is_custom_scheme(url: &str) -> bool {
    match url.split_once("://") {
        Some((scheme, _)) => !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https"),
        None => false,
    }
}

impl App {
    /// Derive the facts. `None` for an app known only by name (no files).
    pub fn facts(&self) -> Option<&AppFacts> {
        self.facts_cache
            .0
            .get_or_init(|| {
                if let Some(ca) = &self.connected_app {
                    return Some(connected_app_facts(&ca.value));
                }
                self.eca.as_deref().map(eca_facts)
            })
            .as_ref()
    }
}

/// The OAuth flows a definition switches on, whichever metadata type declared them.
struct FlowSwitches {
    authorization_code: bool,
    client_credentials: bool,
    jwt_bearer: bool,
    code_credentials: bool,
    token_exchange: bool,
    device: bool,
}

impl FlowSwitches {
    /// The flows' names in a fixed order, with `refresh-token` when a scope grants one.
    fn flows(&self, scopes: &[String]) -> Vec<&'static str> {
        let switches = [
            (self.authorization_code, "authorization-code"),
            (self.client_credentials, "client-credentials"),
            (self.jwt_bearer, "jwt-bearer"),
            (self.code_credentials, "code-credentials"),
            (self.token_exchange, "token-exchange"),
            (self.device, "device"),
        ];
        let mut flows: Vec<&'static str> = switches
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, name)| *name)
            .collect();
        if scopes
            .iter()
            .any(|s| s == "RefreshToken" || s == "OfflineAccess")
        {
            flows.push("refresh-token");
        }
        flows
    }
}

fn connected_app_facts(ca: &crate::metadata::connected_app::ConnectedApp) -> AppFacts {
    let oauth = ca.oauth_config.as_ref();
    let policy = ca.oauth_policy.as_ref();
    let callback_urls = oauth.map(|o| o.callback_urls()).unwrap_or_default();
    let scopes = oauth.map(|o| o.scopes.clone()).unwrap_or_default();
    let on = |b: Option<bool>| b == Some(true);
    let flows = oauth.map_or_else(Vec::new, |o| {
        FlowSwitches {
            authorization_code: !callback_urls.is_empty(),
            client_credentials: on(o.is_client_credential_enabled),
            jwt_bearer: o.certificate.as_deref().is_some_and(|c| !c.is_empty()),
            code_credentials: on(o.is_code_credential_enabled),
            token_exchange: on(o.is_token_exchange_enabled)
                || on(policy.and_then(|p| p.is_token_exchange_flow_enabled)),
            device: on(o.is_device_flow_enabled),
        }
        .flows(&scopes)
    });
    let ip_relaxation = oauth.map(|_| {
        policy
            .and_then(|p| p.ip_relaxation.as_deref())
            .map_or("Enforce".into(), eca_ip_relaxation)
    });
    let refresh_policy = oauth.map(|_| {
        policy
            .and_then(|p| p.refresh_token_policy.as_deref())
            .map_or(RefreshPolicy::Infinite, RefreshPolicy::parse_connected_app)
    });
    let saml = ca.saml_config.as_ref();
    AppFacts {
        source: FactSource::ConnectedApp,
        oauth: oauth.is_some(),
        flows,
        scopes,
        admin_approved: oauth.map(|o| o.is_admin_approved.unwrap_or(false)),
        ip_relaxation,
        refresh_policy,
        pkce_required: oauth.map(|o| o.is_pkce_required.unwrap_or(false)),
        refresh_rotation: oauth.map(|o| o.is_refresh_token_rotation_enabled.unwrap_or(false)),
        run_as_user: oauth.and_then(|o| o.oauth_client_credential_user.clone()),
        handler: ca.plugin.clone(),
        handler_user: ca.plugin_execution_user.clone(),
        saml: saml.is_some(),
        saml_encryption: saml.and_then(|s| s.encryption_type.clone()),
        canvas: ca.canvas_config.is_some() || ca.canvas.is_some(),
        mobile: ca.mobile_app_config.is_some() || callback_urls.iter().any(|u| is_custom_scheme(u)),
        callback_urls,
        profiles: ca
            .profile_name
            .iter()
            .filter(|p| !p.is_empty())
            .cloned()
            .collect(),
        permission_sets: ca
            .permission_set_name
            .iter()
            .filter(|p| !p.is_empty())
            .cloned()
            .collect(),
        start_url: ca.start_url.clone(),
        session_timeout: ca.session_policy.as_ref().and_then(|s| s.session_timeout),
        custom_attributes: ca.attributes.len(),
        ip_ranges: ca.ip_ranges.len(),
        consumer_key: oauth.and_then(|o| o.consumer_key.clone()),
    }
}

/// Connected-app IP relaxation literal → ECA spelling (reference §10.4).
pub fn eca_ip_relaxation(raw: &str) -> String {
    match raw.trim().to_ascii_uppercase().as_str() {
        "ENFORCE" => "Enforce".into(),
        "BYPASS" => "Bypass".into(),
        "BYPASS_2FACTOR" => "Bypass_2factor".into(),
        "ENFORCE_RELAXREFRESH" => "Enforce_RelaxRefresh".into(),
        _ => raw.trim().to_string(),
    }
}

/// An ECA's callback URLs: one text, separated by new lines or commas.
fn split_callback_urls(text: &str) -> Vec<String> {
    text.split(['\n', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// An ECA's permitted-users literal; an unknown literal is not stated (the reader warned),
/// rather than taken for self-authorized.
fn admin_approved(literal: &str) -> Option<bool> {
    match literal.trim() {
        "AdminApprovedPreAuthorized" => Some(true),
        "AllSelfAuthorized" => Some(false),
        _ => None,
    }
}

/// An ECA's refresh-token policy, when its type is stated.
fn eca_refresh_policy(p: &super::EcaOauthPolicies) -> Option<RefreshPolicy> {
    p.refresh_token_policy_type.as_deref().map(|kind| {
        RefreshPolicy::from_eca(
            kind,
            p.refresh_token_validity_period,
            p.refresh_token_validity_unit.as_deref(),
        )
    })
}

fn eca_facts(eca: &super::EcaBundle) -> AppFacts {
    let global = eca.global_oauth.as_ref().map(|s| &s.value);
    let settings = eca.oauth_settings.as_ref().map(|s| &s.value);
    let policies = eca.oauth_policies.as_ref().map(|s| &s.value);
    let oauth = global.is_some() || settings.is_some() || policies.is_some();
    let callback_urls: Vec<String> = global
        .and_then(|g| g.callback_url.as_deref())
        .map(split_callback_urls)
        .unwrap_or_default();
    let scopes = settings
        .and_then(|s| s.comma_separated_oauth_scopes.as_deref())
        .map(split_commas)
        .unwrap_or_default();
    let on = |b: Option<bool>| b == Some(true);
    let flows = FlowSwitches {
        authorization_code: !callback_urls.is_empty(),
        client_credentials: on(global.and_then(|g| g.is_client_credentials_flow_enabled))
            || on(policies.and_then(|p| p.is_client_credentials_flow_enabled)),
        jwt_bearer: global
            .and_then(|g| g.certificate.as_deref())
            .is_some_and(|c| !c.is_empty()),
        code_credentials: on(global.and_then(|g| g.is_code_cred_flow_enabled)),
        token_exchange: on(global.and_then(|g| g.is_token_exchange_enabled)),
        device: on(global.and_then(|g| g.is_device_flow_enabled)),
    }
    .flows(&scopes);
    let saml = eca.saml_policies.as_ref().map(|s| &s.value);
    AppFacts {
        source: FactSource::Eca,
        oauth,
        flows,
        scopes,
        admin_approved: policies
            .and_then(|p| p.permitted_users_policy_type.as_deref())
            .and_then(admin_approved),
        ip_relaxation: policies.and_then(|p| p.ip_relaxation_policy_type.clone()),
        refresh_policy: policies.and_then(eca_refresh_policy),
        // The ECA default for PKCE is `true` (reference §6.3).
        pkce_required: global.map(|g| g.is_pkce_required.unwrap_or(true)),
        refresh_rotation: global.map(|g| g.is_refresh_token_rotation_enabled.unwrap_or(false)),
        run_as_user: policies.and_then(|p| p.client_credentials_flow_user.clone()),
        handler: policies.and_then(|p| p.apex_handler.clone()),
        handler_user: policies.and_then(|p| p.execute_handler_as.clone()),
        saml: saml.is_some(),
        saml_encryption: saml.and_then(|s| s.encryption_type.clone()),
        canvas: eca.canvas.is_some(),
        mobile: eca.mobile_settings.is_some()
            || eca.push_settings.is_some()
            || callback_urls.iter().any(|u| is_custom_scheme(u)),
        callback_urls,
        profiles: policies
            .and_then(|p| p.comma_separated_profile.as_deref())
            .map(split_commas)
            .unwrap_or_default(),
        permission_sets: policies
            .and_then(|p| p.comma_separated_permission_set.as_deref())
            .map(split_commas)
            .unwrap_or_default(),
        start_url: eca
            .policies
            .as_ref()
            .and_then(|p| p.value.start_url.clone()),
        session_timeout: policies.and_then(|p| p.session_timeout_in_minutes),
        custom_attributes: settings.map_or(0, |s| s.custom_attributes.len())
            + policies.map_or(0, |p| p.custom_attributes.len()),
        ip_ranges: settings.map_or(0, |s| s.trusted_ip_ranges.len()),
        consumer_key: global.and_then(|g| g.consumer_key.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_hardening_keeps_stricter_policies() {
        let inactivity = |count, unit: &str| RefreshPolicy::SpecificInactivity {
            count,
            unit: unit.into(),
        };
        assert_eq!(RefreshPolicy::Infinite.hardened(90), inactivity(90, "Days"));
        assert_eq!(RefreshPolicy::Zero.hardened(90), RefreshPolicy::Zero);
        assert_eq!(inactivity(7, "Days").hardened(90), inactivity(7, "Days"));
        assert_eq!(inactivity(48, "Hours").hardened(1), inactivity(1, "Days"));
        let year = RefreshPolicy::SpecificLifetime {
            count: 12,
            unit: "Months".into(),
        };
        assert_eq!(year.hardened(90), inactivity(90, "Days"));
        assert_eq!(year.hardened(0), year);
        let odd = RefreshPolicy::Unrecognised { raw: "x".into() };
        assert_eq!(odd.hardened(30), inactivity(30, "Days"));
    }

    #[test]
    fn refresh_grammar() {
        use RefreshPolicy::*;
        assert_eq!(RefreshPolicy::parse_connected_app("infinite"), Infinite);
        assert_eq!(RefreshPolicy::parse_connected_app(" ZERO "), Zero);
        assert_eq!(
            RefreshPolicy::parse_connected_app("specific_lifetime:90:DAYS"),
            SpecificLifetime {
                count: 90,
                unit: "Days".into()
            }
        );
        assert_eq!(
            RefreshPolicy::parse_connected_app("specific_inactivity:7:hours"),
            SpecificInactivity {
                count: 7,
                unit: "Hours".into()
            }
        );
        assert!(matches!(
            RefreshPolicy::parse_connected_app("SPECIFIC_LIFETIME"),
            Unrecognised { .. }
        ));
        assert!(matches!(
            RefreshPolicy::parse_connected_app("specific_lifetime:0:DAYS"),
            Unrecognised { .. }
        ));
        assert_eq!(
            RefreshPolicy::from_eca("SpecificLifetime", Some(365), Some("Days")),
            SpecificLifetime {
                count: 365,
                unit: "Days".into()
            }
        );
    }

    #[test]
    fn masks_and_schemes() {
        assert_eq!(mask_key("3MVG9abcdefWXYZ"), "…WXYZ");
        assert_eq!(mask_key("ab"), "…ab");
        assert!(is_custom_scheme("mymobileapp://callback"));
        assert!(!is_custom_scheme("https://x/cb"));
        assert!(!is_custom_scheme("not a url"));
        assert_eq!(eca_ip_relaxation("BYPASS_2FACTOR"), "Bypass_2factor");
    }

    proptest::proptest! {
        #[test]
        fn refresh_grammar_round_trip(
            kind in proptest::sample::select(vec!["specific_lifetime", "specific_inactivity"]),
            count in 1u32..10_000,
            unit in proptest::sample::select(vec!["HOURS", "DAYS", "MONTHS"]),
            upper in proptest::bool::ANY,
        ) {
            let raw = format!("{kind}:{count}:{unit}");
            let raw = if upper { raw.to_ascii_uppercase() } else { raw };
            let parsed = RefreshPolicy::parse_connected_app(&raw);
            let (c, u) = match &parsed {
                RefreshPolicy::SpecificLifetime { count, unit } | RefreshPolicy::SpecificInactivity { count, unit } => (*count, unit.clone()),
                other => panic!("{raw} parsed as {other:?}"),
            };
            proptest::prop_assert_eq!(c, count);
            proptest::prop_assert_eq!(u.to_ascii_uppercase(), unit);
        }

        #[test]
        fn refresh_parser_never_panics(raw in "\\PC{0,30}") {
            let _ = RefreshPolicy::parse_connected_app(&raw);
        }
    }

    /// The metadata reader's grammar check and the model's parser accept the same values.
    #[test]
    fn refresh_grammar_agrees_with_the_model() {
        for v in [
            "infinite",
            "ZERO",
            " specific_lifetime : 90 : DAYS ",
            "specific_inactivity:7:hours",
            "specific_lifetime:0:DAYS",
            "specific_lifetime:-1:DAYS",
            "specific_lifetime:1:WEEKS",
            "SPECIFIC_LIFETIME",
            "lifetime:1:DAYS",
            "",
        ] {
            let model = !matches!(
                RefreshPolicy::parse_connected_app(v),
                RefreshPolicy::Unrecognised { .. }
            );
            assert_eq!(crate::metadata::enums::is_refresh_policy(v), model, "{v:?}");
        }
    }
}
