//! Join usage to the inventory (DESIGN §3): by id (through AppMenuItem), consumer key, API
//! name, then label (case-insensitive, trimmed), in that order of trust. Two inventory apps
//! sharing a label are never merged: usage for that label is reported as ambiguous.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;

use super::catalog::{self, FirstParty};
use crate::ingest::usage::data::{AppMenuItemRow, AppUsage, UsageData};
use crate::ingest::usage::merge::add_logins;
use crate::model::{App, Inventory};
use crate::time::Ts;

/// How much usage data stands behind an app's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Evidence {
    /// No login, token or API source was provided: "no usage" means nothing.
    None,
    /// Some sources are missing or truncated, or the app's label is ambiguous.
    Partial,
    /// Logins and tokens were both provided, nothing looks truncated, the match is unambiguous.
    Full,
}

/// Whether the app is installed in the org, as far as the exports tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Installation {
    /// AppMenuItem row, an OauthToken with AppMenuItemId, or an installed package namespace.
    Installed,
    /// An AppMenuItem export without it, or only tokens without AppMenuItemId.
    NotInstalled,
    /// No installation data about it.
    Unknown,
}

/// Which key joined usage to an inventory app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchKey {
    /// A Salesforce id, through the AppMenuItem of the app's API name.
    Id,
    /// The consumer key.
    ConsumerKey,
    /// The API name.
    ApiName,
    /// The label (case-insensitive, trimmed).
    Label,
}

/// One inventory app with its usage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JoinedApp {
    /// Inventory API name.
    pub api_name: String,
    /// Inventory label.
    pub label: Option<String>,
    /// Keys that joined usage to it (one per usage entry merged).
    pub matched_by: BTreeSet<MatchKey>,
    /// Usage keys merged into it.
    pub usage_keys: Vec<String>,
    /// Aggregated usage (absent when nothing matched).
    pub usage: Option<AppUsage>,
    /// How much usage data stands behind it.
    pub evidence: Evidence,
    /// Installation state.
    pub installation: Installation,
    /// Why that installation state.
    pub installation_evidence: Vec<String>,
    /// First-party classification.
    pub first_party: Option<FirstParty>,
    /// Another inventory app has the same label.
    pub look_alike: bool,
}

/// Usage of an app that matches no inventory app (the uninstalled/global app case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownApp {
    /// Usage key.
    pub key: String,
    /// Label to show.
    pub label: String,
    /// Installation state.
    pub installation: Installation,
    /// Why.
    pub installation_evidence: Vec<String>,
    /// First-party classification.
    pub first_party: Option<FirstParty>,
    /// The usage.
    pub usage: AppUsage,
}

/// Usage that could belong to several inventory apps (look-alike labels, shared ids).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AmbiguousUsage {
    /// Usage key.
    pub key: String,
    /// Label to show.
    pub label: String,
    /// Inventory API names (or usage ids) it could belong to.
    pub candidates: Vec<String>,
    /// The usage, attached to none of them.
    pub usage: AppUsage,
}

/// Inventory apps that share a label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LookAlike {
    /// The shared label (lower case, trimmed).
    pub label: String,
    /// Their API names.
    pub api_names: Vec<String>,
}

/// The result of [`join`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UsageJoin {
    /// As-of date of the usage data.
    pub as_of: Option<Ts>,
    /// Per inventory app, by API name.
    pub apps: BTreeMap<String, JoinedApp>,
    /// Usage of apps not in the inventory, sorted by key (looked up by binary search).
    pub unknown_apps: Vec<UnknownApp>,
    /// Usage that could not be attributed to one inventory app.
    pub ambiguous: Vec<AmbiguousUsage>,
    /// Inventory apps sharing a label.
    pub look_alikes: Vec<LookAlike>,
    /// The period the login sources (LoginHistory, LoginEvent, ELF Login) cover, oldest to
    /// newest timestamp: the only window a login count can be turned into a rate over.
    #[serde(skip)]
    pub login_window: Option<(Ts, Ts)>,
}

fn norm(label: &str) -> String {
    label.trim().to_lowercase()
}

