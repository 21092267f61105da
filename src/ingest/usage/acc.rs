//! Per-file streaming accumulators. Strings are interned once (looked up by `&str`, allocated
//! only the first time), so memory grows with distinct apps and users, never with rows; per app,
//! networks cost at most a capped map or a 4 KiB sketch (`nets`), users 9–18 bytes per distinct
//! (app, user) pair (`users`). Each worker keeps its own, merged at the end of the file; once a
//! file's users outgrow the caches, each user's logins are kept by one worker (`exchange`).

// FxHash: the keys are short strings and small integers from our own inputs; SipHash's
// flooding resistance is not needed and costs a measurable share of the hot loop.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::data::Tables;
use super::flow::Flow;

use super::nets::{self, Net, NetCounter};
use super::users::{IdTable, UserTimes};

/// String interner: `&str` → small id.
#[derive(Debug, Default)]
pub struct Interner {
    map: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    /// The id of `s`, allocating only when it is new.
    pub fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.map.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.into());
        self.map.insert(s.into(), i);
        i
    }

    /// The string of an id.
    pub fn get(&self, i: u32) -> &str {
        &self.names[i as usize]
    }

    /// How many strings (ids are `0..len`).
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// No string yet.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// How a row names its app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppKey {
    /// An 18-char id.
    Id([u8; 18]),
    /// An interned label (trimmed, case kept).
    Label(u32),
}

/// Login counters.
#[derive(Debug, Default)]
pub struct LoginAcc {
    /// [logins, successes, failures] per flow.
    pub flows: [[u64; 3]; Flow::ALL.len()],
    /// Interned user keys, each with its last login (ms).
    pub users: UserTimes,
    /// First login (ms).
    pub first: Option<i64>,
    /// Last login (ms).
    pub last: Option<i64>,
    /// Logins per network, exact up to a cap (see `nets`).
    pub networks: NetCounter,
    /// Unknown subtypes (interned) per count.
    pub unknown_sub: HashMap<u32, u64>,
}

impl LoginAcc {
    /// Count one login.
    pub fn add(&mut self, flow: Flow, success: Option<bool>, user: Option<u32>, ts: i64) {
        let f = &mut self.flows[flow.index()];
        f[0] += 1;
        match success {
            Some(true) => f[1] += 1,
            Some(false) => f[2] += 1,
            None => {}
        }
        if let Some(u) = user {
            self.users.see(u, ts);
        }
        widen(&mut self.first, &mut self.last, ts);
    }
}

/// API-call counters.
#[derive(Debug, Default)]
pub struct ApiAcc {
    /// Calls.
    pub calls: u64,
    /// Calls per interned family.
    pub families: HashMap<u32, u64>,
    /// Interned users, each with its last call (ms).
    pub users: UserTimes,
    /// First call (ms).
    pub first: Option<i64>,
    /// Last call (ms).
    pub last: Option<i64>,
}

/// Token counters of one (app, user).
#[derive(Debug, Default, Clone, Copy)]
pub struct TokenAcc {
    /// Rows.
    pub tokens: u64,
    /// Sum of `UseCount`.
    pub use_count: u64,
    /// Earliest `CreatedDate` (ms).
    pub first: Option<i64>,
    /// Latest `LastUsedDate` (ms).
    pub last: Option<i64>,
    /// Rows with a menu item.
    pub with_menu: u64,
    /// Rows without one.
    pub without_menu: u64,
}

/// Everything one file says about one app.
#[derive(Debug, Default)]
pub struct AppAcc {
    /// Interned labels.
    pub labels: HashSet<u32>,
    /// Interned `AppMenuItemId`s.
    pub menu_items: HashSet<u32>,
    /// Interned client names.
    pub client_names: HashSet<u32>,
    /// Interned client categories.
    pub categories: HashSet<u32>,
    /// Logins.
    pub logins: LoginAcc,
    /// API calls.
    pub api: ApiAcc,
    /// Tokens per interned user.
    pub tokens: HashMap<u32, TokenAcc>,
}

