//! Splitting the records of a chunk: the inner loop of the usage fast path.
//!
//! The structural bytes (delimiter, quote, newline) of each 64-byte block are found with SSE2
//! compares into a bit mask, and the splitter walks those positions only: a record costs a few
//! instructions per field instead of a search per field. Quoted and plain fields are split in
//! the same pass; only the fields a kind reads are kept. Whatever the splitter does not accept
//! (an escaped quote, a newline inside quotes, a stray quote in a plain field, text after a
//! closing quote) goes to the `csv` crate, which also says where that record ends, so records
//! and line numbers agree with the crate exactly (the contract in `records/tests.rs`). The one
//! exception is a lone carriage return inside a line, which the crate takes as a line end: the
//! workers look for them (`chunks::lone_cr`) and such a file is read record by record.
//!
//! Stray quotes (a quote inside an unquoted field, text after a closing quote, a quote left
//! open) are counted: they make the reader's quote-parity chunk boundaries unreliable, so a
//! file that has any is read again record by record (see [`super::read`]). The walk goes on to the end
//! of a record even after an escaped quote, so a stray quote later in it is still seen.

use wide::u8x16;

/// One record: field ranges found by the splitter, or the `csv` parser's record. An enum, not
/// a trait object: the row reader reads several fields a row and each access inlines.
pub(crate) enum Record<'a> {
    /// Ranges into the chunk.
    Split {
        /// The chunk.
        bytes: &'a [u8],
        /// The needed fields' ranges.
        ranges: &'a [(usize, usize)],
    },
    /// A record the splitter left to the parser.
    Parsed(&'a csv::ByteRecord),
}

impl Record<'_> {
    /// Fields kept (the needed ones of a split record, every field of a parsed one).
    #[inline]
    pub(crate) fn len(&self) -> usize {
        match self {
            Record::Split { ranges, .. } => ranges.len(),
            Record::Parsed(rec) => rec.len(),
        }
    }
    /// Field `i`, raw bytes.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Option<&[u8]> {
        match self {
            Record::Split { bytes, ranges } => ranges.get(i).map(|&(a, b)| &bytes[a..b]),
            Record::Parsed(rec) => rec.get(i),
        }
    }
}

/// The positions of a buffer's structural bytes (delimiter, quote, LF), in order, a 64-byte
/// block at a time.
struct Structurals<'a> {
    bytes: &'a [u8],
    delim: u8,
    /// Start of the current block (a multiple of 64).
    base: usize,
    /// The block's structural positions not yet visited, as bits.
    mask: u64,
}

impl<'a> Structurals<'a> {
    fn new(bytes: &'a [u8], delim: u8) -> Self {
        let mut s = Structurals {
            bytes,
            delim,
            base: 0,
            mask: 0,
        };
        s.mask = s.block(0);
        s
    }

    /// The structural bits of the block at `base`.
    fn block(&self, base: usize) -> u64 {
        let (d, q, n) = (self.delim, b'"', b'\n');
        match self.bytes.get(base..base + 64) {
            Some(block) => {
                let splat = [d, q, n].map(u8x16::splat);
                let mut mask = 0u64;
                for (k, part) in block.chunks_exact(16).enumerate() {
                    let v = u8x16::new(part.try_into().unwrap_or_default());
                    let hit = v.simd_eq(splat[0]) | v.simd_eq(splat[1]) | v.simd_eq(splat[2]);
                    mask |= u64::from(hit.to_bitmask() as u16) << (16 * k);
                }
                mask
            }
            None => {
                let tail = self.bytes.get(base..).unwrap_or_default();
                tail.iter().enumerate().fold(0, |m, (i, &b)| {
                    m | (u64::from(b == d || b == q || b == n) << i)
                })
            }
        }
    }

    /// The next structural position.
    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            self.base += 64;
            if self.base >= self.bytes.len() {
                return None;
            }
            self.mask = self.block(self.base);
        }
        let at = self.base + self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(at)
    }

    /// Go on from `pos`: later positions are at or after it.
    fn seek(&mut self, pos: usize) {
        let base = pos & !63;
        if base != self.base {
            self.base = base;
            self.mask = self.block(base);
        }
        self.mask &= u64::MAX << (pos - base);
    }
}

