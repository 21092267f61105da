//! Rows into the accumulators: a [`Tally`] (aggregates, row statistics, row accounting) per
//! worker, merged into the file's; and the notes a finished file gets from its tally.

use super::acc::FileAcc;
use super::data::{id_hash, FileAccount, SkipReason, SkippedRow, SKIPPED_LISTED};
use super::exchange::Exchange;
use super::fields::{Fields, RowStats};
use super::file_output::FileOutput;
use super::records::{self, Record};
use super::rows::RowReader;
use crate::diag::{Level, Note};
use crate::ingest::FileStatus;
use crate::time::Ts;

/// What the rows of a file (or a worker's share of them) added up to.
pub(crate) struct Tally {
    acc: FileAcc,
    stats: RowStats,
    account: FileAccount,
}

impl Tally {
    /// Nothing yet, for `file`.
    pub(crate) fn new(file: &str) -> Tally {
        Tally {
            acc: FileAcc::default(),
            stats: RowStats::default(),
            account: FileAccount {
                file: file.to_string(),
                ..FileAccount::default()
            },
        }
    }

    /// Read one row into the accumulators and account for it.
    pub(crate) fn row(&mut self, rows: &RowReader, rec: &(impl Fields + ?Sized), line: u64) {
        let a = &mut self.account;
        a.rows_read += 1;
        // Duplicate exports exist only between files: a single file pays nothing per row.
        let mut buf = [0u8; 18];
        if let Some(id) = rows
            .tracks_ids()
            .then(|| rows.record_id(rec, &mut buf))
            .flatten()
        {
            let h = id_hash(id);
            a.ids.add(h);
            if rows.collects_ids() {
                a.id_hashes.push(h);
            }
            if rows.skips_id(h) {
                return skip(a, line, SkipReason::DuplicateRecord);
            }
        }
        match rows.row(rec, &mut self.acc, &mut self.stats) {
            Ok(ts) => {
                a.rows_used += 1;
                if let Some(ts) = ts {
                    a.from = Some(a.from.map_or(Ts(ts), |f| f.min(Ts(ts))));
                    a.to = Some(a.to.map_or(Ts(ts), |t| t.max(Ts(ts))));
                }
            }
            Err(reason) => skip(a, line, reason),
        }
    }

    /// Add a worker's share (its tables are never split: they are not merged).
    fn absorb(&mut self, part: Tally) {
        self.acc.absorb(part.acc);
        self.stats.ambiguous_times += part.stats.ambiguous_times;
        self.stats.cp1252_fields += part.stats.cp1252_fields;
        merge_account(&mut self.account, part.account);
    }

    /// Put the row accounting into `out`; the aggregates and statistics stay.
    pub(crate) fn account_into(&mut self, out: &mut FileOutput) {
        merge_account(&mut out.account, std::mem::take(&mut self.account));
    }
}

/// Counts the records of a CSV file of a known kind.
pub(crate) struct Counter {
    rows: RowReader,
    file: String,
    /// Between the workers of the fast path (see `exchange`).
    exchange: std::sync::OnceLock<std::sync::Arc<Exchange>>,
}

impl Counter {
    pub(crate) fn new(rows: RowReader, file: &str) -> Counter {
        Counter {
            rows,
            file: file.to_string(),
            exchange: std::sync::OnceLock::new(),
        }
    }

    /// The row reader.
    pub(crate) fn rows(&self) -> &RowReader {
        &self.rows
    }
}

impl records::Visit for Counter {
    type Part = Tally;

    fn part(&self) -> Tally {
        let mut part = Tally::new(&self.file);
        part.acc.link = self.exchange.get().and_then(Exchange::join);
        part
    }

    fn workers(&self, n: usize) {
        if n > 1 {
            let _ = self.exchange.set(Exchange::new(n));
        }
    }

    #[inline]
    fn record(&self, part: &mut Tally, rec: &Record<'_>, line: u64) {
        part.row(&self.rows, rec, line);
    }