/// Everything one file produced before merging.
#[derive(Debug, Default)]
pub struct FileAcc {
    /// All interned strings of this file.
    pub strings: Interner,
    /// Per app (complete only after [`FileAcc::seal`]).
    pub apps: HashMap<AppKey, AppAcc>,
    /// Apps keyed by label while reading, in order of first sight: the hot path reaches its
    /// app through `label_slot` without hashing again. Moved into `apps` by [`FileAcc::seal`].
    by_label: Vec<(u32, AppAcc)>,
    /// Interned label id → its place in `by_label` (`u32::MAX`: none): 4 bytes per interned
    /// string, where a slot per string in `by_label` cost an `AppAcc` each.
    label_slot: Vec<u32>,
    /// Login updates that touch large tables, applied a batch at a time (see [`Deferred`]).
    deferred: Vec<Deferred>,
    /// Raw 18-char user ids seen → interned user.
    user_ids: IdTable,
    /// ELF logins per interned user (no app column: attributed after merging).
    pub elf_users: HashMap<u32, LoginAcc>,
    /// Interned user id → interned username, from rows that carry both (OauthToken): how a
    /// user known by id elsewhere is named without a User export.
    pub id_names: HashMap<u32, u32>,
    /// Table rows.
    pub tables: Tables,
    /// The other workers of the file, which keep some of its users (see `exchange`).
    pub(super) link: Option<super::exchange::Link>,
}

/// Login updates applied a batch at a time: on a high-cardinality export the per-app user
/// tables and network sketches are far larger than the caches, and one row's update waits on
/// memory. A batch first loads the slot or register each update will touch (independent
/// loads, which the processor overlaps), then applies them from cache. Order does not matter:
/// a user's latest time and a sketch's registers are maxima.
#[derive(Debug, Clone, Copy)]
struct Deferred {
    /// The app's place in `by_label`.
    slot: u32,
    /// The user and the login time (ms).
    user: Option<(UserRef, i64)>,
    /// The network's hash, for the app's sketch.
    net: Option<u64>,
}

/// A login's user: interned, or its raw 18-char id, valid (see [`raw_user_id`]) and resolved
/// in the batch.
#[derive(Debug, Clone, Copy)]
pub enum UserRef {
    /// Interned.
    Id(u32),
    /// A raw id that normalises (18 letters and digits, a valid case suffix).
    Raw([u8; 18]),
}

/// `raw` as a user id whose resolution can wait: 18 letters and digits whose last three
/// normalise (exactly when `ids::normalize_into` accepts them, so deferring it decides
/// nothing differently); else `None`, and the row resolves its user at once.
#[inline]
pub fn raw_user_id(raw: &[u8]) -> Option<[u8; 18]> {
    let key = <[u8; 18]>::try_from(raw).ok()?;
    let suffix_ok = key[15..]
        .iter()
        .all(|c| matches!(c.to_ascii_uppercase(), b'A'..=b'Z' | b'0'..=b'5'));
    (suffix_ok && key.iter().all(u8::is_ascii_alphanumeric)).then_some(key)
}

/// An app's user table up to this many slots (8 KiB), and the raw-id table up to this many
/// (384 KiB), stay in the caches: their updates are not deferred.
const SMALL_USER_SLOTS: usize = 1024;
const SMALL_ID_SLOTS: usize = 16 * 1024;

/// Updates per batch.
const BATCH: usize = 64;

impl FileAcc {
    /// Name interned user id `id` with interned username `name`: of two names for one id, the
    /// smaller is kept, so the result does not depend on which worker read which row.
    pub fn name_id(&mut self, id: u32, name: u32) {
        let strings = &self.strings;
        self.id_names
            .entry(id)
            .and_modify(|n| {
                if strings.get(name) < strings.get(*n) {
                    *n = name;
                }
            })
            .or_insert(name);
    }

    /// The accumulator of an app, created on first sight.
    pub fn app(&mut self, key: AppKey) -> &mut AppAcc {
        match key {
            AppKey::Label(l) => {
                let slot = self.label_slot(l);
                &mut self.by_label[slot as usize].1
            }
            id => self.apps.entry(id).or_default(),
        }
    }

    /// The place of an app keyed by label in `by_label`, created on first sight.
    fn label_slot(&mut self, l: u32) -> u32 {
        let i = l as usize;
        if self.label_slot.len() <= i {
            self.label_slot.resize(i + 1, u32::MAX);
        }
        if self.label_slot[i] == u32::MAX {
            let slot = self.by_label.len() as u32;
            self.label_slot[i] = slot;
            self.by_label.push((l, AppAcc::default()));
            if let Some(link) = &mut self.link {
                link.register(slot, self.strings.get(l));
            }
        }
        self.label_slot[i]
    }

