//! Reading one usage file: open (stream from disk or from archive bytes), inflate it when it is
//! gzip (by its first bytes, whatever its name), strip the BOM, sniff the delimiter, detect the kind from the header, then feed the rows to a [`Tally`]: CSV
//! records through [`records::read`], `sf data query --json` files flattened into the same rows.

use std::io::{BufRead, BufReader, Cursor, Read};
use std::sync::atomic::{AtomicU64, Ordering};

use super::data::FileAccount;
use super::file_output::{FileOutput, Ids};
use super::header::Header;
use super::kind::{self, Detection, UsageKind};
use super::records::{self, Fields};
use super::rows::RowReader;
use super::sf_json;
use super::tally::{self, Counter, Tally};
use super::text::{self, Bom};
use crate::diag::{Level, Note};
use crate::ingest::{FileRecord, FileStatus, InputFile};

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

/// The first bytes of a gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A gzip stream inflated as it is read (all its members, as `cat a.gz b.gz` makes), with
/// errors that say it was the compressed stream that failed. The rows are the inflated
/// text's, so line numbers in messages are those of the decompressed file.
struct Gunzip<R: BufRead>(flate2::bufread::MultiGzDecoder<R>);

impl<R: BufRead> Read for Gunzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            let why = match e.kind() {
                std::io::ErrorKind::UnexpectedEof => "truncated".to_string(),
                _ => e.to_string(),
            };
            std::io::Error::new(e.kind(), format!("gzip-compressed file is damaged: {why}"))
        })
    }
}

/// Read one usage candidate file. Never fails: problems become the file's status and notes.
#[cfg(test)]
pub(crate) fn read_file(file: &InputFile) -> FileOutput {
    read_file_with(file, None, &Ids::default())
}

/// Read one usage candidate file, adding the bytes read to `counter`, with a choice of what to
/// do with record Ids. Never fails: problems become the file's status and notes.
pub(crate) fn read_file_with(
    file: &InputFile,
    counter: Option<&AtomicU64>,
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
        horizon: horizon(file),
        ids: ids.clone(),
    };
    match open_text(file, counter) {
        Ok(opened) => dispatch(opened, file, &mut out),
        Err(e) => unreadable(&mut out, e.line, e.message),
    }
    out
}

/// The file's text, BOM removed: a file on disk, an archive entry inflated as it is read, or
/// bytes in memory, each inflated as it is read when it is gzip; UTF-16 and UTF-32
/// transcoded to UTF-8. With it, whether it was gzip.
fn open_text<'a>(
    file: &'a InputFile,
    counter: Option<&'a AtomicU64>,
) -> Result<Opened<'a>, records::Unreadable> {
    let cannot_open = |e: std::io::Error| records::Unreadable {
        line: None,
        message: format!("cannot open: {e}"),
    };
    let (source, disk): (Box<dyn Read + Send + 'a>, _) = match file.open_disk() {
        Ok(Some(f)) => {
            // A second handle on the same open file: the same bytes whatever becomes of the path.
            let mapped = f.try_clone().ok();
            (Box::new(f), mapped)
        }
        Ok(None) => (file.open_stream().map_err(cannot_open)?, None),
        Err(e) => return Err(cannot_open(e)),
    };
    let source = Counting {
        inner: source,
        counter,
    };
    let mut raw = BufReader::with_capacity(HEAD_BYTES, source);
    let cannot_read = |line, e: std::io::Error| records::Unreadable {
        line,
        message: format!("cannot read: {e}"),
    };
    let gzip = raw
        .fill_buf()
        .map_err(|e| cannot_read(Some(1), e))?
        .starts_with(&GZIP_MAGIC);
    let mut reader: Box<dyn BufRead + 'a> = if gzip {
        let inflated = Gunzip(flate2::bufread::MultiGzDecoder::new(raw));
        Box::new(BufReader::with_capacity(HEAD_BYTES, inflated))
    } else {
        Box::new(raw)
    };
    let bom = Bom::detect(reader.fill_buf().map_err(|e| cannot_read(Some(1), e))?);
    reader.consume(bom.byte_len());
    let little_endian = match bom {
        Bom::Utf16Le | Bom::Utf32Le => true,
        Bom::Utf16Be | Bom::Utf32Be => false,
        Bom::None | Bom::Utf8 => {
            let mapped = disk.filter(|_| !gzip).map(|file| records::MappedFile {
                file,
                start: bom.byte_len() as u64,
                counter,
            });
            return Ok(Opened {
                text: reader,
                gzip,
                mapped,
            });
        }
    };
    // Rare (Excel "Unicode text"): transcoded in memory, then read like any other file.
    let mut all = Vec::new();
    reader
        .read_to_end(&mut all)
        .map_err(|e| cannot_read(None, e))?;
    let utf8 = match bom {
        Bom::Utf16Le | Bom::Utf16Be => text::utf16_to_utf8(&all, little_endian),
        _ => text::utf32_to_utf8(&all, little_endian),
    };
    Ok(Opened {
        text: Box::new(BufReader::new(Cursor::new(utf8))),
        gzip,
        mapped: None,
    })
}

