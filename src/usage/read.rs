//! Reading one usage file: open (stream from disk or from archive bytes), strip the BOM, sniff
//! the delimiter, detect the kind from the header, then stream the rows through a
//! [`RowReader`]. `sf data query --json` files are flattened into the same rows.

use std::io::{BufRead, BufReader, Cursor, Read};
use std::sync::atomic::{AtomicU64, Ordering};

use csv::ByteRecord;

use super::acc::FileAcc;
use super::fast;
use super::header::Header;
use super::json;
use super::kind::{self, Detection, UsageKind};
use super::model::{FileAccount, SkipReason, SkippedRow, SKIPPED_LISTED};
use super::rows::{Fields, RowReader, RowStats};
use super::text::{self, Bom};
use super::time::Ts;
use crate::diag::{Level, Note};
use crate::ingest::{FileRecord, FileStatus, InputFile};

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
    // A second worker pays off only when there is enough to share.
    let workers = if file.size >= PARALLEL_FROM_BYTES {
        2
    } else {
        1
    };
    let first = read_with(file, counter, workers);
    if !first.again {
        return first;
    }
    // Stray quotes (a quote inside an unquoted field, text after a closing quote) make the
    // chunk boundaries, found by quote parity, unreliable, and a lone CR ends a record where
    // the splitter sees none: the sequential reader decides.
    let mut out = read_with(file, None, EXACT);
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
fn read_with(file: &InputFile, counter: Option<&AtomicU64>, workers: usize) -> FileOutput {
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
        Bom::Utf16Le | Bom::Utf16Be => {
            // Rare (Excel "Unicode text"): transcoded in memory, then read like any other file.
            let le = bom == Bom::Utf16Le;
            reader.consume(2);
            let mut all = Vec::new();
            if let Err(e) = reader.read_to_end(&mut all) {
                unreadable(&mut out, None, format!("cannot read: {e}"));
                return out;
            }
            let utf8 = text::utf16_to_utf8(&all, le);
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
    if lone_cr {
        // Rare classic-Mac line endings: normalised by the general path so lines stay exact.
        return read_csv_general(text::EolReader::new(reader), delimiter, 0, None, out);
    }
    if workers == EXACT {
        // Stray quotes or lone CRs past the head: record by record, every line end made LF
        // so line numbers stay physical.
        return read_csv_general(text::NormalizeEol::new(reader), delimiter, 0, None, out);
    }
    let mut head = Vec::new();
    if let Err(e) = reader.read_until(b'\n', &mut head) {
        return unreadable(out, Some(1), format!("cannot read: {e}"));
    }
    let mut parser = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(&head[..]);
    let mut rec = ByteRecord::new();
    match parser.read_byte_record(&mut rec) {
        Ok(true) => {}
        Ok(false) => return ignore(out, "empty file".into()),
        Err(e) => return csv_error(out, &e),
    }
    let header = Header::new(rec.iter().map(|f| text::field(f).0.into_owned()).collect());
    let Some(rows) = start(header, out) else {
        return;
    };
    let kind = rows.kind();
    if kind.is_login() || kind.is_api() || kind == UsageKind::OauthToken {
        read_fast(reader, delimiter, workers, rows, out);
    } else {
        read_csv_general(reader, delimiter, 1, Some(rows), out);
    }
}

/// Login, API and token rows: the chunked, parallel fast path.
fn read_fast<R: BufRead>(
    reader: &mut R,
    delimiter: u8,
    workers: usize,
    rows: RowReader,
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
        2,
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

/// Every other CSV: the `csv` crate record by record. `line_offset` accounts for a header read
/// before the parser started; `rows` is `None` when the header is still to be read.
fn read_csv_general<R: std::io::Read>(
    reader: R,
    delimiter: u8,
    line_offset: u64,
    rows: Option<RowReader>,
    out: &mut FileOutput,
) {
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(RecordGuard::new(reader));
    let mut rec = ByteRecord::new();
    let rows = match rows {
        Some(r) => r,
        None => {
            match csv.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => return ignore(out, "empty file".into()),
                Err(e) => return csv_error(out, &e),
            }
            let header = Header::new(rec.iter().map(|f| text::field(f).0.into_owned()).collect());
            let Some(rows) = start(header, out) else {
                return;
            };
            rows
        }
    };
    let mut state = Stream::new(rows);
    let mut last_line = line_offset;
    loop {
        let start = csv.position().byte();
        csv.get_mut().record_start = start;
        match csv.read_byte_record(&mut rec) {
            Ok(true) => {
                // The crate's position is where it started reading, before the blank lines
                // it skipped (and its line count leaves them out): count them back in.
                let (line, byte) = rec.position().map_or((0, 0), |p| (p.line(), p.byte()));
                let line = line + csv.get_ref().newlines_at(byte) + line_offset;
                last_line = line;
                state.row(&rec, line, out);
            }
            Ok(false) => break,
            Err(e) if e.position().is_none() => {
                // The guard (or the disk) stopped the read: say after which record.
                let after = u32::try_from(last_line + 1).ok();
                return unreadable(out, after, e.to_string());
            }
            Err(e) => return csv_error(out, &e),
        }
    }
    state.finish(out);
}

/// One record may not span more than this: a quote that never closes would otherwise make
/// the rest of the file one field, held in memory.
const MAX_RECORD: u64 = 16 * 1024 * 1024;

/// Bytes before the current record are let go this many at a time (see `newlines_at`).
const RECENT: usize = 1 << 20;

/// The `csv` crate's input: stops it when one record grows past [`MAX_RECORD`] bytes, and
/// keeps the last bytes read so the blank lines it skips can be counted.
struct RecordGuard<R> {
    inner: R,
    read: u64,
    /// Byte offset where the record being read starts (set by the reading loop).
    record_start: u64,
    /// The bytes from offset `recent_start` (at or before the current record) to `read`.
    recent: Vec<u8>,
    recent_start: u64,
}

impl<R> RecordGuard<R> {
    fn new(inner: R) -> Self {
        RecordGuard {
            inner,
            read: 0,
            record_start: 0,
            recent: Vec::new(),
            recent_start: 0,
        }
    }

    /// Newlines of the blank lines starting at byte `at`, the start of the record just read.
    fn newlines_at(&self, at: u64) -> u64 {
        let Some(from) = at.checked_sub(self.recent_start) else {
            return 0;
        };
        let bytes = self.recent.get(from as usize..).unwrap_or_default();
        let blank = bytes.iter().take_while(|&&b| b == b'\n' || b == b'\r');
        blank.filter(|&&b| b == b'\n').count() as u64
    }
}

impl<R: Read> Read for RecordGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.read.saturating_sub(self.record_start) > MAX_RECORD {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "a record runs past {} MiB: a quoted field that never closes (broken quoting)",
                    MAX_RECORD >> 20
                ),
            ));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        // Keep everything from where the current record starts (at most MAX_RECORD and a read
        // buffer): its blank lines are counted once it is read.
        let keep_from = self.record_start.max(self.recent_start);
        let drop = (keep_from - self.recent_start) as usize;
        if drop > RECENT {
            self.recent.drain(..drop);
            self.recent_start = keep_from;
        }
        self.recent.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

/// Fold one worker's row accounting into the file's.
fn merge_account(into: &mut FileAccount, from: FileAccount) {
    into.rows_read += from.rows_read;
    into.rows_used += from.rows_used;
    into.rows_skipped += from.rows_skipped;
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
            Some(RowReader::new(k, header))
        }
        Detection::Ignored(why) => {
            ignore(out, why.to_string());
            None
        }
        Detection::Unknown => {
            let shown: Vec<&str> = header.raw.iter().take(8).map(String::as_str).collect();
            let reason = format!("no known usage export kind (header: {})", shown.join(", "));
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

fn csv_error(out: &mut FileOutput, e: &csv::Error) {
    let line = e.position().map(|p| p.line() as u32);
    unreadable(out, line, e.to_string());
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
                crate::usage::acc::AppKey::Label(l) => Some((
                    acc.strings.get(*l).to_string(),
                    a.logins.flows.iter().map(|f| f[0]).sum(),
                )),
                crate::usage::acc::AppKey::Id(_) => None,
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
        match &out.record.status {
            FileStatus::Unreadable { line, message, .. } => {
                assert_eq!(*line, Some(5));
                assert!(message.contains("never closes"), "{message}");
            }
            other => panic!("{other:?}"),
        }
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
