//! The fast path for exports read from their leading fields, the files that can be gigabytes.
//!
//! The calling thread only reads, in chunks that end on a record boundary (a newline after an
//! even number of quotes: exact when every quote is structural); worker threads split the
//! chunks' records (`split`) into the visitor's shares, merged at the end, and report stray
//! quotes and lone CRs, for which the file is read again record by record. Results do not
//! depend on how chunks were scheduled: counts add, windows widen, skipped-row examples are the
//! lowest line numbers (resolved from chunk-relative ones once every chunk's newlines are
//! known, see [`Visit::renumber`]).

use std::io::BufRead;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};

use memchr::{memchr_iter, memrchr};

mod mapped;

use super::split;
use super::{Options, Unreadable, Visit};

/// Bytes handed to a worker at a time.
pub(super) const CHUNK: usize = 4 * 1024 * 1024;
/// Chunk buffers in circulation (reader, queue, workers).
const BUFFERS: usize = 5;
/// No newline after an even number of quotes in this many bytes means the quoting is not what
/// parity assumes (a stray quote in an unquoted field, or a quote never closed): the `csv`
/// crate reads the file instead.
const MAX_RECORD_SPAN: usize = 16 * 1024 * 1024;

/// Quote parity cannot cut this file: it must be read record by record.
#[derive(Debug)]
pub(super) struct Stray;

/// Why feeding the workers stopped early.
enum Stop {
    /// The file cannot be read past some point (the message says why), with the newlines
    /// of the bytes read but not handed to a worker (where the reading stopped).
    Unreadable(String, u64),
    /// See [`Stray`].
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
struct Share<P> {
    /// The visitor's.
    part: P,
    /// Records with stray quotes or lone CRs: quote-parity chunk boundaries may be wrong.
    stray: u64,
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
    bytes: Bytes,
}

/// Where a chunk's bytes are.
enum Bytes {
    /// Read into a buffer, which goes back to the reader once split.
    Read(Vec<u8>),
    /// Mapped from the file (unmapped once split).
    Mapped(memmap2::Mmap),
}

impl Chunk {
    fn data(&self) -> &[u8] {
        match &self.bytes {
            Bytes::Read(v) => &v[..self.len],
            Bytes::Mapped(m) => &m[..self.len],
        }
    }
}

/// Where the chunks come from.
pub(super) enum Source<'a, R> {
    /// A text read through a buffer.
    Read(&'a mut R),
    /// A file mapped from a byte offset on.
    Mapped(&'a super::MappedFile<'a>, u64),
}

/// What the workers share.
struct Shared<'a, V> {
    rx: Mutex<mpsc::Receiver<Chunk>>,
    /// A worker that panics keeps taking chunks (so the reader never blocks) but stops
    /// counting, and the file is reported rather than summed short.
    failed: AtomicBool,
    visit: &'a V,
    delim: u8,
    need: usize,
}

/// The workers' shares of a file's records, and how reading ended.
pub(super) type Shares<P> = (Vec<P>, Result<(), Unreadable>);