    fn renumber(&self, part: &mut Tally, line: &dyn Fn(u64) -> u64) {
        for s in &mut part.account.first_skipped {
            s.line = line(s.line);
        }
    }

    fn merge(&self, mut parts: Vec<Tally>) -> Tally {
        // Twice: the first round sends every user still kept for another worker; the second
        // takes what the first sent (applying a user sent here sends nothing on).
        for _ in 0..2 {
            for part in &mut parts {
                part.acc.trade();
            }
        }
        let mut all = Tally::new(&self.file);
        for part in parts {
            all.absorb(part);
        }
        all
    }
}

fn skip(a: &mut FileAccount, line: u64, reason: SkipReason) {
    a.rows_skipped += 1;
    *a.skipped.entry(reason).or_default() += 1;
    if a.first_skipped.len() < SKIPPED_LISTED {
        a.first_skipped.push(SkippedRow {
            file: a.file.clone(),
            line,
            reason,
        });
    }
}

/// Fold a share's row accounting into the file's.
fn merge_account(into: &mut FileAccount, from: FileAccount) {
    into.rows_read += from.rows_read;
    into.rows_used += from.rows_used;
    into.rows_skipped += from.rows_skipped;
    into.ids.merge(from.ids);
    into.id_hashes.extend(from.id_hashes);
    for (reason, n) in from.skipped {
        *into.skipped.entry(reason).or_default() += n;
    }
    into.first_skipped.extend(from.first_skipped);
    into.first_skipped.sort_by_key(|s| s.line);
    into.first_skipped.truncate(SKIPPED_LISTED);
    into.from = into.from.into_iter().chain(from.from).min();
    into.to = into.to.into_iter().chain(from.to).max();
}

/// The file is read: its statistics, notes and aggregates into `out` (its rows are accounted
/// there already, see [`Tally::account_into`]).
pub(crate) fn finish(rows: &RowReader, tally: Tally, out: &mut FileOutput) {
    out.account.ambiguous_times = tally.stats.ambiguous_times;
    out.account.cp1252_fields = tally.stats.cp1252_fields;
    let file = out.account.file.clone();
    let mut note = |level, code, message: String| {
        out.notes.push(Note::file(level, code, &file, message));
    };
    if tally.stats.cp1252_fields > 0 {
        let msg = format!(
            "{} field(s) are not UTF-8 and were read as Windows-1252",
            tally.stats.cp1252_fields
        );
        note(Level::Warning, "cp1252-fallback", msg);
    }
    if tally.stats.ambiguous_times > 0 {
        let msg = format!(
            "{} timestamp(s) in a locale form without time zone: read as UTC, day/month order guessed",
            tally.stats.ambiguous_times
        );
        note(Level::Warning, "ambiguous-time", msg);
    }
    implausible(out);
    let lost = out.account.rows_not_read;
    if lost > records::LOST_LISTED as u64 {
        let listed = records::LOST_LISTED;
        let msg = format!("{lost} row(s) could not be read (the first {listed} are listed)");
        out.notes
            .push(Note::file(Level::Error, "unreadable-row", &file, msg));
    }
    out.record.status = FileStatus::Parsed {
        kind: rows.kind().name(),
    };
    let mut acc = tally.acc;
    acc.seal();
    out.acc = Some(acc);
}

/// A note for the rows dated after the file was written, at the first of them.
fn implausible(out: &mut FileOutput) {
    let a = &out.account;
    let late = a
        .skipped
        .get(&SkipReason::ImplausibleTime)
        .copied()
        .unwrap_or(0);
    if late == 0 {
        return;
    }
    let first = a
        .first_skipped
        .iter()
        .find(|s| s.reason == SkipReason::ImplausibleTime)
        .map(|s| s.line);
    let msg = format!(
        "{late} row(s) dated after the file was written (its modification time plus a day): not used, and never the as-of date"
    );
    let mut note = Note::file(Level::Warning, "implausible-time", &a.file, msg);
    note.line = first.and_then(|l| u32::try_from(l).ok());
    out.notes.push(note);
}
