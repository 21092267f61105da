//! Build the Inventory from ingested documents: group ECA sub-files under their app by
//! `externalClientApplication`, merge connected apps and ECAs of the same identity (API name or
//! consumer key), and collect profiles, permission sets, certificates, users and settings.

use std::collections::BTreeMap;

use super::*;
use crate::diag::{Level, Note};
use crate::metadata::access::UserPermission;
use crate::metadata::connected_app::ConnectedApp;
use crate::metadata::{cert, Document, Payload};

/// Build the inventory. Notes report duplicates and files that cannot be attached to an app.
pub fn assemble(documents: Vec<Document>) -> (Inventory, Vec<Note>) {
    let mut b = Builder::default();
    for doc in documents {
        b.add(doc);
    }
    b.finish()
}

#[derive(Default)]
struct Builder {
    apps: BTreeMap<String, App>,
    inv: Inventory,
    certs: BTreeMap<String, CertificateRecord>,
    notes: Vec<Note>,
}

fn key(name: &str) -> String {
    name.to_ascii_lowercase()
}

fn sourced<T>(doc: &Document, value: T) -> Sourced<T> {
    Sourced {
        file: doc.file.clone(),
        full_name: doc.full_name.clone(),
        lines: doc.lines.clone(),
        value,
    }
}

/// `ns__Name` → `ns`; API names have at most one namespace prefix.
pub fn namespace_of(api_name: &str) -> Option<String> {
    let (ns, rest) = api_name.split_once("__")?;
    (!ns.is_empty() && !rest.is_empty()).then(|| ns.to_string())
}