    /// Count one login of the app labelled `label` from `net`: its counters now, its user and
    /// sketched network in the next batch (exact networks, a small map, now).
    pub fn app_login(
        &mut self,
        label: u32,
        login: (Flow, Option<bool>, i64),
        user: Option<UserRef>,
        net: Option<Net>,
    ) -> &mut LoginAcc {
        let (flow, success, ts) = login;
        let slot = self.label_slot(label);
        // Tables that fit the caches are updated at once: deferring costs more than it saves.
        let small = self.by_label[slot as usize].1.logins.users.slots() <= SMALL_USER_SLOTS;
        let logins = &mut self.by_label[slot as usize].1.logins;
        logins.add(flow, success, None, ts);
        let mut trade = false;
        let user = match (user, &mut self.link) {
            (Some(UserRef::Id(u)), _) if small => {
                logins.users.see(u, ts);
                None
            }
            (Some(UserRef::Raw(key)), Some(link)) if !link.mine(&key) => {
                trade = link.send(slot, key, ts);
                None
            }
            (other, _) => other,
        };
        let net = match net {
            Some(n) if logins.networks.sketch.is_some() => Some(n.hash()),
            Some(n) => {
                logins.networks.add(n, 1);
                None
            }
            None => None,
        };
        if user.is_some() || net.is_some() {
            self.deferred.push(Deferred {
                slot,
                user: user.map(|u| (u, ts)),
                net,
            });
            if self.deferred.len() >= BATCH {
                self.apply_deferred();
            }
        }
        if trade {
            self.trade();
        }
        &mut self.by_label[slot as usize].1.logins
    }

    /// Whether the table of raw ids is small enough to look up at once (see [`Deferred`]).
    pub fn ids_fit_caches(&self) -> bool {
        self.user_ids.slots() <= SMALL_ID_SLOTS
    }

    /// The interned user of a raw id seen before (which was valid then).
    #[inline]
    pub fn known_user(&self, key: &[u8; 18]) -> Option<u32> {
        self.user_ids.get(key)
    }

    /// The interned user of a valid raw id ([`raw_user_id`]).
    pub fn raw_user(&mut self, key: &[u8; 18]) -> u32 {
        if let Some(u) = self.user_ids.get(key) {
            return u;
        }
        let mut buf = [0u8; 18];
        let text = std::str::from_utf8(key).unwrap_or_default();
        let u = self
            .strings
            .id(super::ids::normalize_into(text, &mut buf).unwrap_or(text));
        self.user_ids.insert(*key, u);
        u
    }

    /// Apply the batch of deferred updates: load what each will touch (raw ids' slots and
    /// sketch registers, then the user tables' slots), then update.
    fn apply_deferred(&mut self) {
        let mut touched = 0u64;
        for d in &self.deferred {
            let logins = &self.by_label[d.slot as usize].1.logins;
            touched ^= match d.user {
                Some((UserRef::Raw(k), _)) => u64::from(self.user_ids.peek(&k)),
                Some((UserRef::Id(u), _)) => logins.users.peek(Some(u)).unwrap_or(0),
                None => 0,
            };
            if let (Some(h), Some(s)) = (d.net, &logins.networks.sketch) {
                touched ^= s.peek(h);
            }
        }
        let mut batch = std::mem::take(&mut self.deferred);
        for d in &mut batch {
            if let Some((UserRef::Raw(k), ts)) = d.user {
                d.user = Some((UserRef::Id(self.raw_user(&k)), ts));
            }
        }
        // A loop of its own: the loads are independent, so they overlap.
        for d in &batch {
            if let Some((UserRef::Id(u), _)) = d.user {
                let users = &self.by_label[d.slot as usize].1.logins.users;
                touched ^= users.peek(Some(u)).unwrap_or(0);
            }
        }
        std::hint::black_box(touched);
        for d in batch.drain(..) {
            let logins = &mut self.by_label[d.slot as usize].1.logins;
            if let Some((UserRef::Id(u), ts)) = d.user {
                logins.users.see(u, ts);
            }
            if let (Some(h), Some(s)) = (d.net, &mut logins.networks.sketch) {
                s.add(h);
            }
        }
        self.deferred = batch;
    }

    /// Send the users kept for the other workers; apply the ones they sent here.
    pub(super) fn trade(&mut self) {
        let Some(link) = &mut self.link else { return };
        for batch in link.trade() {
            for f in batch {
                let slot = self.shared_slot(f.app);
                self.deferred.push(Deferred {
                    slot,
                    user: Some((UserRef::Raw(f.key), f.ts)),
                    net: None,
                });
                if self.deferred.len() >= BATCH {
                    self.apply_deferred();
                }
            }
        }
    }

