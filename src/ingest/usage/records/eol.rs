//! Line ends made LF for the record-by-record reader: CRLF and lone CR alike, so every line
//! ending counts as one line (the `csv` crate counts `\n` only) and classic-Mac files split
//! into records.

/// A reader that turns CRLF and lone CR into LF, so every line ending counts as one line
/// (the `csv` crate counts `\n` only) and legacy Mac files split into records.
#[derive(Debug)]
pub(super) struct NormalizeEol<R> {
    inner: R,
    after_cr: bool,
}

impl<R> NormalizeEol<R> {
    /// Wrap a reader.
    pub(super) fn new(inner: R) -> Self {
        NormalizeEol {
            inner,
            after_cr: false,
        }
    }
}

impl<R: std::io::Read> std::io::Read for NormalizeEol<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let n = self.inner.read(out)?;
            if n == 0 {
                return Ok(0);
            }
            // In place: the output is never longer than the input.
            let mut w = 0;
            for r in 0..n {
                let b = out[r];
                if self.after_cr && b == b'\n' {
                    self.after_cr = false;
                    continue;
                }
                self.after_cr = b == b'\r';
                out[w] = if b == b'\r' { b'\n' } else { b };
                w += 1;
            }
            if w > 0 {
                return Ok(w);
            }
        }
    }
}

/// Whether a block has a CR not followed by LF (classic Mac line endings).
pub(super) fn has_lone_cr(head: &[u8]) -> bool {
    head.iter()
        .enumerate()
        .any(|(i, &b)| b == b'\r' && head.get(i + 1).is_some_and(|&n| n != b'\n'))
}

#[cfg(test)]
mod tests {
    use super::NormalizeEol;
    use std::io::Read;

    #[test]
    fn normalises_every_line_ending() {
        let mut out = String::new();
        NormalizeEol::new(&b"a\r\nb\rc\nd\r"[..])
            .read_to_string(&mut out)
            .expect("reads");
        assert_eq!(out, "a\nb\nc\nd\n");
    }
}
