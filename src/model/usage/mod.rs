//! Usage as the model sees it: the readers' aggregates (`ingest::usage`) joined to the
//! inventory (DESIGN §3) — by id, consumer key, API name, then label — with the first-party
//! catalogue, and one view per app that rules, graph, plan and report ask.

pub(crate) mod catalog;
pub(crate) mod join;
pub(crate) mod view;

pub use crate::ingest::usage::data::{
    ApiStats, AppMenuItemRow, AppUsage, ConnectedApplicationRow, Coverage, FileAccount, FlowCount,
    InstalledPackageRow, LoginStats, PermissionSetAssignmentRow, SetupEntityAccessRow, SkipReason,
    SourceCoverage, Tables, TokenUse, UsageData, UserRow,
};
pub use crate::ingest::usage::{Flow, UsageKind};
pub use join::{join, Evidence, Installation, JoinedApp, MatchKey, UsageJoin};
pub use view::AppUsageView;

/// Usage read from CSV texts (by file name): the fixture path of the rule and plan tests,
/// which may not reach into ingest themselves.
#[cfg(test)]
pub(crate) fn from_csv_texts(csvs: &[(&str, &str)]) -> UsageData {
    let inputs: Vec<crate::ingest::InputFile> = csvs
        .iter()
        .map(|(name, text)| {
            crate::ingest::InputFile::in_memory(
                name.to_string(),
                name.into(),
                Some(name.to_string()),
                text.as_bytes().to_vec(),
            )
        })
        .collect();
    crate::ingest::usage::read_usage(&inputs)
}
