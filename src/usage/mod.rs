//! Usage ingestion (DESIGN §1, §3): LoginHistory, OauthToken, installation tables, Event
//! Monitoring files and `sf data query --json` output, detected by their header, read
//! tolerantly, aggregated while streaming, and joined to the inventory.
//!
//! Pure: nothing here prints or reads the clock. Recoverable problems are [`Note`]s; every
//! file gets a [`FileRecord`] and a [`FileAccount`] whose rows always balance.
//!
//! [`Note`]: crate::diag::Note
//! [`FileRecord`]: crate::ingest::FileRecord
//! [`FileAccount`]: model::FileAccount

pub mod acc;
pub mod build;
pub mod catalog;
pub mod fast;
pub mod flow;
pub mod header;
pub mod ids;
pub mod join;
pub mod json;
pub mod kind;
pub mod memo;
pub mod model;
pub mod read;
pub mod records;
pub mod rows;
pub mod split;
pub mod tables;
pub mod text;
pub mod time;
pub mod truncation;
pub mod view;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::ingest::InputFile;
pub use flow::Flow;
pub use join::{join, Evidence, Installation, JoinedApp, UsageJoin};

pub use kind::UsageKind;
pub use model::{AppUsage, Coverage, FileAccount, LoginStats, UsageData};
pub use time::Ts;

/// Worker threads for reading independent files.
pub const WORKERS: usize = 2;

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
pub fn read_usage_counted(
    files: &[InputFile],
    workers: usize,
    counter: Option<&AtomicU64>,
) -> UsageData {
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|s| {
        for _ in 0..workers.clamp(1, files.len().max(1)) {
            let tx = tx.clone();
            let next = &next;
            s.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(file) = files.get(i) else { break };
                if tx
                    .send((i, read::read_file_counted(file, counter)))
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
    build::build(outputs.into_iter().map(|(_, o)| o).collect())
}
