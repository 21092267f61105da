//! Merging per-file results into [`UsageData`], deterministically in file order: user and
//! label resolution, ELF login attribution by user, coverage and truncation warnings.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::acc::{network_text, AppAcc, AppKey, FileAcc, Interner, LoginAcc};
use super::data::{
    AppUsage, FileAccount, FlowCount, IdPrint, LoginStats, Seen, Tables, TokenUse, UsageData,
    UserNames,
};
use super::file_output::FileOutput;
use super::flow::Flow;
use super::ids::is_id;
use super::kind::UsageKind;
use super::nets;
use super::truncation;
use super::users::UserTimes;
use crate::time::Ts;

/// Resolves interned user keys (18-char ids or usernames) to one display form.
struct Users {
    by_id: HashMap<String, String>,
}

impl Users {
    /// Ids named by the User export, then by the other files' rows that carry an id and a
    /// username (OauthToken), in input order: the User export wins, then the first file.
    fn new(tables: &Tables, accs: &[(UsageKind, FileAcc, usize)]) -> Users {
        let mut by_id: HashMap<String, String> = tables
            .users
            .iter()
            .filter_map(|u| Some((u.id.clone(), u.username.as_ref()?.to_lowercase())))
            .collect();
        for (_, acc, _) in accs {
            for (id, name) in &acc.id_names {
                by_id
                    .entry(acc.strings.get(*id).to_string())
                    .or_insert_with(|| acc.strings.get(*name).to_lowercase());
            }
        }
        Users { by_id }
    }

    /// Username (lower case) when known, else the id.
    fn canon(&self, raw: &str) -> String {
        if is_id(raw) {
            self.by_id
                .get(raw)
                .cloned()
                .unwrap_or_else(|| raw.to_string())
        } else {
            raw.to_lowercase()
        }
    }
}

/// The login and API users of each app as sets of the run's users (taken from the
/// accumulators), on all cores: millions of pairs to sort on a high-cardinality export.
fn app_seens(
    apps: &mut rustc_hash::FxHashMap<AppKey, AppAcc>,
    cx: &FileCx<'_>,
) -> rustc_hash::FxHashMap<AppKey, (Seen, Seen)> {
    use rayon::prelude::*;
    apps.par_iter_mut()
        .map(|(key, app)| {
            let logins = cx.seen(&std::mem::take(&mut app.logins.users));
            (*key, (logins, cx.seen(&std::mem::take(&mut app.api.users))))
        })
        .collect()
}

/// What resolves one file's interned ids.
struct FileCx<'a> {
    strings: &'a Interner,
    users: &'a Users,
    /// The run's user names.
    names: &'a UserNames,
    /// Interned user id → id in `names` (`u32::MAX` for strings that are no user).
    gid: &'a [u32],
}

impl FileCx<'_> {
    /// A file's (user, time) pairs as a set of the run's users.
    fn seen(&self, users: &UserTimes) -> Seen {
        let pairs = users.iter().map(|(u, t)| (self.gid[u as usize], t));
        Seen::from_ids(self.names, pairs.collect())
    }
}

/// The run's user names, sorted, and for each file its interned user ids' place among them:
/// sets of users then hold ids, resolved once per distinct user, not once per (app, user).
fn user_names(accs: &[(UsageKind, FileAcc, usize)], users: &Users) -> (UserNames, Vec<Vec<u32>>) {
    // (name, file, interned id) of every file's users, sorted by name: ids follow in one pass.
    let mut all: Vec<(String, u32, u32)> = Vec::new();
    for (f, (_, acc, _)) in accs.iter().enumerate() {
        let mut marked = vec![false; acc.strings.len()];
        let mut mark = |t: &UserTimes| {
            for (u, _) in t.iter() {
                marked[u as usize] = true;
            }
        };
        for app in acc.apps.values() {
            mark(&app.logins.users);
            mark(&app.api.users);
        }
        for logins in acc.elf_users.values() {
            mark(&logins.users);
        }
        let list = marked.iter().enumerate().filter(|(_, m)| **m);
        all.extend(list.map(|(u, _)| {
            let name = users.canon(acc.strings.get(u as u32));
            (name, f as u32, u as u32)
        }));
    }
    all.sort_unstable();
    let mut gids: Vec<Vec<u32>> = accs
        .iter()
        .map(|(_, acc, _)| vec![u32::MAX; acc.strings.len()])
        .collect();
    let mut names: Vec<String> = Vec::new();
    for (name, f, u) in all {
        if names.last() != Some(&name) {
            names.push(name);
        }
        gids[f as usize][u as usize] = names.len() as u32 - 1;
    }
    (std::sync::Arc::new(names), gids)
}

