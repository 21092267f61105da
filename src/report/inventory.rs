//! The inventory view-model: one row per app plus the file accounting, secrets masked.

use serde::Serialize;

use crate::diag::Note;
use crate::model::facts::mask_key;
use crate::model::usage::UsageJoin;
use crate::model::{
    App, Inventory, PermissionSetGroupInfo, PermissionSetInfo, ProfileInfo, UserRef,
};
use crate::model::{FileRecord, FileStatus, Org, SecretSighting};
use crate::report::usage_summary::UsageRow;

/// Schema version of the JSON inventory output.
pub const SCHEMA_VERSION: u32 = 1;

/// One app row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppRow {
    /// Display label.
    pub label: String,
    /// The connected app's description, as written (reports escape it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// API name.
    pub api_name: String,
    /// Namespace, for packaged apps.
    pub namespace: Option<String>,
    /// Distribution state from metadata.
    pub distribution: &'static str,
    /// `connected-app`, `eca` — where the settings shown come from.
    pub settings_from: Option<&'static str>,
    /// OAuth flows switched on in metadata.
    pub flows: Vec<&'static str>,
    /// OAuth scopes.
    pub scopes: Vec<String>,
    /// `admin-approved`, `self-authorized` or `unknown`.
    pub access: &'static str,
    /// IP relaxation (ECA spelling).
    pub ip_relaxation: Option<String>,
    /// Refresh-token policy.
    pub refresh_token_policy: Option<String>,
    /// PKCE required.
    pub pkce_required: Option<bool>,
    /// Refresh-token rotation.
    pub refresh_token_rotation: Option<bool>,
    /// Certificate expiry date (`YYYY-MM-DD`).
    pub certificate_expires: Option<String>,
    /// Certificate subject.
    pub certificate_subject: Option<String>,
    /// Why the certificate could not be read.
    pub certificate_error: Option<String>,
    /// SAML configured.
    pub saml: bool,
    /// SAML encryption type.
    pub saml_encryption: Option<String>,
    /// Canvas configured.
    pub canvas: bool,
    /// Mobile features.
    pub mobile: bool,
    /// Client-credentials run-as user.
    pub run_as_user: Option<String>,
    /// Custom OAuth handler class.
    pub oauth_handler: Option<String>,
    /// Profiles granted access.
    pub profiles: Vec<String>,
    /// Permission sets granted access.
    pub permission_sets: Vec<String>,
    /// Callback URLs.
    pub callback_urls: Vec<String>,
    /// Consumer key, masked to its last 4 characters.
    pub consumer_key: Option<String>,
    /// Connected app file.
    pub connected_app_file: Option<String>,
    /// ECA files found for this app: `Type: file`.
    pub eca_files: Vec<EcaFile>,
    /// Why the distribution state.
    pub distribution_reason: String,
    /// What usage data says about the app.
    pub usage: UsageRow,
}

/// One ECA file of an app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EcaFile {
    /// Metadata type.
    #[serde(rename = "type")]
    pub kind: String,
    /// File.
    pub file: String,
}

/// Counts of the file accounting.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Accounting {
    /// All files seen.
    pub total: usize,
    /// Read into the model.
    pub parsed: usize,
    /// Deliberately not read.
    pub ignored: usize,
    /// Could not be read.
    pub unreadable: usize,
    /// One record per file.
    pub files: Vec<FileRecord>,
}

impl Accounting {
    /// Count the records.
    pub fn new(files: Vec<FileRecord>) -> Self {
        let count = |f: fn(&FileStatus) -> bool| files.iter().filter(|r| f(&r.status)).count();
        Accounting {
            total: files.len(),
            parsed: count(|s| matches!(s, FileStatus::Parsed { .. })),
            ignored: count(|s| matches!(s, FileStatus::Ignored { .. })),
            unreadable: count(|s| matches!(s, FileStatus::Unreadable { .. })),
            files,
        }
    }
}

/// One row per app, in inventory order.
pub fn app_rows(org: &Org) -> Vec<AppRow> {
    let (inv, join) = (&org.inventory, &org.join);
    inv.apps.iter().map(|a| app_row(a, join)).collect()
}

/// Org-level flags as the inventory shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OrgRow {
    /// `blocked`, `allowed` or `not stated` (no OauthOidc settings among the inputs).
    pub username_password_flow: &'static str,
    /// Same for the user-agent flow.
    pub user_agent_flow: &'static str,
    /// Org-wide PKCE.
    pub pkce_required_org_wide: Option<bool>,
    /// API Access Control.
    pub api_access_control: Option<bool>,
}

/// The whole inventory output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InventoryReport {
    /// Output schema version.
    pub schema_version: u32,
    /// One row per app.
    pub apps: Vec<AppRow>,
    /// Org-level OAuth settings.
    pub org: OrgRow,
    /// Profiles.
    pub profiles: Vec<ProfileInfo>,
    /// Permission sets.
    pub permission_sets: Vec<PermissionSetInfo>,
    /// Permission set groups.
    pub permission_set_groups: Vec<PermissionSetGroupInfo>,
    /// Users referenced by metadata.
    pub users: Vec<UserRef>,
    /// Certificates from `certs/`: name, subject, expiry.
    pub certificates: Vec<CertRow>,
    /// Places where secrets or private keys were found (never the values).
    pub secrets_found: Vec<SecretSighting>,
    /// Every input file and what happened to it.
    pub accounting: Accounting,
    /// Diagnostics (errors, warnings, info), sorted by file and line.
    pub notes: Vec<Note>,
}

