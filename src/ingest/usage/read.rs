//! Reading one usage file: open (stream from disk or from archive bytes), strip the BOM, sniff
//! the delimiter, detect the kind from the header, then stream the rows through a
//! [`RowReader`]. `sf data query --json` files are flattened into the same rows.

use std::io::{BufRead, BufReader, Cursor, Read};
use std::sync::atomic::{AtomicU64, Ordering};

use csv::ByteRecord;

use super::acc::FileAcc;
use super::data::{FileAccount, SkipReason, SkippedRow, SKIPPED_LISTED};
use super::fast;
use super::header::Header;
use super::json;
use super::kind::{self, Detection, UsageKind};
use super::records::{Assembler, Item};
use super::rows::{Fields, RowReader, RowStats};
use super::text::{self, Bom};
use crate::diag::{Level, Note};
use crate::ingest::{FileRecord, FileStatus, InputFile};
use crate::time::Ts;

/// What reading one file produced.
#[derive(Debug)]
pub struct FileOutput {
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
    /// The fast path met stray quotes: the file must be read again by the `csv` crate alone.
    again: bool,
    /// Timestamps after this (ms) are implausible: the file's modification time plus a day.
    horizon: Option<i64>,
    /// What to do with record Ids.
    ids: Ids,
}

/// Slack after a file's modification time before a timestamp in it is implausible (clocks and
/// time zones of the exporting machine).
const HORIZON_SLACK_MS: i64 = 86_400_000;

/// The newest plausible timestamp of `file`: its modification time (the archive's, for an
/// entry) plus a day. A file holds the same mtime however often it is read, so the result is
/// the same for the same files; `None` when the file system does not say.
fn horizon(file: &InputFile) -> Option<i64> {
    let modified = std::fs::metadata(&file.path).ok()?.modified().ok()?;
    let ms = match modified.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).ok()?,
        Err(e) => -i64::try_from(e.duration().as_millis()).ok()?,
    };
    ms.checked_add(HORIZON_SLACK_MS)
}

const HEAD_BYTES: usize = 64 * 1024;
/// `workers` value for "the `csv` crate alone, record by record".
const EXACT: usize = 0;
/// Files at least this large are aggregated by two worker threads.
const PARALLEL_FROM_BYTES: u64 = 16 * 1024 * 1024;

/// Counts bytes as they are read, for a progress display owned by the orchestration.
struct Counting<'a, R> {
    inner: R,
    counter: Option<&'a AtomicU64>,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(c) = self.counter {
            c.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

/// Read one usage candidate file. Never fails: problems become the file's status and notes.
pub fn read_file(file: &InputFile) -> FileOutput {
    read_file_counted(file, None)
}

/// [`read_file`], adding the bytes read to `counter`.
pub fn read_file_counted(file: &InputFile, counter: Option<&AtomicU64>) -> FileOutput {
    read_file_with(file, counter, &Ids::default())
}

/// What to do with the rows' record Ids (duplicate exports, see `mod.rs`).
#[derive(Debug, Clone, Default)]
pub struct Ids {
    /// Keep every row's Id hash in [`FileAccount::id_hashes`].
    pub collect: bool,
    /// Rows whose Id hash is here were read from an earlier file: skipped as duplicates.
    pub skip: Option<std::sync::Arc<rustc_hash::FxHashSet<u64>>>,
}

/// [`read_file_counted`] with a choice of what to do with record Ids.
pub fn read_file_with(file: &InputFile, counter: Option<&AtomicU64>, ids: &Ids) -> FileOutput {
    // A second worker pays off only when there is enough to share.
    let workers = if file.size >= PARALLEL_FROM_BYTES {
        2
    } else {
        1
    };
    let first = read_with(file, counter, workers, ids);
    if !first.again {
        return first;
    }
    // Stray quotes (a quote inside an unquoted field, text after a closing quote) make the
    // chunk boundaries, found by quote parity, unreliable, and a lone CR ends a record where
    // the splitter sees none: the sequential reader decides.
    let mut out = read_with(file, None, EXACT, ids);
    out.notes.push(Note {
        file: out.account.file.clone(),
        line: None,
        column: None,
        level: Level::Info,
        code: "irregular-csv",
        message: "stray quotes or carriage returns: read record by record, as a CSV parser would"
            .into(),
    });
    out
}

