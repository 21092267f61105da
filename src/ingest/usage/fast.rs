//! The fast path for login, API and token exports, the files that can be gigabytes.
//!
//! The calling thread only reads, in chunks that end on a record boundary (a newline after an
//! even number of quotes: exact when every quote is structural); worker threads split the
//! chunks' records (`split`), aggregate into their own accumulators, merged at the end, and
//! report stray quotes and lone CRs, for which the caller reads the file again record by
//! record. Results do not depend on how chunks were scheduled: counts add, windows widen,
//! skipped-row examples are the lowest line numbers (resolved from chunk-relative ones once
//! every chunk's newlines are known).

use std::io::BufRead;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};

use memchr::{memchr_iter, memrchr};

use super::acc::FileAcc;
use super::data::FileAccount;
use super::rows::RowStats;
use super::split::{self, Record};

/// Bytes handed to a worker at a time.
const CHUNK: usize = 4 * 1024 * 1024;
/// Chunk buffers in circulation (reader, queue, workers).
const BUFFERS: usize = 5;
/// No newline after an even number of quotes in this many bytes means the quoting is not what
/// parity assumes (a stray quote in an unquoted field, or a quote never closed): the `csv`
/// crate reads the file instead.
const MAX_RECORD_SPAN: usize = 16 * 1024 * 1024;

/// Why the fast path stopped.
#[derive(Debug)]
pub enum Stop {
    /// The file cannot be read (the message says why).
    Unreadable(String),
    /// Quotes parity cannot cut: the file must be read record by record.
    Stray,
}

fn quotes(bytes: &[u8]) -> usize {
    count(bytes, b'"')
}

/// Occurrences of a byte, SIMD-counted: the reader counts every quote and newline of the file.
fn count(bytes: &[u8], byte: u8) -> usize {
    bytecount::count(bytes, byte)
}

/// A worker's share of one file.
pub struct Part {
    /// Accumulated usage.
    pub acc: FileAcc,
    /// Row statistics.
    pub stats: RowStats,
    /// Row accounting.
    pub account: FileAccount,
    /// Records with stray quotes: quote-parity chunk boundaries may be wrong.
    pub stray: u64,
    /// (chunk index, newlines) of the chunks this worker read.
    chunk_lines: Vec<(u64, u64)>,
}

/// Line numbers leave the workers as `chunk index << CHUNK_SHIFT | line within the chunk`: the
/// reader does not count newlines (it is the one serial stage), so a chunk's first line is
/// known only when every chunk before it has been read; [`absolute_lines`] resolves them.
const CHUNK_SHIFT: u32 = 40;

struct Chunk {
    index: u64,
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
) -> Result<Vec<Part>, Stop>
where
    R: BufRead,
    F: Fn(&mut Part, &Record<'_>, u64) + Sync,
{
    let (tx, rx) = mpsc::sync_channel::<Chunk>(workers.max(1) * 2);
    let rx = Mutex::new(rx);
    // Used buffers go back to the reader: fresh 4 MiB allocations would page-fault every time.
    let (back_tx, back_rx) = mpsc::channel::<Vec<u8>>();
    // A worker that panics keeps taking chunks (so the reader never blocks) but stops
    // counting, and the file is reported rather than summed short.
    let failed = AtomicBool::new(false);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers.max(1))
            .map(|_| {
                let rx = &rx;
                let row = &row;
                let failed = &failed;
                let back = back_tx.clone();
                s.spawn(move || {
                    let mut part = Part {
                        acc: FileAcc::default(),
                        stats: RowStats::default(),
                        account: FileAccount {
                            file: file.to_string(),
                            ..FileAccount::default()
                        },
                        stray: 0,
                        chunk_lines: Vec::new(),
                    };
                    let mut ranges = Vec::with_capacity(32);
                    loop {
                        let next = rx
                            .lock()
                            .map_err(|_| ())
                            .and_then(|r| r.recv().map_err(|_| ()));
                        let Ok(chunk) = next else { break };
                        if !failed.load(Ordering::Relaxed) {
                            let bytes = &chunk.bytes[..chunk.len];
                            let scanned = catch_unwind(AssertUnwindSafe(|| {
                                split::scan(
                                    bytes,
                                    chunk.index << CHUNK_SHIFT,
                                    delim,
                                    need,
                                    &mut ranges,
                                    |r, l| row(&mut part, r, l),
                                )
                            }));
                            // Checked here, not by the reader: the reader is the one
                            // serial stage, and this search alone cost a tenth of the wall time.
                            let cr = u64::from(lone_cr(bytes));
                            part.chunk_lines
                                .push((chunk.index, count(bytes, b'\n') as u64));
                            match scanned {
                                Ok(stray) => part.stray += stray + cr,
                                Err(_) => failed.store(true, Ordering::Relaxed),
                            }
                        }
                        let _ = back.send(chunk.bytes);
                    }
                    part
                })
            })
            .collect();
        drop(back_tx);
        let read = feed(reader, &tx, &back_rx);
        drop(tx);
        let mut parts: Vec<Part> = handles.into_iter().filter_map(|h| h.join().ok()).collect();
        if failed.load(Ordering::Relaxed) || parts.len() != workers.max(1) {
            return Err(Stop::Unreadable(
                "internal error while reading (a worker stopped); please report it".into(),
            ));
        }
        read.map(|()| {
            absolute_lines(&mut parts, first_line);
            parts
        })
    })
}