/// An opened usage file.
struct Opened<'a> {
    /// Its text, BOM removed, inflated and transcoded to UTF-8 as needed.
    text: Box<dyn BufRead + 'a>,
    /// Whether it was gzip.
    gzip: bool,
    /// The file on disk when the text is its bytes as they are (see [`records::MappedFile`]).
    mapped: Option<records::MappedFile<'a>>,
}

/// JSON or CSV, from the first byte that is not white space.
fn dispatch<'a>(opened: Opened<'a>, file: &'a InputFile, out: &mut FileOutput) {
    let Opened {
        text: mut reader,
        gzip,
        mapped,
    } = opened;
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
        Some(_) => read_csv(reader, mapped, file, gzip, out),
    }
}

fn read_csv<'a>(
    mut reader: Box<dyn BufRead + 'a>,
    mapped: Option<records::MappedFile<'a>>,
    file: &'a InputFile,
    gzip: bool,
    out: &mut FileOutput,
) {
    let delimiter = match reader.fill_buf() {
        Ok(head) => text::sniff_delimiter(head),
        Err(e) => return unreadable(out, Some(1), format!("cannot read: {e}")),
    };
    out.account.delimiter = Some(char::from(delimiter));
    // A second worker pays off only when there is enough to share (a gzip export inflates to
    // about ten times its size).
    let size = if gzip { file.size * 8 } else { file.size };
    let workers = if size >= PARALLEL_FROM_BYTES { 2 } else { 1 };
    #[allow(unused_mut)]
    let mut options = records::Options::new(delimiter, workers);
    #[cfg(test)]
    if let Some((workers, chunk)) = tests::SPLIT.with(std::cell::Cell::get) {
        options.workers = workers;
        options.chunk = chunk;
    }
    // Read again, it is not counted twice for the progress display.
    let reopen = || open_text(file, None).map(|o| o.text);
    let name = file.display.clone();
    let outcome = records::read(reader, mapped, reopen, options, |rec| {
        let header = Header::new(rec.iter().map(|f| text::field(f).0.into_owned()).collect());
        let rows = start(header, out)?;
        let kind = rows.kind();
        // The large event exports are read from their leading fields, in parallel.
        let fields = if kind.is_login() || kind.is_api() || kind == UsageKind::OauthToken {
            Fields::Leading(rows.fields_needed())
        } else {
            Fields::All
        };
        Some((Counter::new(rows, &name), fields))
    });
    match outcome.read {
        records::Read::Empty => ignore(out, "empty file".into()),
        records::Read::HeaderTooLong { line } => header_too_long(out, line),
        records::Read::Declined => {}
        records::Read::Unreadable(e) => unreadable(out, e.line, e.message),
        records::Read::Records {
            visit,
            part,
            lost,
            end,
        } => counted(out, &visit, part, lost, end),
    }
    if outcome.irregular {
        out.notes.push(Note {
            file: out.account.file.clone(),
            line: None,
            column: None,
            level: Level::Info,
            code: "irregular-csv",
            message:
                "stray quotes or carriage returns: read record by record, as a CSV parser would"
                    .into(),
        });
    }
}

/// Account for the records read and the rows lost; finish the file unless reading stopped.
fn counted(
    out: &mut FileOutput,
    visit: &Counter,
    mut tally: Tally,
    lost: records::Lost,
    end: Result<(), records::Unreadable>,
) {
    out.account.rows_not_read = lost.count;
    for row in lost.first {
        out.notes.push(Note {
            file: out.account.file.clone(),
            line: u32::try_from(row.line).ok(),
            column: row.column.and_then(|c| u32::try_from(c).ok()),
            level: Level::Error,
            code: "unreadable-row",
            message: row.message,
        });
    }
    tally.account_into(out);
    match end {
        Ok(()) => tally::finish(visit.rows(), tally, out),
        Err(e) => unreadable(out, e.line, e.message),
    }
}

/// Characters of input text quoted in a message.
const QUOTED_CHARS: usize = 200;

fn header_too_long(out: &mut FileOutput, line: u64) {
    let reason = format!(
        "line {line} is longer than {} KiB: not a usage export header",
        records::HEADER_LIMIT >> 10
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

fn read_json(bytes: &[u8], out: &mut FileOutput) {
    let parsed = match sf_json::parse(bytes) {
        Ok(p) => p,
        Err(sf_json::JsonProblem::NotQueryOutput(why)) => return ignore(out, why),
        Err(sf_json::JsonProblem::Syntax {
            line,
            column,
            message,
        }) => return unreadable_at(out, Some(line), Some(column), message),
    };
    out.json_total = Some((parsed.total_size, parsed.done));
    let Some(rows) = start(Header::new(parsed.columns), out) else {
        return;
    };
    let mut tally = Tally::new(&out.account.file);
    for (i, rec) in parsed.records.iter().enumerate() {
        // JSON has no useful line numbers: the record's 1-based index stands in for them.
        tally.row(&rows, rec, i as u64 + 1);
    }
    tally.account_into(out);
    tally::finish(&rows, tally, out);
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
mod tests;
