//! Byte-level reading helpers (reference §16.1–§16.3, §16.9): BOM, delimiter sniffing, cp1252
//! fallback, placeholders.

use std::borrow::Cow;

/// The encoding a file starts with, from its byte-order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bom {
    /// No BOM.
    None,
    /// UTF-8 BOM (3 bytes).
    Utf8,
    /// UTF-16 little endian.
    Utf16Le,
    /// UTF-16 big endian.
    Utf16Be,
    /// UTF-32 little endian (`FF FE 00 00`: must be told from UTF-16 LE before it).
    Utf32Le,
    /// UTF-32 big endian.
    Utf32Be,
}

impl Bom {
    /// Detect the BOM at the start of `head`.
    pub fn detect(head: &[u8]) -> Bom {
        match head {
            [0xEF, 0xBB, 0xBF, ..] => Bom::Utf8,
            [0xFF, 0xFE, 0x00, 0x00, ..] => Bom::Utf32Le,
            [0x00, 0x00, 0xFE, 0xFF, ..] => Bom::Utf32Be,
            [0xFF, 0xFE, ..] => Bom::Utf16Le,
            [0xFE, 0xFF, ..] => Bom::Utf16Be,
            _ => Bom::None,
        }
    }

    /// Length of the mark in bytes.
    pub fn byte_len(self) -> usize {
        match self {
            Bom::None => 0,
            Bom::Utf8 => 3,
            Bom::Utf16Le | Bom::Utf16Be => 2,
            Bom::Utf32Le | Bom::Utf32Be => 4,
        }
    }
}

/// Pick the delimiter of the header line: the most frequent of `,` `;` tab `|` `^` `` ` ``
/// outside quotes; `,` when none occurs.
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    const CANDIDATES: [u8; 6] = [b',', b';', b'\t', b'|', b'^', b'`'];
    let mut counts = [0usize; 6];
    let mut quoted = false;
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let mut best = 0;
    for i in 1..CANDIDATES.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    CANDIDATES[best]
}

/// Windows-1252 code points for bytes 0x80–0x9F (the rest of the byte range is Latin-1).
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

/// Decode bytes that are not UTF-8 as Windows-1252.
pub fn cp1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

/// A field as text: borrowed when it is UTF-8 (the usual case), cp1252-decoded otherwise.
/// The second value says whether the fallback was used.
pub fn field(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), false),
        Err(_) => (Cow::Owned(cp1252(bytes)), true),
    }
}

/// Trimmed value, or `None` for the placeholders that mean "no value" (§16.9).
pub fn present(raw: &str) -> Option<&str> {
    let t = raw.trim();
    let placeholder = t.is_empty()
        || t.eq_ignore_ascii_case("n/a")
        || t.eq_ignore_ascii_case("unknown")
        || t.eq_ignore_ascii_case("null")
        || t.eq_ignore_ascii_case("salesforce.com ip")
        || t == "9998.0";
    (!placeholder).then_some(t)
}

/// Cut `text` to at most `max` characters for a message, marking the cut with `…`: input text
/// copied into notes and reports must stay small whatever the input holds.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// Decode a whole UTF-32 buffer (after its BOM) into UTF-8 bytes; bad units become U+FFFD.
pub fn utf32_to_utf8(bytes: &[u8], little_endian: bool) -> Vec<u8> {
    bytes
        .chunks_exact(4)
        .map(|c| {
            let c = [c[0], c[1], c[2], c[3]];
            let unit = if little_endian {
                u32::from_le_bytes(c)
            } else {
                u32::from_be_bytes(c)
            };
            char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER)
        })
        .collect::<String>()
        .into_bytes()
}

/// Decode a whole UTF-16 buffer (after its BOM) into UTF-8 bytes; bad units become U+FFFD.
pub fn utf16_to_utf8(bytes: &[u8], little_endian: bool) -> Vec<u8> {
    let units = bytes.chunks_exact(2).map(|c| {
        if little_endian {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect::<String>()
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter(b"Id,Name,Label\n1;2;3;4;5"), b',');
        assert_eq!(sniff_delimiter(b"Id;Name;\"A,B,C\"\r\n"), b';');
        assert_eq!(sniff_delimiter(b"Id\tName\tLabel"), b'\t');
        assert_eq!(sniff_delimiter(b"Id|Name|Label"), b'|');
        assert_eq!(sniff_delimiter(b"Id"), b',');
        assert_eq!(sniff_delimiter(b"Id\rName;Label"), b',');
    }

    #[test]
    fn boms() {
        assert_eq!(Bom::detect(b"\xEF\xBB\xBFId"), Bom::Utf8);
        assert_eq!(Bom::detect(b"\xFF\xFEI\0"), Bom::Utf16Le);
        assert_eq!(Bom::detect(b"\xFF\xFE\0\0I\0\0\0"), Bom::Utf32Le);
        assert_eq!(Bom::detect(b"\0\0\xFE\xFF\0\0\0I"), Bom::Utf32Be);
        assert_eq!(Bom::detect(b"Id"), Bom::None);
        assert_eq!(
            utf16_to_utf8(b"I\0d\0", true),
            b"Id".to_vec(),
            "UTF-16LE decodes"
        );
    }

    #[test]
    fn cp1252_fallback() {
        assert_eq!(cp1252(b"M\xfcller \x96 \x80 \x93x\x94"), "Müller – € “x”");
        let (text, fallback) = field(b"caf\xe9");
        assert_eq!((text.as_ref(), fallback), ("café", true));
        let (text, fallback) = field("café".as_bytes());
        assert_eq!((text.as_ref(), fallback), ("café", false));
    }

    #[test]
    fn placeholders_are_absent() {
        for p in [
            "",
            "  ",
            "N/A",
            "Unknown",
            "Salesforce.com IP",
            "9998.0",
            "null",
        ] {
            assert_eq!(present(p), None, "{p}");
        }
        assert_eq!(present(" ERP Sync "), Some("ERP Sync"));
    }
}
