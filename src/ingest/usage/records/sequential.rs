//! Record by record: every line end made LF (so line numbers stay physical), lines joined
//! into records by the `csv` crate's quote rules (`assemble`), each record parsed by the crate.
//! A record whose quote spans lines and does not make a record the width of the header (or
//! never closes, or runs past the record limit) is reported and not read, and reading resumes
//! at its second line: one broken quote costs a row, not the rest of the file.

use std::io::{BufRead, BufReader};

use csv::ByteRecord;

use super::assemble::{Assembler, Item, OpenQuote};
use super::eol::NormalizeEol;
use super::{read_header, Fields, Lost, OneRecord, Read, Record, Unreadable, Visit};

/// One record may not span more than this: a quote that never closes would otherwise make
/// the rest of the file one field, held in memory.
const MAX_RECORD: usize = 16 * 1024 * 1024;

/// The header and data records of `text`, from its start.
pub(super) fn read<R: BufRead, V: Visit>(
    text: R,
    delimiter: u8,
    header: &mut impl FnMut(&ByteRecord) -> Option<(V, Fields)>,
) -> Read<V> {
    let mut lines = Assembler::new(BufReader::new(NormalizeEol::new(text)), delimiter, 1);
    let mut parser = OneRecord::new(delimiter);
    let rec = match read_header(&mut lines, &mut parser) {
        Ok((rec, _)) => rec,
        Err(read) => return read,
    };
    let width = rec.len();
    match header(rec) {
        // An error right after the header is reported at line 2, as it always was.
        Some((visit, _)) => records(lines, parser, width, 1, visit),
        None => Read::Declined,
    }
}

/// The data records of `lines` (positioned after a header of `width` fields); a read error
/// before any record is reported at the line after `last_line`.
pub(super) fn records<B: BufRead, V: Visit>(
    lines: Assembler<B>,
    parser: OneRecord,
    width: usize,
    last_line: u64,
    visit: V,
) -> Read<V> {
    let mut part = visit.part();
    let mut reader = Sequential {
        lines,
        parser,
        width,
        lost: Lost::default(),
        last_line,
    };
    let end = reader.run(&visit, &mut part);
    Read::Records {
        visit,
        part,
        lost: reader.lost,
        end,
    }
}

struct Sequential<B> {
    lines: Assembler<B>,
    parser: OneRecord,
    /// Fields of the header.
    width: usize,
    lost: Lost,
    /// The last line read.
    last_line: u64,
}

impl<B: BufRead> Sequential<B> {
    fn run<V: Visit>(&mut self, visit: &V, part: &mut V::Part) -> Result<(), Unreadable> {
        loop {
            let item = match self.lines.next(MAX_RECORD) {
                Ok(Some(item)) => item,
                Ok(None) => return Ok(()),
                Err(e) => {
                    let after = u32::try_from(self.last_line + 1).ok();
                    return Err(Unreadable::at(after, e));
                }
            };
            match item {
                Item::LongLine { line, bytes } => {
                    self.last_line = line;
                    let message = format!(
                        "a record of {} MiB is longer than the {} MiB limit: not read",
                        bytes.div_ceil(1 << 20),
                        MAX_RECORD >> 20
                    );
                    self.lost.add(line, None, message);
                }
                Item::Record {
                    line,
                    lines: span,
                    open,
                    unclosed,
                    too_long,
                } => {
                    self.last_line = line + span - 1;
                    let rec = self.parser.parse(self.lines.bytes());
                    let fields = rec.map_or(0, ByteRecord::len);
                    let broken = open.filter(|_| unclosed || too_long || fields != self.width);
                    let Some(quote) = broken else {
                        if let Some(rec) = rec {
                            visit.record(part, &Record::Parsed(rec), line);
                        }
                        continue;
                    };
                    let why = Broken {
                        unclosed,
                        too_long,
                        span,
                        fields,
                    };
                    self.broken(line, quote, &why)?;
                }
            }
        }
    }

    /// Report the record at `line` whose quote broke it, and read its lines again after the
    /// first.
    fn broken(&mut self, line: u64, quote: OpenQuote, why: &Broken) -> Result<(), Unreadable> {
        let message = format!(
            "a quote opened at line {} column {} {}: row not read; reading resumes at line {}",
            quote.line,
            quote.column,
            why.text(self.width),
            line + 1
        );
        self.lost.add(line, Some(quote.column), message);
        if !self.lines.resync() {
            return Err(Unreadable {
                line: u32::try_from(line).ok(),
                message: "too many broken quotes to read on (each re-reads the lines after it)"
                    .into(),
            });
        }
        self.last_line = line;
        Ok(())
    }
}

/// What made a quoted record not a record.
struct Broken {
    unclosed: bool,
    too_long: bool,
    span: u64,
    fields: usize,
}

impl Broken {
    fn text(&self, width: usize) -> String {
        if self.unclosed {
            "never closes".to_string()
        } else if self.too_long {
            format!("runs past {} MiB without closing", MAX_RECORD >> 20)
        } else {
            format!(
                "spans {} lines and leaves {} field(s) where the header has {width}",
                self.span, self.fields
            )
        }
    }
}