fn same_api_name(app: &App, name: &str) -> bool {
    let name = name.trim();
    app.api_name.eq_ignore_ascii_case(name)
        || app
            .api_name
            .split_once("__")
            .is_some_and(|(_, bare)| bare.eq_ignore_ascii_case(name))
}

/// Join usage to the inventory.
pub fn join(inv: &Inventory, usage: &UsageData) -> UsageJoin {
    let login_sources = || {
        usage
            .coverage
            .sources
            .iter()
            .filter(|(k, _)| k.is_login())
            .map(|(_, c)| c)
    };
    let login_window = login_sources()
        .filter_map(|c| c.from)
        .min()
        .zip(login_sources().filter_map(|c| c.to).max());
    let mut out = UsageJoin {
        as_of: usage.coverage.as_of,
        login_window,
        ..UsageJoin::default()
    };
    let mut by_label: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, app) in inv.apps.iter().enumerate() {
        if let Some(l) = &app.label {
            by_label.entry(norm(l)).or_default().push(i);
        }
    }
    let index = Index::new(inv);
    for (label, idx) in by_label.iter().filter(|(_, v)| v.len() > 1) {
        let api_names = idx.iter().map(|&i| inv.apps[i].api_name.clone()).collect();
        let label = label.clone();
        out.look_alikes.push(LookAlike { label, api_names });
    }
    // Matching and merging are per usage entry and per app: on all cores (a large org has
    // thousands of both). The results are gathered in their input order.
    let found: Vec<(&AppUsage, Found)> = usage
        .apps
        .par_iter()
        .map(|(_, u)| (u, find(inv, usage, u, &by_label, &index)))
        .collect();
    let mut matched: BTreeMap<usize, Vec<(MatchKey, &AppUsage)>> = BTreeMap::new();
    for (u, f) in found {
        match f {
            Found::One(i, key) => matched.entry(i).or_default().push((key, u)),
            Found::Many(candidates) => out.ambiguous.push(AmbiguousUsage {
                key: u.key.clone(),
                label: u.display().to_string(),
                candidates,
                usage: u.clone(),
            }),
            Found::None => {
                let (installation, installation_evidence) = installation(None, Some(u), usage);
                out.unknown_apps.push(UnknownApp {
                    key: u.key.clone(),
                    label: u.display().to_string(),
                    installation,
                    installation_evidence,
                    first_party: first_party(None, Some(u), usage),
                    usage: u.clone(),
                });
            }
        }
    }
    // Already in key order (the usage map is sorted): this keeps it so for the lookups.
    out.unknown_apps.sort_by(|a, b| a.key.cmp(&b.key));
    let joined: Vec<JoinedApp> = inv
        .apps
        .par_iter()
        .enumerate()
        .map(|(i, app)| {
            let hits = matched.get(&i).map_or(&[][..], Vec::as_slice);
            joined_app(app, hits, &by_label, usage)
        })
        .collect();
    out.apps = joined
        .into_iter()
        .map(|j| (j.api_name.clone(), j))
        .collect();
    out
}

/// One inventory app with the usage entries matched to it.
fn joined_app(
    app: &App,
    hits: &[(MatchKey, &AppUsage)],
    by_label: &BTreeMap<String, Vec<usize>>,
    usage: &UsageData,
) -> JoinedApp {
    let look_alike = app
        .label
        .as_ref()
        .is_some_and(|l| by_label.get(&norm(l)).is_some_and(|v| v.len() > 1));
    let merged = merge_all(hits.iter().map(|(_, u)| *u));
    let (installation, installation_evidence) = installation(Some(app), merged.as_ref(), usage);
    JoinedApp {
        api_name: app.api_name.clone(),
        label: app.label.clone(),
        matched_by: hits.iter().map(|(k, _)| *k).collect(),
        usage_keys: hits.iter().map(|(_, u)| u.key.clone()).collect(),
        evidence: evidence(usage, look_alike),
        installation,
        installation_evidence,
        first_party: first_party(Some(app), merged.as_ref(), usage),
        look_alike,
        usage: merged,
    }
}

/// One join step: does this inventory app match?
enum Found {
    One(usize, MatchKey),
    Many(Vec<String>),
    None,
}

