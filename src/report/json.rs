//! Pretty JSON, byte for byte as `serde_json::to_writer_pretty` writes it (two-space
//! indentation), for every JSON output. serde_json's pretty printer writes each level of
//! indentation with its own call; a large org's report.json has millions of them, so here a
//! line break and its whole indentation are one write.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

/// A line break followed by enough spaces for 64 levels; deeper levels write the rest in steps.
const BREAK: [u8; 129] = {
    let mut b = [b' '; 129];
    b[0] = b'\n';
    b
};

/// serde_json's `PrettyFormatter` with two-space indentation, fewer writes.
#[derive(Debug, Default)]
pub struct Pretty {
    level: usize,
    has_value: bool,
}

impl Pretty {
    /// Optionally a comma, then a line break and the indentation of the current level.
    fn line<W: ?Sized + Write>(&self, w: &mut W, comma: bool) -> io::Result<()> {
        if comma {
            w.write_all(b",")?;
        }
        let mut spaces = self.level * 2;
        let first = spaces.min(BREAK.len() - 1);
        w.write_all(&BREAK[..1 + first])?;
        spaces -= first;
        while spaces > 0 {
            let step = spaces.min(BREAK.len() - 1);
            w.write_all(&BREAK[1..1 + step])?;
            spaces -= step;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.line(w, false)?;
        }
        w.write_all(bracket)
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.line(w, !first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.line(w, !first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    /// Strings keep no C1 control or bidi override from the inputs (the C0 controls come to
    /// [`Self::write_char_escape`]); ASCII runs, nearly all of them, are written as they are.
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if fragment.is_ascii() {
            return w.write_all(fragment.as_bytes());
        }
        w.write_all(crate::text::sanitize(fragment, true).as_bytes())
    }

    /// Control characters other than line feed, carriage return and tab (NUL, ESC, ...) are
    /// dropped rather than written as `\u0000` escapes that a consumer would decode again.
    fn write_char_escape<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        escape: serde_json::ser::CharEscape,
    ) -> io::Result<()> {
        use serde_json::ser::CharEscape;
        match escape {
            CharEscape::AsciiControl(_) | CharEscape::Backspace | CharEscape::FormFeed => Ok(()),
            other => serde_json::ser::CompactFormatter.write_char_escape(w, other),
        }
    }
}

/// Write `value` as pretty JSON (no trailing newline).
pub fn to_writer<W: Write, T: ?Sized + Serialize>(w: W, value: &T) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, Pretty::default());
    value.serialize(&mut ser)
}

/// `value` as pretty JSON (no trailing newline).
pub fn to_string<T: ?Sized + Serialize>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(128);
    to_writer(&mut out, value)?;
    // serde_json writes valid UTF-8 only.
    String::from_utf8(out).map_err(|e| serde_json::Error::io(io::Error::other(e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn same(v: &Value) {
        assert_eq!(
            to_string(v).expect("ours"),
            serde_json::to_string_pretty(v).expect("serde_json")
        );
    }

    #[test]
    fn matches_serde_json_on_shapes() {
        same(&json!(null));
        same(&json!([]));
        same(&json!({}));
        same(&json!({"a": [], "b": {}, "c": [{}], "d": [[], [1, 2]], "e": "x\"\n<"}));
        same(&json!([{"k": {"k": {"k": [1.5, -2, true, null]}}}, "s"]));
    }

    #[test]
    fn matches_serde_json_beyond_the_prepared_indentation() {
        let mut v = json!("leaf");
        for i in 0..150 {
            v = if i % 2 == 0 {
                json!([v, i])
            } else {
                json!({ "k": v, "n": i })
            };
        }
        same(&v);
    }

    #[test]
    fn strings_lose_controls_and_bidi_overrides() {
        let v = json!({"label": "a\u{0}b\u{1b}[2J\u{202e}c\u{9b}\n\t\"\\é"});
        assert_eq!(
            to_string(&v).expect("json"),
            "{\n  \"label\": \"ab[2Jc\\n\\t\\\"\\\\é\"\n}"
        );
    }

    proptest::proptest! {
        #[test]
        fn matches_serde_json_on_random_values(
            keys in proptest::collection::vec("[a-z\"\\\\]{0,3}", 0..6),
            depth in 0usize..8,
            n in 0i64..1000,
        ) {
            let mut v = json!(n);
            for d in 0..depth {
                let mut o = serde_json::Map::new();
                for (i, k) in keys.iter().enumerate() {
                    o.insert(k.clone(), if i % 2 == 0 { v.clone() } else { json!([v.clone(), []]) });
                }
                v = if d % 3 == 0 { Value::Array(vec![Value::Object(o), json!({})]) } else { Value::Object(o) };
            }
            same(&v);
        }
    }
}
