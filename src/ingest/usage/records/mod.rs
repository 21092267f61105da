//! The CSV records of one file, behind one call: [`read`].
//!
//! The caller hands over the text (BOM removed), its delimiter and a way to open it again; it
//! is shown the header, says which fields it reads and how it counts records (a [`Visit`]),
//! and gets back its tally with an account of the rows that could not be read. Behind the
//! call, and nowhere else:
//! - exports read from their leading fields ([`Fields::Leading`]), the ones that can be
//!   gigabytes, are cut into chunks on quote-parity record boundaries and split by worker
//!   threads with SIMD (`chunks`, `split`);
//! - other files, and any file whose quoting makes that cutting unsafe (a stray quote, a lone
//!   carriage return), are read record by record through the `csv` crate (`sequential`,
//!   `assemble`); a file the fast path gave up on part way is opened again and read that way
//!   from its start ([`Outcome::irregular`]).
//!
//! The contract (property test below): records and their first physical line numbers are the
//! `csv` crate's, whatever the quoting, the chunk size or the number of workers; a file read
//! record by record has its line ends made LF first (so a lone CR is a line), and a record
//! whose quote spans lines without making a sensible record is not read but reported, reading
//! going on at its second line.

mod assemble;
mod chunks;
mod eol;
mod sequential;
mod split;

use std::io::{BufRead, BufReader};

use csv::ByteRecord;

use assemble::{Assembler, Item};
pub(crate) use split::Record;

/// Which fields of each data record the caller reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fields {
    /// The first `n` (a record may have fewer): the fast path, when the quoting allows it.
    Leading(usize),
    /// Every field, record by record.
    All,
}

/// How the caller counts records: one `Part` per worker, merged at the end.
pub(crate) trait Visit: Sync {
    /// A worker's share of the tally.
    type Part: Send;
    /// A fresh share.
    fn part(&self) -> Self::Part;
    /// The fast path is about to make `n` shares, one per worker, all of which it will pass
    /// to [`Visit::merge`].
    fn workers(&self, n: usize) {
        let _ = n;
    }
    /// Count one record, whose first physical line is `line` (see [`Visit::renumber`]).
    fn record(&self, part: &mut Self::Part, rec: &Record<'_>, line: u64);
    /// Workers of the fast path see chunk-relative line numbers (the reader does not count
    /// lines: it is the one serial stage); once every chunk is read, each line number the
    /// share kept is passed through `line`, which gives the file's.
    fn renumber(&self, part: &mut Self::Part, line: &dyn Fn(u64) -> u64);
    /// The workers' shares as one, in worker order.
    fn merge(&self, parts: Vec<Self::Part>) -> Self::Part;
}

/// A text that is a plain file's bytes as they are (no gzip, no transcoding): its data records
/// are mapped from the file chunk by chunk rather than read through a buffer, which spares
/// the kernel's copy of every byte (a sixth of the CPU time of a large export's ingest).
#[derive(Debug)]
pub(crate) struct MappedFile<'a> {
    /// The file, opened with the text (the same bytes whatever becomes of its path).
    pub file: std::fs::File,
    /// Where the text starts in the file (after its BOM).
    pub start: u64,
    /// Adds the bytes mapped, for a progress display.
    pub counter: Option<&'a std::sync::atomic::AtomicU64>,
}

/// Counts the bytes taken from a text: where in its file the data records start.
struct Tracked<R> {
    inner: R,
    taken: u64,
}

impl<R: std::io::Read> std::io::Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.taken += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tracked<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        self.taken += n as u64;
        self.inner.consume(n);
    }
}

/// Options of [`read`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    /// Field delimiter.
    pub delimiter: u8,
    /// Worker threads of the fast path (at least one).
    pub workers: usize,
    /// Bytes handed to a worker at a time.
    pub chunk: usize,
}

impl Options {
    /// `delimiter`, `workers` and the chunk size of the fast path.
    pub(crate) fn new(delimiter: u8, workers: usize) -> Options {
        Options {
            delimiter,
            workers,
            chunk: chunks::CHUNK,
        }
    }
}

/// The text could not be read (a line number when one is known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unreadable {
    /// Line the failure is reported at.
    pub line: Option<u32>,
    /// Why.
    pub message: String,
}

impl Unreadable {
    fn at(line: Option<u32>, e: impl std::fmt::Display) -> Unreadable {
        Unreadable {
            line,
            message: format!("cannot read: {e}"),
        }
    }
}

/// A data record that could not be read (broken quoting, an over-long record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LostRow {
    /// Its first line.
    pub line: u64,
    /// The column of the quote that broke it, when that is what did.
    pub column: Option<u64>,
    /// What happened.
    pub message: String,
}

/// Lost rows are listed one by one up to this many per file; more are only counted.
pub(crate) const LOST_LISTED: usize = 5;

/// The rows that could not be read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Lost {
    /// How many.
    pub count: u64,
    /// The first [`LOST_LISTED`].
    pub first: Vec<LostRow>,
}

impl Lost {
    fn add(&mut self, line: u64, column: Option<u64>, message: String) {
        self.count += 1;
        if self.first.len() < LOST_LISTED {
            self.first.push(LostRow {
                line,
                column,
                message,
            });
        }
    }
}

/// What a file held.
pub(crate) enum Read<V: Visit> {
    /// No record at all (blank lines at most).
    Empty,
    /// The first line is longer than a header can be (64 KiB).
    HeaderTooLong {
        /// Its line.
        line: u64,
    },
    /// The header callback declined the file.
    Declined,
    /// The text could not be read before or at the header.
    Unreadable(Unreadable),
    /// The data records were counted.
    Records {
        /// The header callback's visitor.
        visit: V,
        /// The merged tally: every record read up to `end`.
        part: V::Part,
        /// Records that could not be read.
        lost: Lost,
        /// `Err` when reading stopped before the end of the text.
        end: Result<(), Unreadable>,
    },
}

