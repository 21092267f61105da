//! Row readers: one `ByteRecord` at a time into the per-file accumulators. Column indexes are
//! resolved once from the header; fields are borrowed from the record (no per-row allocation
//! unless a field is not UTF-8 or a string is seen for the first time).

use super::acc::{ipv4_net, network, raw_user_id, widen, AppKey, FileAcc, TokenAcc, UserRef};
use super::data::SkipReason;
use super::fields::{field, raw, Fields, RowResult, RowStats};
use super::flow::{self, Flow, LoginClass};
use super::header::{alias, Header};
use super::ids::normalize_into;
use super::kind::UsageKind;
use super::nets::Net;
use super::tables::{self, TableCols};
use super::text::{self, present};
use crate::time;

/// Column indexes of every field any kind reads.
#[derive(Debug, Default, Clone)]
struct Cols {
    id: Option<usize>,
    time: Option<usize>,
    user_id: Option<usize>,
    username: Option<usize>,
    login_type: Option<usize>,
    sub_type: Option<usize>,
    status: Option<usize>,
    app_name: Option<usize>,
    app_id: Option<usize>,
    client_name: Option<usize>,
    source_ip: Option<usize>,
    event_type: Option<usize>,
    family: Option<usize>,
    category: Option<usize>,
    menu_item: Option<usize>,
    use_count: Option<usize>,
    last_used: Option<usize>,
    created: Option<usize>,
}

/// Reads the data rows of one file of a known kind.
#[derive(Debug, Clone)]
pub struct RowReader {
    kind: UsageKind,
    cols: Cols,
    tables: TableCols,
    /// Rows shorter than this lack a column the reader needs.
    min_len: usize,
    /// Timestamps after this instant (ms) are implausible (see [`RowReader::with_horizon`]).
    horizon: Option<i64>,
    /// Keep each row's record Id hash.
    collect_ids: bool,
    /// Id hashes of records an earlier export already holds.
    skip_ids: Option<std::sync::Arc<rustc_hash::FxHashSet<u64>>>,
}

impl RowReader {
    /// Resolve the columns of `kind` in `header`.
    pub fn new(kind: UsageKind, header: Header) -> RowReader {
        let h = &header;
        let cols = Cols {
            // The row's own record Id, for duplicate exports; tables are lists, not events.
            id: (kind.is_login() || kind.is_api() || kind == UsageKind::OauthToken)
                .then(|| h.find(alias::ID))
                .flatten(),
            time: h.find(alias::TIME),
            user_id: h.find(alias::USER_ID),
            username: h.find(alias::USERNAME),
            login_type: h.find(alias::LOGIN_TYPE),
            sub_type: h.find(alias::LOGIN_SUB_TYPE),
            status: h.find(alias::STATUS),
            app_name: h.find(alias::APP_NAME),
            app_id: h.find(alias::APP_ID),
            client_name: h.find(alias::CLIENT_NAME),
            source_ip: h.find(alias::SOURCE_IP),
            event_type: h.find(alias::EVENT_TYPE),
            family: h.find(alias::API_FAMILY),
            category: h.find(alias::CLIENT_CATEGORY),
            menu_item: h.find(alias::MENU_ITEM_ID),
            use_count: h.find(alias::USE_COUNT),
            last_used: h.find(alias::LAST_USED),
            created: h.find(alias::CREATED),
        };
        let required = match kind {
            k if k.is_login() => vec![cols.time, cols.login_type],
            k if k.is_api() => vec![cols.time],
            UsageKind::OauthToken => vec![cols.app_name],
            _ => vec![],
        };
        let min_len = required.into_iter().flatten().max().map_or(0, |m| m + 1);
        RowReader {
            kind,
            cols,
            tables: TableCols::new(&header),
            min_len,
            horizon: None,
            collect_ids: false,
            skip_ids: None,
        }
    }

    /// Keep every row's record Id hash (`collect`); skip the rows whose hash is in `skip`.
    pub fn with_ids(
        mut self,
        collect: bool,
        skip: Option<std::sync::Arc<rustc_hash::FxHashSet<u64>>>,
    ) -> RowReader {
        self.collect_ids = collect;
        self.skip_ids = skip;
        self
    }

