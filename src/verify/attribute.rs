//! Which usage belongs to which planned app, and to which path: the connected app (old), its
//! ECA (new), or a label both carry (a button migration keeps label and consumer key). Ids are
//! trusted first (`0H4…` connected app, `0xI…` ECA, through AppMenuItem), then labels; a label
//! two planned apps share is attributed to neither and said so.

use std::collections::{BTreeMap, BTreeSet};

use super::plan_file::PlanFile;
use crate::model::usage::{AppUsage, UsageData};
use crate::model::Inventory;

/// The path a usage entry was seen on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Path {
    /// The connected app.
    Old,
    /// The ECA.
    New,
    /// A label both carry: told apart by date and by whether the ECA exists.
    Shared,
}

/// How an entry was tied to its app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum How {
    /// A Salesforce id (the export's, or its AppMenuItem's application id), or the consumer
    /// key.
    Id,
    /// The label.
    Label,
}

impl How {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            How::Id => "id or consumer key",
            How::Label => "label",
        }
    }
}

/// The usage entries of one planned app, by path.
#[derive(Debug, Default)]
pub(crate) struct Tracks<'a> {
    pub(crate) old: Vec<(&'a AppUsage, How)>,
    pub(crate) new: Vec<(&'a AppUsage, How)>,
    pub(crate) shared: Vec<(&'a AppUsage, How)>,
    /// Usage under a label this app shares with other planned apps (their API names):
    /// counted for none of them.
    pub(crate) unplaced: Vec<(&'a AppUsage, Vec<String>)>,
}

/// Every planned app's usage (same order as the plan's apps) and what could not be placed.
#[derive(Debug, Default)]
pub(crate) struct Attribution<'a> {
    pub(crate) tracks: Vec<Tracks<'a>>,
    /// Usage whose label several planned apps carry.
    pub(crate) ambiguous: Vec<String>,
}

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Label → (app, path) of every planned app.
fn label_index(plan: &PlanFile) -> BTreeMap<String, BTreeSet<(usize, Path)>> {
    let mut map: BTreeMap<String, BTreeSet<(usize, Path)>> = BTreeMap::new();
    for (i, a) in plan.apps.iter().enumerate() {
        let old = norm(a.label.as_deref().unwrap_or(&a.api_name));
        // An app already migrated has its ECA under its own identity (label included).
        let new = a.eca_label.as_deref().map(norm).or_else(|| {
            (a.strategy == crate::plan::Strategy::AlreadyMigrated).then(|| old.clone())
        });
        match new {
            Some(n) if n == old => {
                map.entry(old).or_default().insert((i, Path::Shared));
            }
            Some(n) => {
                map.entry(old).or_default().insert((i, Path::Old));
                map.entry(n).or_default().insert((i, Path::New));
            }
            None => {
                map.entry(old).or_default().insert((i, Path::Old));
            }
        }
    }
    map
}

/// The one app a set of candidates names, if only one.
fn one_app(c: &BTreeSet<(usize, Path)>) -> Option<(usize, Path)> {
    let first = *c.iter().next()?;
    c.iter().all(|(i, _)| *i == first.0).then_some(first)
}

/// Application id (18-char) → (app, path), from the installation tables: a ConnectedApplication
/// row is the connected app of the planned app with its label; an AppMenuItem row is the
/// connected app (`0H4`) or the ECA (`0xI`) of the planned app of that developer name or label.
fn id_index(
    plan: &PlanFile,
    usage: &UsageData,
    labels: &BTreeMap<String, BTreeSet<(usize, Path)>>,
) -> BTreeMap<String, (usize, Path)> {
    let mut ids = BTreeMap::new();
    let by_label = |l: &str| labels.get(&norm(l)).and_then(one_app).map(|(i, _)| i);
    for row in &usage.tables.connected_applications {
        if let Some(i) = row.name.as_deref().and_then(by_label) {
            ids.insert(row.id.clone(), (i, Path::Old));
        }
    }
    for row in &usage.tables.app_menu_items {
        let eca = row.application_id.starts_with("0xI");
        let named = row.name.as_deref().and_then(|n| {
            plan.apps.iter().position(|a| {
                let own = if eca {
                    a.eca_name.as_deref()
                } else {
                    Some(a.api_name.as_str())
                };
                own.is_some_and(|o| o.eq_ignore_ascii_case(n.trim()))
            })
        });
        let app = named.or_else(|| row.label.as_deref().and_then(by_label));
        if let Some(i) = app {
            let path = if eca { Path::New } else { Path::Old };
            ids.insert(row.application_id.clone(), (i, path));
        }
    }
    ids
}

/// Consumer key → (app, path), from the metadata among the inputs: the connected app's OAuth
/// config and the ECA's global OAuth settings (retrieved only where the admin allowed it). A
/// key both carry (the button keeps it) is the shared path.
fn key_index(plan: &PlanFile, inventory: &Inventory) -> BTreeMap<String, (usize, Path)> {
    let mut keys = BTreeMap::new();
    let find = |name: &str| {
        inventory
            .apps
            .iter()
            .find(|a| a.api_name.eq_ignore_ascii_case(name))
    };
    for (i, a) in plan.apps.iter().enumerate() {
        let old = find(&a.api_name)
            .and_then(|x| x.connected_app.as_deref())
            .and_then(|c| c.value.oauth_config.as_ref()?.consumer_key.clone());
        let new = a.eca_name.as_deref().and_then(find).and_then(|x| {
            x.eca
                .as_deref()?
                .global_oauth
                .as_ref()?
                .value
                .consumer_key
                .clone()
        });
        if let Some(k) = old.filter(|k| !k.is_empty()) {
            let shared = new.as_deref() == Some(k.as_str());
            keys.insert(k, (i, if shared { Path::Shared } else { Path::Old }));
        }
        if let Some(k) = new.filter(|k| !k.is_empty()) {
            keys.entry(k).or_insert((i, Path::New));
        }
    }
    keys
}

/// Place every usage entry on a planned app's path.
pub(crate) fn attribute<'a>(
    plan: &PlanFile,
    inventory: &Inventory,
    usage: &'a UsageData,
) -> Attribution<'a> {
    let labels = label_index(plan);
    let ids = id_index(plan, usage, &labels);
    let keys = key_index(plan, inventory);
    let menu: BTreeMap<&str, &str> = usage
        .tables
        .app_menu_items
        .iter()
        .filter_map(|m| Some((m.id.as_deref()?, m.application_id.as_str())))
        .collect();
    let mut out = Attribution {
        tracks: plan.apps.iter().map(|_| Tracks::default()).collect(),
        ambiguous: Vec::new(),
    };
    for u in usage.apps.values() {
        let by_id = u
            .ids
            .iter()
            .map(String::as_str)
            .chain(
                u.menu_item_ids
                    .iter()
                    .filter_map(|m| menu.get(m.as_str()).copied()),
            )
            .find_map(|id| ids.get(id).copied());
        let by_key = || {
            u.client_names
                .iter()
                .chain(&u.ids)
                .find_map(|k| keys.get(k.as_str()).copied())
        };
        let placed = match by_id.or_else(by_key) {
            Some((i, path)) => Some((i, path, How::Id)),
            None => match by_label(u, &labels) {
                Ok(placed) => placed,
                Err((label, apps)) => {
                    out.ambiguous.push(label);
                    for &i in &apps {
                        let others = apps
                            .iter()
                            .filter(|j| **j != i)
                            .map(|j| plan.apps[*j].api_name.clone())
                            .collect();
                        out.tracks[i].unplaced.push((u, others));
                    }
                    None
                }
            },
        };
        if let Some((i, path, how)) = placed {
            let t = &mut out.tracks[i];
            match path {
                Path::Old => t.old.push((u, how)),
                Path::New => t.new.push((u, how)),
                Path::Shared => t.shared.push((u, how)),
            }
        }
    }
    out
}