/// Stream the data records of `reader` (positioned after the header, at line `first_line`)
/// through `visit`, with `options.workers` threads; only the first `need` fields of a plain
/// record are split. The shares of the records read, and `Err` when the text cannot be read
/// to its end (a damaged gzip stream, an I/O error: the line where reading stopped, when it
/// is known).
pub(super) fn run<R: BufRead, V: Visit>(
    source: Source<'_, R>,
    options: Options,
    need: usize,
    first_line: u64,
    visit: &V,
) -> Result<Shares<V::Part>, Stray> {
    let workers = options.workers.max(1);
    visit.workers(workers);
    let (tx, rx) = mpsc::sync_channel::<Chunk>(workers * 2);
    // Used buffers go back to the reader: fresh allocations would page-fault every time.
    let (back_tx, back_rx) = mpsc::channel::<Vec<u8>>();
    let shared = Shared {
        rx: Mutex::new(rx),
        failed: AtomicBool::new(false),
        visit,
        delim: options.delimiter,
        need,
    };
    let (read, shares) = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let back = back_tx.clone();
                let shared = &shared;
                s.spawn(move || work(shared, &back))
            })
            .collect();
        drop(back_tx);
        let read = match source {
            Source::Read(reader) => feed(reader, &tx, &back_rx, options.chunk),
            Source::Mapped(file, at) => mapped::feed(file, at, &tx, options.chunk),
        };
        drop(tx);
        let shares: Vec<Share<V::Part>> =
            handles.into_iter().filter_map(|h| h.join().ok()).collect();
        (read, shares)
    });
    if shared.failed.load(Ordering::Relaxed) || shares.len() != workers {
        let message = "internal error while reading (a worker stopped); please report it".into();
        return Ok((
            Vec::new(),
            Err(Unreadable {
                line: None,
                message,
            }),
        ));
    }
    let end = match read {
        Err(Stop::Stray) => return Err(Stray),
        Err(Stop::Unreadable(message, pending)) => {
            let sent: u64 = shares
                .iter()
                .flat_map(|s| s.chunk_lines.iter().map(|c| c.1))
                .sum();
            let line = u32::try_from(first_line + sent + pending).ok();
            Err(Unreadable { line, message })
        }
        Ok(()) => Ok(()),
    };
    if shares.iter().any(|s| s.stray > 0) {
        return Err(Stray);
    }
    Ok((absolute_lines(shares, first_line, visit), end))
}

/// One worker: take chunks until the reader is done, splitting their records into a share.
fn work<V: Visit>(shared: &Shared<'_, V>, back: &mpsc::Sender<Vec<u8>>) -> Share<V::Part> {
    let mut share = Share {
        part: shared.visit.part(),
        stray: 0,
        chunk_lines: Vec::new(),
    };
    let mut ranges = Vec::with_capacity(32);
    loop {
        let next = shared
            .rx
            .lock()
            .map_err(|_| ())
            .and_then(|r| r.recv().map_err(|_| ()));
        let Ok(chunk) = next else { break };
        if !shared.failed.load(Ordering::Relaxed) {
            let bytes = chunk.data();
            let part = &mut share.part;
            let scanned = catch_unwind(AssertUnwindSafe(|| {
                split::scan(
                    bytes,
                    chunk.index << CHUNK_SHIFT,
                    shared.delim,
                    shared.need,
                    &mut ranges,
                    |r, l| shared.visit.record(part, r, l),
                )
            }));
            // Checked here, not by the reader: the reader is the one serial stage, and this
            // search alone cost a tenth of the wall time.
            let cr = u64::from(lone_cr(bytes));
            match scanned {
                Ok((stray, lines)) => {
                    share.stray += stray + cr;
                    // The newlines: the lines read, but for a last line the file ends in.
                    let newlines = lines - u64::from(!bytes.ends_with(b"\n"));
                    share.chunk_lines.push((chunk.index, newlines));
                }
                Err(_) => shared.failed.store(true, Ordering::Relaxed),
            }
        }
        if let Bytes::Read(buf) = chunk.bytes {
            let _ = back.send(buf);
        }
    }
    share
}

/// Read chunks that end on a record boundary and send them to the workers.
///
/// Buffers are kept fully initialised and recycled, with the filled length carried beside
/// them: reading into spare capacity through a `dyn Read` would zero it on every call.
fn feed<R: BufRead>(
    reader: &mut R,
    tx: &mpsc::SyncSender<Chunk>,
    back: &mpsc::Receiver<Vec<u8>>,
    chunk: usize,
) -> Result<(), Stop> {
    let fresh = || vec![0u8; chunk + 64 * 1024];
    let mut buf = fresh();
    let mut filled = 0;
    let mut made = 1;
    let mut index = 0;
    // Bytes to have before looking for a boundary: a chunk, more while none is found.
    let mut want = chunk;
    loop {
        let eof = match fill(reader, &mut buf, &mut filled, want, chunk) {
            Ok(eof) => eof,
            Err(e) => return Err(hand_over_then_stop(buf, filled, index, tx, &e)),
        };
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
            want = filled + chunk;
            continue;
        };
        want = chunk;
        // At most BUFFERS chunk buffers exist: memory stays flat however long the file is.
        // All BUFFERS are made before any is reused, whatever the workers' pace: peak memory
        // is then the same for any file of five chunks or more.
        let mut next = if made < BUFFERS {
            made += 1;
            fresh()
        } else {
            back.recv()
                .map_err(|_| Stop::Unreadable("worker stopped".into(), 0))?
        };
        let rest = filled - end;
        if next.len() < rest + chunk {
            next.resize(rest + chunk, 0);
        }
        next[..rest].copy_from_slice(&buf[end..filled]);
        if end > 0
            && tx
                .send(Chunk {
                    index,
                    len: end,
                    bytes: Bytes::Read(std::mem::replace(&mut buf, next)),
                })
                .is_err()
        {
            return Err(Stop::Unreadable("worker stopped".into(), 0));
        }
        filled = rest;
        index += u64::from(end > 0);
        if eof {
            return Ok(());
        }
    }
}