    /// This worker's slot of the app with shared number `app` (see `exchange`).
    fn shared_slot(&mut self, app: u32) -> u32 {
        let link = self.link.as_ref().expect("only a linked worker receives");
        if let Some(slot) = link.slot_of(app) {
            return slot;
        }
        let label = link.label(app);
        let l = self.strings.id(&label);
        self.label_slot(l)
    }

    /// Move the label-keyed apps into `apps`; call before reading `apps`.
    pub fn seal(&mut self) {
        self.apply_deferred();
        self.label_slot = Vec::new();
        for (l, app) in std::mem::take(&mut self.by_label) {
            self.apps.insert(AppKey::Label(l), app);
        }
    }
}

impl FileAcc {
    /// Merge another accumulator of the same file (a worker's share), re-interning its
    /// strings. Only usage counters are merged: tables are never split between workers.
    pub fn absorb(&mut self, mut other: FileAcc) {
        self.seal();
        other.seal();
        // The first share: taken whole (its ids stay valid), not copied next to itself.
        if self.apps.is_empty() && self.elf_users.is_empty() && self.strings.is_empty() {
            let tables = std::mem::take(&mut self.tables);
            *self = other;
            self.tables = tables;
            return;
        }
        let FileAcc {
            strings,
            apps,
            elf_users,
            id_names,
            tables: _,
            by_label: _,
            label_slot: _,
            deferred: _,
            user_ids: _,
            link: _,
        } = other;
        // Each of the share's strings re-interned once, not once per use (a user is in the
        // tables of every app it logged in to: millions of uses on a large export).
        let remap: Vec<u32> = (0..strings.len() as u32)
            .map(|i| self.strings.id(strings.get(i)))
            .collect();
        let map = |i: u32, _: &mut Interner| remap[i as usize];
        for (id, name) in id_names {
            self.name_id(remap[id as usize], remap[name as usize]);
        }
        for (key, app) in apps {
            let key = match key {
                AppKey::Label(l) => AppKey::Label(map(l, &mut self.strings)),
                id => id,
            };
            let mine = self.apps.entry(key).or_default();
            for (set, from) in [
                (&mut mine.labels, app.labels),
                (&mut mine.menu_items, app.menu_items),
                (&mut mine.client_names, app.client_names),
                (&mut mine.categories, app.categories),
            ] {
                set.extend(from.into_iter().map(|i| map(i, &mut self.strings)));
            }
            absorb_logins(&mut mine.logins, app.logins, &mut |i| {
                map(i, &mut self.strings)
            });
            mine.api.calls += app.api.calls;
            for (f, n) in app.api.families {
                *mine
                    .api
                    .families
                    .entry(map(f, &mut self.strings))
                    .or_default() += n;
            }
            mine.api
                .users
                .absorb(&app.api.users, &mut |u| map(u, &mut self.strings));
            for t in [app.api.first, app.api.last].into_iter().flatten() {
                widen(&mut mine.api.first, &mut mine.api.last, t);
            }
            for (user, t) in app.tokens {
                let m = mine.tokens.entry(map(user, &mut self.strings)).or_default();
                m.tokens += t.tokens;
                m.use_count += t.use_count;
                m.with_menu += t.with_menu;
                m.without_menu += t.without_menu;
                m.first = m.first.into_iter().chain(t.first).min();
                m.last = m.last.into_iter().chain(t.last).max();
            }
        }
        for (user, logins) in elf_users {
            let u = map(user, &mut self.strings);
            let mine = self.elf_users.entry(u).or_default();
            absorb_logins(mine, logins, &mut |i| map(i, &mut self.strings));
        }
    }
}

fn absorb_logins(into: &mut LoginAcc, from: LoginAcc, map: &mut dyn FnMut(u32) -> u32) {
    for (a, b) in into.flows.iter_mut().zip(from.flows) {
        for k in 0..3 {
            a[k] += b[k];
        }
    }
    into.users.absorb(&from.users, map);
    for t in [from.first, from.last].into_iter().flatten() {
        widen(&mut into.first, &mut into.last, t);
    }
    into.networks.absorb(from.networks, &mut |net| match net {
        Net::Other(i, h) => Net::Other(map(i), h),
        v4 => v4,
    });
    for (s, n) in from.unknown_sub {
        *into.unknown_sub.entry(map(s)).or_default() += n;
    }
}

/// Extend a [first, last] window by `ts`.
pub fn widen(first: &mut Option<i64>, last: &mut Option<i64>, ts: i64) {
    if first.is_none_or(|f| ts < f) {
        *first = Some(ts);
    }
    if last.is_none_or(|l| ts > l) {
        *last = Some(ts);
    }
}

