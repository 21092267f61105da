//! The ECA decisions of the plan (DESIGN §6-§7): which files an app's ECA gets (its scope),
//! its API name ([`names`]: valid and unique, decided once), its label, the OAuth flow it is
//! refactored to, the Apex class a custom handler is ported to and the SAML encryption it
//! keeps. The generator writes exactly what is decided here; it never decides again.

pub(crate) mod names;

use serde::Serialize;

use crate::model::{App, Inventory};
use crate::plan::Decision;
pub use names::{validate_api_name, EcaNames};

/// Which files an app's ECA gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EcaScope {
    /// A complete new ECA (side-by-side, big-bang).
    Full,
    /// Automated migration: the button creates the ECA, we only harden its OAuth policies
    /// (`.ecaOauthPlcy`) and policies (`.ecaPlcy`), plus the access permission set they name.
    HardeningOnly,
}

/// Does the ECA get a 1:1 access permission set? Only the OAuth and SAML policies can name one
/// (`ExtlClntAppConfigurablePolicies` has no such field), and an ECA the button creates gets
/// only hardening policies: without OAuth, no generated file would name the set, and it would
/// grant nothing.
pub fn has_access_set(ca: &crate::metadata::connected_app::ConnectedApp, scope: EcaScope) -> bool {
    ca.oauth_config.is_some() || (scope == EcaScope::Full && ca.saml_config.is_some())
}

/// The names App Manager's migration gave an app's policy files, when `ecaplan.toml` says
/// they are not `<ECA>_oauthPlcy` and `<ECA>_plcy` (only for apps the button migrates).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PolicyNames {
    /// `ExtlClntAppOauthConfigurablePolicies` (`[apps.X] oauth_policy_name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth: Option<String>,
    /// `ExtlClntAppConfigurablePolicies` (`[apps.X] policy_name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
}

impl PolicyNames {
    /// Neither name is set (plan.json leaves the field out).
    pub fn none(&self) -> bool {
        self.oauth.is_none() && self.app.is_none()
    }
}

/// The OAuth flow the integration is refactored to (chosen by the plan, applied by the
/// generator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "flow", rename_all = "kebab-case")]
pub enum TargetFlow {
    /// Client credentials, running as this username.
    ClientCredentials {
        /// Run-as username (must exist in the target org, API Only).
        run_as: String,
    },
    /// Authorization code with PKCE.
    AuthorizationCodePkce,
    /// Authorization code with PKCE for a public client (browser single-page or native app):
    /// the consumer secret is optional, also for refresh tokens (reference §5.3).
    PublicClientPkce,
    /// JWT bearer (keeps the certificate).
    JwtBearer,
}

impl TargetFlow {
    /// The flow in words (the generator's notes).
    pub fn label(&self) -> &'static str {
        match self {
            TargetFlow::ClientCredentials { .. } => "client credentials",
            TargetFlow::AuthorizationCodePkce => "authorization code + PKCE",
            TargetFlow::PublicClientPkce => "authorization code + PKCE, public client",
            TargetFlow::JwtBearer => "JWT bearer",
        }
    }

    /// The run-as user of a client-credentials target.
    pub fn run_as(&self) -> Option<&str> {
        match self {
            TargetFlow::ClientCredentials { run_as } => Some(run_as.as_str()),
            _ => None,
        }
    }
}

/// The ECA name of each app of `inventory` whose decision gets ECA metadata (none for the
/// others), handed out in inventory order so that names do not depend on scheduling. A second
/// definition of an API name gets none, and its decision says so.
pub(super) fn name_ecas(inventory: &Inventory, decisions: &mut [Decision]) -> Vec<Option<String>> {
    let mut names = EcaNames::new(inventory);
    inventory
        .apps
        .iter()
        .zip(decisions)
        .map(|(app, decision)| {
            // The migration button keeps the API name (reference §10.2, UNVERIFIED) when it
            // is a valid developer name; a new ECA beside the connected app, which keeps its
            // name until it is decommissioned, gets `<Name>_ECA`.
            let keep = match decision.strategy.eca_scope()? {
                EcaScope::HardeningOnly => true,
                EcaScope::Full => false,
            };
            let name = names.give(&app.api_name, keep);
            if name.is_none() {
                // A second definition of one API name (the inputs mix orgs) gets no ECA.
                decision.evidence.push(format!(
                    "{} is defined more than once among the inputs: ECA metadata is generated for its first definition only",
                    app.api_name
                ));
            }
            name
        })
        .collect()
}

