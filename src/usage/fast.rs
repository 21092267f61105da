//! The fast path for login, API and token exports, the files that can be gigabytes.
//!
//! The calling thread reads the stream in chunks that end on a record boundary (a newline
//! outside quotes, found by quote parity); worker threads split each line without the general
//! CSV state machine when it is plain (`a,b,c`) or uniformly quoted (`"a","b","c"`), fall back
//! to the `csv` parser for anything else (embedded quotes, delimiters or newlines), and
//! aggregate into their own accumulators, merged at the end. Results do not depend on how
//! chunks were scheduled: counts add, windows widen, and skipped-row examples are the lowest
//! line numbers.

use std::io::BufRead;
use std::sync::{mpsc, Mutex};

use memchr::{memchr, memchr2, memchr3, memrchr};

use super::acc::FileAcc;
use super::model::FileAccount;
use super::rows::{Fields, RowStats};

/// Bytes handed to a worker at a time.
const CHUNK: usize = 4 * 1024 * 1024;
/// Chunk buffers in circulation (reader, queue, workers).
const BUFFERS: usize = 5;
/// A record larger than this means broken quoting; the file is reported, not swallowed.
const MAX_RECORD_SPAN: usize = 256 * 1024 * 1024;

/// One record split into field ranges of its chunk.
pub struct LineRecord<'a> {
    bytes: &'a [u8],
    ranges: &'a [(usize, usize)],
}

impl Fields for LineRecord<'_> {
    fn len(&self) -> usize {
        self.ranges.len()
    }
    fn get(&self, i: usize) -> Option<&[u8]> {
        self.ranges.get(i).map(|&(a, b)| &self.bytes[a..b])
    }
}

fn quotes(bytes: &[u8]) -> usize {
    count(bytes, b'"')
}

/// Occurrences of a byte, SIMD-counted: the reader counts every quote and newline of the file.
fn count(bytes: &[u8], byte: u8) -> usize {
    bytecount::count(bytes, byte)
}

/// Where a field ends: at a delimiter, the next field starting at the index given, or at the
/// end of its record (the newline's index, or the chunk's length).
enum Next {
    Field(usize),
    End(usize),
}

/// The field starting at `i`: its value's range and what follows. `None` when the `csv`
/// parser must decide: an escaped quote or a newline in a quoted field, a quote inside a plain
/// field, or anything but a delimiter or line end after a closing quote.
fn cell(bytes: &[u8], i: usize, delim: u8) -> Option<((usize, usize), Next)> {
    let n = bytes.len();
    if bytes.get(i) == Some(&b'"') {
        let start = i + 1;
        let close = start + memchr2(b'"', b'\n', &bytes[start..])?;
        if bytes[close] == b'\n' {
            return None;
        }
        let next = match bytes.get(close + 1) {
            Some(&d) if d == delim => Next::Field(close + 2),
            None => Next::End(n),
            Some(b'\n') => Next::End(close + 1),
            Some(b'\r') if close + 2 == n => Next::End(n),
            Some(b'\r') if bytes[close + 2] == b'\n' => Next::End(close + 2),
            Some(_) => return None,
        };
        return Some(((start, close), next));
    }
    match memchr3(delim, b'\n', b'"', &bytes[i..]).map(|k| i + k) {
        None => Some(((i, trim_cr(bytes, i, n)), Next::End(n))),
        Some(at) if bytes[at] == b'\n' => Some(((i, trim_cr(bytes, i, at)), Next::End(at))),
        Some(at) if bytes[at] == b'"' => None,
        Some(at) => Some(((i, at), Next::Field(at + 1))),
    }
}

/// Split the record that starts at `pos` into its first `need` fields in one pass, plain or
/// quoted, and return where it ends (its newline, or the chunk's end). The columns nobody
/// reads are not split when they hold no quote. `None`: the general parser is needed (see
/// `cell`). A record split here is always one line.
fn split_record(
    bytes: &[u8],
    pos: usize,
    delim: u8,
    need: usize,
    ranges: &mut Vec<(usize, usize)>,
) -> Option<usize> {
    ranges.clear();
    let mut i = pos;
    while ranges.len() < need {
        let (range, next) = cell(bytes, i, delim)?;
        ranges.push(range);
        match next {
            Next::Field(j) => i = j,
            Next::End(end) => return Some(end),
        }
    }
    let end = memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |k| i + k);
    if memchr(b'"', &bytes[i..end]).is_none() {
        return Some(end);
    }
    // Quotes in the unread columns may hide a newline: walk them field by field.
    loop {
        match cell(bytes, i, delim)?.1 {
            Next::Field(j) => i = j,
            Next::End(end) => return Some(end),
        }
    }
}

