//! The output model of the usage stage: per-app aggregates, small installation tables, per-file
//! accounting and coverage. Serde-serialisable, sorted maps only, no wall clock.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::flow::Flow;
use super::kind::UsageKind;
use crate::diag::Note;
use crate::ingest::FileRecord;
use crate::time::Ts;

/// Why a data row was not used. Every skipped row has exactly one reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// Fewer fields than the columns the reader needs.
    ShortRow,
    /// The timestamp is missing or in no known form.
    BadTime,
    /// The row names no connected app (UI browser login, SOAP login, `N/A`).
    NoApp,
    /// An ELF row whose `EVENT_TYPE` differs from the file's kind.
    OtherEventType,
    /// A login row without a user, which could not be attributed to an app.
    NoUser,
    /// A table row without its key (Id, ApplicationId, …).
    MissingKey,
    /// A timestamp later than the file itself (its modification time plus a day): a damaged
    /// value that must not become the as-of date.
    ImplausibleTime,
    /// The user id is not a Salesforce id (15 or 18 letters and digits, e.g. a cut `005`) and
    /// no username stands in for it.
    BadUserId,
    /// A record whose Id an earlier export of the same kind already holds (overlapping
    /// exports): counted once, there.
    DuplicateRecord,
}

impl SkipReason {
    /// Kebab-case code.
    pub fn code(self) -> &'static str {
        match self {
            SkipReason::ShortRow => "short-row",
            SkipReason::BadTime => "bad-time",
            SkipReason::NoApp => "no-app",
            SkipReason::OtherEventType => "other-event-type",
            SkipReason::NoUser => "no-user",
            SkipReason::MissingKey => "missing-key",
            SkipReason::ImplausibleTime => "implausible-time",
            SkipReason::BadUserId => "bad-user-id",
            SkipReason::DuplicateRecord => "duplicate-record",
        }
    }
}

/// One skipped row, for the "first few" listing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SkippedRow {
    /// File as shown to users.
    pub file: String,
    /// 1-based line where the record starts.
    pub line: u64,
    /// Why.
    pub reason: SkipReason,
}

/// How many skipped rows are listed per file.
pub const SKIPPED_LISTED: usize = 5;

/// The accounting of one usage file: `rows_read == rows_used + rows_skipped`, always.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileAccount {
    /// File as shown to users.
    pub file: String,
    /// Kind, when recognised.
    pub kind: Option<UsageKind>,
    /// `csv` or `json`.
    pub format: &'static str,
    /// Delimiter (CSV only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<char>,
    /// Data rows read (header excluded).
    pub rows_read: u64,
    /// Rows that went into the aggregates or tables.
    pub rows_used: u64,
    /// Rows not used.
    pub rows_skipped: u64,
    /// Rows that could not be read at all (broken quoting, over-long records): not in
    /// `rows_read`; each is an error note, and `--strict` fails on them.
    #[serde(skip_serializing_if = "is_zero")]
    pub rows_not_read: u64,
    /// Skipped rows per reason.
    pub skipped: BTreeMap<SkipReason, u64>,
    /// The first few skipped rows.
    pub first_skipped: Vec<SkippedRow>,
    /// Oldest timestamp of a used row.
    pub from: Option<Ts>,
    /// Newest timestamp of a used row.
    pub to: Option<Ts>,
    /// Timestamps in a locale form (time zone unknown, read as UTC).
    pub ambiguous_times: u64,
    /// Fields that were not UTF-8 and were read as Windows-1252.
    pub cp1252_fields: u64,
    /// An earlier file of the same kind holds exactly the same record Ids: this one is a copy,
    /// counted once (its rows are not added again).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// Fingerprint of the record Ids read (see [`IdPrint`]).
    #[serde(skip)]
    pub ids: IdPrint,
    /// The [`id_hash`] of every row's Id, kept only when several usage files are read (to
    /// find overlapping exports); taken by the merge.
    #[serde(skip)]
    pub id_hashes: Vec<u64>,
}