/// Build the usage data from the outputs of every file, in input order.
pub(crate) fn merge(outputs: Vec<FileOutput>) -> UsageData {
    let mut data = UsageData::default();
    let mut accs: Vec<(UsageKind, FileAcc, usize)> = Vec::new();
    // (kind, Id print) → the first file read with it: a second copy of an export is counted
    // once. Files are taken in input order, so which copy counts does not depend on timing.
    let mut prints: HashMap<(UsageKind, IdPrint), String> = HashMap::new();
    for mut out in outputs {
        out.account.id_hashes = Vec::new();
        let print = out.account.ids;
        let kind = out.account.kind;
        if let (Some(kind), true, Some(_)) = (kind, print.count > 0, &out.acc) {
            match prints.get(&(kind, print)) {
                Some(first) => {
                    let msg = format!(
                        "the same {} record Ids as {first}: a copy of that export, counted once",
                        print.count
                    );
                    data.notes.push(crate::diag::Note::file(
                        crate::diag::Level::Warning,
                        "duplicate-export",
                        &out.account.file,
                        msg,
                    ));
                    out.account.duplicate_of = Some(first.clone());
                    out.acc = None;
                }
                None => {
                    prints.insert((kind, print), out.account.file.clone());
                }
            }
        }
        if let (Some(mut acc), Some(kind)) = (out.acc, out.account.kind) {
            append_tables(&mut data.tables, std::mem::take(&mut acc.tables));
            accs.push((kind, acc, data.accounts.len()));
        }
        truncation::check(&out.account, out.json_total, &mut data.notes);
        data.accounts.push(out.account);
        data.records.push(out.record);
        data.notes.extend(out.notes);
    }
    let users = Users::new(&data.tables, &accs);
    let labels = label_ids(&data.tables, &accs);
    let (names, gids) = user_names(&accs, &users);
    let mut elf: BTreeMap<String, (LoginStats, BTreeSet<UsageKind>)> = BTreeMap::new();
    for ((kind, acc, at), gid) in accs.iter_mut().zip(&gids) {
        let covered = covered_by(&data.accounts, *at);
        if let Some(note) = &covered {
            data.notes.push(note.clone());
        }
        let cx = FileCx {
            strings: &acc.strings,
            users: &users,
            names: &names,
            gid,
        };
        let mut seens = app_seens(&mut acc.apps, &cx);
        for (key, app) in acc.apps.iter_mut() {
            let k = resolve(key, cx.strings, &labels);
            let entry = data.apps.entry(k.0.clone()).or_default();
            entry.key = k.0;
            entry.ambiguous_label |= k.1;
            let users = seens.remove(key).unwrap_or_default();
            merge_app(entry, (*kind, key), app, &cx, covered.is_none(), users);
        }
        if covered.is_some() {
            continue;
        }
        for (user, logins) in acc.elf_users.iter_mut() {
            let e = elf.entry(users.canon(cx.strings.get(*user))).or_default();
            let users = cx.seen(&std::mem::take(&mut logins.users));
            merge_logins(&mut e.0, logins, &cx, users);
            e.1.insert(*kind);
        }
    }
    attribute_elf(&mut data, elf);
    truncation::coverage(&mut data);
    data
}