/// `end`, less a carriage return just before it (CRLF files).
fn trim_cr(bytes: &[u8], start: usize, end: usize) -> usize {
    if end > start && bytes[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

/// A worker's share of one file.
pub struct Part {
    /// Accumulated usage.
    pub acc: FileAcc,
    /// Row statistics.
    pub stats: RowStats,
    /// Row accounting.
    pub account: FileAccount,
}

struct Chunk {
    first_line: u64,
    /// Bytes of `bytes` that hold data; the rest is recycled space.
    len: usize,
    bytes: Vec<u8>,
}

/// Stream the data rows of `reader` (positioned after the header) through `row`, with
/// `workers` threads; only the first `need` fields of a plain line are split. `row` is the
/// per-record step of the caller.
pub fn run<R, F>(
    reader: &mut R,
    delim: u8,
    need: usize,
    first_line: u64,
    workers: usize,
    file: &str,
    row: F,
) -> Result<Vec<Part>, String>
where
    R: BufRead,
    F: Fn(&mut Part, &dyn Fields, u64) + Sync,
{
    let (tx, rx) = mpsc::sync_channel::<Chunk>(workers.max(1) * 2);
    let rx = Mutex::new(rx);
    // Used buffers go back to the reader: fresh 4 MiB allocations would page-fault every time.
    let (back_tx, back_rx) = mpsc::channel::<Vec<u8>>();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers.max(1))
            .map(|_| {
                let rx = &rx;
                let row = &row;
                let back = back_tx.clone();
                s.spawn(move || {
                    let mut part = Part {
                        acc: FileAcc::default(),
                        stats: RowStats::default(),
                        account: FileAccount {
                            file: file.to_string(),
                            ..FileAccount::default()
                        },
                    };
                    let mut ranges = Vec::with_capacity(32);
                    loop {
                        let next = rx
                            .lock()
                            .map_err(|_| ())
                            .and_then(|r| r.recv().map_err(|_| ()));
                        let Ok(chunk) = next else { break };
                        scan(&chunk, delim, need, &mut ranges, |rec, line| {
                            row(&mut part, rec, line);
                        });
                        let _ = back.send(chunk.bytes);
                    }
                    part
                })
            })
            .collect();
        drop(back_tx);
        let read = feed(reader, first_line, &tx, &back_rx);
        drop(tx);
        let parts: Vec<Part> = handles.into_iter().filter_map(|h| h.join().ok()).collect();
        read.map(|()| parts)
    })
}

/// Read chunks that end on a record boundary and send them to the workers.
///
/// Buffers are kept fully initialised and recycled, with the filled length carried beside
/// them: reading into spare capacity through a `dyn Read` would zero it on every call.
fn feed<R: BufRead>(
    reader: &mut R,
    mut line: u64,
    tx: &mpsc::SyncSender<Chunk>,
    back: &mpsc::Receiver<Vec<u8>>,
) -> Result<(), String> {
    let fresh = || vec![0u8; CHUNK + 64 * 1024];
    let mut buf = fresh();
    let mut filled = 0;
    let mut made = 1;
    loop {
        let mut eof = false;
        while filled < CHUNK {
            if filled == buf.len() {
                buf.resize(buf.len() + CHUNK, 0);
            }
            match reader.read(&mut buf[filled..]) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("cannot read: {e}")),
            }
        }
        let split = if eof {
            Some(filled)
        } else {
            boundary(&buf[..filled])
        };
        let Some(end) = split else {
            if filled > MAX_RECORD_SPAN {
                return Err(format!("a quoted field does not close within {MAX_RECORD_SPAN} bytes after line {line}: broken quoting"));
            }
            // No boundary yet (a quoted field spans the chunk): read on into a larger buffer.
            buf.resize(buf.len() + CHUNK, 0);
            continue;
        };
        // At most BUFFERS chunk buffers exist: memory stays flat however long the file is.
        let mut next = match back.try_recv() {
            Ok(b) => b,
            Err(_) if made < BUFFERS => {
                made += 1;
                fresh()
            }
            Err(_) => back.recv().map_err(|_| "worker stopped".to_string())?,
        };
        let rest = filled - end;
        if next.len() < rest + CHUNK {
            next.resize(rest + CHUNK, 0);
        }
        next[..rest].copy_from_slice(&buf[end..filled]);
        let lines = count(&buf[..end], b'\n') as u64;
        if end > 0
            && tx
                .send(Chunk {
                    first_line: line,
                    len: end,
                    bytes: std::mem::replace(&mut buf, next),
                })
                .is_err()
        {
            return Err("worker stopped".into());
        }
        filled = rest;
        line += lines;
        if eof {
            return Ok(());
        }
    }
}