/// Lookups built once per join: a large org has thousands of apps, and testing every usage
/// entry against every app (deriving facts each time) is quadratic.
struct Index {
    /// Lower-cased API name, and the name without its namespace, → apps.
    names: BTreeMap<String, Vec<usize>>,
    /// Consumer key → apps.
    keys: BTreeMap<String, Vec<usize>>,
}

impl Index {
    fn new(inv: &Inventory) -> Index {
        let mut names: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut keys: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, app) in inv.apps.iter().enumerate() {
            names
                .entry(app.api_name.to_ascii_lowercase())
                .or_default()
                .push(i);
            if let Some((_, bare)) = app.api_name.split_once("__") {
                names.entry(bare.to_ascii_lowercase()).or_default().push(i);
            }
            if let Some(k) = app.facts().and_then(|f| f.consumer_key.clone()) {
                keys.entry(k).or_default().push(i);
            }
        }
        Index { names, keys }
    }

    fn by_names<'a>(&self, names: impl Iterator<Item = &'a str>) -> BTreeSet<usize> {
        names
            .flat_map(|n| {
                self.names
                    .get(&n.trim().to_ascii_lowercase())
                    .into_iter()
                    .flatten()
                    .copied()
            })
            .collect()
    }
}

/// The inventory app of a usage entry, trying keys in order of trust.
fn find(
    inv: &Inventory,
    data: &UsageData,
    u: &AppUsage,
    by_label: &BTreeMap<String, Vec<usize>>,
    index: &Index,
) -> Found {
    let dev_names: Vec<&str> = menu_items_of(data, u)
        .filter_map(|m| m.name.as_deref())
        .collect();
    let by_key: BTreeSet<usize> = u
        .client_names
        .iter()
        .chain(&u.ids)
        .flat_map(|k| index.keys.get(k).into_iter().flatten().copied())
        .collect();
    let steps: [(MatchKey, BTreeSet<usize>); 3] = [
        (MatchKey::Id, index.by_names(dev_names.iter().copied())),
        (MatchKey::ConsumerKey, by_key),
        (
            MatchKey::ApiName,
            index.by_names(u.labels.iter().chain(&u.client_names).map(String::as_str)),
        ),
    ];
    for (key, hits) in steps {
        let hits: Vec<usize> = hits.into_iter().collect();
        match hits.as_slice() {
            [] => {}
            [one] => return Found::One(*one, key),
            many => {
                return Found::Many(many.iter().map(|&i| inv.apps[i].api_name.clone()).collect())
            }
        }
    }
    let mut hits: BTreeSet<usize> = BTreeSet::new();
    for l in &u.labels {
        hits.extend(by_label.get(&norm(l)).into_iter().flatten().copied());
    }
    let names = || hits.iter().map(|&i| inv.apps[i].api_name.clone()).collect();
    match (hits.len(), u.ambiguous_label) {
        (0, _) => Found::None,
        (1, false) => Found::One(*hits.iter().next().unwrap_or(&0), MatchKey::Label),
        // Several apps (or several ids in the usage data) carry this label: never merged.
        _ => Found::Many(names()),
    }
}

/// AppMenuItem rows of a usage entry (by ApplicationId or by menu item id).
fn menu_items_of<'a>(
    data: &'a UsageData,
    u: &'a AppUsage,
) -> impl Iterator<Item = &'a AppMenuItemRow> + 'a {
    data.tables.app_menu_items.iter().filter(move |m| {
        u.ids.contains(&m.application_id)
            || m.id.as_ref().is_some_and(|id| u.menu_item_ids.contains(id))
    })
}