/// The network of an address: IPv4 /24, IPv6 /48 (first three groups), else the text itself.
pub fn network(ip: &str, strings: &mut Interner) -> Net {
    if let Some([a, b, c, _]) = ipv4(ip.as_bytes()) {
        return Net::V4([a, b, c]);
    }
    let prefix = match ip.match_indices(':').nth(2) {
        Some((i, _)) if ip.contains(':') => &ip[..i],
        _ => ip,
    };
    let id = strings.id(prefix);
    Net::Other(
        id,
        nets::text_hash(&network_text(Net::Other(id, 0), strings)),
    )
}

/// The /24 network of a dotted-quad IPv4 address given as bytes (surrounding spaces allowed).
pub fn ipv4_net(b: &[u8]) -> Option<Net> {
    let b = b.trim_ascii();
    ipv4(b).map(|[a, b, c, _]| Net::V4([a, b, c]))
}

/// A dotted-quad IPv4 address, parsed byte by byte (this runs once per login row).
fn ipv4(b: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut part = 0;
    let mut value: u16 = 0;
    let mut digits = 0;
    for &c in b {
        match c {
            b'0'..=b'9' if digits < 3 => {
                value = value * 10 + u16::from(c - b'0');
                digits += 1;
            }
            b'.' if digits > 0 && part < 3 => {
                out[part] = u8::try_from(value).ok()?;
                part += 1;
                value = 0;
                digits = 0;
            }
            _ => return None,
        }
    }
    (part == 3 && digits > 0).then_some(())?;
    out[3] = u8::try_from(value).ok()?;
    Some(out)
}

/// Display form of a network.
pub fn network_text(net: Net, strings: &Interner) -> String {
    match net {
        Net::V4([a, b, c]) => format!("{a}.{b}.{c}.0/24"),
        Net::Other(i, _) => {
            let s = strings.get(i);
            if s.contains(':') {
                format!("{s}::/48")
            } else {
                s.to_string()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks() {
        let mut s = Interner::default();
        let n = network("203.0.113.77", &mut s);
        assert_eq!(network_text(n, &s), "203.0.113.0/24");
        let n = network("2001:db8:12:34::1", &mut s);
        assert_eq!(network_text(n, &s), "2001:db8:12::/48");
        let n = network("1.2.3.999", &mut s);
        assert_eq!(network_text(n, &s), "1.2.3.999");
        assert_eq!(ipv4(b"10.0.0.1"), Some([10, 0, 0, 1]));
        for bad in [
            "1.2.3",
            "1.2.3.4.5",
            "1..2.3",
            "256.1.1.1",
            "a.b.c.d",
            "1.2.3.",
            "1234.1.1.1",
        ] {
            assert_eq!(ipv4(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn interner_reuses_ids() {
        let mut s = Interner::default();
        let a = s.id("ERP Sync");
        assert_eq!(s.id("ERP Sync"), a);
        assert_ne!(s.id("Marketing SPA"), a);
        assert_eq!(s.get(a), "ERP Sync");
    }
}

#[cfg(test)]
mod id_name_tests {
    use super::*;

    #[test]
    fn an_id_keeps_the_smaller_of_two_names_whichever_worker_read_which() {
        let read = |first: &str, second: &str| {
            let mut a = FileAcc::default();
            let id = a.strings.id("005000000000001AAA");
            let (x, y) = (a.strings.id(first), a.strings.id(second));
            a.name_id(id, x);
            a.name_id(id, y);
            a.strings.get(a.id_names[&id]).to_string()
        };
        assert_eq!(read("b@x.example", "a@x.example"), "a@x.example");
        assert_eq!(read("a@x.example", "b@x.example"), "a@x.example");
        // Across workers: the absorbed share's name is compared the same way.
        let mut one = FileAcc::default();
        let id = one.strings.id("005000000000001AAA");
        let b = one.strings.id("b@x.example");
        one.name_id(id, b);
        let mut two = FileAcc::default();
        let id2 = two.strings.id("005000000000001AAA");
        let a = two.strings.id("a@x.example");
        two.name_id(id2, a);
        let mut keep = FileAcc::default();
        keep.absorb(one);
        keep.absorb(two);
        let id = keep.strings.id("005000000000001AAA");
        assert_eq!(keep.strings.get(keep.id_names[&id]), "a@x.example");
    }
}
