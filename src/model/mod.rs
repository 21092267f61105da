//! The Inventory: every app (connected app and/or ECA files merged), the profiles, permission
//! sets, certificates, referenced users and org settings — as far as the inputs show them.
//!
//! Assembled by [`assemble()`] from ingested documents; pure data plus derived facts.

pub(crate) mod assemble;
pub(crate) mod distribution;
pub(crate) mod facts;
mod org;
pub mod usage;

use std::collections::BTreeMap;

use serde::Serialize;

/// What ingest accounts for that the model carries on: the fate of every input file and the
/// places where a secret was seen.
pub use crate::ingest::{FileRecord, FileStatus, SecretSighting};
use crate::metadata::access::{ConnectedAppSettings, ExternalClientAppSettings, OauthOidcSettings};
use crate::metadata::cert::CertInfo;
use crate::metadata::connected_app::ConnectedApp;
use crate::metadata::eca::*;
pub use assemble::assemble;
pub use facts::{AppFacts, RefreshPolicy};
pub use org::Org;

/// A record read from one file, with the first line of each of its elements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sourced<T> {
    /// File as shown to users.
    pub file: String,
    /// API name (from the file name).
    pub full_name: String,
    /// First line of each element path, for evidence.
    pub lines: BTreeMap<String, u32>,
    /// The record.
    pub value: T,
}

impl<T> Sourced<T> {
    /// `file:line` of an element path, or the file alone.
    pub fn at(&self, path: &str) -> String {
        match self.lines.get(path) {
            Some(l) => format!("{}:{l}", self.file),
            None => self.file.clone(),
        }
    }
}

/// Where an app is distributed from, as far as the evidence tells (DESIGN §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Distribution {
    /// Defined in this org, no namespace.
    Local,
    /// From a namespace / managed or installed package.
    Packaged,
    /// Used, but neither defined nor installed here.
    GlobalUninstalled,
    /// A Salesforce first-party app.
    Salesforce,
    /// An ECA with the same identity exists.
    AlreadyEca,
}

impl Distribution {
    /// Display name, as in DESIGN §4.
    pub fn as_str(self) -> &'static str {
        match self {
            Distribution::Local => "Local",
            Distribution::Packaged => "Packaged",
            Distribution::GlobalUninstalled => "Global-uninstalled",
            Distribution::Salesforce => "Salesforce",
            Distribution::AlreadyEca => "Already-ECA",
        }
    }
}

/// All ECA files of one app, grouped by their `externalClientApplication`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub struct EcaBundle {
    pub header: Option<Sourced<EcaHeader>>,
    pub oauth_settings: Option<Sourced<EcaOauthSettings>>,
    pub global_oauth: Option<Sourced<EcaGlobalOauth>>,
    pub oauth_policies: Option<Sourced<EcaOauthPolicies>>,
    pub policies: Option<Sourced<EcaPolicies>>,
    pub saml_policies: Option<Sourced<EcaSamlPolicies>>,
    pub canvas: Option<Sourced<EcaCanvas>>,
    pub push_settings: Option<Sourced<EcaPushSettings>>,
    pub push_policies: Option<Sourced<EcaPushPolicies>>,
    pub mobile_settings: Option<Sourced<EcaMobileSettings>>,
    pub mobile_policies: Option<Sourced<EcaMobilePolicies>>,
    pub notification_settings: Option<Sourced<EcaNotificationSettings>>,
    pub oauth_security: Option<Sourced<EcaOauthSecurity>>,
    pub attest_settings: Option<Sourced<EcaAttestSettings>>,
    pub attest_policies: Option<Sourced<EcaAttestPolicies>>,
    /// Every ECA file of this app: (metadata type, file).
    pub files: Vec<(String, String)>,
}

/// One integration: the unit of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct App {
    /// API name (connected app or ECA full name, namespace included).
    pub api_name: String,
    /// Display label.
    pub label: Option<String>,
    /// Namespace prefix, from `ns__Name`.
    pub namespace: Option<String>,
    /// Distribution state from metadata.
    pub distribution: Distribution,
    /// The connected app, when its file is among the inputs. Boxed, as is the ECA bundle: they
    /// are kilobytes, and apps are moved about as inventories are built and sorted.
    pub connected_app: Option<Box<Sourced<ConnectedApp>>>,
    /// The ECA files, when any are among the inputs.
    pub eca: Option<Box<EcaBundle>>,
    /// The JWT certificate of the app (connected app `certificate` or ECA global OAuth).
    pub certificate: Option<CertInfo>,
    /// Why the certificate body could not be parsed, when it could not.
    pub certificate_error: Option<String>,
    /// Where the app is known from.
    pub origin: Origin,
    /// The usage key of an app seen only in usage data.
    pub usage_key: Option<String>,
    /// Why the distribution state is what it is.
    pub distribution_reason: String,
    /// [`App::facts`], derived once: rules, graph, plan and reports ask for them again and
    /// again (thousands of apps, dozens of askers).
    #[serde(skip)]
    pub facts_cache: FactsCache,
}