/// A fixed 64-bit hash of a record Id (its 18-char form): FNV-1a, then a SplitMix64
/// finaliser. Fixed, so prints and duplicate checks are the same on every run.
pub fn id_hash(id: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in id {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// An order-independent fingerprint of a set of record Ids: how many, and the wrapping sum and
/// xor of a 64-bit hash of each. Two exports with the same Ids have the same print whatever
/// their row order or how the rows were shared between workers; it costs 24 bytes per file,
/// not memory per row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct IdPrint {
    /// Ids seen.
    pub count: u64,
    /// Wrapping sum of their hashes.
    pub sum: u64,
    /// Xor of their hashes.
    pub xor: u64,
}

impl IdPrint {
    /// Add one Id by its [`id_hash`].
    pub fn add(&mut self, h: u64) {
        self.count += 1;
        self.sum = self.sum.wrapping_add(h);
        self.xor ^= h;
    }

    /// Fold in another part's print.
    pub fn merge(&mut self, other: IdPrint) {
        self.count += other.count;
        self.sum = self.sum.wrapping_add(other.sum);
        self.xor ^= other.xor;
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl FileAccount {
    /// Does `rows_read` equal used plus skipped, and the reasons add up?
    pub fn balances(&self) -> bool {
        self.rows_read == self.rows_used + self.rows_skipped
            && self.skipped.values().sum::<u64>() == self.rows_skipped
    }
}

/// Logins of one flow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FlowCount {
    /// All logins.
    pub logins: u64,
    /// Successful ones.
    pub successes: u64,
    /// Failed ones.
    pub failures: u64,
}

pub use super::seen::{Seen, UserNames};

/// Login aggregates of one app (or of unattributed ELF logins).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LoginStats {
    /// Logins per flow.
    pub by_flow: BTreeMap<Flow, FlowCount>,
    /// Total logins.
    pub logins: u64,
    /// Successful logins.
    pub successes: u64,
    /// Failed logins.
    pub failures: u64,
    /// Distinct users (username when known, else 18-char id), each with its last login.
    pub users: Seen,
    /// First login.
    pub first_seen: Option<Ts>,
    /// Last login.
    pub last_seen: Option<Ts>,
    /// Logins per source network (IPv4 /24, IPv6 /48), while the app has at most
    /// [`EXACT_CAP`](super::nets::EXACT_CAP) of them; empty once they are estimated.
    pub networks: BTreeMap<String, u64>,
    /// More networks than the exact cap: their estimated number (a sketch, relative standard
    /// error [`ERROR_PCT`](super::nets::ERROR_PCT)); the per-network counts are not kept then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub networks_estimated: Option<u64>,
    /// The sketch behind `networks_estimated`, for merging.
    #[serde(skip)]
    pub network_sketch: Option<super::nets::Sketch>,
    /// LoginSubType values we don't know, verbatim, with counts.
    pub unknown_sub_types: BTreeMap<String, u64>,
}

impl LoginStats {
    /// Distinct source networks, and when the number is an estimate its relative standard
    /// error as shown (`±1.6%`).
    pub fn network_count(&self) -> (u64, Option<&'static str>) {
        match self.networks_estimated {
            Some(n) => (n, Some(super::nets::ERROR_PCT)),
            None => (self.networks.len() as u64, None),
        }
    }
}

/// API-call aggregates of one app.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ApiStats {
    /// Calls.
    pub calls: u64,
    /// Calls per API family (`REST`, `SOAP`, `Bulk`, …).
    pub by_family: BTreeMap<String, u64>,
    /// Distinct calling users, each with its last call.
    pub users: Seen,
    /// First call.
    pub first_seen: Option<Ts>,
    /// Last call.
    pub last_seen: Option<Ts>,
}

/// Refresh-token use of one (app, user) pair, from OauthToken.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TokenUse {
    /// Token rows (grants).
    pub tokens: u64,
    /// Sum of `UseCount` (counts failed attempts too).
    pub use_count: u64,
    /// Earliest grant (`CreatedDate`).
    pub first_granted: Option<Ts>,
    /// Latest `LastUsedDate`.
    pub last_used: Option<Ts>,
    /// Rows with an `AppMenuItemId` (the app is installed).
    pub with_menu_item: u64,
    /// Rows without one (probably not installed; UNVERIFIED, §4).
    pub without_menu_item: u64,
}

/// Everything the usage data tells about one app.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AppUsage {
    /// The key in [`UsageData::apps`]: the 18-char id, or `label:<label in lower case>`.
    pub key: String,
    /// Salesforce ids seen for it (18-char).
    pub ids: BTreeSet<String>,
    /// Labels seen for it, as written.
    pub labels: BTreeSet<String>,
    /// Several ids share its label: usage by that label cannot be told apart.
    pub ambiguous_label: bool,
    /// `OauthToken.AppMenuItemId` values.
    pub menu_item_ids: BTreeSet<String>,
    /// ELF `CLIENT_NAME` values.
    pub client_names: BTreeSet<String>,
    /// ELF `API_CLIENT_CATEGORY` values.
    pub client_categories: BTreeSet<String>,
    /// Source kinds that mention it.
    pub sources: BTreeSet<UsageKind>,
    /// Logins.
    pub logins: LoginStats,
    /// ELF logins attributed to it through their user (ELF Login has no app column).
    pub logins_attributed_by_user: u64,
    /// API calls.
    pub api: ApiStats,
    /// Token use per user.
    pub tokens: BTreeMap<String, TokenUse>,
}

impl AppUsage {
    /// The label to show: the first label, else the key.
    pub fn display(&self) -> &str {
        self.labels.iter().next().map_or(&self.key, String::as_str)
    }
}

/// A ConnectedApplication row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConnectedApplicationRow {
    /// 18-char `0H4…` id.
    pub id: String,
    /// Name (= the label users see).
    pub name: Option<String>,
    /// `OptionsAllowAdminApprovedUsersOnly`.
    pub admin_approved_only: Option<bool>,
    /// `CreatedDate`.
    pub created: Option<Ts>,
}

