//! The installation tables indexed once for every app's access (SetupEntityAccess,
//! PermissionSetAssignment, User, AppMenuItem, ConnectedApplication), and an app's ids in them.

use std::collections::{BTreeSet, HashMap};

use super::AccessInput;
use crate::model::usage::{SetupEntityAccessRow, Tables};
use crate::model::App;

/// The app's Salesforce ids: its AppMenuItem rows by API name, the ids its usage carries, and
/// the ConnectedApplication row of its label when that label is its own.
pub(super) fn app_ids<'a>(app: &App, input: &AccessInput<'a>) -> BTreeSet<&'a str> {
    let mut ids: BTreeSet<&str> = BTreeSet::new();
    let index = input.index;
    let bare = app.api_name.split_once("__").map(|(_, b)| b);
    for name in std::iter::once(app.api_name.as_str()).chain(bare) {
        if let Some(found) = index.menu_by_name.get(&name.trim().to_lowercase()) {
            ids.extend(found.iter().copied());
        }
    }
    if let Some(u) = input.usage {
        ids.extend(u.ids.iter().map(String::as_str));
    }
    let look_alike = input.look_alike;
    if let (Some(label), false) = (app.label.as_deref(), look_alike) {
        let rows = index.ca_by_label.get(&label.trim().to_lowercase());
        if let Some([one]) = rows.map(Vec::as_slice) {
            ids.insert(one);
        }
    }
    ids
}

/// The installation tables indexed once: every app looks itself up (a large org has
/// thousands of apps and hundreds of thousands of assignments; a scan per app is quadratic).
pub struct TableIndex<'a> {
    pub(super) users: Users<'a>,
    /// AppMenuItem name (lower case) → application ids.
    pub(super) menu_by_name: HashMap<String, Vec<&'a str>>,
    /// ConnectedApplication name (= label, lower case) → ids.
    pub(super) ca_by_label: HashMap<String, Vec<&'a str>>,
    /// SetupEntityAccess rows by granted entity id.
    pub(super) sea_by_entity: HashMap<&'a str, Vec<&'a SetupEntityAccessRow>>,
    /// Assignee ids by permission set id.
    pub(super) psa_by_set: HashMap<&'a str, Vec<&'a str>>,
    /// User ids by profile name (lower case).
    pub(super) users_by_profile: HashMap<String, Vec<&'a str>>,
    /// A PermissionSetAssignment export was provided.
    pub(super) has_assignments: bool,
    /// The exports that list an app's users and were not provided (LoginHistory, OauthToken):
    /// what a STOP for an app without known users asks for.
    pub(super) missing_exports: Vec<&'static str>,
}

impl<'a> TableIndex<'a> {
    /// The same index, knowing which user-listing exports the run has (login and token
    /// sources): a STOP then asks only for the missing ones.
    pub fn covered_by(mut self, has_logins: bool, has_tokens: bool) -> Self {
        self.missing_exports = [("LoginHistory", has_logins), ("OauthToken", has_tokens)]
            .into_iter()
            .filter(|(_, has)| !has)
            .map(|(name, _)| name)
            .collect();
        self
    }

    /// Index `t`.
    pub fn new(t: &'a Tables) -> TableIndex<'a> {
        let mut ix = TableIndex {
            users: Users::new(t),
            menu_by_name: HashMap::new(),
            ca_by_label: HashMap::new(),
            sea_by_entity: HashMap::new(),
            psa_by_set: HashMap::new(),
            users_by_profile: HashMap::new(),
            has_assignments: !t.permission_set_assignments.is_empty(),
            missing_exports: vec!["LoginHistory", "OauthToken"],
        };
        for m in &t.app_menu_items {
            if let Some(n) = m.name.as_deref() {
                let e = ix.menu_by_name.entry(n.trim().to_lowercase()).or_default();
                e.push(m.application_id.as_str());
            }
        }
        for c in &t.connected_applications {
            if let Some(n) = c.name.as_deref() {
                let e = ix.ca_by_label.entry(n.trim().to_lowercase()).or_default();
                e.push(c.id.as_str());
            }
        }
        for r in &t.setup_entity_access {
            let e = ix
                .sea_by_entity
                .entry(r.setup_entity_id.as_str())
                .or_default();
            e.push(r);
        }
        for a in &t.permission_set_assignments {
            if let Some(p) = a.permission_set_id.as_deref() {
                ix.psa_by_set
                    .entry(p)
                    .or_default()
                    .push(a.assignee_id.as_str());
            }
        }
        for u in &t.users {
            if let Some(p) = u.profile.as_deref() {
                let e = ix
                    .users_by_profile
                    .entry(p.trim().to_lowercase())
                    .or_default();
                e.push(u.id.as_str());
            }
        }
        ix
    }
}

/// The User export, looked up by id and by username (hashed: every user of every app is
/// looked up, and a large org has tens of thousands of them).
pub(super) struct Users<'a> {
    by_id: rustc_hash::FxHashMap<&'a str, &'a crate::model::usage::UserRow>,
    by_name: rustc_hash::FxHashMap<String, &'a crate::model::usage::UserRow>,
}

impl<'a> Users<'a> {
    fn new(t: &'a Tables) -> Users<'a> {
        let mut by_id = rustc_hash::FxHashMap::default();
        let mut by_name = rustc_hash::FxHashMap::default();
        for u in &t.users {
            by_id.insert(u.id.as_str(), u);
            if let Some(n) = u.username.as_deref() {
                by_name.insert(n.trim().to_lowercase(), u);
            }
        }
        Users { by_id, by_name }
    }

    pub(super) fn row(&self, user: &str) -> Option<&'a crate::model::usage::UserRow> {
        if let Some(row) = self.by_id.get(user) {
            return Some(*row);
        }
        if self.by_name.is_empty() {
            return None;
        }
        // Usernames are nearly always lower case already: no copy for them.
        let name = user.trim();
        if name.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
            self.by_name.get(&name.to_lowercase()).copied()
        } else {
            self.by_name.get(name).copied()
        }
    }

    /// The username of a user id or username, else the id as given.
    pub(super) fn name_of(&self, user: &str) -> String {
        self.row(user)
            .and_then(|u| u.username.clone())
            .unwrap_or_else(|| user.trim().to_string())
    }

    /// A Salesforce user id rather than a username.
    pub(super) fn is_id(&self, user: &str) -> bool {
        (user.len() == 15 || user.len() == 18)
            && user.starts_with("005")
            && user.chars().all(|c| c.is_ascii_alphanumeric())
    }
}