/// The derived facts of an app, filled on first use (see [`App::facts`]).
#[derive(Debug, Clone, Default)]
pub struct FactsCache(std::sync::OnceLock<Option<facts::AppFacts>>);

/// Facts derive from the files, which the comparison already covers.
impl PartialEq for FactsCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for FactsCache {}

/// Where an app is known from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// Connected app and/or ECA files.
    Metadata,
    /// Only usage exports mention it.
    Usage,
}

/// A profile as far as the plan needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileInfo {
    /// Profile name (decoded from the file name).
    pub name: String,
    /// File.
    pub file: String,
    /// User licence.
    pub user_license: Option<String>,
    /// Custom profile.
    pub custom: Option<bool>,
    /// Login IP ranges as `start-end`.
    pub login_ip_ranges: Vec<String>,
    /// Enabled user permissions that matter for integrations.
    pub permissions: Vec<String>,
}

/// A permission set as far as the plan needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PermissionSetInfo {
    /// API name.
    pub name: String,
    /// File.
    pub file: String,
    /// Label.
    pub label: Option<String>,
    /// Licence.
    pub license: Option<String>,
    /// Enabled user permissions that matter for integrations.
    pub permissions: Vec<String>,
}

/// A permission set group and its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PermissionSetGroupInfo {
    /// API name.
    pub name: String,
    /// File.
    pub file: String,
    /// Label.
    pub label: Option<String>,
    /// Member permission sets.
    pub permission_sets: Vec<String>,
    /// Muting permission sets.
    pub muting_permission_sets: Vec<String>,
}

/// A certificate from `certs/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateRecord {
    /// API name.
    pub name: String,
    /// Files it was read from.
    pub files: Vec<String>,
    /// Label from the `-meta.xml`.
    pub label: Option<String>,
    /// Expiration date from the `-meta.xml`, as written.
    pub meta_expiration: Option<String>,
    /// The parsed PEM, when the `.crt` was present.
    pub info: Option<CertInfo>,
}

/// A user referenced by metadata (run-as, handler, token exchange).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRef {
    /// Username as written.
    pub username: String,
    /// (app API name, role) pairs.
    pub referenced_by: Vec<(String, String)>,
}

/// Org-level OAuth settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OrgSettings {
    /// `OauthOidc.settings`.
    pub oauth_oidc: Option<Sourced<OauthOidcSettings>>,
    /// `ConnectedApp.settings`.
    pub connected_app: Option<Sourced<ConnectedAppSettings>>,
    /// `ExternalClientApp.settings`.
    pub external_client_app: Option<Sourced<ExternalClientAppSettings>>,
}

/// Another metadata item that points at an app (custom scope, token-exchange handler).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppReference {
    /// Metadata type of the referring item.
    pub kind: String,
    /// Its API name.
    pub name: String,
    /// Its file.
    pub file: String,
    /// The app it points at.
    pub app: String,
    /// Extra detail (run-as user, handler class).
    pub detail: Option<String>,
}

/// Everything known from metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Inventory {
    /// Apps, sorted by API name (case-insensitive).
    pub apps: Vec<App>,
    /// Profiles, sorted by name.
    pub profiles: Vec<ProfileInfo>,
    /// Permission sets, sorted by name.
    pub permission_sets: Vec<PermissionSetInfo>,
    /// Permission set groups, sorted by name.
    pub permission_set_groups: Vec<PermissionSetGroupInfo>,
    /// Certificates from `certs/`, sorted by name.
    pub certificates: Vec<CertificateRecord>,
    /// Users referenced by metadata, sorted by username.
    pub users: Vec<UserRef>,
    /// Org settings.
    pub org: OrgSettings,
    /// Custom scopes and token-exchange handlers that point at apps.
    pub references: Vec<AppReference>,
}

impl Inventory {
    /// The app with this API name (case-insensitive).
    pub fn app(&self, api_name: &str) -> Option<&App> {
        self.apps
            .iter()
            .find(|a| a.api_name.eq_ignore_ascii_case(api_name))
    }
}

/// User permissions that matter when judging integration users and app access.
pub const RELEVANT_PERMISSIONS: &[&str] = &[
    "ApiEnabled",
    "ApiUserOnly",
    "AuthorApex",
    "CanApproveUninstalledApps",
    "CustomizeApplication",
    "ExternalClientAppAdmin",
    "ExternalClientAppDeveloper",
    "ExternalClientAppViewer",
    "ManageUsers",
    "ModifyAllData",
    "UseAnyApiClient",
    "ViewAllData",
];