/// Read into `buf` until it holds `want` bytes or the text ends (`Ok(true)`), growing it by
/// `chunk` when full.
fn fill<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    filled: &mut usize,
    want: usize,
    chunk: usize,
) -> std::io::Result<bool> {
    while *filled < want {
        if *filled == buf.len() {
            buf.resize(buf.len() + chunk, 0);
        }
        match reader.read(&mut buf[*filled..]) {
            Ok(0) => return Ok(true),
            Ok(n) => *filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}

/// The text cannot be read on (a damaged gzip stream, an I/O error): the complete records
/// read before are still handed to the workers, and the stop carries the newlines of what is
/// left, so that the error names the line where reading stopped.
fn hand_over_then_stop(
    buf: Vec<u8>,
    filled: usize,
    index: u64,
    tx: &mpsc::SyncSender<Chunk>,
    e: &std::io::Error,
) -> Stop {
    let end = boundary(&buf[..filled]).unwrap_or(0);
    let pending = count(&buf[end..filled], b'\n') as u64;
    if end > 0 {
        let _ = tx.send(Chunk {
            index,
            len: end,
            bytes: Bytes::Read(buf),
        });
    }
    Stop::Unreadable(format!("cannot read: {e}"), pending)
}

/// The shares' visitor parts, their chunk-relative line numbers (see [`CHUNK_SHIFT`]) turned
/// into file lines, the first chunk starting at `first_line`.
fn absolute_lines<V: Visit>(
    shares: Vec<Share<V::Part>>,
    first_line: u64,
    visit: &V,
) -> Vec<V::Part> {
    let mut chunks: Vec<(u64, u64)> = shares
        .iter()
        .flat_map(|s| s.chunk_lines.iter().copied())
        .collect();
    chunks.sort_unstable();
    let mut start = std::collections::HashMap::new();
    let mut line = first_line;
    for (index, lines) in chunks {
        start.insert(index, line);
        line += lines;
    }
    let absolute = |l: u64| {
        start
            .get(&(l >> CHUNK_SHIFT))
            .copied()
            .unwrap_or(first_line)
            + (l & ((1 << CHUNK_SHIFT) - 1))
    };
    shares
        .into_iter()
        .map(|mut s| {
            visit.renumber(&mut s.part, &absolute);
            s.part
        })
        .collect()
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

    /// Counts records, and panics at one line (a bug in a row step).
    struct Panics(u64);

    impl Visit for Panics {
        type Part = u64;
        fn part(&self) -> u64 {
            0
        }
        fn record(&self, part: &mut u64, _: &super::super::Record<'_>, line: u64) {
            assert!(line != self.0, "a bug in a row step");
            *part += 1;
        }
        fn renumber(&self, _: &mut u64, _: &dyn Fn(u64) -> u64) {}
        fn merge(&self, parts: Vec<u64>) -> u64 {
            parts.into_iter().sum()
        }
    }

    #[test]
    fn a_failing_row_step_is_reported_not_summed_short() {
        let src: String = (0..200_000).map(|i| format!("{i},x\n")).collect();
        for workers in [1, 2] {
            let mut reader = std::io::Cursor::new(src.as_bytes());
            let options = Options::new(b',', workers);
            let got = run(
                Source::Read(&mut reader),
                options,
                2,
                1,
                &Panics(150_000 - 2),
            );
            assert!(matches!(got, Ok((_, Err(_)))), "{workers}");
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