/// A secondary login source (Event Monitoring, LoginEvent, the Setup download) whose file lies
/// wholly within the period of one LoginHistory export holds the same logins again: LoginHistory
/// has every login, so they are counted there only, and a note says so. Its ids and labels
/// still help to attribute usage.
fn covered_by(accounts: &[FileAccount], at: usize) -> Option<crate::diag::Note> {
    let me = &accounts[at];
    let secondary = matches!(
        me.kind?,
        UsageKind::ElfLogin
            | UsageKind::LoginEvent
            | UsageKind::LoginEventLog
            | UsageKind::LoginHistorySetup
    );
    let (from, to) = (me.from?, me.to?);
    if !secondary || me.duplicate_of.is_some() {
        return None;
    }
    let primary = accounts.iter().find(|a| {
        a.kind == Some(UsageKind::LoginHistory)
            && a.duplicate_of.is_none()
            && a.from.is_some_and(|f| f <= from)
            && a.to.is_some_and(|t| t >= to)
    })?;
    let msg = format!(
        "its {} login row(s) fall within the period of the LoginHistory export {} ({} to {}), which holds every login: counted there, not again",
        me.rows_used,
        primary.file,
        primary.from.map(|t| t.iso()).unwrap_or_default(),
        primary.to.map(|t| t.iso()).unwrap_or_default()
    );
    Some(crate::diag::Note::file(
        crate::diag::Level::Info,
        "logins-counted-once",
        &me.file,
        msg,
    ))
}

fn append_tables(into: &mut Tables, from: Tables) {
    into.connected_applications
        .extend(from.connected_applications);
    into.app_menu_items.extend(from.app_menu_items);
    into.installed_packages.extend(from.installed_packages);
    into.setup_entity_access.extend(from.setup_entity_access);
    into.permission_set_assignments
        .extend(from.permission_set_assignments);
    into.users.extend(from.users);
}

/// Lower-case trimmed label → the app ids known to carry it.
fn label_ids(
    tables: &Tables,
    accs: &[(UsageKind, FileAcc, usize)],
) -> BTreeMap<String, BTreeSet<String>> {
    let mut map: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut add = |label: &str, id: &str| {
        map.entry(label.trim().to_lowercase())
            .or_default()
            .insert(id.to_string());
    };
    for ca in &tables.connected_applications {
        if let Some(n) = &ca.name {
            add(n, &ca.id);
        }
    }
    for m in &tables.app_menu_items {
        let app_id = m.application_id.starts_with("0H4") || m.application_id.starts_with("0xI");
        if let (Some(l), true) = (&m.label, app_id) {
            add(l, &m.application_id);
        }
    }
    for (_, acc, _) in accs {
        for (key, app) in &acc.apps {
            if let AppKey::Id(id) = key {
                let id = String::from_utf8_lossy(id);
                for l in &app.labels {
                    add(acc.strings.get(*l), &id);
                }
            }
        }
    }
    map
}

/// The global key of a per-file app key, and whether its label is ambiguous.
fn resolve(
    key: &AppKey,
    strings: &Interner,
    labels: &BTreeMap<String, BTreeSet<String>>,
) -> (String, bool) {
    match key {
        AppKey::Id(id) => (String::from_utf8_lossy(id).into_owned(), false),
        AppKey::Label(l) => {
            let lower = strings.get(*l).trim().to_lowercase();
            match labels.get(&lower) {
                Some(ids) if ids.len() == 1 => {
                    (ids.iter().next().cloned().unwrap_or_default(), false)
                }
                Some(ids) => (format!("label:{lower}"), ids.len() > 1),
                None => (format!("label:{lower}"), false),
            }
        }
    }
}

/// Add a file's counters of one app; `users` are its login and API users as sets.
fn merge_app(
    into: &mut AppUsage,
    (kind, key): (UsageKind, &AppKey),
    app: &mut AppAcc,
    cx: &FileCx<'_>,
    count_logins: bool,
    (login_users, api_users): (Seen, Seen),
) {
    let (strings, users) = (cx.strings, cx.users);
    if let AppKey::Id(id) = key {
        into.ids.insert(String::from_utf8_lossy(id).into_owned());
    }
    into.sources.insert(kind);
    let text = |set: &rustc_hash::FxHashSet<u32>| -> Vec<String> {
        set.iter().map(|i| strings.get(*i).to_string()).collect()
    };
    into.labels.extend(text(&app.labels));
    into.menu_item_ids.extend(text(&app.menu_items));
    into.client_names.extend(text(&app.client_names));
    into.client_categories.extend(text(&app.categories));
    if count_logins {
        merge_logins(&mut into.logins, &mut app.logins, cx, login_users);
    }
    let api = &mut into.api;
    api.calls += app.api.calls;
    for (f, n) in &app.api.families {
        *api.by_family
            .entry(strings.get(*f).to_string())
            .or_default() += n;
    }
    api.users.merge_owned(api_users);
    window(
        &mut api.first_seen,
        &mut api.last_seen,
        app.api.first,
        app.api.last,
    );
    for (user, t) in &app.tokens {
        let e: &mut TokenUse = into
            .tokens
            .entry(users.canon(strings.get(*user)))
            .or_default();
        e.tokens += t.tokens;
        e.use_count += t.use_count;
        e.with_menu_item += t.with_menu;
        e.without_menu_item += t.without_menu;
        window(&mut e.first_granted, &mut None, t.first, None);
        window(&mut None, &mut e.last_used, None, t.last);
    }
}