/// Read `file` with `workers` fast-path workers, or the `csv` crate alone (`EXACT`).
fn read_with(
    file: &InputFile,
    counter: Option<&AtomicU64>,
    workers: usize,
    ids: &Ids,
) -> FileOutput {
    let mut out = FileOutput {
        account: FileAccount {
            file: file.display.clone(),
            format: "csv",
            ..FileAccount::default()
        },
        record: FileRecord {
            path: file.display.clone(),
            status: FileStatus::Ignored {
                reason: String::new(),
            },
        },
        notes: Vec::new(),
        acc: None,
        json_total: None,
        again: false,
        horizon: horizon(file),
        ids: ids.clone(),
    };
    // A file on disk, an archive entry inflated as it is read, or bytes in memory.
    let source = match file.open_stream() {
        Ok(s) => s,
        Err(e) => {
            unreadable(&mut out, None, format!("cannot open: {e}"));
            return out;
        }
    };
    let source = Counting {
        inner: source,
        counter,
    };
    let mut reader = BufReader::with_capacity(HEAD_BYTES, source);
    let head = match reader.fill_buf() {
        Ok(h) => h,
        Err(e) => {
            unreadable(&mut out, Some(1), format!("cannot read: {e}"));
            return out;
        }
    };
    let bom = Bom::detect(head);
    match bom {
        Bom::Utf16Le | Bom::Utf16Be | Bom::Utf32Le | Bom::Utf32Be => {
            // Rare (Excel "Unicode text"): transcoded in memory, then read like any other file.
            reader.consume(bom.byte_len());
            let mut all = Vec::new();
            if let Err(e) = reader.read_to_end(&mut all) {
                unreadable(&mut out, None, format!("cannot read: {e}"));
                return out;
            }
            let utf8 = match bom {
                Bom::Utf16Le => text::utf16_to_utf8(&all, true),
                Bom::Utf16Be => text::utf16_to_utf8(&all, false),
                Bom::Utf32Le => text::utf32_to_utf8(&all, true),
                _ => text::utf32_to_utf8(&all, false),
            };
            let mut inner = BufReader::new(Cursor::new(utf8));
            dispatch(&mut inner, &mut out, workers);
        }
        _ => {
            reader.consume(bom.byte_len());
            dispatch(&mut reader, &mut out, workers);
        }
    }
    out
}

fn dispatch<R: BufRead>(reader: &mut R, out: &mut FileOutput, workers: usize) {
    let first = match reader.fill_buf() {
        Ok(h) => h.iter().copied().find(|b| !b.is_ascii_whitespace()),
        Err(e) => return unreadable(out, Some(1), format!("cannot read: {e}")),
    };
    match first {
        None => ignore(out, "empty file".into()),
        Some(b'{' | b'[') => {
            out.account.format = "json";
            let mut all = Vec::new();
            if let Err(e) = reader.read_to_end(&mut all) {
                return unreadable(out, None, format!("cannot read: {e}"));
            }
            read_json(&all, out);
        }
        Some(_) => read_csv(reader, out, workers),
    }
}

fn read_csv<R: BufRead>(reader: &mut R, out: &mut FileOutput, workers: usize) {
    let (delimiter, lone_cr) = match reader.fill_buf() {
        Ok(head) => (text::sniff_delimiter(head), text::has_lone_cr(head)),
        Err(e) => return unreadable(out, Some(1), format!("cannot read: {e}")),
    };
    out.account.delimiter = Some(char::from(delimiter));
    if lone_cr || workers == EXACT {
        // Classic-Mac line endings, or stray quotes or lone CRs past the head: record by
        // record, every line end made LF so line numbers stay physical.
        return read_csv_general(reader, delimiter, 1, None, out);
    }
    // The header, after any blank lines; bounded, so a huge first line costs nothing.
    let mut lines = Assembler::new(&mut *reader, delimiter, 1);
    let (line, span) = match lines.next(HEADER_LIMIT) {
        Ok(Some(Item::Record { line, lines, .. })) => (line, lines),
        Ok(Some(Item::LongLine { line, .. })) => return header_too_long(out, line),
        Ok(None) => return ignore(out, "empty file".into()),
        Err(e) => return unreadable(out, Some(1), format!("cannot read: {e}")),
    };
    let mut parser = OneRecord::new(delimiter);
    let Some(rec) = parser.parse(lines.bytes()) else {
        return ignore(out, "empty file".into());
    };
    drop(lines);
    let header = Header::new(rec.iter().map(|f| text::field(f).0.into_owned()).collect());
    let width = rec.len();
    let Some(rows) = start(header, out) else {
        return;
    };
    let kind = rows.kind();
    let next_line = line + span;
    if kind.is_login() || kind.is_api() || kind == UsageKind::OauthToken {
        read_fast(reader, delimiter, workers, rows, next_line, out);
    } else {
        read_csv_general(reader, delimiter, next_line, Some((rows, width)), out);
    }
}

/// A header longer than this is not a usage export header (real ones are a few hundred bytes).
const HEADER_LIMIT: usize = 64 * 1024;

/// Characters of input text quoted in a message.
const QUOTED_CHARS: usize = 200;