/// The result of [`read`].
pub(crate) struct Outcome<V: Visit> {
    /// What was read.
    pub read: Read<V>,
    /// The fast path met quoting it cannot cut (stray quotes, lone carriage returns): the file
    /// was read again, record by record.
    pub irregular: bool,
}

/// A header longer than this is not a usage export header (real ones are a few hundred bytes).
pub(crate) const HEADER_LIMIT: usize = 64 * 1024;

/// Read the records of `text` (its BOM removed), with the header offered to `header`, which
/// returns the visitor of the data records and the fields it reads, or `None` to stop there.
/// `mapped`: the file whose bytes `text` is, when it is one (the fast path maps it).
/// `reopen` gives the same text from its start again, for a file the fast path cannot cut.
pub(crate) fn read<R, V>(
    mut text: R,
    mapped: Option<MappedFile<'_>>,
    reopen: impl FnOnce() -> Result<R, Unreadable>,
    options: Options,
    mut header: impl FnMut(&ByteRecord) -> Option<(V, Fields)>,
) -> Outcome<V>
where
    R: BufRead,
    V: Visit,
{
    let lone_cr = match text.fill_buf() {
        Ok(head) => eol::has_lone_cr(head),
        Err(e) => return Outcome::plain(Read::Unreadable(Unreadable::at(Some(1), e))),
    };
    if lone_cr {
        // Classic-Mac line endings: record by record from the start.
        return Outcome::plain(sequential::read(text, options.delimiter, &mut header));
    }
    match header_then_records(&mut text, mapped, options, &mut header) {
        Ok(read) => Outcome::plain(read),
        Err(chunks::Stray) => {
            // Stray quotes (a quote inside an unquoted field, text after a closing quote) make
            // chunk boundaries found by quote parity unreliable, and a lone CR ends a record
            // where the splitter sees none: the sequential reader decides.
            drop(text);
            let read = match reopen() {
                Ok(text) => sequential::read(text, options.delimiter, &mut header),
                Err(e) => Read::Unreadable(e),
            };
            Outcome {
                read,
                irregular: true,
            }
        }
    }
}

impl<V: Visit> Outcome<V> {
    fn plain(read: Read<V>) -> Outcome<V> {
        Outcome {
            read,
            irregular: false,
        }
    }
}

/// The header, then the data records through the chunked reader when the visitor reads
/// leading fields, else record by record. `Err`: the quoting defeats the chunked reader.
fn header_then_records<R, V>(
    text: &mut R,
    mapped: Option<MappedFile<'_>>,
    options: Options,
    header: &mut impl FnMut(&ByteRecord) -> Option<(V, Fields)>,
) -> Result<Read<V>, chunks::Stray>
where
    R: BufRead,
    V: Visit,
{
    let mut text = Tracked {
        inner: text,
        taken: 0,
    };
    let text = &mut text;
    let mut parser = OneRecord::new(options.delimiter);
    // Bounded, so a huge first line costs nothing.
    let mut lines = Assembler::new(&mut *text, options.delimiter, 1);
    let (rec, next_line) = match read_header(&mut lines, &mut parser) {
        Ok(h) => h,
        Err(read) => return Ok(read),
    };
    drop(lines);
    let width = rec.len();
    let Some((visit, fields)) = header(rec) else {
        return Ok(Read::Declined);
    };
    let Fields::Leading(need) = fields else {
        let lines = Assembler::new(
            BufReader::new(eol::NormalizeEol::new(text)),
            options.delimiter,
            next_line,
        );
        return Ok(sequential::records(lines, parser, width, next_line, visit));
    };
    let source = match &mapped {
        Some(m) => chunks::Source::Mapped(m, m.start + text.taken),
        None => chunks::Source::Read(text),
    };
    let (parts, end) = chunks::run(source, options, need, next_line, &visit)?;
    let part = visit.merge(parts);
    Ok(Read::Records {
        visit,
        part,
        lost: Lost::default(),
        end,
    })
}

/// The header record, after any blank lines, and the line after it; or what ends the file.
fn read_header<'p, B: BufRead, V: Visit>(
    lines: &mut Assembler<B>,
    parser: &'p mut OneRecord,
) -> Result<(&'p ByteRecord, u64), Read<V>> {
    let (line, span) = match lines.next(HEADER_LIMIT) {
        Ok(Some(Item::Record { line, lines, .. })) => (line, lines),
        Ok(Some(Item::LongLine { line, .. })) => return Err(Read::HeaderTooLong { line }),
        Ok(None) => return Err(Read::Empty),
        Err(e) => return Err(Read::Unreadable(Unreadable::at(Some(1), e))),
    };
    match parser.parse(lines.bytes()) {
        Some(rec) => Ok((rec, line + span)),
        None => Err(Read::Empty),
    }
}

/// One record's bytes through the `csv` crate, with one parser reused for every record.
struct OneRecord {
    parser: csv::Reader<std::io::Cursor<Vec<u8>>>,
    rec: ByteRecord,
}

impl OneRecord {
    fn new(delimiter: u8) -> Self {
        OneRecord {
            parser: csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .has_headers(false)
                .flexible(true)
                .from_reader(std::io::Cursor::new(Vec::new())),
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

#[cfg(test)]
mod tests;