/// A certificate row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertRow {
    /// API name.
    pub name: String,
    /// Subject.
    pub subject: Option<String>,
    /// Expiry (`YYYY-MM-DD`), from the PEM or else the metadata.
    pub expires: Option<String>,
    /// Files.
    pub files: Vec<String>,
}

impl InventoryReport {
    /// Build the view-model of `org`.
    pub fn new(org: &Org, mut notes: Vec<Note>) -> Self {
        notes.sort();
        notes.dedup();
        let inv = &org.inventory;
        let files = org.files.clone();
        let mut secrets_found = org.secrets.clone();
        secrets_found.sort();
        InventoryReport {
            schema_version: SCHEMA_VERSION,
            apps: app_rows(org),
            org: org_row(inv),
            profiles: inv.profiles.clone(),
            permission_sets: inv.permission_sets.clone(),
            permission_set_groups: inv.permission_set_groups.clone(),
            users: inv.users.clone(),
            certificates: inv
                .certificates
                .iter()
                .map(|c| CertRow {
                    name: c.name.clone(),
                    subject: c.info.as_ref().map(|i| i.subject.clone()),
                    expires: c.info.as_ref().map(|i| i.not_after.clone()).or_else(|| {
                        c.meta_expiration
                            .as_ref()
                            .map(|d| d.chars().take(10).collect())
                    }),
                    files: c.files.clone(),
                })
                .collect(),
            secrets_found,
            accounting: Accounting::new(files),
            notes,
        }
    }
}

fn org_row(inv: &Inventory) -> OrgRow {
    let oidc = inv.org.oauth_oidc.as_ref().map(|s| &s.value);
    let state = |blocked: Option<bool>| match (oidc, blocked) {
        (None, _) | (Some(_), None) => "not stated",
        (Some(_), Some(true)) => "blocked",
        (Some(_), Some(false)) => "allowed",
    };
    OrgRow {
        username_password_flow: state(oidc.and_then(|o| o.block_oauth_un_pw_flow)),
        user_agent_flow: state(oidc.and_then(|o| o.block_oauth_usr_agt_flow)),
        pkce_required_org_wide: oidc.and_then(|o| o.is_pkce_required),
        api_access_control: inv
            .org
            .connected_app
            .as_ref()
            .and_then(|s| s.value.enable_admin_approved_apps_only),
    }
}

fn app_row(app: &App, join: &UsageJoin) -> AppRow {
    let facts = app.facts();
    let f = facts.as_ref();
    AppRow {
        label: app.label.clone().unwrap_or_default(),
        description: app
            .connected_app
            .as_ref()
            .and_then(|c| c.value.description.clone()),
        api_name: app.api_name.clone(),
        namespace: app.namespace.clone(),
        distribution: app.distribution.as_str(),
        settings_from: f.map(|f| match f.source {
            crate::model::facts::FactSource::ConnectedApp => "connected-app",
            crate::model::facts::FactSource::Eca => "eca",
        }),
        flows: f.map(|f| f.flows.clone()).unwrap_or_default(),
        scopes: f.map(|f| f.scopes.clone()).unwrap_or_default(),
        access: match f.and_then(|f| f.admin_approved) {
            Some(true) => "admin-approved",
            Some(false) => "self-authorized",
            None => "unknown",
        },
        ip_relaxation: f.and_then(|f| f.ip_relaxation.clone()),
        refresh_token_policy: f.and_then(|f| f.refresh_policy.as_ref().map(|p| p.display())),
        pkce_required: f.and_then(|f| f.pkce_required),
        refresh_token_rotation: f.and_then(|f| f.refresh_rotation),
        certificate_expires: app.certificate.as_ref().map(|c| c.not_after.clone()),
        certificate_subject: app.certificate.as_ref().map(|c| c.subject.clone()),
        certificate_error: app.certificate_error.clone(),
        saml: f.is_some_and(|f| f.saml),
        saml_encryption: f.and_then(|f| f.saml_encryption.clone()),
        canvas: f.is_some_and(|f| f.canvas),
        mobile: f.is_some_and(|f| f.mobile),
        run_as_user: f.and_then(|f| f.run_as_user.clone()),
        oauth_handler: f.and_then(|f| f.handler.clone()),
        profiles: f.map(|f| f.profiles.clone()).unwrap_or_default(),
        permission_sets: f.map(|f| f.permission_sets.clone()).unwrap_or_default(),
        callback_urls: f.map(|f| f.callback_urls.clone()).unwrap_or_default(),
        consumer_key: f.and_then(|f| f.consumer_key.as_deref().map(mask_key)),
        connected_app_file: app.connected_app.as_ref().map(|c| c.file.clone()),
        eca_files: app
            .eca
            .iter()
            .flat_map(|e| e.files.iter())
            .map(|(kind, file)| EcaFile {
                kind: kind.clone(),
                file: file.clone(),
            })
            .collect(),
        distribution_reason: app.distribution_reason.clone(),
        usage: UsageRow::new(app, join.for_app(app)),
    }
}