/// A usage entry's app (index in the plan), path, and how it was tied.
type Placed = (usize, Path, How);

/// The app and path of the first label of `u` a planned app carries; `Err` with the label and
/// the apps when several carry it.
fn by_label(
    u: &AppUsage,
    labels: &BTreeMap<String, BTreeSet<(usize, Path)>>,
) -> Result<Option<Placed>, (String, Vec<usize>)> {
    for l in &u.labels {
        let Some(c) = labels.get(&norm(l)) else {
            continue;
        };
        return match one_app(c) {
            Some((i, path)) => Ok(Some((i, path, How::Label))),
            None => {
                let apps: BTreeSet<usize> = c.iter().map(|(i, _)| *i).collect();
                Err((l.clone(), apps.into_iter().collect()))
            }
        };
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::usage::AppMenuItemRow;

    fn plan() -> PlanFile {
        PlanFile::parse(r#"{"schema_version":1,"as_of":"2026-11-20","apps":[
          {"api_name":"A","label":"App A","strategy":"automated","eca_name":"A","eca_label":"App A","wave":1},
          {"api_name":"B","label":"App B","strategy":"side-by-side","eca_name":"B_ECA","eca_label":"App B (ECA)","wave":1},
          {"api_name":"C1","label":"Twin","strategy":"retire","eca_name":null,"wave":1},
          {"api_name":"C2","label":"Twin","strategy":"retire","eca_name":null,"wave":1}],
          "waves":[{"number":1,"start":"2026-12-21","end":"2027-01-03"}]}"#)
        .expect("plan")
    }

    fn entry(label: &str) -> AppUsage {
        AppUsage {
            key: format!("label:{}", label.to_lowercase()),
            labels: [label.to_string()].into(),
            ..AppUsage::default()
        }
    }

    #[test]
    fn labels_place_entries_on_their_path() {
        let mut usage = UsageData::default();
        for l in ["App A", "App B", "app b (eca)", "Twin", "Stranger"] {
            let e = entry(l);
            usage.apps.insert(e.key.clone(), e);
        }
        let a = attribute(&plan(), &Inventory::default(), &usage);
        assert_eq!((a.tracks[0].shared.len(), a.tracks[0].old.len()), (1, 0));
        assert_eq!((a.tracks[1].old.len(), a.tracks[1].new.len()), (1, 1));
        assert_eq!(a.ambiguous, ["Twin"]);
        assert!(a.tracks[2].old.is_empty() && a.tracks[3].old.is_empty());
        assert_eq!(a.tracks[2].unplaced[0].1, ["C2"]);
    }

    #[test]
    fn an_eca_id_beats_a_shared_label() {
        let mut usage = UsageData::default();
        usage.tables.app_menu_items.push(AppMenuItemRow {
            id: Some("0DS000000000001AAA".into()),
            application_id: "0xI000000000001AAA".into(),
            name: Some("A".into()),
            ..AppMenuItemRow::default()
        });
        let mut e = entry("App A");
        e.menu_item_ids.insert("0DS000000000001AAA".into());
        usage.apps.insert(e.key.clone(), e);
        let a = attribute(&plan(), &Inventory::default(), &usage);
        assert_eq!(a.tracks[0].new.len(), 1);
        assert_eq!(a.tracks[0].new[0].1, How::Id);
    }

    #[test]
    fn a_consumer_key_places_an_entry_whatever_its_label() {
        use crate::metadata::{read_document, Kind};
        let xml = "<ConnectedApp xmlns=\"http://soap.sforce.com/2006/04/metadata\"><label>App B</label><oauthConfig><callbackUrl>https://x.example/cb</callbackUrl><consumerKey>3MVG9KEY</consumerKey></oauthConfig></ConnectedApp>";
        let doc =
            read_document("B.connectedApp-meta.xml", "B", Kind::ConnectedApp, xml).expect("parses");
        let inventory = crate::model::assemble(vec![doc]).0;
        let mut usage = UsageData::default();
        let mut e = entry("Renamed Client");
        e.client_names.insert("3MVG9KEY".into());
        usage.apps.insert(e.key.clone(), e);
        let a = attribute(&plan(), &inventory, &usage);
        assert_eq!(a.tracks[1].old.len(), 1);
        assert_eq!(a.tracks[1].old[0].1, How::Id);
    }
}
