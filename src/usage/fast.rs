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

use memchr::{memchr, memchr_iter, memmem, memrchr};

use super::acc::FileAcc;
use super::model::FileAccount;
use super::rows::{Fields, RowStats};

/// Bytes handed to a worker at a time.
const CHUNK: usize = 4 * 1024 * 1024;
/// Chunk buffers in circulation (reader, queue, workers).
const BUFFERS: usize = 5;
/// A record larger than this means broken quoting; the file is reported, not swallowed.
const MAX_RECORD_SPAN: usize = 256 * 1024 * 1024;

/// One line split into field ranges.
pub struct LineRecord<'a> {
    line: &'a [u8],
    ranges: &'a [(usize, usize)],
}

impl Fields for LineRecord<'_> {
    fn len(&self) -> usize {
        self.ranges.len()
    }
    fn get(&self, i: usize) -> Option<&[u8]> {
        self.ranges.get(i).map(|&(a, b)| &self.line[a..b])
    }
}

fn quotes(bytes: &[u8]) -> usize {
    count(bytes, b'"')
}

/// Occurrences of a byte. Most exports have no quotes at all, which one memchr settles; else a
/// plain loop, which LLVM vectorises and which beats iterating memchr matches on quote-heavy
/// (Data Loader, ELF) or newline-dense data.
fn count(bytes: &[u8], byte: u8) -> usize {
    match memchr(byte, bytes) {
        None => 0,
        Some(first) => bytes[first..].iter().filter(|&&b| b == byte).count(),
    }
}

/// Split a plain or uniformly quoted line; `false` means the general parser is needed.
pub fn split_simple(
    line: &[u8],
    delim: u8,
    sep: &memmem::Finder<'_>,
    out: &mut Vec<(usize, usize)>,
) -> bool {
    out.clear();
    if memchr(b'"', line).is_none() {
        let mut start = 0;
        for i in memchr_iter(delim, line) {
            out.push((start, i));
            start = i + 1;
        }
        out.push((start, line.len()));
        return true;
    }
    let n = line.len();
    if n < 2 || line[0] != b'"' || line[n - 1] != b'"' {
        return false;
    }
    let mut start = 1;
    for i in sep.find_iter(&line[1..n - 1]) {
        out.push((start, 1 + i));
        start = 1 + i + 3;
    }
    out.push((start, n - 1));
    // Uniform only if every quote is a field's opening or closing one.
    quotes(line) == 2 * out.len()
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
    /// Whether any quote occurs in the chunk (most exports have none).
    quoted: bool,
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
                    let sep = [b'"', delim, b'"'];
                    let finder = memmem::Finder::new(&sep);
                    let mut ranges = Vec::with_capacity(32);
                    loop {
                        let next = rx
                            .lock()
                            .map_err(|_| ())
                            .and_then(|r| r.recv().map_err(|_| ()));
                        let Ok(chunk) = next else { break };
                        process(&chunk, delim, need, &finder, &mut ranges, &mut part, row);
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
        let quoted = memchr(b'"', &buf[..end]).is_some();
        if end > 0
            && tx
                .send(Chunk {
                    first_line: line,
                    quoted,
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

fn process<F>(
    chunk: &Chunk,
    delim: u8,
    need: usize,
    finder: &memmem::Finder<'_>,
    ranges: &mut Vec<(usize, usize)>,
    part: &mut Part,
    row: &F,
) where
    F: Fn(&mut Part, &dyn Fields, u64),
{
    let bytes = &chunk.bytes[..chunk.len];
    let mut pos = 0;
    let mut line = chunk.first_line;
    let mut rec = csv::ByteRecord::new();
    while pos < bytes.len() {
        // One scalar pass finds the line end and, for plain lines, the field boundaries: on
        // ~200-byte lines this beats a memchr call per delimiter.
        // SIMD searches: the line end, any quote on the line, then only the delimiters of the
        // columns that are read.
        let mut end = memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |n| pos + n);
        let quoted = chunk.quoted && memchr(b'"', &bytes[pos..end]).is_some();
        ranges.clear();
        let mut complete = false;
        if !quoted {
            let mut field = 0;
            for i in memchr_iter(delim, &bytes[pos..end]) {
                ranges.push((field, i));
                field = i + 1;
                if ranges.len() == need {
                    complete = true;
                    break;
                }
            }
            if !complete {
                ranges.push((field, trim_cr(&bytes[pos..end]).len()));
                complete = true;
            }
        }
        let raw = trim_cr(&bytes[pos..end]);
        let mut span = 1;
        if raw.is_empty() {
            // The CSV parser skips blank lines too.
        } else if complete || split_simple(raw, delim, finder, ranges) {
            row(part, &LineRecord { line: raw, ranges }, line);
        } else {
            // Quotes may hold newlines: extend the record until they balance.
            while quotes(&bytes[pos..end]) % 2 == 1 && end < bytes.len() {
                end = memchr(b'\n', &bytes[end + 1..]).map_or(bytes.len(), |i| end + 1 + i);
                span += 1;
            }
            let mut parser = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delim)
                .from_reader(&bytes[pos..end]);
            if let Ok(true) = parser.read_byte_record(&mut rec) {
                row(part, &rec, line);
            }
        }
        line += span;
        pos = end + 1;
    }
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(line: &str) -> Option<Vec<String>> {
        let sep = memmem::Finder::new(b"\",\"");
        let mut r = Vec::new();
        split_simple(line.as_bytes(), b',', &sep, &mut r)
            .then(|| r.iter().map(|&(a, b)| line[a..b].to_string()).collect())
    }

    #[test]
    fn plain_and_uniformly_quoted_lines_split_fast() {
        assert_eq!(
            split("a,b,,c"),
            Some(vec!["a".into(), "b".into(), "".into(), "c".into()])
        );
        assert_eq!(
            split("\"a\",\"b\",\"\""),
            Some(vec!["a".into(), "b".into(), "".into()])
        );
        assert_eq!(split("\"a,x\",\"b\""), Some(vec!["a,x".into(), "b".into()]));
    }

    #[test]
    fn anything_else_goes_to_the_parser() {
        assert_eq!(split("a,\"b,c\",d"), None);
        assert_eq!(split("\"a\"\"q\",\"b\""), None);
        assert_eq!(split("\"\"\"x\"\"\",\"b\""), None);
    }

    #[test]
    fn boundaries_respect_quotes() {
        assert_eq!(boundary(b"a,b\nc,d\ne"), Some(8));
        assert_eq!(boundary(b"a,b\n\"c\nd\",e\n\"f\ng"), Some(12));
        assert_eq!(boundary(b"\"open\nstill open\n"), None);
    }
}
