//! Record assembly for the record-by-record reader (`sequential`): physical lines
//! (LF-terminated: the input is normalised first) are joined into CSV records by the same quote
//! rules as the `csv` crate, each bounded in size, so that a quote that never closes costs one
//! row, not the file.
//!
//! A record that spans lines because of a quote is offered to the caller with the place of the
//! quote; when the caller finds it is not a sensible record (its fields do not match the
//! header, or the quote never closes), [`Assembler::resync`] gives back every line after its
//! first, and reading goes on at the next line. Lines longer than the record limit are
//! skipped while they are read (never held) and reported with their own line number.

use std::io::BufRead;

use memchr::memchr;

/// Where the quote that made a record span several lines opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct OpenQuote {
    /// 1-based physical line.
    pub line: u64,
    /// 1-based byte column.
    pub column: u64,
}

/// One unit of the input.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Item {
    /// A record (see [`Assembler::bytes`]) starting at `line`.
    Record {
        /// First physical line.
        line: u64,
        /// Physical lines it spans.
        lines: u64,
        /// The quote that kept it open across a line end, if any.
        open: Option<OpenQuote>,
        /// The input ended inside a quoted field.
        unclosed: bool,
        /// It grew past the limit inside a quoted field (cut there).
        too_long: bool,
    },
    /// One physical line longer than the limit, skipped.
    LongLine {
        /// Its line number.
        line: u64,
        /// Its length in bytes (newline excluded).
        bytes: u64,
    },
}

/// Quote state of the `csv` crate's reader (csv-core's NFA, quoting and doubled quotes on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Q {
    StartField,
    InField,
    InQuoted,
    QuoteInQuoted,
}

/// Re-read bytes never exceed this many per file: resyncing stays linear in the input.
const RESYNC_BUDGET: u64 = 256 * 1024 * 1024;

/// Joins lines into records; see the module header.
pub(super) struct Assembler<R> {
    inner: R,
    delim: u8,
    /// Lines given back by [`Assembler::resync`], read before `inner`: (first line, bytes, read
    /// position), the last entry first.
    pending: Vec<(u64, Vec<u8>, usize)>,
    /// Next physical line number from `inner`.
    next_line: u64,
    /// The current record's bytes and the start of each of its lines.
    record: Vec<u8>,
    starts: Vec<usize>,
    first_line: u64,
    resynced: u64,
    /// An over-long line met inside a quoted record: reported right after that record.
    long: Option<Item>,
}

/// How reading one line ended.
enum Line {
    /// A line was appended (with its LF unless at the end of input).
    Read,
    /// The input ended before any byte.
    End,
    /// The line was longer than the limit: skipped; its length.
    Long(u64),
}

impl<R: BufRead> Assembler<R> {
    /// Read `inner` (LF line ends) whose first line is `first_line`.
    pub(super) fn new(inner: R, delim: u8, first_line: u64) -> Self {
        Assembler {
            inner,
            delim,
            pending: Vec::new(),
            next_line: first_line,
            record: Vec::new(),
            starts: Vec::new(),
            first_line,
            resynced: 0,
            long: None,
        }
    }

    /// The bytes of the last record returned.
    pub(super) fn bytes(&self) -> &[u8] {
        &self.record
    }

    /// The next record or over-long line; blank lines are skipped as the `csv` crate skips
    /// them. A record may hold at most `limit` bytes.
    pub(super) fn next(&mut self, limit: usize) -> std::io::Result<Option<Item>> {
        self.record.clear();
        self.starts.clear();
        if let Some(long) = self.long.take() {
            return Ok(Some(long));
        }
        let mut state = Q::StartField;
        let mut open: Option<OpenQuote> = None;
        let mut opened_at: Option<(u64, u64)> = None;
        loop {
            let start = self.record.len();
            // Each line may be as long as a whole record: a record cut for size then holds
            // at most two limits, and the line that overflowed it is given back with the rest.
            let (line_no, got) = self.line(limit)?;
            match got {
                Line::End => {
                    if self.starts.is_empty() {
                        return Ok(None);
                    }
                    return Ok(Some(self.item(open, true, false)));
                }
                Line::Long(bytes) => {
                    if self.starts.is_empty() {
                        return Ok(Some(Item::LongLine {
                            line: line_no,
                            bytes,
                        }));
                    }
                    // Inside a quoted field: the record is cut here, and the long line (never
                    // held) is reported next, with its own number.
                    self.long = Some(Item::LongLine {
                        line: line_no,
                        bytes,
                    });
                    return Ok(Some(self.item(open, false, true)));
                }
                Line::Read => {}
            }
            let line = &self.record[start..];
            if self.starts.is_empty() && matches!(line, b"\n" | b"\r\n" | b"\r" | b"") {
                // A blank line between records.
                self.record.clear();
                continue;
            }
            if self.starts.is_empty() {
                self.first_line = line_no;
            }
            self.starts.push(start);
            for (i, &b) in line.iter().enumerate() {
                state = match (state, b) {
                    (Q::StartField, b'"') => {
                        opened_at = Some((line_no, i as u64 + 1));
                        Q::InQuoted
                    }
                    (Q::StartField | Q::InField | Q::QuoteInQuoted, b'\n') => Q::StartField,
                    (Q::StartField | Q::InField | Q::QuoteInQuoted, d) if d == self.delim => {
                        Q::StartField
                    }
                    (Q::StartField | Q::InField, _) => Q::InField,
                    (Q::InQuoted, b'"') => Q::QuoteInQuoted,
                    (Q::InQuoted, _) => Q::InQuoted,
                    (Q::QuoteInQuoted, b'"') => Q::InQuoted,
                    (Q::QuoteInQuoted, _) => Q::InField,
                };
            }
            let ended = line.last() == Some(&b'\n');
            if state != Q::InQuoted || !ended {
                // Complete (or the input ended inside quotes: `unclosed`).
                let unclosed = state == Q::InQuoted;
                return Ok(Some(self.item(open, unclosed, false)));
            }
            if open.is_none() {
                open = opened_at.map(|(line, column)| OpenQuote { line, column });
            }
            if self.record.len() > limit {
                return Ok(Some(self.item(open, false, true)));
            }
        }
    }

