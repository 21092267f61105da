//! Usage as the model sees it: the readers' aggregates (`ingest::usage`) joined to the
//! inventory (DESIGN §3) — by id, consumer key, API name, then label — with the first-party
//! catalogue, and one view per app that rules, graph, plan and report ask.

pub mod catalog;
pub mod join;
pub mod view;

pub use crate::ingest::usage::data::{
    ApiStats, AppMenuItemRow, AppUsage, ConnectedApplicationRow, Coverage, FileAccount, FlowCount,
    InstalledPackageRow, LoginStats, PermissionSetAssignmentRow, SetupEntityAccessRow, SkipReason,
    SourceCoverage, Tables, TokenUse, UsageData, UserRow,
};
pub use crate::ingest::usage::{Flow, UsageKind};
pub use join::{join, Evidence, Installation, JoinedApp, UsageJoin};
pub use view::AppUsageView;
