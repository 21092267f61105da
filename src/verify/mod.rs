//! Post-cutover verification: compares an earlier run's plan with the org as exports taken
//! after (part of) the cutover show it. Per app: has its use moved to the ECA, who is still on
//! the connected app, can the connected app be decommissioned; org-wide: can the insecure flows
//! be blocked, which tokens are left to revoke. A pure function of the plan and the [`Org`].

mod attribute;
mod flows;
pub mod plan_file;
mod status;

use std::collections::BTreeMap;

use serde::Serialize;

pub use plan_file::{PlanFile, PlanFileError};

use crate::model::Org;
use crate::plan::Strategy;
use crate::time::Day;

/// Version of the `verify --format json` schema.
pub const SCHEMA_VERSION: u32 = 1;

/// Where an app stands after its cutover date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Used through the ECA, and nobody has used the connected app since the cutover.
    Moved,
    /// Used through the ECA, and still through the connected app by some users.
    BothInUse,
    /// Used through the connected app since the cutover date; not yet through the ECA.
    StillOnConnectedApp,
    /// No use through either path since the cutover date.
    NotYetSeen,
    /// To be retired or blocked, and used since its date.
    RetiredButUsed,
    /// To be retired or blocked, and unused since its date.
    Retired,
    /// To be retired or blocked on a date the data does not reach yet.
    Pending,
    /// Not migrated by the plan (vendor or Salesforce app kept as a connected app).
    Kept,
}

impl Status {
    /// Every status, in report order.
    pub const ALL: [Status; 8] = [
        Status::BothInUse,
        Status::RetiredButUsed,
        Status::StillOnConnectedApp,
        Status::NotYetSeen,
        Status::Moved,
        Status::Retired,
        Status::Pending,
        Status::Kept,
    ];

    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Moved => "moved",
            Status::BothInUse => "both-in-use",
            Status::StillOnConnectedApp => "still-on-connected-app",
            Status::NotYetSeen => "not-yet-seen",
            Status::RetiredButUsed => "retired-but-used",
            Status::Retired => "retired",
            Status::Pending => "pending",
            Status::Kept => "kept",
        }
    }

    /// What the status means, for report legends.
    pub fn meaning(self) -> &'static str {
        match self {
            Status::Moved => {
                "used through the ECA; nobody used the connected app since the cutover"
            }
            Status::BothInUse => "used through the ECA, and some users still use the connected app",
            Status::StillOnConnectedApp => {
                "used through the connected app since the cutover date, not yet through the ECA"
            }
            Status::NotYetSeen => "no use through either path since the cutover date",
            Status::RetiredButUsed => "to be retired or blocked, and used since that date",
            Status::Retired => "to be retired or blocked, and unused since that date",
            Status::Pending => "to be retired or blocked on a date the data does not reach",
            Status::Kept => "not migrated by the plan (kept as a connected app)",
        }
    }
}

/// What verification is asked.
#[derive(Debug, Clone)]
pub struct VerifyInput<'a> {
    /// The org as the post-cutover exports show it.
    pub org: &'a Org,
    /// The plan being verified.
    pub plan: &'a PlanFile,
    /// Days without use of a connected app before it may be decommissioned (the runbooks'
    /// criterion).
    pub quiet_days: u32,
    /// Refresh tokens unused this many days are dormant.
    pub dormant_days: u32,
    /// The day each app was actually cut over, where it differs from its wave's first day.
    pub cutovers: BTreeMap<String, Day>,
}

/// Use of one path (connected app or ECA) of one app.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PathUse {
    /// The last use seen (YYYY-MM-DD).
    pub last_use: Option<String>,
    /// Logins counted on this path (whole export).
    pub logins: u64,
    /// API calls counted on this path (whole export).
    pub api_calls: u64,
    /// Users seen on this path since the cutover date.
    pub users_since_cutover: usize,
    /// How the usage was tied to this path (`id`, `label`, `shared label`).
    pub attributed_by: Vec<String>,
}

/// Whether the connected app can go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decommission {
    /// Can it be decommissioned now?
    pub ready: bool,
    /// Why (or why not), with dates.
    pub reason: String,
}