fn window(first: &mut Option<Ts>, last: &mut Option<Ts>, f: Option<i64>, l: Option<i64>) {
    if let Some(f) = f {
        *first = Some(first.map_or(Ts(f), |x| x.min(Ts(f))));
    }
    if let Some(l) = l {
        *last = Some(last.map_or(Ts(l), |x| x.max(Ts(l))));
    }
}

/// Add a file's login counters and its `users` (taken from the accumulator: they are the bulk
/// of its memory).
fn merge_logins(into: &mut LoginStats, acc: &mut LoginAcc, cx: &FileCx<'_>, users: Seen) {
    let strings = cx.strings;
    let mut from = LoginStats::default();
    for flow in Flow::ALL {
        let [logins, successes, failures] = acc.flows[flow.index()];
        if logins > 0 {
            from.by_flow.insert(
                flow,
                FlowCount {
                    logins,
                    successes,
                    failures,
                },
            );
        }
    }
    window(
        &mut from.first_seen,
        &mut from.last_seen,
        acc.first,
        acc.last,
    );
    for (net, n) in &acc.networks.exact {
        *from
            .networks
            .entry(network_text(*net, strings))
            .or_default() += n;
    }
    from.network_sketch.clone_from(&acc.networks.sketch);
    for (s, n) in &acc.unknown_sub {
        *from
            .unknown_sub_types
            .entry(strings.get(*s).to_string())
            .or_default() += n;
    }
    add_logins(into, &from);
    into.users.merge_owned(users);
}

/// Add one login aggregate to another.
pub fn add_logins(into: &mut LoginStats, from: &LoginStats) {
    for (flow, c) in &from.by_flow {
        let e = into.by_flow.entry(*flow).or_default();
        e.logins += c.logins;
        e.successes += c.successes;
        e.failures += c.failures;
        into.logins += c.logins;
        into.successes += c.successes;
        into.failures += c.failures;
    }
    into.users.merge(&from.users);
    if let Some(theirs) = &from.network_sketch {
        nets::spill_texts(&mut into.networks, &mut into.network_sketch);
        if let Some(s) = &mut into.network_sketch {
            s.merge(theirs);
        }
    }
    for (k, n) in &from.networks {
        nets::add_text(&mut into.networks, &mut into.network_sketch, k, *n);
    }
    into.networks_estimated = into.network_sketch.as_ref().map(nets::Sketch::estimate);
    for (k, n) in &from.unknown_sub_types {
        *into.unknown_sub_types.entry(k.clone()).or_default() += n;
    }
    let (f, l) = (from.first_seen.map(|t| t.0), from.last_seen.map(|t| t.0));
    window(&mut into.first_seen, &mut into.last_seen, f, l);
}

/// ELF Login has no app column: a user's OAuth logins go to the one app that user calls the
/// API through; users with no or several such apps stay unattributed (said so, not guessed).
fn attribute_elf(data: &mut UsageData, elf: BTreeMap<String, (LoginStats, BTreeSet<UsageKind>)>) {
    let mut apps_of: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (key, app) in &data.apps {
        for u in &app.api.users {
            apps_of.entry(u.as_str()).or_default().push(key.clone());
        }
    }
    let mut targets: Vec<(String, LoginStats, BTreeSet<UsageKind>)> = Vec::new();
    for (user, (stats, kinds)) in elf {
        match apps_of.get(user.as_str()).map(Vec::as_slice) {
            Some([only]) => targets.push((only.clone(), stats, kinds)),
            _ => add_logins(&mut data.unattributed_logins, &stats),
        }
    }
    for (key, stats, kinds) in targets {
        if let Some(app) = data.apps.get_mut(&key) {
            add_logins(&mut app.logins, &stats);
            app.logins_attributed_by_user += stats.logins;
            app.sources.extend(kinds);
        }
    }
}