/// Profile file names encode some characters (`Custom%3A Marketing` → `Custom: Marketing`).
fn decode_name(name: &str) -> String {
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn relevant(perms: &[UserPermission]) -> Vec<String> {
    let mut v: Vec<String> = perms
        .iter()
        .filter(|p| p.enabled == Some(true))
        .filter_map(|p| p.name.clone())
        .filter(|n| RELEVANT_PERMISSIONS.contains(&n.as_str()))
        .collect();
    v.sort();
    v.dedup();
    v
}

impl Builder {
    fn app_mut(&mut self, api_name: &str) -> &mut App {
        self.apps
            .entry(key(api_name))
            .or_insert_with(|| new_app(api_name))
    }

    /// The same API name twice: an identical copy (source and mdapi of one retrieve) is merged;
    /// a different definition means the inputs mix orgs, so both are kept as separate apps (the
    /// plan and the generator then make ECA metadata for the first one only).
    fn add_connected_app(&mut self, doc: &Document, ca: ConnectedApp) {
        let mut k = key(&doc.full_name);
        let mut n = 1;
        while let Some(existing) = self.apps.get(&k).and_then(|a| a.connected_app.as_ref()) {
            if existing.value == ca {
                let msg = format!("same connected app as {}; read once", existing.file);
                self.notes
                    .push(Note::file(Level::Info, "identical-copy", &doc.file, msg));
                return;
            }
            if n == 1 {
                let msg = format!(
                    "connected app {} is defined differently in {} and in {}: the inputs may mix orgs; both are listed, ECA metadata is generated for the one in {} only",
                    doc.full_name, existing.file, doc.file, existing.file
                );
                self.notes.push(Note::file(
                    Level::Warning,
                    "conflicting-definition",
                    &doc.file,
                    msg,
                ));
            }
            n += 1;
            k = format!("{}#{n}", key(&doc.full_name));
        }
        let mut app = new_app(&doc.full_name);
        if let Some(existing) = self.apps.remove(&k) {
            app = existing;
        }
        app.connected_app = Some(Box::new(sourced(doc, ca)));
        app.facts_cache = FactsCache::default();
        self.apps.insert(k, app);
    }

    fn duplicate(&mut self, doc: &Document, first: &str) {
        let msg = format!(
            "{} {} is also defined in {first}; the first one is used",
            doc.kind.type_name(),
            doc.full_name
        );
        self.notes.push(Note::file(
            Level::Warning,
            "duplicate-definition",
            &doc.file,
            msg,
        ));
    }

    fn add(&mut self, doc: Document) {
        match doc.payload.clone() {
            Payload::ConnectedApp(ca) => self.add_connected_app(&doc, *ca),
            Payload::EcaHeader(h) => self.add_eca_header(&doc, h),
            Payload::Profile(p) => self.inv.profiles.push(profile_info(&doc, p)),
            Payload::PermissionSet(p) => self.inv.permission_sets.push(PermissionSetInfo {
                name: doc.full_name.clone(),
                file: doc.file.clone(),
                label: p.label,
                license: p.license,
                permissions: relevant(&p.user_permissions),
            }),
            Payload::PermissionSetGroup(g) => {
                self.inv.permission_set_groups.push(PermissionSetGroupInfo {
                    name: doc.full_name.clone(),
                    file: doc.file.clone(),
                    label: g.label,
                    permission_sets: g.permission_sets,
                    muting_permission_sets: g.muting_permission_sets,
                })
            }
            Payload::OauthOidcSettings(s) => self.inv.org.oauth_oidc = Some(sourced(&doc, s)),
            Payload::ConnectedAppSettings(s) => self.inv.org.connected_app = Some(sourced(&doc, s)),
            Payload::ExternalClientAppSettings(s) => {
                self.inv.org.external_client_app = Some(sourced(&doc, s))
            }
            Payload::CertificateMeta(m) => {
                let rec = self.cert_mut(&doc.full_name);
                rec.files.push(doc.file.clone());
                rec.label = m.master_label;
                rec.meta_expiration = m.expiration_date;
            }
            Payload::CertificateContent(info) => {
                let rec = self.cert_mut(&doc.full_name);
                rec.files.push(doc.file.clone());
                rec.info = Some(info);
            }
            Payload::OauthCustomScope(s) => self.add_scope_references(&doc, &s),
            Payload::OauthTokenExchangeHandler(h) => self.add_handler_references(&doc, &h),
            _ => self.add_eca_subfile(doc),
        }
    }

    fn add_eca_header(&mut self, doc: &Document, h: crate::metadata::eca::EcaHeader) {
        let app = self.app_mut(&doc.full_name);
        let eca = app.eca.get_or_insert_with(Box::default);
        if let Some(first) = &eca.header {
            let first = first.file.clone();
            return self.duplicate(doc, &first);
        }
        eca.files
            .push((doc.kind.type_name().to_string(), doc.file.clone()));
        eca.header = Some(sourced(doc, h));
    }

    /// A custom scope assigned to connected apps: one reference per app.
    fn add_scope_references(
        &mut self,
        doc: &Document,
        s: &crate::metadata::access::OauthCustomScope,
    ) {
        for a in s.assigned_to.iter().filter_map(|a| a.connected_app.clone()) {
            self.inv.references.push(AppReference {
                kind: "OauthCustomScope".into(),
                name: doc.full_name.clone(),
                file: doc.file.clone(),
                app: a,
                detail: None,
            });
        }
    }

    /// A token-exchange handler enabled for apps: one reference per app, with its run-as user.
    fn add_handler_references(
        &mut self,
        doc: &Document,
        h: &crate::metadata::access::OauthTokenExchangeHandler,
    ) {
        for e in &h.enablements {
            if let Some(app) = e
                .connected_app
                .clone()
                .or_else(|| e.external_client_app.clone())
            {
                self.inv.references.push(AppReference {
                    kind: "OauthTokenExchangeHandler".into(),
                    name: doc.full_name.clone(),
                    file: doc.file.clone(),
                    app,
                    detail: e.apex_execution_user.clone(),
                });
            }
        }
    }

    fn cert_mut(&mut self, name: &str) -> &mut CertificateRecord {
        self.certs
            .entry(name.to_string())
            .or_insert_with(|| CertificateRecord {
                name: name.to_string(),
                files: Vec::new(),
                label: None,
                meta_expiration: None,
                info: None,
            })
    }

    fn add_eca_subfile(&mut self, doc: Document) {
        let Some(owner) = eca_owner(&doc.payload) else {
            let msg = format!(
                "{} has no <externalClientApplication>: cannot tell which app it belongs to",
                doc.kind.type_name()
            );
            self.notes.push(Note::file(
                Level::Warning,
                "orphan-eca-file",
                &doc.file,
                msg,
            ));
            return;
        };
        let app = self.app_mut(&owner);
        let eca = app.eca.get_or_insert_with(Box::default);
        eca.files
            .push((doc.kind.type_name().to_string(), doc.file.clone()));
        let dup = match doc.payload.clone() {
            Payload::EcaOauthSettings(v) => put(&mut eca.oauth_settings, &doc, v),
            Payload::EcaGlobalOauth(v) => put(&mut eca.global_oauth, &doc, *v),
            Payload::EcaOauthPolicies(v) => put(&mut eca.oauth_policies, &doc, *v),
            Payload::EcaPolicies(v) => put(&mut eca.policies, &doc, v),
            Payload::EcaSamlPolicies(v) => put(&mut eca.saml_policies, &doc, *v),
            Payload::EcaCanvas(v) => put(&mut eca.canvas, &doc, v),
            Payload::EcaPushSettings(v) => put(&mut eca.push_settings, &doc, v),
            Payload::EcaPushPolicies(v) => put(&mut eca.push_policies, &doc, v),
            Payload::EcaMobileSettings(v) => put(&mut eca.mobile_settings, &doc, v),
            Payload::EcaMobilePolicies(v) => put(&mut eca.mobile_policies, &doc, v),
            Payload::EcaNotificationSettings(v) => put(&mut eca.notification_settings, &doc, v),
            Payload::EcaOauthSecurity(v) => put(&mut eca.oauth_security, &doc, v),
            Payload::EcaAttestSettings(v) => put(&mut eca.attest_settings, &doc, v),
            Payload::EcaAttestPolicies(v) => put(&mut eca.attest_policies, &doc, v),
            _ => None,
        };
        if let Some(first) = dup {
            self.duplicate(&doc, &first);
        }
    }

    fn finish(mut self) -> (Inventory, Vec<Note>) {
        self.merge_by_consumer_key();
        for app in self.apps.values_mut() {
            finish_app(app, &mut self.notes);
        }
        let mut inv = self.inv;
        inv.apps = self.apps.into_values().collect();
        inv.certificates = self.certs.into_values().collect();
        inv.users = collect_users(&inv);
        inv.profiles.sort_by(|a, b| a.name.cmp(&b.name));
        inv.permission_sets.sort_by(|a, b| a.name.cmp(&b.name));
        inv.permission_set_groups
            .sort_by(|a, b| a.name.cmp(&b.name));
        inv.references
            .sort_by(|a, b| (&a.app, &a.kind, &a.name).cmp(&(&b.app, &b.kind, &b.name)));
        (inv, self.notes)
    }

    /// An ECA-only group whose global OAuth consumer key equals a connected app's key is the
    /// same integration under another API name (e.g. migrated as `X_ECA`): merge it.
    fn merge_by_consumer_key(&mut self) {
        let ca_keys: BTreeMap<String, String> = self
            .apps
            .iter()
            .filter_map(|(k, a)| {
                let key = a
                    .connected_app
                    .as_ref()?
                    .value
                    .oauth_config
                    .as_ref()?
                    .consumer_key
                    .clone()?;
                Some((key, k.clone()))
            })
            .collect();
        let moves: Vec<(String, String)> = self
            .apps
            .iter()
            .filter(|(_, a)| a.connected_app.is_none())
            .filter_map(|(k, a)| {
                let key = a
                    .eca
                    .as_ref()?
                    .global_oauth
                    .as_ref()?
                    .value
                    .consumer_key
                    .clone()?;
                let target = ca_keys.get(&key)?;
                (target != k).then(|| (k.clone(), target.clone()))
            })
            .collect();
        for (from, to) in moves {
            let Some(eca_app) = self.apps.remove(&from) else {
                continue;
            };
            let Some(target) = self.apps.get_mut(&to) else {
                continue;
            };
            if target.eca.is_some() {
                self.apps.insert(from, eca_app);
                continue;
            }
            let file = eca_app
                .eca
                .as_ref()
                .and_then(|e| e.files.first())
                .map(|f| f.1.clone());
            let msg = format!(
                "ECA {} shares its consumer key with connected app {}: treated as the same app",
                eca_app.api_name, target.api_name
            );
            self.notes.push(Note::file(
                Level::Info,
                "merged-by-consumer-key",
                &file.unwrap_or_default(),
                msg,
            ));
            target.eca = eca_app.eca;
            target.facts_cache = FactsCache::default();
        }
    }
}

/// What the model keeps of a profile: its license, login IP ranges and relevant permissions.
fn profile_info(doc: &Document, p: crate::metadata::access::Profile) -> ProfileInfo {
    ProfileInfo {
        name: decode_name(&doc.full_name),
        file: doc.file.clone(),
        user_license: p.user_license,
        custom: p.custom,
        login_ip_ranges: p
            .login_ip_ranges
            .iter()
            .map(|r| {
                format!(
                    "{}-{}",
                    r.start_address.as_deref().unwrap_or("?"),
                    r.end_address.as_deref().unwrap_or("?")
                )
            })
            .collect(),
        permissions: relevant(&p.user_permissions),
    }
}

fn new_app(api_name: &str) -> App {
    App {
        api_name: api_name.to_string(),
        label: None,
        namespace: namespace_of(api_name),
        distribution: Distribution::Local,
        connected_app: None,
        eca: None,
        certificate: None,
        certificate_error: None,
        origin: Origin::Metadata,
        usage_key: None,
        distribution_reason: String::new(),
        facts_cache: FactsCache::default(),
    }
}

fn put<T>(slot: &mut Option<Sourced<T>>, doc: &Document, value: T) -> Option<String> {
    if let Some(first) = slot {
        return Some(first.file.clone());
    }
    *slot = Some(sourced(doc, value));
    None
}

fn eca_owner(payload: &Payload) -> Option<String> {
    let owner = match payload {
        Payload::EcaOauthSettings(v) => &v.external_client_application,
        Payload::EcaGlobalOauth(v) => &v.external_client_application,
        Payload::EcaOauthPolicies(v) => &v.external_client_application,
        Payload::EcaPolicies(v) => &v.external_client_application,
        Payload::EcaSamlPolicies(v) => &v.external_client_application,
        Payload::EcaCanvas(v) => &v.external_client_application,
        Payload::EcaPushSettings(v) => &v.external_client_application,
        Payload::EcaPushPolicies(v) => &v.external_client_application,
        Payload::EcaMobileSettings(v) => &v.external_client_application,
        Payload::EcaMobilePolicies(v) => &v.external_client_application,
        Payload::EcaNotificationSettings(v) => &v.external_client_application,
        Payload::EcaOauthSecurity(v) => &v.external_client_application,
        Payload::EcaAttestSettings(v) => &v.external_client_application,
        Payload::EcaAttestPolicies(v) => &v.external_client_application,
        _ => return None,
    };
    owner
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

fn finish_app(app: &mut App, notes: &mut Vec<Note>) {
    let ca = app.connected_app.as_ref().map(|s| &s.value);
    let header = app
        .eca
        .as_ref()
        .and_then(|e| e.header.as_ref())
        .map(|h| &h.value);
    // Labels reach every report and the generated metadata: one line, no control or bidi
    // characters (a label that only looks like another's is ECA110's business).
    app.label = ca
        .and_then(|c| c.label.as_deref())
        .or_else(|| header.and_then(|h| h.label.as_deref()))
        .map(crate::text::label)
        .filter(|l| !l.is_empty());
    if let Some(ca_src) = &app.connected_app {
        if app.label.is_none() {
            let msg = format!("connected app {} has no <label> (required)", app.api_name);
            notes.push(Note::file(
                Level::Warning,
                "missing-label",
                &ca_src.file,
                msg,
            ));
        }
    }
    (app.distribution, app.distribution_reason) = if let Some(ns) = &app.namespace {
        (
            Distribution::Packaged,
            format!("API name carries the namespace {ns}"),
        )
    } else if app.eca.is_some() {
        (
            Distribution::AlreadyEca,
            "ECA files with this identity are among the inputs".into(),
        )
    } else {
        (
            Distribution::Local,
            "defined in this org's metadata, no namespace".into(),
        )
    };
    let body = ca
        .and_then(|c| c.oauth_config.as_ref())
        .and_then(|o| o.certificate.clone())
        .or_else(|| {
            app.eca
                .as_ref()?
                .global_oauth
                .as_ref()?
                .value
                .certificate
                .clone()
        })
        .filter(|b| !b.trim().is_empty());
    if let Some(body) = body {
        match cert::parse_certificate(&body) {
            Ok(info) => app.certificate = Some(info),
            Err(e) => app.certificate_error = Some(e),
        }
    }
}

fn collect_users(inv: &Inventory) -> Vec<UserRef> {
    let mut users: BTreeMap<String, UserRef> = BTreeMap::new();
    // (user, app, role) triples already added: a user shared by thousands of apps made the
    // linear `contains` over its references quadratic (40,000 apps: seconds of memcmp).
    let mut seen: std::collections::HashSet<(String, String, String)> =
        std::collections::HashSet::new();
    let mut add = |username: &str, app: &str, role: &str| {
        let key = username.to_ascii_lowercase();
        if !seen.insert((key.clone(), app.to_string(), role.to_string())) {
            return;
        }
        let u = users.entry(key).or_insert_with(|| UserRef {
            username: username.to_string(),
            referenced_by: Vec::new(),
        });
        u.referenced_by.push((app.to_string(), role.to_string()));
    };
    for app in &inv.apps {
        if let Some(f) = app.facts() {
            if let Some(u) = &f.run_as_user {
                add(u, &app.api_name, "runs-as");
            }
            if let Some(u) = &f.handler_user {
                add(u, &app.api_name, "handler");
            }
        }
        // A migrated app keeps its connected app (facts come from it); its ECA may name a
        // different run-as user, which is a dependency too.
        let eca_policies = app.eca.as_ref().and_then(|e| e.oauth_policies.as_ref());
        if let Some(u) = eca_policies.and_then(|p| p.value.client_credentials_flow_user.as_deref())
        {
            add(u, &app.api_name, "runs-as");
        }
    }
    for r in &inv.references {
        if let Some(u) = &r.detail {
            add(u, &r.app, "token-exchange");
        }
    }
    users.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_and_names() {
        assert_eq!(namespace_of("acme__Sync"), Some("acme".into()));
        assert_eq!(namespace_of("Plain_App"), None);
        assert_eq!(namespace_of("__x"), None);
        assert_eq!(
            decode_name("Custom%3A Marketing Profile"),
            "Custom: Marketing Profile"
        );
        assert_eq!(decode_name("100%"), "100%");
    }
}
