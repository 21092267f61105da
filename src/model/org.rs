//! The one model every stage after ingest reads: the org as its exports show it.

use super::usage::{self, UsageData, UsageJoin};
use super::{distribution, FileRecord, Inventory, SecretSighting};
use crate::time::Day;

/// The org as the inputs show it: the inventory with every app classified, the usage joined
/// to it, the fate of every input file, the places where a secret was seen, and the day the
/// data describes. Rules, graph, plan and report read this, and nothing of ingest.
#[derive(Debug, Default)]
pub struct Org {
    /// Apps (classified), profiles, permission sets, certificates, org settings.
    pub inventory: Inventory,
    /// What the usage exports say, aggregated per app and per file.
    pub usage: UsageData,
    /// The usage joined to the inventory's apps, and the apps seen only in usage.
    pub join: UsageJoin,
    /// Every input file and what became of it, sorted by path.
    pub files: Vec<FileRecord>,
    /// Where a consumer secret, private key or push credential was seen (never the value).
    pub secrets: Vec<SecretSighting>,
    /// The day the data describes: `--as-of`, else the day of the newest usage timestamp;
    /// never the clock.
    pub as_of_day: Option<Day>,
}

impl Org {
    /// Join `usage` to `inventory`, classify every app, and account for the usage files beside
    /// the metadata `files`. `as_of_day` overrides the day the usage data ends on.
    pub fn new(
        mut inventory: Inventory,
        usage: UsageData,
        mut files: Vec<FileRecord>,
        secrets: Vec<SecretSighting>,
        as_of_day: Option<Day>,
    ) -> Org {
        let join = usage::join(&inventory, &usage);
        distribution::classify(&mut inventory, &join);
        files.extend(usage.records.iter().cloned());
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let as_of_day = as_of_day.or(join.as_of.map(Day::of));
        Org {
            inventory,
            usage,
            join,
            files,
            secrets,
            as_of_day,
        }
    }

    /// An org of metadata only (no usage export, no file accounting): the fixture of tests.
    #[cfg(test)]
    pub(crate) fn of_inventory(inventory: Inventory) -> Org {
        Org::new(
            inventory,
            UsageData::default(),
            Vec::new(),
            Vec::new(),
            None,
        )
    }
}