    fn item(&self, open: Option<OpenQuote>, unclosed: bool, too_long: bool) -> Item {
        Item::Record {
            line: self.first_line,
            lines: self.starts.len() as u64,
            open,
            unclosed: unclosed && self.starts.len() > 1,
            too_long,
        }
    }

    /// Give back every line of the last record after its first, to be read again as records
    /// of their own. `false` when the resync budget is spent (the rest of the input must
    /// then be reported, not re-read).
    pub(super) fn resync(&mut self) -> bool {
        let Some(&second) = self.starts.get(1) else {
            return true;
        };
        let tail = self.record[second..].to_vec();
        self.resynced += tail.len() as u64;
        if self.resynced > RESYNC_BUDGET {
            return false;
        }
        self.pending.push((self.first_line + 1, tail, 0));
        true
    }

    /// Append the next physical line (at most `limit` bytes) to `record`; its number.
    fn line(&mut self, limit: usize) -> std::io::Result<(u64, Line)> {
        while let Some((line, bytes, pos)) = self.pending.last_mut() {
            if *pos >= bytes.len() {
                self.pending.pop();
                continue;
            }
            let rest = &bytes[*pos..];
            let end = memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
            self.record.extend_from_slice(&rest[..end]);
            *pos += end;
            let n = *line;
            *line += 1;
            return Ok((n, Line::Read));
        }
        let n = self.next_line;
        let mut taken = 0usize;
        let mut long = false;
        let mut newline = false;
        loop {
            let avail = match self.inner.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                if taken == 0 {
                    return Ok((n, Line::End));
                }
                break;
            }
            let (end, done) = match memchr(b'\n', avail) {
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            if !long && taken + end > limit {
                // Too long: drop what was kept of it and skip to its end.
                long = true;
                self.record.truncate(self.record.len() - taken);
            }
            if !long {
                self.record.extend_from_slice(&avail[..end]);
            }
            taken += end;
            self.inner.consume(end);
            if done {
                newline = true;
                break;
            }
        }
        self.next_line += 1;
        if long {
            let len = taken as u64 - u64::from(newline);
            return Ok((n, Line::Long(len)));
        }
        Ok((n, Line::Read))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(src: &[u8], limit: usize) -> Vec<(Item, String)> {
        let mut a = Assembler::new(src, b',', 1);
        let mut out = Vec::new();
        while let Some(item) = a.next(limit).expect("reads") {
            let text = String::from_utf8_lossy(a.bytes()).into_owned();
            let bad = matches!(item, Item::Record { open: Some(_), .. });
            out.push((item, text));
            if bad {
                assert!(a.resync());
            }
        }
        out
    }

    #[test]
    fn records_follow_quotes_and_skip_blank_lines() {
        let got = all(b"a,b\n\n\"x\ny\",c\nd,e", 100);
        let lines: Vec<u64> = got
            .iter()
            .map(|(i, _)| match i {
                Item::Record { line, .. } | Item::LongLine { line, .. } => *line,
            })
            .collect();
        // The quoted record (lines 3-4) is given back after its first line (resync in `all`).
        assert_eq!(lines, [1, 3, 4, 5]);
        assert_eq!(got[1].1, "\"x\ny\",c\n");
        assert_eq!(got[2].1, "y\",c\n");
    }

    #[test]
    fn a_long_line_is_skipped_with_its_number() {
        let mut src = b"h\n".to_vec();
        src.extend(std::iter::repeat_n(b'z', 1000));
        src.extend_from_slice(b"\nok\n");
        let got = all(&src, 100);
        assert_eq!(
            got[1].0,
            Item::LongLine {
                line: 2,
                bytes: 1000
            }
        );
        assert_eq!(got[2].1, "ok\n");
    }

    #[test]
    fn a_record_cut_for_size_gives_back_every_line_after_its_first() {
        let src = format!("\"open\n{}\n{}\nlast\n", "b".repeat(50), "c".repeat(80));
        let got = all(src.as_bytes(), 100);
        assert!(matches!(
            got[0].0,
            Item::Record {
                too_long: true,
                lines: 3,
                ..
            }
        ));
        let texts: Vec<&str> = got[1..].iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(
            texts,
            [
                &*format!("{}\n", "b".repeat(50)),
                &*format!("{}\n", "c".repeat(80)),
                "last\n"
            ]
        );
    }

    #[test]
    fn an_open_quote_at_the_end_is_unclosed() {
        let got = all(b"\"a,b\nc,d\n", 100);
        assert!(matches!(
            got[0].0,
            Item::Record {
                unclosed: true,
                open: Some(OpenQuote { line: 1, column: 1 }),
                ..
            }
        ));
        assert_eq!(got[1].1, "c,d\n");
    }
}