fn header_too_long(out: &mut FileOutput, line: u64) {
    let reason = format!(
        "line {line} is longer than {} KiB: not a usage export header",
        HEADER_LIMIT >> 10
    );
    let mut note = Note::file(
        Level::Warning,
        "unknown-usage-kind",
        &out.account.file,
        reason.clone(),
    );
    note.line = u32::try_from(line).ok();
    out.notes.push(note);
    ignore(out, reason);
}

/// One record's bytes through the `csv` crate, with one parser reused for every record.
struct OneRecord {
    parser: csv::Reader<Cursor<Vec<u8>>>,
    rec: ByteRecord,
}

impl OneRecord {
    fn new(delimiter: u8) -> Self {
        OneRecord {
            parser: csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .has_headers(false)
                .flexible(true)
                .from_reader(Cursor::new(Vec::new())),
            rec: ByteRecord::new(),
        }
    }

    /// The first record of `bytes` (`None` when it holds none).
    fn parse(&mut self, bytes: &[u8]) -> Option<&ByteRecord> {
        let buf = self.parser.get_mut().get_mut();
        buf.clear();
        buf.extend_from_slice(bytes);
        self.parser.seek(csv::Position::new()).ok()?;
        match self.parser.read_byte_record(&mut self.rec) {
            Ok(true) => Some(&self.rec),
            _ => None,
        }
    }
}

/// Login, API and token rows: the chunked, parallel fast path.
fn read_fast<R: BufRead>(
    reader: &mut R,
    delimiter: u8,
    workers: usize,
    rows: RowReader,
    first_line: u64,
    out: &mut FileOutput,
) {
    let file = out.account.file.clone();
    let step = |part: &mut fast::Part, rec: &super::split::Record<'_>, line: u64| {
        count_row(
            &rows,
            &mut part.acc,
            &mut part.stats,
            &mut part.account,
            rec,
            line,
        );
    };
    let parts = match fast::run(
        reader,
        delimiter,
        rows.fields_needed(),
        first_line,
        workers,
        &file,
        step,
    ) {
        Ok(parts) => parts,
        Err(fast::Stop::Unreadable(message)) => return unreadable(out, None, message),
        Err(fast::Stop::Stray) => {
            out.again = true;
            return;
        }
    };
    if parts.iter().any(|p| p.stray > 0) {
        out.again = true;
        return;
    }
    let mut state = Stream::new(rows);
    for part in parts {
        state.acc.absorb(part.acc);
        state.stats.ambiguous_times += part.stats.ambiguous_times;
        state.stats.cp1252_fields += part.stats.cp1252_fields;
        merge_account(&mut out.account, part.account);
    }
    state.finish(out);
}

/// Every other CSV, and files the fast path cannot cut: record by record (see `records`),
/// each record through the `csv` crate. `first_line` is the line number of the reader's first
/// line; `rows` (with the header's width) is `None` when the header is still to be read.
fn read_csv_general<R: BufRead>(
    reader: R,
    delimiter: u8,
    first_line: u64,
    rows: Option<(RowReader, usize)>,
    out: &mut FileOutput,
) {
    let mut lines = Assembler::new(
        BufReader::new(text::NormalizeEol::new(reader)),
        delimiter,
        first_line,
    );
    let mut parser = OneRecord::new(delimiter);
    let (rows, width) = match rows {
        Some(r) => r,
        None => {
            match lines.next(HEADER_LIMIT) {
                Ok(Some(Item::Record { .. })) => {}
                Ok(Some(Item::LongLine { line, .. })) => return header_too_long(out, line),
                Ok(None) => return ignore(out, "empty file".into()),
                Err(e) => return unreadable(out, Some(1), format!("cannot read: {e}")),
            }
            let Some(rec) = parser.parse(lines.bytes()) else {
                return ignore(out, "empty file".into());
            };
            let header = Header::new(rec.iter().map(|f| text::field(f).0.into_owned()).collect());
            let width = rec.len();
            let Some(rows) = start(header, out) else {
                return;
            };
            (rows, width)
        }
    };
    let mut state = Stream::new(rows);
    let mut last_line = first_line;
    loop {
        let item = match lines.next(MAX_RECORD) {
            Ok(Some(item)) => item,
            Ok(None) => break,
            Err(e) => {
                let after = u32::try_from(last_line + 1).ok();
                return unreadable(out, after, format!("cannot read: {e}"));
            }
        };
        match item {
            Item::LongLine { line, bytes } => {
                last_line = line;
                let message = format!(
                    "a record of {} MiB is longer than the {} MiB limit: not read",
                    bytes.div_ceil(1 << 20),
                    MAX_RECORD >> 20
                );
                row_not_read(out, line, None, message);
            }
            Item::Record {
                line,
                lines: span,
                open,
                unclosed,
                too_long,
            } => {
                last_line = line + span - 1;
                let rec = parser.parse(lines.bytes());
                let fields = rec.map_or(0, ByteRecord::len);
                let Some(quote) = open.filter(|_| unclosed || too_long || fields != width) else {
                    if let Some(rec) = rec {
                        state.row(rec, line, out);
                    }
                    continue;
                };
                let why = if unclosed {
                    "never closes".to_string()
                } else if too_long {
                    format!("runs past {} MiB without closing", MAX_RECORD >> 20)
                } else {
                    format!(
                        "spans {span} lines and leaves {fields} field(s) where the header has {width}"
                    )
                };
                let message = format!(
                    "a quote opened at line {} column {} {why}: row not read; reading resumes at line {}",
                    quote.line,
                    quote.column,
                    line + 1
                );
                row_not_read(out, line, Some(quote.column), message);
                if !lines.resync() {
                    let at = u32::try_from(line).ok();
                    return unreadable(
                        out,
                        at,
                        "too many broken quotes to read on (each re-reads the lines after it)"
                            .into(),
                    );
                }
                last_line = line;
            }
        }
    }
    state.finish(out);
}