/// The end of the last complete record in `buf` (which starts on a record boundary): just
/// after a newline where the number of quotes before it is even.
fn boundary(buf: &[u8]) -> Option<usize> {
    let mut end = memrchr(b'\n', buf)? + 1;
    let mut q = quotes(&buf[..end]);
    // Look back a few lines for an even parity before asking for more data.
    for _ in 0..64 {
        if q % 2 == 0 {
            return Some(end);
        }
        let prev = memrchr(b'\n', &buf[..end - 1])? + 1;
        q -= quotes(&buf[prev..end]);
        end = prev;
    }
    None
}

/// A record's end (its newline, or the chunk's end) and how many lines it spans.
struct Span {
    end: usize,
    lines: u64,
}

/// Every record of a chunk through `row`, with its first line number.
fn scan(
    chunk: &Chunk,
    delim: u8,
    need: usize,
    ranges: &mut Vec<(usize, usize)>,
    mut row: impl FnMut(&dyn Fields, u64),
) {
    let bytes = &chunk.bytes[..chunk.len];
    let mut pos = 0;
    let mut line = chunk.first_line;
    let mut rec = csv::ByteRecord::new();
    while pos < bytes.len() {
        let blank = match bytes[pos] {
            b'\n' => Some(pos),
            b'\r' if bytes.get(pos + 1).is_none_or(|&b| b == b'\n') => Some(pos + 1),
            _ => None,
        };
        let span = match blank {
            // The CSV parser skips blank lines too.
            Some(end) => Span { end, lines: 1 },
            None => match split_record(bytes, pos, delim, need, ranges) {
                Some(end) => {
                    row(&LineRecord { bytes, ranges }, line);
                    Span { end, lines: 1 }
                }
                None => {
                    let span = general(bytes, pos, delim, &mut rec);
                    row(&rec, line);
                    span
                }
            },
        };
        line += span.lines;
        pos = span.end + 1;
    }
}