/// Ends the name of an ECA's 1:1 access permission set.
pub const ACCESS_SET_SUFFIX: &str = "_ECA_Access";

/// The ECA's 1:1 access permission set (its policies name it; assigning it grants the app).
pub fn access_set(eca: &str) -> String {
    format!("{eca}{ACCESS_SET_SUFFIX}")
}

/// Appended to the label of a new ECA generated beside its connected app.
pub const ECA_LABEL_SUFFIX: &str = " (ECA)";

/// The ECA's label: the connected app's (else its API name), on one line without control or
/// bidi characters. A new ECA that runs beside its connected app (side-by-side, big-bang)
/// gets [`ECA_LABEL_SUFFIX`]: LoginHistory and OauthToken name apps by label, so the same
/// label on both would make the parallel run impossible to validate.
pub fn eca_label(app: &App, scope: EcaScope) -> String {
    let label = label_of(app);
    match scope {
        EcaScope::Full => format!("{label}{ECA_LABEL_SUFFIX}"),
        EcaScope::HardeningOnly => label,
    }
}

/// The connected app's label (else its API name), without the ECA suffix; for an app
/// without a connected app file, its label from the inventory.
pub fn label_of(app: &App) -> String {
    let label = match app.connected_app.as_deref() {
        Some(ca) => crate::text::label(ca.value.label.as_deref().unwrap_or_default()),
        None => app.label.clone().unwrap_or_default(),
    };
    if label.is_empty() {
        crate::text::label(&app.api_name)
    } else {
        label
    }
}

/// The Apex class the plugin is ported to: `<Plugin>_EcaHandler` (letters, digits and single
/// underscores; at most 40 characters, Apex's limit).
pub fn handler_class(plugin: &str) -> String {
    // A namespaced or dotted name keeps its last part: the port is a local class.
    let base = plugin.rsplit('.').next().unwrap_or(plugin);
    let mut name = String::new();
    for c in base.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.is_empty() && !name.ends_with('_') {
            name.push('_');
        }
    }
    let suffix = "_EcaHandler";
    let mut name = name.trim_end_matches('_').to_string();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert_str(0, "Eca");
    }
    name.truncate(40 - suffix.len());
    format!("{}{suffix}", name.trim_end_matches('_'))
}

/// The ECA encryption (`ExtlClntAppSamlEncryptType`) for a connected app's
/// `SamlEncryptionType`: AES keeps its literal (any case); `Triple_Des`, which ECAs lack
/// (§10.7), becomes `AES_256` — ECA107's fix, agreed with the service provider first — so that
/// assertions are never left unencrypted. `None`: no encryption, or an unknown value.
pub fn saml_encryption(raw: Option<&str>) -> Option<&'static str> {
    let raw = raw.map(str::trim).filter(|e| !e.is_empty())?;
    ["AES_128", "AES_256"]
        .into_iter()
        .find(|e| e.eq_ignore_ascii_case(raw))
        .or_else(|| raw.eq_ignore_ascii_case("Triple_Des").then_some("AES_256"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saml_encryption_is_kept_or_raised_to_aes() {
        assert_eq!(saml_encryption(Some("AES_256")), Some("AES_256"));
        assert_eq!(saml_encryption(Some(" aes_128 ")), Some("AES_128"));
        assert_eq!(saml_encryption(Some("Triple_Des")), Some("AES_256"));
        assert_eq!(saml_encryption(Some("")), None);
        assert_eq!(saml_encryption(None), None);
        assert_eq!(saml_encryption(Some("RC4")), None);
    }

    #[test]
    fn handler_class_is_a_valid_apex_name() {
        assert_eq!(
            handler_class("LoyaltyConnectedAppPlugin"),
            "LoyaltyConnectedAppPlugin_EcaHandler"
        );
        assert_eq!(handler_class("ns.My Plugin"), "My_Plugin_EcaHandler");
        assert_eq!(handler_class("9x"), "Eca9x_EcaHandler");
        let long = handler_class(&"A".repeat(60));
        assert!(long.len() <= 40 && long.ends_with("_EcaHandler"), "{long}");
    }
}