/// One record may not span more than this: a quote that never closes would otherwise make
/// the rest of the file one field, held in memory.
const MAX_RECORD: usize = 16 * 1024 * 1024;

/// Rows that could not be read are listed one by one up to this many per file.
const NOT_READ_LISTED: u64 = 5;

/// Account for a row that could not be read (broken quoting, an over-long record).
fn row_not_read(out: &mut FileOutput, line: u64, column: Option<u64>, message: String) {
    out.account.rows_not_read += 1;
    if out.account.rows_not_read <= NOT_READ_LISTED {
        out.notes.push(Note {
            file: out.account.file.clone(),
            line: u32::try_from(line).ok(),
            column: column.and_then(|c| u32::try_from(c).ok()),
            level: Level::Error,
            code: "unreadable-row",
            message,
        });
    }
}

/// Fold one worker's row accounting into the file's.
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

fn read_json(bytes: &[u8], out: &mut FileOutput) {
    let parsed = match json::parse(bytes) {
        Ok(p) => p,
        Err(json::JsonProblem::NotQueryOutput(why)) => return ignore(out, why),
        Err(json::JsonProblem::Syntax {
            line,
            column,
            message,
        }) => return unreadable_at(out, Some(line), Some(column), message),
    };
    out.json_total = Some((parsed.total_size, parsed.done));
    let Some(rows) = start(Header::new(parsed.columns), out) else {
        return;
    };
    let mut state = Stream::new(rows);
    for (i, rec) in parsed.records.iter().enumerate() {
        // JSON has no useful line numbers: the record's 1-based index stands in for them.
        state.row(rec, i as u64 + 1, out);
    }
    state.finish(out);
}

/// Detect the kind and build the row reader, or account for the file as ignored.
fn start(header: Header, out: &mut FileOutput) -> Option<RowReader> {
    match kind::detect(&header) {
        Detection::Kind(k) => {
            out.account.kind = Some(k);
            Some(
                RowReader::new(k, header)
                    .with_horizon(out.horizon)
                    .with_ids(out.ids.collect, out.ids.skip.clone()),
            )
        }
        Detection::Ignored(why) => {
            ignore(out, why.to_string());
            None
        }
        Detection::Unknown => {
            let shown: Vec<String> = header
                .raw
                .iter()
                .take(8)
                .map(|f| text::clip(f, 40))
                .collect();
            let shown = text::clip(&shown.join(", "), QUOTED_CHARS);
            let reason = format!("no known usage export kind (header: {shown})");
            out.notes.push(Note::file(
                Level::Warning,
                "unknown-usage-kind",
                &out.account.file,
                reason.clone(),
            ));
            ignore(out, reason);
            None
        }
    }
}

/// The row loop state of one file.
struct Stream {
    rows: RowReader,
    acc: FileAcc,
    stats: RowStats,
}

impl Stream {
    fn new(rows: RowReader) -> Stream {
        Stream {
            rows,
            acc: FileAcc::default(),
            stats: RowStats::default(),
        }
    }

    fn row(&mut self, rec: &(impl Fields + ?Sized), line: u64, out: &mut FileOutput) {
        count_row(
            &self.rows,
            &mut self.acc,
            &mut self.stats,
            &mut out.account,
            rec,
            line,
        );
    }