fn merge_all<'a>(usages: impl Iterator<Item = &'a AppUsage>) -> Option<AppUsage> {
    let mut merged: Option<AppUsage> = None;
    for u in usages {
        let Some(m) = merged.as_mut() else {
            merged = Some(u.clone());
            continue;
        };
        m.ids.extend(u.ids.iter().cloned());
        m.labels.extend(u.labels.iter().cloned());
        m.ambiguous_label |= u.ambiguous_label;
        m.menu_item_ids.extend(u.menu_item_ids.iter().cloned());
        m.client_names.extend(u.client_names.iter().cloned());
        m.client_categories
            .extend(u.client_categories.iter().cloned());
        m.sources.extend(u.sources.iter().copied());
        add_logins(&mut m.logins, &u.logins);
        m.logins_attributed_by_user += u.logins_attributed_by_user;
        m.api.calls += u.api.calls;
        for (f, n) in &u.api.by_family {
            *m.api.by_family.entry(f.clone()).or_default() += n;
        }
        m.api.users.merge(&u.api.users);
        m.api.first_seen = min_ts(m.api.first_seen, u.api.first_seen);
        m.api.last_seen = m.api.last_seen.max(u.api.last_seen);
        for (user, t) in &u.tokens {
            let e = m.tokens.entry(user.clone()).or_default();
            e.tokens += t.tokens;
            e.use_count += t.use_count;
            e.with_menu_item += t.with_menu_item;
            e.without_menu_item += t.without_menu_item;
            e.first_granted = min_ts(e.first_granted, t.first_granted);
            e.last_used = e.last_used.max(t.last_used);
        }
    }
    merged
}

fn min_ts(a: Option<Ts>, b: Option<Ts>) -> Option<Ts> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn evidence(data: &UsageData, look_alike: bool) -> Evidence {
    let c = &data.coverage;
    if !(c.has_logins || c.has_tokens || c.has_api) {
        Evidence::None
    } else if c.has_logins && c.has_tokens && !c.truncated && !look_alike {
        Evidence::Full
    } else {
        Evidence::Partial
    }
}

fn installation(
    app: Option<&App>,
    u: Option<&AppUsage>,
    data: &UsageData,
) -> (Installation, Vec<String>) {
    let mut why = Vec::new();
    for m in &data.tables.app_menu_items {
        let by_name = app.is_some_and(|a| m.name.as_deref().is_some_and(|n| same_api_name(a, n)));
        let by_id = u.is_some_and(|u| u.ids.contains(&m.application_id));
        if by_name || by_id {
            why.push(format!("AppMenuItem {}", m.application_id));
        }
    }
    let tokens = u.map(|u| {
        u.tokens.values().fold((0, 0), |(w, wo), t| {
            (w + t.with_menu_item, wo + t.without_menu_item)
        })
    });
    if tokens.is_some_and(|(w, _)| w > 0) {
        why.push("OauthToken rows with AppMenuItemId".into());
    }
    let namespaces: BTreeSet<String> = data
        .tables
        .installed_packages
        .iter()
        .filter_map(|p| p.namespace.as_deref().map(norm))
        .collect();
    if let Some(ns) = app.and_then(|a| a.namespace.as_deref()) {
        if namespaces.contains(&norm(ns)) {
            why.push(format!("InstalledSubscriberPackage namespace {ns}"));
        }
    }
    if !why.is_empty() {
        return (Installation::Installed, why);
    }
    if !data.tables.app_menu_items.is_empty() {
        why.push("not in the AppMenuItem export".into());
    }
    if tokens.is_some_and(|(_, wo)| wo > 0) {
        why.push("OauthToken rows without AppMenuItemId".into());
    }
    match why.is_empty() {
        true => (Installation::Unknown, why),
        false => (Installation::NotInstalled, why),
    }
}

fn first_party(app: Option<&App>, u: Option<&AppUsage>, data: &UsageData) -> Option<FirstParty> {
    let mut labels: Vec<&str> = Vec::new();
    let mut namespaces: Vec<&str> = Vec::new();
    if let Some(a) = app {
        labels.extend(a.label.as_deref());
        namespaces.extend(a.namespace.as_deref());
    }
    let (ids, categories) = match u {
        Some(u) => {
            labels.extend(u.labels.iter().map(String::as_str));
            labels.extend(u.client_names.iter().map(String::as_str));
            namespaces.extend(menu_items_of(data, u).filter_map(|m| m.namespace.as_deref()));
            (
                u.ids.iter().map(String::as_str).collect(),
                u.client_categories.iter().map(String::as_str).collect(),
            )
        }
        None => (Vec::new(), Vec::new()),
    };
    catalog::classify(labels, namespaces, ids, categories)
}