/// A record's end (its newline, or the chunk's end) and how many lines it spans.
struct Span {
    end: usize,
    lines: u64,
}

/// Why the splitter handed a record to the parser.
enum Fallback {
    /// Well-formed quoting it does not split itself: an escaped quote, a quoted newline.
    Quoted,
    /// Malformed quoting (see the module header).
    Stray,
}

/// Every record of `bytes` (which starts on a record boundary, at line `first_line`) through
/// `row`, with its first line number; only the first `need` fields of a record are split.
/// Returns the number of records with stray quotes, and of lines read.
pub(super) fn scan(
    bytes: &[u8],
    first_line: u64,
    delim: u8,
    need: usize,
    ranges: &mut Vec<(usize, usize)>,
    mut row: impl FnMut(&Record<'_>, u64),
) -> (u64, u64) {
    let mut stray = 0;
    let mut s = Structurals::new(bytes, delim);
    let mut pos = 0;
    let mut line = first_line;
    let mut rec = csv::ByteRecord::new();
    // One parser for the chunk, moved to each record it is given: building one costs more
    // than splitting a hundred records.
    let mut parser = None;
    while pos < bytes.len() {
        let blank = match bytes[pos] {
            b'\n' => Some(pos),
            b'\r' if bytes.get(pos + 1).is_none_or(|&b| b == b'\n') => Some(pos + 1),
            _ => None,
        };
        let span = match blank {
            // The CSV parser skips blank lines too.
            Some(end) => {
                s.seek(end + 1);
                Span { end, lines: 1 }
            }
            None => match split(&mut s, pos, need, ranges) {
                Ok(span) => {
                    row(&Record::Split { bytes, ranges }, line);
                    span
                }
                Err(why) => {
                    stray += u64::from(matches!(why, Fallback::Stray));
                    let span = general(bytes, pos, delim, &mut rec, &mut parser);
                    row(&Record::Parsed(&rec), line);
                    s.seek(span.end + 1);
                    span
                }
            },
        };
        line += span.lines;
        pos = span.end + 1;
    }
    (stray, line - first_line)
}

/// Split the record at `pos` (every structural byte before it visited) into the ranges of its
/// first `need` fields; return where it ends, its newline visited, and how many lines it
/// spans (quoted newlines are kept in the value, as the parser keeps them). `Err`: the `csv`
/// parser must split it: `Quoted` when a needed field has an escaped quote (a range cannot
/// hold the unescaped value; the walk goes on to the record's end, so a stray quote later in
/// it is still seen), `Stray` when its quoting is malformed (see the module header).
// Kept out of `scan`: inlined there, its range pushes cost 2% more instructions a row.
#[inline(never)]
fn split(
    s: &mut Structurals<'_>,
    pos: usize,
    need: usize,
    ranges: &mut Vec<(usize, usize)>,
) -> Result<Span, Fallback> {
    ranges.clear();
    let (bytes, delim, n) = (s.bytes, s.delim, s.bytes.len());
    let mut parse = false;
    let mut lines = 1;
    let done = |end: usize, parse: bool, lines: u64| {
        if parse {
            Err(Fallback::Quoted)
        } else {
            Ok(Span { end, lines })
        }
    };
    let mut start = pos;
    loop {
        if bytes.get(start) == Some(&b'"') {
            s.next(); // the opening quote
                      // The closing quote and the byte after it (an escaped quote's second half is
                      // skipped: the parser unescapes).
            let (close, after) = loop {
                let at = s.next().ok_or(Fallback::Stray)?;
                match bytes[at] {
                    b'"' => match bytes.get(at + 1) {
                        Some(b'"') => {
                            s.next();
                            // Unused fields need no unescaping.
                            parse |= ranges.len() < need;
                        }
                        next => break (at, next.copied()),
                    },
                    b'\n' => lines += 1,
                    _ => {}
                }
            };
            if ranges.len() < need {
                ranges.push((start + 1, close));
            }
            match after {
                None => return done(n, parse, lines),
                Some(d) if d == delim => {
                    s.next();
                    start = close + 2;
                }
                Some(b'\n') => {
                    s.next();
                    return done(close + 1, parse, lines);
                }
                Some(b'\r') if close + 2 == n => return done(n, parse, lines),
                Some(b'\r') if bytes[close + 2] == b'\n' => {
                    s.next();
                    return done(close + 2, parse, lines);
                }
                Some(_) => return Err(Fallback::Stray),
            }
        } else {
            let at = s.next();
            let end = at.unwrap_or(n);
            match at.map(|a| bytes[a]) {
                Some(b'"') => return Err(Fallback::Stray),
                Some(d) if d == delim => {
                    if ranges.len() < need {
                        ranges.push((start, end));
                    }
                    start = end + 1;
                }
                // A newline, or the end of the chunk.
                _ => {
                    if ranges.len() < need {
                        ranges.push((start, trim_cr(bytes, start, end)));
                    }
                    return done(end, parse, lines);
                }
            }
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

/// The `csv` parser of a chunk.
type Parser<'a> = csv::Reader<std::io::Cursor<&'a [u8]>>;

/// The record at `pos` through the `csv` parser, which also says where it ends.
fn general<'a>(
    bytes: &'a [u8],
    pos: usize,
    delim: u8,
    rec: &mut csv::ByteRecord,
    parser: &mut Option<Parser<'a>>,
) -> Span {
    let p = parser.get_or_insert_with(|| {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delim)
            .from_reader(std::io::Cursor::new(bytes))
    });
    let mut at = csv::Position::new();
    at.set_byte(pos as u64);
    let read = p.seek(at).and_then(|()| p.read_byte_record(rec));
    if !matches!(read, Ok(true)) {
        rec.clear();
    }
    let mut next = (p.position().byte() as usize).clamp(pos, bytes.len());
    // A CRLF terminator may be consumed only up to its CR.
    if bytes.get(next) == Some(&b'\n') && next > 0 && bytes[next - 1] == b'\r' {
        next += 1;
    }
    let end = if next > pos && matches!(bytes[next - 1], b'\n' | b'\r') {
        next - 1
    } else {
        next
    };
    Span {
        end,
        lines: 1 + bytecount::count(&bytes[pos..end], b'\n') as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Rows = Vec<(u64, Vec<Vec<u8>>)>;

    /// Every record of `src` as (first line, first `need` fields), through `scan`, and the
    /// number of records with stray quotes.
    fn scanned(src: &[u8], first_line: u64, delim: u8, need: usize) -> (Rows, u64) {
        let mut out = Vec::new();
        let (stray, lines) = scan(
            src,
            first_line,
            delim,
            need,
            &mut Vec::new(),
            |rec, line| {
                let n = rec.len().min(need);
                let fields = (0..n).map(|i| rec.get(i).unwrap_or_default().to_vec());
                out.push((line, fields.collect()));
            },
        );
        // The chunk reader numbers the next chunk's lines from this count.
        if stray == 0 {
            let newlines = bytecount::count(src, b'\n') as u64;
            assert_eq!(lines - u64::from(!src.ends_with(b"\n")), newlines);
        }
        (out, stray)
    }

    fn records(src: &[u8], delim: u8, need: usize) -> Rows {
        scanned(src, 1, delim, need).0
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
    fn only_needed_fields_are_kept_and_the_rest_may_span_lines() {
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
    fn stray_quotes_are_counted_and_escapes_are_not() {
        let stray = |src: &str| scanned(src.as_bytes(), 1, b',', 9).1;
        assert_eq!(stray("\"a\"\"b\",\"x\ny\",c\n"), 0);
        assert_eq!(stray("\"\"\"x\"\"\",b\n"), 0);
        assert_eq!(stray("a\"b,c\n"), 1);
        assert_eq!(stray("\"a\"b,c\n"), 1);
        assert_eq!(
            stray("\"a\"\"b\",c\"d\n"),
            1,
            "after an escape, the walk goes on"
        );
    }

    #[test]
    fn records_longer_than_a_block_and_blank_lines() {
        let long = "x".repeat(150);
        let src = format!("{long},\"{long}\",{long}\n\n\r\n{long}\n");
        let got = records(src.as_bytes(), b',', 9);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].1.len(), 3);
        assert_eq!(got[1].0, 4);
    }
}