/// The record at `pos` through the `csv` parser, which also says where it ends.
fn general(bytes: &[u8], pos: usize, delim: u8, rec: &mut csv::ByteRecord) -> Span {
    let mut parser = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .from_reader(&bytes[pos..]);
    if !matches!(parser.read_byte_record(rec), Ok(true)) {
        rec.clear();
    }
    let mut next = pos + parser.position().byte() as usize;
    // A CRLF terminator may be consumed only up to its CR.
    if bytes.get(next) == Some(&b'\n') && bytes[next - 1] == b'\r' {
        next += 1;
    }
    let end = if next > pos && matches!(bytes[next - 1], b'\n' | b'\r') {
        next - 1
    } else {
        next
    };
    Span {
        end,
        lines: 1 + count(&bytes[pos..end], b'\n') as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every record of `src` as (first line, first `need` fields), through `scan`.
    fn records(src: &[u8], delim: u8, need: usize) -> Vec<(u64, Vec<Vec<u8>>)> {
        let chunk = Chunk {
            first_line: 1,
            len: src.len(),
            bytes: src.to_vec(),
        };
        let mut out = Vec::new();
        scan(&chunk, delim, need, &mut Vec::new(), |rec, line| {
            let n = rec.len().min(need);
            let fields = (0..n).map(|i| rec.get(i).unwrap_or_default().to_vec());
            out.push((line, fields.collect()));
        });
        out
    }

    /// The same through the `csv` crate, the reference.
    fn reference(src: &[u8], delim: u8, need: usize) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut parser = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delim)
            .from_reader(src);
        let mut out = Vec::new();
        let mut rec = csv::ByteRecord::new();
        while parser.read_byte_record(&mut rec).expect("csv") {
            // The crate's positions are where it started reading, before the blank lines it
            // skipped: the record's own line is after them.
            let mut at = rec.position().map_or(0, |p| p.byte()) as usize;
            while matches!(src.get(at), Some(b'\n' | b'\r')) {
                at += 1;
            }
            let line = 1 + count(&src[..at], b'\n') as u64;
            let fields = rec.iter().take(need).map(<[u8]>::to_vec).collect();
            out.push((line, fields));
        }
        out
    }

    fn fields(src: &str, need: usize) -> Vec<Vec<String>> {
        records(src.as_bytes(), b',', need)
            .into_iter()
            .map(|(_, f)| {
                f.iter()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn plain_quoted_and_mixed_records_split() {
        assert_eq!(fields("a,b,,c\n", 9), [["a", "b", "", "c"]]);
        assert_eq!(fields("\"a\",\"b\",\"\"\r\n", 9), [["a", "b", ""]]);
        assert_eq!(fields("\"a,x\",b\n", 9), [["a,x", "b"]]);
        assert_eq!(fields("a,\"b,c\",d", 9), [["a", "b,c", "d"]]);
    }

    #[test]
    fn only_needed_fields_are_split_and_the_rest_may_span_lines() {
        let src = "a,b,\"x\ny\",z\nc,d,e\n";
        assert_eq!(fields(src, 2), [["a", "b"], ["c", "d"]]);
        let lines: Vec<u64> = records(src.as_bytes(), b',', 2)
            .iter()
            .map(|r| r.0)
            .collect();
        assert_eq!(lines, [1, 3]);
    }

    #[test]
    fn escaped_quotes_and_quoted_newlines_use_the_parser() {
        assert_eq!(fields("\"a\"\"q\",b\n", 9), [["a\"q", "b"]]);
        assert_eq!(fields("\"\"\"x\"\"\",b\n", 9), [["\"x\"", "b"]]);
        assert_eq!(
            fields("\"two\nlines\",b\nc\n", 9),
            [vec!["two\nlines", "b"], vec!["c"]]
        );
        assert_eq!(fields("a\"b,c\n", 9), [["a\"b", "c"]]);
    }

    #[test]
    fn boundaries_respect_quotes() {
        assert_eq!(boundary(b"a,b\nc,d\ne"), Some(8));
        assert_eq!(boundary(b"a,b\n\"c\nd\",e\n\"f\ng"), Some(12));
        assert_eq!(boundary(b"\"open\nstill open\n"), None);
    }

    fn field() -> impl Strategy<Value = String> {
        prop::string::string_regex("[ab ,;\"\n\r]{0,6}").expect("regex")
    }

    proptest! {
        /// Records and line numbers agree with the `csv` crate whatever the quoting, for any
        /// number of needed fields. Fields are written by a writer that quotes when needed
        /// (optionally always), or raw, which yields malformed quoting too.
        #[test]
        fn agrees_with_the_csv_crate(
            rows in prop::collection::vec(prop::collection::vec(field(), 1..6), 0..8),
            style in 0..3u8,
            crlf in any::<bool>(),
            need in 1..7usize,
        ) {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut src = String::new();
            for row in &rows {
                let cells: Vec<String> = row.iter().map(|f| match style {
                    // A lone CR ends a record for the crate; files with them are normalised
                    // before they reach this path.
                    0 => f.replace('\r', ""),
                    1 if !f.contains(['"', ',', '\n', '\r']) => f.clone(),
                    _ => format!("\"{}\"", f.replace('"', "\"\"")),
                }).collect();
                src += &cells.join(",");
                src += eol;
            }
            prop_assert_eq!(records(src.as_bytes(), b',', need), reference(src.as_bytes(), b',', need));
        }
    }
}
