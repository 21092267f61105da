//! What reading one usage file produces, before the files are merged: its accounting, its
//! notes and its aggregates.

use super::acc::FileAcc;
use super::data::FileAccount;
use crate::diag::Note;
use crate::ingest::FileRecord;

/// What reading one file produced.
#[derive(Debug)]
pub(crate) struct FileOutput {
    /// Accounting.
    pub account: FileAccount,
    /// Ingest accounting line.
    pub record: FileRecord,
    /// Notes about this file.
    pub notes: Vec<Note>,
    /// Aggregates (only when the file was parsed).
    pub acc: Option<FileAcc>,
    /// For JSON: (`totalSize`, `done`) as reported by the CLI.
    pub json_total: Option<(u64, bool)>,
    /// Timestamps after this (ms) are implausible: the file's modification time plus a day.
    pub(super) horizon: Option<i64>,
    /// What to do with record Ids.
    pub(super) ids: Ids,
}

/// What to do with the rows' record Ids (duplicate exports, see `mod.rs`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Ids {
    /// Keep every row's Id hash in [`FileAccount::id_hashes`].
    pub collect: bool,
    /// Rows whose Id hash is here were read from an earlier file: skipped as duplicates.
    pub skip: Option<std::sync::Arc<rustc_hash::FxHashSet<u64>>>,
}