    fn finish(self, out: &mut FileOutput) {
        let kind: UsageKind = self.rows.kind();
        out.account.ambiguous_times = self.stats.ambiguous_times;
        out.account.cp1252_fields = self.stats.cp1252_fields;
        let file = out.account.file.clone();
        if self.stats.cp1252_fields > 0 {
            let msg = format!(
                "{} field(s) are not UTF-8 and were read as Windows-1252",
                self.stats.cp1252_fields
            );
            out.notes
                .push(Note::file(Level::Warning, "cp1252-fallback", &file, msg));
        }
        if self.stats.ambiguous_times > 0 {
            let msg = format!(
                "{} timestamp(s) in a locale form without time zone: read as UTC, day/month order guessed",
                self.stats.ambiguous_times
            );
            out.notes
                .push(Note::file(Level::Warning, "ambiguous-time", &file, msg));
        }
        let late = out
            .account
            .skipped
            .get(&SkipReason::ImplausibleTime)
            .copied()
            .unwrap_or(0);
        if late > 0 {
            let first = out
                .account
                .first_skipped
                .iter()
                .find(|s| s.reason == SkipReason::ImplausibleTime)
                .map(|s| s.line);
            let msg = format!(
                "{late} row(s) dated after the file was written (its modification time plus a day): not used, and never the as-of date"
            );
            let mut note = Note::file(Level::Warning, "implausible-time", &file, msg);
            note.line = first.and_then(|l| u32::try_from(l).ok());
            out.notes.push(note);
        }
        let lost = out.account.rows_not_read;
        if lost > NOT_READ_LISTED {
            let msg =
                format!("{lost} row(s) could not be read (the first {NOT_READ_LISTED} are listed)");
            out.notes
                .push(Note::file(Level::Error, "unreadable-row", &file, msg));
        }
        out.record.status = FileStatus::Parsed { kind: kind.name() };
        let mut acc = self.acc;
        acc.seal();
        out.acc = Some(acc);
    }
}