    /// Whether rows' record Ids are looked at (kept, or checked against earlier exports).
    pub fn tracks_ids(&self) -> bool {
        self.collect_ids || self.skip_ids.is_some()
    }

    /// Whether row Id hashes are kept.
    pub fn collects_ids(&self) -> bool {
        self.collect_ids
    }

    /// Whether the row with this Id hash was read from an earlier export.
    pub fn skips_id(&self, hash: u64) -> bool {
        self.skip_ids.as_ref().is_some_and(|s| s.contains(&hash))
    }

    /// Refuse timestamps after `horizon` (ms): an export cannot hold rows from after it was
    /// written, so such a value (`9999-12-31`) is damage and must not become the as-of date.
    pub fn with_horizon(mut self, horizon: Option<i64>) -> RowReader {
        self.horizon = horizon;
        self
    }

    /// `ts`, or the skip reason when it lies past the horizon.
    fn plausible(&self, ts: i64) -> Result<i64, SkipReason> {
        match self.horizon {
            Some(h) if ts > h => Err(SkipReason::ImplausibleTime),
            _ => Ok(ts),
        }
    }

    /// How many leading fields a row must be split into for every column this kind reads.
    pub fn fields_needed(&self) -> usize {
        let c = &self.cols;
        [
            c.id,
            c.time,
            c.user_id,
            c.username,
            c.login_type,
            c.sub_type,
            c.status,
            c.app_name,
            c.app_id,
            c.client_name,
            c.source_ip,
            c.event_type,
            c.family,
            c.category,
            c.menu_item,
            c.use_count,
            c.last_used,
            c.created,
        ]
        .into_iter()
        .flatten()
        .max()
        .map_or(0, |m| m + 1)
    }

