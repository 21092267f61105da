//! Usage ingestion (DESIGN §1, §3): LoginHistory, OauthToken, installation tables, Event
//! Monitoring files and `sf data query --json` output, detected by their header, read
//! tolerantly and aggregated while streaming; `model::usage` joins them to the inventory.
//!
//! One file is read by `read` (open, BOM, delimiter, kind from the header), its CSV records
//! coming from one call, `records::read` (the fast chunked reader and its fallbacks live
//! behind it), its rows counted by `rows` into a `tally`; `merge` merges the files.
//!
//! Pure: nothing here prints or reads the clock. Recoverable problems are [`Note`]s; every
//! file gets a [`FileRecord`] and a [`FileAccount`] whose rows always balance.
//!
//! [`Note`]: crate::diag::Note
//! [`FileRecord`]: crate::ingest::FileRecord
//! [`FileAccount`]: data::FileAccount

pub(crate) mod acc;
pub(crate) mod data;
mod exchange;
pub(crate) mod fields;
mod file_output;
pub(crate) mod flow;
pub(crate) mod header;
pub(crate) mod ids;
pub(crate) mod kind;
pub(crate) mod memo;
pub(crate) mod merge;
pub(crate) mod nets;
mod read;
mod records;
pub(crate) mod rows;
pub(crate) mod seen;
mod sf_json;
pub(crate) mod tables;
mod tally;
pub(crate) mod text;
pub(crate) mod truncation;
pub(crate) mod users;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::ingest::InputFile;
pub use flow::Flow;

pub use crate::time::Ts;
pub use data::{AppUsage, Coverage, FileAccount, LoginStats, UsageData};
pub use kind::UsageKind;

/// Worker threads for reading independent files.
pub(crate) const WORKERS: usize = 2;

/// Read every usage candidate (`Ingested::usage_files`) into [`UsageData`].
///
/// Files are read in parallel by [`WORKERS`] threads; results are merged in input order, so
/// the output does not depend on scheduling.
pub fn read_usage(files: &[InputFile]) -> UsageData {
    read_usage_with(files, WORKERS)
}

/// [`read_usage`] with a chosen number of worker threads (at least one).
pub fn read_usage_with(files: &[InputFile], workers: usize) -> UsageData {
    read_usage_counted(files, workers, None)
}

/// [`read_usage_with`], adding the bytes read to `counter` (for a progress bar).
pub(crate) fn read_usage_counted(
    files: &[InputFile],
    workers: usize,
    counter: Option<&AtomicU64>,
) -> UsageData {
    let next = AtomicUsize::new(0);
    // Overlapping exports are possible only between files: a single file keeps no Ids.
    let ids = file_output::Ids {
        collect: files.len() > 1,
        skip: None,
    };
    let ids = &ids;
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|s| {
        for _ in 0..workers.clamp(1, files.len().max(1)) {
            let tx = tx.clone();
            let next = &next;
            s.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(file) = files.get(i) else { break };
                if tx
                    .send((i, read::read_file_with(file, counter, ids)))
                    .is_err()
                {
                    break;
                }
            });
        }
    });
    drop(tx);
    let mut outputs: Vec<_> = rx.into_iter().collect();
    outputs.sort_by_key(|(i, _)| *i);
    let mut outputs: Vec<file_output::FileOutput> = outputs.into_iter().map(|(_, o)| o).collect();
    if ids.collect {
        overlaps(files, &mut outputs);
    }
    merge::merge(outputs)
}

/// Exports of one kind that share record Ids (overlapping date ranges exported twice): a later
/// file is read again without the records an earlier one holds, so each counts once, with a
/// note naming both. Exact copies are left to `merge` (the same Id print: the whole file is
/// dropped there). Earlier files are taken in input order, so the result does not depend on
/// timing; the Id hashes cost 8 bytes a row while the files are compared.
fn overlaps(files: &[InputFile], outputs: &mut [file_output::FileOutput]) {
    use std::collections::HashMap;
    // Per kind: (file, Id print, sorted Id hashes) of the files before.
    let mut seen: HashMap<UsageKind, Vec<(String, data::IdPrint, Vec<u64>)>> = HashMap::new();
    for (file, out) in files.iter().zip(outputs.iter_mut()) {
        let mut hashes = std::mem::take(&mut out.account.id_hashes);
        let (Some(kind), true) = (out.account.kind, out.acc.is_some()) else {
            continue;
        };
        hashes.sort_unstable();
        hashes.dedup();
        let before = seen.entry(kind).or_default();
        let copy = before.iter().any(|(_, p, _)| *p == out.account.ids);
        if !copy {
            let mut names: Vec<&str> = Vec::new();
            let mut dups = rustc_hash::FxHashSet::default();
            for (name, _, theirs) in before.iter() {
                let n = dups.len();
                dups.extend(
                    hashes
                        .iter()
                        .copied()
                        .filter(|h| theirs.binary_search(h).is_ok()),
                );
                if dups.len() > n {
                    names.push(name);
                }
            }
            if !dups.is_empty() {
                let message = format!(
                    "{} record Id(s) also in an earlier {} export ({}): those rows are counted once, there",
                    dups.len(),
                    kind.name(),
                    names.join(", ")
                );
                let skip = file_output::Ids {
                    collect: false,
                    skip: Some(std::sync::Arc::new(dups)),
                };
                let mut again = read::read_file_with(file, None, &skip);
                again.notes.push(crate::diag::Note::file(
                    crate::diag::Level::Warning,
                    "duplicate-records",
                    &again.account.file.clone(),
                    message,
                ));
                *out = again;
            }
        }
        before.push((out.account.file.clone(), out.account.ids, hashes));
    }
}