/// Read one row into the accumulators and account for it.
fn count_row(
    rows: &RowReader,
    acc: &mut FileAcc,
    stats: &mut RowStats,
    a: &mut FileAccount,
    rec: &(impl Fields + ?Sized),
    line: u64,
) {
    a.rows_read += 1;
    // Duplicate exports exist only between files: a single file pays nothing per row.
    let mut buf = [0u8; 18];
    if let Some(id) = rows
        .tracks_ids()
        .then(|| rows.record_id(rec, &mut buf))
        .flatten()
    {
        let h = super::data::id_hash(id);
        a.ids.add(h);
        if rows.collects_ids() {
            a.id_hashes.push(h);
        }
        if rows.skips_id(h) {
            return skip(a, line, SkipReason::DuplicateRecord);
        }
    }
    match rows.row(rec, acc, stats) {
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

fn ignore(out: &mut FileOutput, reason: String) {
    out.record.status = FileStatus::Ignored { reason };
}

fn unreadable(out: &mut FileOutput, line: Option<u32>, message: String) {
    unreadable_at(out, line, line.map(|_| 1), message);
}

fn unreadable_at(out: &mut FileOutput, line: Option<u32>, column: Option<u32>, message: String) {
    out.notes.push(Note {
        file: out.account.file.clone(),
        line,
        column,
        level: Level::Error,
        code: "unreadable-file",
        message: message.clone(),
    });
    out.acc = None;
    out.record.status = FileStatus::Unreadable {
        line,
        column,
        message,
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input(bytes: &[u8]) -> InputFile {
        InputFile::in_memory(
            "mem.csv".into(),
            "mem.csv".into(),
            Some("mem.csv".into()),
            bytes.to_vec(),
        )
    }

    fn users(out: &FileOutput) -> Vec<Option<String>> {
        let acc = out.acc.as_ref().expect("parsed");
        acc.tables.users.iter().map(|u| u.name.clone()).collect()
    }

    /// A LoginHistory export of `rows` rows; row 2 names an app with a stray quote.
    fn login_history(rows: usize, stray: bool) -> Vec<u8> {
        let mut src = String::from(
            "Id,UserId,LoginTime,LoginType,LoginSubType,Application,Status,SourceIp\n",
        );
        for i in 0..rows {
            let app = if stray && i == 1 {
                "5\" Tablet App"
            } else {
                "Fleet App"
            };
            src += &format!(
                "0Ya{i:015},005000000000001AAA,2026-05-22T00:00:00.000Z,Remote Access 2.0,OAuth Refresh Token,{app},Success,10.0.0.1\n"
            );
        }
        src.into_bytes()
    }

    fn labels(out: &FileOutput) -> Vec<(String, u64)> {
        let acc = out.acc.as_ref().expect("parsed");
        let mut v: Vec<(String, u64)> = acc
            .apps
            .iter()
            .filter_map(|(k, a)| match k {
                crate::ingest::usage::acc::AppKey::Label(l) => Some((
                    acc.strings.get(*l).to_string(),
                    a.logins.flows.iter().map(|f| f[0]).sum(),
                )),
                crate::ingest::usage::acc::AppKey::Id(_) => None,
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn stray_quotes_are_read_as_a_csv_parser_reads_them() {
        // Small (one chunk) and past the chunk size (parity never evens out again).
        for rows in [10, 40_000] {
            let out = read_file(&input(&login_history(rows, true)));
            assert_eq!(out.account.rows_read, rows as u64, "{rows}");
            assert!(out.account.balances());
            assert_eq!(
                labels(&out),
                [
                    ("5\" Tablet App".to_string(), 1),
                    ("Fleet App".to_string(), rows as u64 - 1)
                ]
            );
            assert!(
                out.notes.iter().any(|n| n.code == "irregular-csv"),
                "{rows}"
            );
        }
        let clean = read_file(&input(&login_history(40_000, false)));
        assert!(clean.notes.iter().all(|n| n.code != "irregular-csv"));
        assert_eq!(clean.account.rows_read, 40_000);
    }

    #[test]
    fn skipped_rows_after_blank_lines_name_their_own_line() {
        // Read record by record (stray quote); row 4 comes after a blank line and has no time.
        let mut src = login_history(1, false);
        src.extend_from_slice(b"0Yb,005000000000001AAA,2026-05-22T00:00:00.000Z,Remote Access 2.0,x,5\" App,Success,1\n\n");
        src.extend_from_slice(
            b"0Yc,005000000000001AAA,soon,Remote Access 2.0,x,App,Success,1\r\n\r\n\n",
        );
        src.extend_from_slice(b"0Yd,005000000000001AAA,never,Remote Access 2.0,x,App,Success,1\n");
        // A record longer than the bytes the guard keeps between records, after a blank line.
        src.extend_from_slice(b"\r\n0Ye,005000000000001AAA,never,Remote Access 2.0,x,App,Success,");
        src.extend(std::iter::repeat_n(b'z', 3 << 20));
        src.extend_from_slice(
            b"\r\n0Yf,005000000000001AAA,never,Remote Access 2.0,x,App,Success,1\r\n",
        );
        let out = read_file(&input(&src));
        let lines: Vec<u64> = out.account.first_skipped.iter().map(|s| s.line).collect();
        assert_eq!(lines, [5, 8, 10, 11]);
    }

    #[test]
    fn skipped_rows_in_later_chunks_get_their_file_line() {
        let src = String::from_utf8(login_history(60_000, false)).expect("utf8");
        // Rows 100 and 59,000 (lines 102 and 59,002) lose their time; two chunks or more.
        let src = src
            .replacen(
                "0Ya000000000000100,005000000000001AAA,2026-05-22T00:00:00.000Z",
                "0Ya000000000000100,005000000000001AAA,never",
                1,
            )
            .replacen(
                "0Ya000000000059000,005000000000001AAA,2026-05-22T00:00:00.000Z",
                "0Ya000000000059000,005000000000001AAA,never",
                1,
            );
        assert!(src.len() > 4 * 1024 * 1024, "more than one chunk");
        let out = read_file(&input(src.as_bytes()));
        let lines: Vec<u64> = out.account.first_skipped.iter().map(|s| s.line).collect();
        assert_eq!(lines, [102, 59_002]);
    }

    #[test]
    fn a_lone_carriage_return_past_the_head_is_a_line_end() {
        let mut src = login_history(2_000, false);
        let at = src.len() - 40;
        let cr = src[at..].iter().position(|&b| b == b',').expect("comma") + at;
        src[cr] = b'\r';
        let out = read_file(&input(&src));
        // The last row is cut in two by the CR: one row more, the second half skipped.
        assert_eq!(out.account.rows_read, 2_001);
        assert!(out.account.balances());
        assert!(out.notes.iter().any(|n| n.code == "irregular-csv"));
    }

    #[test]
    fn a_quote_that_never_closes_is_reported_with_its_line() {
        let mut src = login_history(3, false);
        src.extend_from_slice(b"0Ya,005000000000001AAA,2026-05-22T00:00:00.000Z,Remote Access 2.0,x,\"open,Success,1\n");
        src.extend(std::iter::repeat_n(b'x', 17 << 20));
        let out = read_file(&input(&src));
        // The rows before it are read; the quoted record and the 17 MiB line after it are
        // not, each reported at its own line.
        assert!(matches!(out.record.status, FileStatus::Parsed { .. }));
        assert_eq!(out.account.rows_read, 3);
        assert_eq!(out.account.rows_not_read, 2);
        let lost: Vec<(Option<u32>, Option<u32>, &str)> = out
            .notes
            .iter()
            .filter(|n| n.code == "unreadable-row")
            .map(|n| (n.line, n.column, n.message.as_str()))
            .collect();
        assert_eq!(lost.len(), 2, "{lost:?}");
        assert_eq!((lost[0].0, lost[0].1), (Some(5), Some(69)));
        assert!(lost[0].2.contains("runs past 16 MiB"), "{}", lost[0].2);
        assert_eq!((lost[1].0, lost[1].1), (Some(6), None));
        assert!(
            lost[1].2.contains("longer than the 16 MiB limit"),
            "{}",
            lost[1].2
        );
    }

    #[test]
    fn a_stray_quote_costs_its_row_not_the_file() {
        // A quote at the start of the first data row that never closes, in a small export.
        let mut src = login_history(1, false);
        src.extend_from_slice(b"\"");
        src.extend_from_slice(&login_history(20, false)[71..]);
        let out = read_file(&input(&src));
        assert_eq!(out.account.rows_read, 20, "{:?}", out.notes);
        assert_eq!(out.account.rows_not_read, 1);
        let n = out
            .notes
            .iter()
            .find(|n| n.code == "unreadable-row")
            .expect("reported");
        assert_eq!((n.line, n.column), (Some(3), Some(1)));
        assert!(
            n.message.contains("reading resumes at line 4"),
            "{}",
            n.message
        );
    }

    #[test]
    fn leading_blank_lines_and_utf32_are_read() {
        let mut src = b"\n\r\n\n".to_vec();
        src.extend_from_slice(&login_history(3, false));
        let out = read_file(&input(&src));
        assert_eq!(out.account.rows_read, 3);
        let text = "Id,Username,Name\n005000000000001,a@x,Åsa\n";
        let mut src = vec![0xFF, 0xFE, 0, 0];
        src.extend(text.chars().flat_map(|c| u32::from(c).to_le_bytes()));
        let out = read_file(&input(&src));
        assert_eq!(users(&out), [Some("Åsa".to_string())]);
    }

    #[test]
    fn a_huge_header_is_refused_briefly() {
        let mut src = vec![b'X'; 1 << 20];
        src.extend_from_slice(b"\n1,2\n");
        let out = read_file(&input(&src));
        assert!(matches!(out.record.status, FileStatus::Ignored { .. }));
        let n = &out.notes[0];
        assert_eq!(n.line, Some(1));
        assert!(n.message.len() < 300, "{}", n.message);
        assert!(n.message.contains("longer than 64 KiB"), "{}", n.message);
    }

    #[test]
    fn elf_triple_quotes_decode() {
        let src =
            b"\"ID\",\"USERNAME\",\"NAME\"\n\"005000000000001\",\"a@x\",\"\"\"quoted\"\" name\"\n";
        let out = read_file(&input(src));
        assert_eq!(users(&out), [Some("\"quoted\" name".to_string())]);
        assert_eq!(
            out.acc.expect("parsed").tables.users[0].id,
            "005000000000001AAA"
        );
    }

    #[test]
    fn cr_only_and_quoted_newlines() {
        let src = b"Id,Username,Name\r005000000000001,a@x,\"two\rlines\"\r005000000000002,b@x,B\r";
        let out = read_file(&input(src));
        assert_eq!(out.account.rows_read, 2);
        assert_eq!(users(&out)[0].as_deref(), Some("two\nlines"));
    }

    #[test]
    fn utf16_with_bom() {
        let text = "Id\tUsername\tName\r\n005000000000001\ta@x\tÅsa\r\n";
        let mut src = vec![0xFF, 0xFE];
        src.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let out = read_file(&input(&src));
        assert_eq!(out.account.delimiter, Some('\t'));
        assert_eq!(users(&out), [Some("Åsa".to_string())]);
    }

    #[test]
    fn broken_json_is_unreadable_with_position() {
        let out = read_file(&input(b"{\n \"result\": [1,,2]}"));
        assert!(matches!(
            out.record.status,
            FileStatus::Unreadable {
                line: Some(2),
                column: Some(_),
                ..
            }
        ));
    }

    fn encode(field: &str, delim: char) -> String {
        if field.contains([delim, '"', '\n', '\r']) {
            format!("\"{}\"", field.replace('"', "\"\""))
        } else {
            field.to_string()
        }
    }

    const FUZZ_HEADERS: &[&str] = &[
        "Id,UserId,LoginTime,LoginType,LoginSubType,Application,Status,SourceIp",
        "\"ID\",\"USERID\",\"LOGINTIME\",\"LOGINTYPE\",\"APPLICATION\",\"STATUS\"",
        "Id;UserId;LoginTime;LoginType;LoginSubType;Application;Status;SourceIp",
        "Id,AppName,UserId,CreatedDate,LastUsedDate,UseCount,AppMenuItemId",
        "EVENT_TYPE,TIMESTAMP,USER_ID,CONNECTED_APP_ID,API_FAMILY,CLIENT_NAME",
        "Id,Username,Name",
        "Id,Name,CreatedDate",
        "Username,Login Time,Login Type,Application,Status",
        "",
        "x",
    ];

    const FUZZ_TOKENS: &[&str] = &[
        "0Ya000000000000001",
        "0Ya000000000000001AAA",
        "005000000000001AAA",
        "005",
        "2026-05-22T00:00:00.000Z",
        "9999-12-31T23:59:59.999Z",
        "2026-05-22T00:00:00.000+2400",
        "20231218054831.655",
        "11/28/2026 9:05 AM",
        "Remote Access 2.0",
        "OAuth Refresh Token",
        "Fleet App",
        "Browser",
        "N/A",
        "Success",
        "10.0.0.1",
        "2001:db8::1",
        "\"",
        "\"\"",
        ",",
        ";",
        "\t",
        "\n",
        "\r\n",
        "\r",
        " ",
        "\u{0}",
        "é",
        "\u{feff}",
        "{",
        "[",
    ];

    /// Build one fuzz input from its parts.
    fn fuzz_input(
        bom: usize,
        header: usize,
        pieces: &[(usize, Vec<u8>)],
        long: Option<(usize, usize)>,
    ) -> Vec<u8> {
        const BOMS: &[&[u8]] = &[
            b"",
            b"\xEF\xBB\xBF",
            b"\xFF\xFE",
            b"\xFE\xFF",
            b"\xFF\xFE\0\0",
            b"\0\0\xFE\xFF",
            b"\n\r\n",
        ];
        let mut src = BOMS[bom % BOMS.len()].to_vec();
        src.extend_from_slice(FUZZ_HEADERS[header % FUZZ_HEADERS.len()].as_bytes());
        src.push(b'\n');
        for (i, (token, bytes)) in pieces.iter().enumerate() {
            if let Some((at, len)) = long {
                if at % (pieces.len() + 1) == i {
                    // A very long field (past the 64 KiB header limit at the top).
                    src.extend(std::iter::repeat_n(b'a', len));
                }
            }
            match FUZZ_TOKENS.get(*token) {
                Some(t) => src.extend_from_slice(t.as_bytes()),
                None => src.extend_from_slice(bytes),
            }
        }
        src
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: crate::fuzz_cases(),
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Any bytes under any known header: no panic, the accounting balances, rows lost are
        /// fewer than the lines, and messages stay short.
        #[test]
        fn any_input_is_read_or_reported_never_a_panic(
            bom in 0usize..7,
            header in 0usize..10,
            pieces in prop::collection::vec(
                (0usize..(FUZZ_TOKENS.len() + 4), prop::collection::vec(any::<u8>(), 0..8)),
                0..120,
            ),
            long in prop::option::weighted(0.05, (0usize..200, 1usize..(80 * 1024))),
        ) {
            let src = fuzz_input(bom, header, &pieces, long);
            let out = read_file(&input(&src));
            prop_assert!(out.account.balances(), "{:?}", out.account);
            let lines = src.iter().filter(|&&b| b == b'\n' || b == b'\r').count() as u64 + 1;
            prop_assert!(out.account.rows_read + out.account.rows_not_read <= lines);
            for n in &out.notes {
                prop_assert!(n.message.chars().count() < 600, "{}", n.message);
            }
            // Two copies of one export are counted once; a third, cut short, overlaps them.
            let half = src[..src.len() / 2].to_vec();
            let data = crate::ingest::usage::read_usage_with(&[input(&src), input(&src), input(&half)], 1);
            for a in &data.accounts {
                prop_assert!(a.balances(), "{:?}", a);
            }
            let copies = usize::from(data.accounts[1].duplicate_of.is_some());
            let parsed = data.records[..2]
                .iter()
                .all(|r| matches!(r.status, FileStatus::Parsed { .. }));
            let want = usize::from(parsed && data.accounts[0].ids.count > 0);
            prop_assert_eq!(copies, want);
        }
    }

    proptest! {
        #[test]
        fn fields_and_records_survive_any_dialect(
            names in prop::collection::vec("x[a-z ,;|\"\n\t]{0,10}y", 0..20),
            delim in prop::sample::select(vec![',', ';', '\t', '|']),
            eol in prop::sample::select(vec!["\n", "\r\n", "\r"]),
            all_quoted in any::<bool>(),
        ) {
            let d = delim.to_string();
            let mut src = ["Id", "Username", "Name"].join(&d) + eol;
            for (i, n) in names.iter().enumerate() {
                let name = if all_quoted {
                    format!("\"{}\"", n.replace('"', "\"\""))
                } else {
                    encode(n, delim)
                };
                src += &format!("0050000000{i:05}{d}u{i}@x{d}{name}{eol}");
            }
            let out = read_file(&input(src.as_bytes()));
            prop_assert_eq!(out.account.rows_read, names.len() as u64);
            prop_assert!(out.account.balances());
            // Line endings inside quoted fields are normalised to LF.
            let want: Vec<Option<String>> = names
                .iter()
                .map(|n| Some(n.replace("\r\n", "\n").replace('\r', "\n").trim().to_string()))
                .collect();
            if names.is_empty() {
                prop_assert!(out.acc.is_some());
            } else {
                prop_assert_eq!(users(&out), want);
            }
        }
    }
}