    /// The row's record Id in its 18-char form, when the kind has one and the row holds one.
    pub fn record_id<'b>(
        &self,
        rec: &(impl Fields + ?Sized),
        buf: &'b mut [u8; 18],
    ) -> Option<&'b [u8]> {
        let raw = raw(rec, self.cols.id);
        // The exports write 18-char ids: taken as they are, without re-deriving the suffix.
        if raw.len() == 18 && raw.iter().all(u8::is_ascii_alphanumeric) {
            buf.copy_from_slice(raw);
            return Some(&buf[..]);
        }
        let text = std::str::from_utf8(raw).ok()?;
        normalize_into(text, buf).map(str::as_bytes)
    }

    /// The file's kind.
    pub fn kind(&self) -> UsageKind {
        self.kind
    }

    /// Read one data row.
    pub fn row(
        &self,
        rec: &(impl Fields + ?Sized),
        acc: &mut FileAcc,
        st: &mut RowStats,
    ) -> RowResult {
        if rec.len() < self.min_len {
            return Err(SkipReason::ShortRow);
        }
        if let (Some(want), Some(i)) = (self.kind.elf_event_type(), self.cols.event_type) {
            let got = field(rec, Some(i), st);
            if present(&got).is_some_and(|g| !g.eq_ignore_ascii_case(want)) {
                return Err(SkipReason::OtherEventType);
            }
        }
        match self.kind {
            k if k.is_login() => self.login(rec, acc, st),
            k if k.is_api() => self.api(rec, acc, st),
            UsageKind::OauthToken => self.token(rec, acc, st),
            _ => tables::row(self.kind, &self.tables, rec, &mut acc.tables, st),
        }
    }

    fn login(
        &self,
        rec: &(impl Fields + ?Sized),
        acc: &mut FileAcc,
        st: &mut RowStats,
    ) -> RowResult {
        let ts = timestamp(rec, self.cols.time, st).ok_or(SkipReason::BadTime)?;
        let ts = self.plausible(ts)?;
        let (class, known) = self.login_flow(rec, st);
        let flow = known.unwrap_or(if class == LoginClass::NotOAuth {
            Flow::Other
        } else {
            Flow::Unknown
        });
        let success = self.success(rec, st);
        let user = self.login_user_ref(rec, acc, st)?;
        let net = self.login_net(rec, acc, st);
        let unknown_sub = match known {
            None => Some(self.unknown_sub(rec, acc, st)),
            Some(_) => None,
        };
        let logins = if self.cols.app_name.is_some() {
            let name = raw(rec, self.cols.app_name);
            let (label, cp) = st.memo.apps.get_or(name, || {
                let (text, cp) = text::field(name);
                let label = present(&text)
                    .filter(|a| !a.eq_ignore_ascii_case("browser"))
                    .map(|a| acc.strings.id(a));
                if let Some(l) = label {
                    acc.app(AppKey::Label(l)).labels.insert(l);
                }
                (label, cp)
            });
            st.cp1252_fields += u64::from(cp);
            acc.app_login(
                label.ok_or(SkipReason::NoApp)?,
                (flow, success, ts),
                user,
                net,
            )
        } else {
            // ELF Login / LoginEventLog have no app column: only OAuth logins can belong to
            // an app, and they are attributed through their user after merging.
            if !matches!(class, LoginClass::OAuth2 | LoginClass::OAuth1) {
                return Err(SkipReason::NoApp);
            }
            let user = user.map(|u| match u {
                UserRef::Id(u) => u,
                UserRef::Raw(key) => acc.raw_user(&key),
            });
            let logins = acc
                .elf_users
                .entry(user.ok_or(SkipReason::NoUser)?)
                .or_default();
            logins.add(flow, success, user, ts);
            if let Some(n) = net {
                logins.networks.add(n, 1);
            }
            logins
        };
        if let Some(s) = unknown_sub {
            *logins.unknown_sub.entry(s).or_default() += 1;
        }
        Ok(Some(ts))
    }

    /// The login's user. A valid 18-char id (nearly every row) is looked up at once while the
    /// table of ids fits the caches (a hit proves it valid), else resolved in the app's batch;
    /// ELF logins, keyed by their user, need it now.
    fn login_user_ref(
        &self,
        rec: &(impl Fields + ?Sized),
        acc: &mut FileAcc,
        st: &mut RowStats,
    ) -> Result<Option<UserRef>, SkipReason> {
        let id = raw(rec, self.cols.user_id);
        let now = acc.ids_fit_caches() || self.cols.app_name.is_none();
        if let (Ok(key), true) = (<&[u8; 18]>::try_from(id), now) {
            if let Some(u) = acc.known_user(key) {
                return Ok(Some(UserRef::Id(u)));
            }
        }
        Ok(match raw_user_id(id) {
            Some(key) if !now => Some(UserRef::Raw(key)),
            Some(key) => Some(UserRef::Id(acc.raw_user(&key))),
            None => self.login_user(rec, acc, st)?.map(UserRef::Id),
        })
    }

    /// Whether the login succeeded, from its status.
    fn success(&self, rec: &(impl Fields + ?Sized), st: &mut RowStats) -> Option<bool> {
        let status = raw(rec, self.cols.status);
        // Nearly every row says exactly this: skip the memo.
        let (success, cp) = if status == b"Success" {
            (Some(true), false)
        } else {
            st.memo.status.get_or(status, || {
                let (text, cp) = text::field(status);
                (flow::is_success(&text), cp)
            })
        };
        st.cp1252_fields += u64::from(cp);
        success
    }

    /// The row's source network.
    fn login_net(
        &self,
        rec: &(impl Fields + ?Sized),
        acc: &mut FileAcc,
        st: &mut RowStats,
    ) -> Option<Net> {
        // IPv4 addresses (the common case) are read from bytes; anything else is decoded.
        ipv4_net(raw(rec, self.cols.source_ip)).or_else(|| {
            let ip = field(rec, self.cols.source_ip, st);
            present(&ip).map(|ip| network(ip, &mut acc.strings))
        })
    }

    /// The interned subtype of a login whose flow is not known, memoised by its raw value.
    fn unknown_sub(
        &self,
        rec: &(impl Fields + ?Sized),
        acc: &mut FileAcc,
        st: &mut RowStats,
    ) -> u32 {
        let sub = raw(rec, self.cols.sub_type);
        let (id, cp) = st.memo.unknown_subs.get_or(sub, || {
            let (text, cp) = text::field(sub);
            (acc.strings.id(text.trim()), cp)
        });
        st.cp1252_fields += u64::from(cp);
        id
    }

    /// Login class and flow of the row's LoginType and LoginSubType, memoised per pair.
    fn login_flow(
        &self,
        rec: &(impl Fields + ?Sized),
        st: &mut RowStats,
    ) -> (LoginClass, Option<Flow>) {
        let (t, sub) = (raw(rec, self.cols.login_type), raw(rec, self.cols.sub_type));
        let compute = || {
            let (tt, cp1) = text::field(t);
            let (ss, cp2) = text::field(sub);
            let class = flow::login_class(&tt);
            ((class, flow::flow_of(&ss, class)), cp1 || cp2)
        };
        // Almost every OAuth row has this login type: its subtype alone is the key then.
        if t == b"Remote Access 2.0" {
            let (known, cp) = st.memo.oauth2_subtypes.get_or(sub, || {
                let (ss, cp) = text::field(sub);
                (flow::flow_of(&ss, LoginClass::OAuth2), cp)
            });
            st.cp1252_fields += u64::from(cp);
            return (LoginClass::OAuth2, known);
        }
        let mut key = std::mem::take(&mut st.memo.key);
        key.clear();
        key.extend_from_slice(t);
        key.push(0x1f);
        key.extend_from_slice(sub);
        let ((class, known), cp) = st.memo.flows.get_or(&key, compute);
        st.memo.key = key;
        st.cp1252_fields += u64::from(cp);
        (class, known)
    }

    /// The login's user, memoised by the raw user id.
    fn login_user(
        &self,
        rec: &(impl Fields + ?Sized),
        acc: &mut FileAcc,
        st: &mut RowStats,
    ) -> Result<Option<u32>, SkipReason> {
        let id = raw(rec, self.cols.user_id);
        if id.is_empty() {
            return user_key(rec, self.cols.user_id, self.cols.username, acc, st);
        }
        let compute = |acc: &mut FileAcc| {
            let (text, cp) = text::field(id);
            let mut buf = [0u8; 18];
            (
                normalize_into(&text, &mut buf).map(|i| acc.strings.id(i)),
                cp,
            )
        };
        let (user, cp) = match <[u8; 18]>::try_from(id) {
            Ok(key) => match st.memo.user_ids.get(&key) {
                Some(&u) => (u, false),
                None => {
                    let (u, cp) = compute(acc);
                    st.memo.user_ids.insert(key, u);
                    (u, cp)
                }
            },
            Err(_) => st.memo.users.get_or(id, || compute(acc)),
        };
        st.cp1252_fields += u64::from(cp);
        match user {
            Some(u) => Ok(Some(u)),
            None => user_key(rec, self.cols.user_id, self.cols.username, acc, st),
        }
    }

    fn api(&self, rec: &(impl Fields + ?Sized), acc: &mut FileAcc, st: &mut RowStats) -> RowResult {
        let ts = timestamp(rec, self.cols.time, st).ok_or(SkipReason::BadTime)?;
        let ts = self.plausible(ts)?;
        let mut buf = [0u8; 18];
        let id_raw = field(rec, self.cols.app_id, st);
        let id = normalize_into(&id_raw, &mut buf).is_some().then_some(buf);
        let name = field(rec, self.cols.app_name, st);
        let label = present(&name).map(|n| acc.strings.id(n));
        let key = match (id, label) {
            (Some(id), _) => AppKey::Id(id),
            (None, Some(l)) => AppKey::Label(l),
            (None, None) => return Err(SkipReason::NoApp),
        };
        let user = user_key(rec, self.cols.user_id, self.cols.username, acc, st)?;
        let family = match present(&field(rec, self.cols.family, st)) {
            Some(f) => acc.strings.id(f),
            None if matches!(
                self.kind,
                UsageKind::ElfRestApi | UsageKind::RestApiEventLog
            ) =>
            {
                acc.strings.id("REST")
            }
            None => acc.strings.id("unknown"),
        };
        let client = present(&field(rec, self.cols.client_name, st)).map(|c| acc.strings.id(c));
        let category = present(&field(rec, self.cols.category, st)).map(|c| acc.strings.id(c));
        let app = acc.app(key);
        app.labels.extend(label);
        app.client_names.extend(client);
        app.categories.extend(category);
        app.api.calls += 1;
        *app.api.families.entry(family).or_default() += 1;
        if let Some(u) = user {
            app.api.users.see(u, ts);
        }
        widen(&mut app.api.first, &mut app.api.last, ts);
        Ok(Some(ts))
    }

    fn token(
        &self,
        rec: &(impl Fields + ?Sized),
        acc: &mut FileAcc,
        st: &mut RowStats,
    ) -> RowResult {
        let name = field(rec, self.cols.app_name, st);
        let label = acc.strings.id(present(&name).ok_or(SkipReason::NoApp)?);
        let last = timestamp(rec, self.cols.last_used, st);
        let created = timestamp(rec, self.cols.created, st);
        let ts = last.or(created).ok_or(SkipReason::BadTime)?;
        for t in [last, created].into_iter().flatten() {
            self.plausible(t)?;
        }
        let user = user_key(rec, self.cols.user_id, self.cols.username, acc, st)?;
        let user = user.ok_or(SkipReason::NoUser)?;
        name_the_id(rec, self.cols.username, user, acc, st);
        let uses = present(&field(rec, self.cols.use_count, st))
            .and_then(|u| u.parse::<f64>().ok())
            .map_or(0, |u| u.max(0.0) as u64);
        let menu = present(&field(rec, self.cols.menu_item, st)).map(|m| {
            let mut buf = [0u8; 18];
            let id = normalize_into(m, &mut buf).unwrap_or(m);
            acc.strings.id(id)
        });
        let app = acc.app(AppKey::Label(label));
        app.labels.insert(label);
        app.menu_items.extend(menu);
        let t: &mut TokenAcc = app.tokens.entry(user).or_default();
        t.tokens += 1;
        t.use_count += uses;
        if menu.is_some() {
            t.with_menu += 1;
        } else {
            t.without_menu += 1;
        }
        if let Some(c) = created {
            widen(&mut t.first, &mut None, c);
        }
        if let Some(l) = last {
            widen(&mut None, &mut t.last, l);
        }
        Ok(Some(ts))
    }
}