/// The check of one planned app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppCheck {
    /// Connected app API name.
    pub api_name: String,
    /// Its label.
    pub label: Option<String>,
    /// The plan's strategy.
    pub strategy: Strategy,
    /// The plan's wave.
    pub wave: usize,
    /// The cutover (or retirement) date the check counts from.
    pub cutover: String,
    /// Where that date comes from (`wave N start`, `--cutover`, `plan as-of`).
    pub cutover_source: String,
    /// The ECA replacing it.
    pub eca_name: Option<String>,
    /// That ECA's label.
    pub eca_label: Option<String>,
    /// The ECA's metadata is among the inputs.
    pub eca_in_inputs: bool,
    /// Where it stands.
    pub status: Status,
    /// Its use through the ECA rests only on a label both paths carry (a button migration),
    /// counted for the ECA from the cutover date on: unconfirmed.
    pub by_shared_label: bool,
    /// Its wave has ended and it has not moved (or is still used, for a retirement).
    pub overdue: bool,
    /// Use through the connected app.
    pub old_path: PathUse,
    /// Use through the ECA.
    pub new_path: PathUse,
    /// Users seen on the connected app since the cutover (after the ECA's first use, when
    /// the ECA is in use), sorted.
    pub still_on_old_path: Vec<String>,
    /// Can the connected app be decommissioned (migrating and retired apps).
    pub decommission: Option<Decommission>,
    /// Why this status, in words.
    pub evidence: Vec<String>,
}

/// One org-wide insecure flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowCheck {
    /// `username-password` or `user-agent`.
    pub flow: &'static str,
    /// The OauthOidcSettings element that blocks it.
    pub setting: &'static str,
    /// What the retrieved settings say: `blocked`, `allowed`, or `unknown` (not retrieved).
    pub org_setting: &'static str,
    /// Logins through the flow in the exports.
    pub logins: u64,
    /// The apps those logins went through, with counts and last login.
    pub apps: Vec<String>,
    /// Can it be blocked now, as far as the exports show?
    pub can_block: bool,
    /// Why (or why not).
    pub reason: String,
}

/// A refresh token left on a connected app that should be revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftToken {
    /// The app.
    pub app: String,
    /// The user holding it.
    pub user: String,
    /// Its last use (YYYY-MM-DD).
    pub last_used: Option<String>,
    /// Why it should go.
    pub reason: String,
}

/// The whole verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Schema version of this JSON.
    pub schema_version: u32,
    /// The day the post-cutover data describes.
    pub as_of: Option<String>,
    /// The day the plan's data described.
    pub plan_as_of: Option<String>,
    /// The period the login exports cover (YYYY-MM-DD to YYYY-MM-DD).
    pub login_window: Option<String>,
    /// Days of quiet before decommissioning.
    pub quiet_days: u32,
    /// Apps per status.
    pub summary: BTreeMap<Status, usize>,
    /// Every planned app, in the plan's order.
    pub apps: Vec<AppCheck>,
    /// The org-wide insecure flows.
    pub insecure_flows: Vec<FlowCheck>,
    /// Tokens to revoke.
    pub tokens_to_revoke: Vec<LeftToken>,
    /// What the check could not judge (ambiguous labels, missing data).
    pub notes: Vec<String>,
}

impl Verification {
    /// Apps whose status is one of `statuses`, or overdue when `overdue` is asked.
    pub fn failing(&self, statuses: &[Status], overdue: bool) -> usize {
        self.apps
            .iter()
            .filter(|a| statuses.contains(&a.status) || (overdue && a.overdue))
            .count()
    }
}

/// Verify `input.plan` against `input.org`.
pub fn verify(input: &VerifyInput<'_>) -> Verification {
    let plan = input.plan;
    let org = input.org;
    let attribution = attribute::attribute(plan, &org.inventory, &org.usage);
    let as_of = org.as_of_day;
    let apps: Vec<AppCheck> = plan
        .apps
        .iter()
        .zip(&attribution.tracks)
        .map(|(app, tracks)| status::check(input, app, tracks, as_of))
        .collect();
    let mut summary = BTreeMap::new();
    for a in &apps {
        *summary.entry(a.status).or_insert(0) += 1;
    }
    let tokens_to_revoke = status::tokens_to_revoke(input, &attribution.tracks, &apps, as_of);
    let mut notes: Vec<String> = attribution
        .ambiguous
        .iter()
        .map(|l| format!("usage labelled {l:?} could belong to several planned apps: counted for none (OauthToken with AppMenuItemId, or Event Monitoring with CONNECTED_APP_ID, tells them apart)"))
        .collect();
    notes.extend(status::coverage_notes(input, as_of));
    Verification {
        schema_version: SCHEMA_VERSION,
        as_of: as_of.map(|d| d.to_string()),
        plan_as_of: plan.as_of.clone(),
        login_window: org
            .join
            .login_window
            .map(|(f, t)| format!("{} to {}", Day::of(f), Day::of(t))),
        quiet_days: input.quiet_days,
        summary,
        apps,
        insecure_flows: flows::check(org),
        tokens_to_revoke,
        notes,
    }
}