/// Read chunks that end on a record boundary and send them to the workers.
///
/// Buffers are kept fully initialised and recycled, with the filled length carried beside
/// them: reading into spare capacity through a `dyn Read` would zero it on every call.
fn feed<R: BufRead>(
    reader: &mut R,
    tx: &mpsc::SyncSender<Chunk>,
    back: &mpsc::Receiver<Vec<u8>>,
) -> Result<(), Stop> {
    let fresh = || vec![0u8; CHUNK + 64 * 1024];
    let mut buf = fresh();
    let mut filled = 0;
    let mut made = 1;
    let mut index = 0;
    // Bytes to have before looking for a boundary: a chunk, more while none is found.
    let mut want = CHUNK;
    loop {
        let mut eof = false;
        while filled < want {
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
                Err(e) => return Err(Stop::Unreadable(format!("cannot read: {e}"))),
            }
        }
        let split = if eof {
            Some(filled)
        } else {
            boundary(&buf[..filled])
        };
        let Some(end) = split else {
            if filled > MAX_RECORD_SPAN {
                return Err(Stop::Stray);
            }
            // No boundary yet (a quoted field spans the chunk): read on into a larger buffer.
            want = filled + CHUNK;
            continue;
        };
        want = CHUNK;
        // At most BUFFERS chunk buffers exist: memory stays flat however long the file is.
        // All BUFFERS are made before any is reused, whatever the workers' pace: peak memory
        // is then the same for any file of five chunks or more.
        let mut next = if made < BUFFERS {
            made += 1;
            fresh()
        } else {
            back.recv()
                .map_err(|_| Stop::Unreadable("worker stopped".into()))?
        };
        let rest = filled - end;
        if next.len() < rest + CHUNK {
            next.resize(rest + CHUNK, 0);
        }
        next[..rest].copy_from_slice(&buf[end..filled]);
        if end > 0
            && tx
                .send(Chunk {
                    index,
                    len: end,
                    bytes: std::mem::replace(&mut buf, next),
                })
                .is_err()
        {
            return Err(Stop::Unreadable("worker stopped".into()));
        }
        filled = rest;
        index += u64::from(end > 0);
        if eof {
            return Ok(());
        }
    }
}

/// Turn the workers' chunk-relative line numbers (see [`CHUNK_SHIFT`]) into file lines, the
/// first chunk starting at `first_line`.
fn absolute_lines(parts: &mut [Part], first_line: u64) {
    let mut chunks: Vec<(u64, u64)> = parts.iter().flat_map(|p| p.chunk_lines.clone()).collect();
    chunks.sort_unstable();
    let mut start = std::collections::HashMap::new();
    let mut line = first_line;
    for (index, lines) in chunks {
        start.insert(index, line);
        line += lines;
    }
    for part in parts {
        for s in &mut part.account.first_skipped {
            let index = s.line >> CHUNK_SHIFT;
            s.line = start.get(&index).copied().unwrap_or(first_line)
                + (s.line & ((1 << CHUNK_SHIFT) - 1));
        }
    }
}

/// Whether a CR is followed by anything but LF: the `csv` crate ends a record there (and the
/// splitter would not), so the file is read record by record (counted as a stray). One SIMD search settles LF
/// files; CRLF files pay a step per line.
fn lone_cr(bytes: &[u8]) -> bool {
    memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1).is_some_and(|&b| b != b'\n'))
}

/// The end of the last complete record in `buf` (which starts on a record boundary): just
/// after a newline where the number of quotes before it is even.
fn boundary(buf: &[u8]) -> Option<usize> {
    let mut end = memrchr(b'\n', buf)? + 1;
    let mut q = quotes(&buf[..end]);
    // Walk back line by line (a quoted field may hold many newlines) to an even parity.
    while q % 2 == 1 {
        let prev = memrchr(b'\n', &buf[..end - 1])? + 1;
        q -= quotes(&buf[prev..end]);
        end = prev;
    }
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_row_step_is_reported_not_summed_short() {
        let src: String = (0..200_000).map(|i| format!("{i},x\n")).collect();
        for workers in [1, 2] {
            let mut reader = std::io::Cursor::new(src.as_bytes());
            let got = run(
                &mut reader,
                b',',
                2,
                1,
                workers,
                "f.csv",
                |part, _, line| {
                    assert!(line != 150_000 - 2, "a bug in a row step");
                    part.account.rows_read += 1;
                },
            );
            assert!(matches!(got, Err(Stop::Unreadable(_))), "{workers}");
        }
    }

    #[test]
    fn lone_carriage_returns_are_found() {
        assert!(!lone_cr(b"a,b\r\nc,d\r\n"));
        assert!(!lone_cr(b"a,b\nc,d\r"));
        assert!(lone_cr(b"a,b\rc,d\r\n"));
    }

    #[test]
    fn boundaries_respect_quotes() {
        assert_eq!(boundary(b"a,b\nc,d\ne"), Some(8));
        assert_eq!(boundary(b"a,b\n\"c\nd\",e\n\"f\ng"), Some(12));
        assert_eq!(boundary(b"\"open\nstill open\n"), None);
        // A quoted field of many lines: the walk back goes past all of them.
        let long = format!(
            "a,b\nc,\"{}\"\nd,\"{}",
            "x\n".repeat(200),
            "y\n".repeat(200)
        );
        assert_eq!(boundary(long.as_bytes()), Some(long.find("d,").expect("d")));
    }
}