fn timestamp(rec: &(impl Fields + ?Sized), idx: Option<usize>, st: &mut RowStats) -> Option<i64> {
    // Exports write ISO or ELF times: parse their bytes directly (millions of rows).
    if let Some(ts) = time::parse_fast(raw(rec, idx)) {
        return Some(ts.0);
    }
    let raw = field(rec, idx, st);
    let parsed = time::parse(&raw)?;
    if parsed.ambiguous {
        st.ambiguous_times += 1;
    }
    Some(parsed.ts.0)
}

/// An OauthToken row that names its user by id and username too: the pair is kept, so that the
/// same person's logins (by id, without a User export) and tokens (by name) are one user.
fn name_the_id(
    rec: &(impl Fields + ?Sized),
    name_col: Option<usize>,
    user: u32,
    acc: &mut FileAcc,
    st: &mut RowStats,
) {
    if name_col.is_none() || !super::ids::is_id(acc.strings.get(user)) {
        return;
    }
    let name = field(rec, name_col, st);
    if let Some(n) = present(&name) {
        let n = acc.strings.id(n);
        acc.name_id(user, n);
    }
}

/// Interned user key: the 18-char id when the row has one, else the username. A user id that
/// is present but not an id (`005`) with no username to stand in is a skipped row, not a
/// login without a user.
fn user_key(
    rec: &(impl Fields + ?Sized),
    id_col: Option<usize>,
    name_col: Option<usize>,
    acc: &mut FileAcc,
    st: &mut RowStats,
) -> Result<Option<u32>, SkipReason> {
    let raw = field(rec, id_col, st);
    let mut buf = [0u8; 18];
    if let Some(id) = normalize_into(&raw, &mut buf) {
        return Ok(Some(acc.strings.id(id)));
    }
    let name = field(rec, name_col, st);
    match present(&name) {
        Some(n) => Ok(Some(acc.strings.id(n))),
        None if present(&raw).is_some() => Err(SkipReason::BadUserId),
        None => Ok(None),
    }
}