/// An AppMenuItem row (an installed app's launcher item).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AppMenuItemRow {
    /// Menu item id (18-char), when exported.
    pub id: Option<String>,
    /// `ApplicationId` (18-char; `0H4…` connected app, `0xI…` ECA).
    pub application_id: String,
    /// Developer name (= the app's API name).
    pub name: Option<String>,
    /// Label.
    pub label: Option<String>,
    /// Namespace.
    pub namespace: Option<String>,
    /// `Type`.
    pub item_type: Option<String>,
    /// `IsUsingAdminAuthorization`.
    pub admin_authorized: Option<bool>,
}

/// An InstalledSubscriberPackage row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InstalledPackageRow {
    /// `SubscriberPackageId`.
    pub package_id: Option<String>,
    /// `SubscriberPackage.Name`.
    pub name: Option<String>,
    /// `SubscriberPackage.NamespacePrefix`.
    pub namespace: Option<String>,
    /// `SubscriberPackageVersion.Name`.
    pub version: Option<String>,
}

/// A SetupEntityAccess row: a profile or permission set grants an app.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SetupEntityAccessRow {
    /// Granted entity (18-char).
    pub setup_entity_id: String,
    /// `ConnectedApplication`, `ExternalClientApplication`, …
    pub setup_entity_type: Option<String>,
    /// Permission set id (18-char).
    pub parent_id: Option<String>,
    /// Permission set name or label.
    pub parent_name: Option<String>,
    /// Profile name, when the permission set is profile-owned.
    pub profile: Option<String>,
}

/// A PermissionSetAssignment row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PermissionSetAssignmentRow {
    /// User (18-char).
    pub assignee_id: String,
    /// Permission set (18-char).
    pub permission_set_id: Option<String>,
    /// Permission set group, when exported.
    pub permission_set_group_id: Option<String>,
}

/// A User row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UserRow {
    /// 18-char id.
    pub id: String,
    /// Username.
    pub username: Option<String>,
    /// Full name.
    pub name: Option<String>,
    /// `Profile.Name`.
    pub profile: Option<String>,
    /// `UserType`.
    pub user_type: Option<String>,
    /// `IsActive`.
    pub is_active: Option<bool>,
    /// `Profile.UserLicense.Name`, when exported.
    pub license: Option<String>,
}

/// Installation and catalogue tables, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tables {
    /// ConnectedApplication.
    pub connected_applications: Vec<ConnectedApplicationRow>,
    /// AppMenuItem.
    pub app_menu_items: Vec<AppMenuItemRow>,
    /// InstalledSubscriberPackage.
    pub installed_packages: Vec<InstalledPackageRow>,
    /// SetupEntityAccess.
    pub setup_entity_access: Vec<SetupEntityAccessRow>,
    /// PermissionSetAssignment.
    pub permission_set_assignments: Vec<PermissionSetAssignmentRow>,
    /// User.
    pub users: Vec<UserRow>,
}

/// The period one source kind covers, and what may be missing from it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceCoverage {
    /// Files of this kind.
    pub files: u64,
    /// Rows used.
    pub rows: u64,
    /// Oldest timestamp.
    pub from: Option<Ts>,
    /// Newest timestamp.
    pub to: Option<Ts>,
    /// Likely truncation and retention limits (also emitted as notes).
    pub warnings: Vec<String>,
}

/// Coverage of all usage sources.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Newest timestamp in the usage data: the as-of date of the analysis.
    pub as_of: Option<Ts>,
    /// LoginHistory keeps 6 months: logins before this instant cannot be in it.
    pub login_history_floor: Option<Ts>,
    /// Per source kind.
    pub sources: BTreeMap<UsageKind, SourceCoverage>,
    /// Login sources were provided.
    pub has_logins: bool,
    /// Token sources were provided.
    pub has_tokens: bool,
    /// API-call sources were provided.
    pub has_api: bool,
    /// Some source is likely truncated.
    pub truncated: bool,
}

/// Everything the usage stage produced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UsageData {
    /// Per app, keyed by 18-char id or `label:<lower-case label>`.
    pub apps: BTreeMap<String, AppUsage>,
    /// ELF logins whose user maps to no single app.
    pub unattributed_logins: LoginStats,
    /// Installation and catalogue tables.
    pub tables: Tables,
    /// Periods and truncation.
    pub coverage: Coverage,
    /// Accounting, one per usage file, in input order.
    pub accounts: Vec<FileAccount>,
    /// `FileRecord`s for the ingest accounting, in input order.
    #[serde(skip)]
    pub records: Vec<FileRecord>,
    /// Notes (unknown kinds, fallbacks, truncation, ambiguities).
    pub notes: Vec<Note>,
}

impl UsageData {
    /// Data rows of the usage files that could not be read at all (broken quoting, records
    /// over the size limit): `--strict` must fail when this is not zero.
    pub fn rows_not_read(&self) -> u64 {
        self.accounts.iter().map(|a| a.rows_not_read).sum()
    }
}
