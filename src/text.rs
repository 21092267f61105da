//! The one sanitizer for text that came from the inputs (file names, XML text, CSV cells) and
//! goes to a terminal, a report or generated metadata: control characters (ESC, NUL, the C1
//! range) and the invisible bidirectional controls that reorder what a reader sees
//! (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C) are removed.

use std::borrow::Cow;

/// A bidirectional formatting control: invisible, but it reorders the text around it.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Line breaks a reader sees as one (U+2028/U+2029 included).
fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}')
}

/// Bytes that may start a character [`sanitize`] changes: the C0 controls and DEL, and the
/// lead bytes of the C1 controls and U+0085 (0xC2), of U+061C (0xD8) and of the other bidi
/// controls and line breaks (0xE2). No other byte does, and none of these is a continuation
/// byte, so each marks the start of a character.
static SUSPECT: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = true;
        b += 1;
    }
    t[0x7f] = true;
    t[0xc2] = true;
    t[0xd8] = true;
    t[0xe2] = true;
    t
};

/// Whether `s` holds a character [`sanitize`] changes: its bytes are scanned, and only the
/// characters that start with a [`SUSPECT`] byte are decoded (typographic dashes and arrows
/// start with 0xE2 too, and are kept).
fn has_unsafe(s: &str, lines: bool) -> bool {
    s.bytes()
        .enumerate()
        .filter(|(_, b)| SUSPECT[usize::from(*b)])
        .any(|(i, _)| {
            s.get(i..)
                .and_then(|rest| rest.chars().next())
                .is_some_and(|c| is_unsafe(c, lines))
        })
}

/// Whether `c` is changed by [`sanitize`].
fn is_unsafe(c: char, lines: bool) -> bool {
    if lines && (c == '\n' || c == '\t') {
        return false;
    }
    c.is_control() || is_bidi_control(c) || is_line_break(c)
}

/// Remove control characters and bidirectional controls from `s`. With `lines`, line feeds
/// and tabs are kept (a block of terminal text); without, line breaks and tabs become a space
/// (a label, a cell, one line). Borrowed when nothing changes, which is almost always.
pub fn sanitize(s: &str, lines: bool) -> Cow<'_, str> {
    if !has_unsafe(s, lines) {
        return Cow::Borrowed(s);
    }
    let out = s
        .chars()
        .filter_map(|c| {
            if !is_unsafe(c, lines) {
                Some(c)
            } else if !lines && (c == '\t' || is_line_break(c)) {
                // A CR LF pair becomes one space.
                (c != '\r').then_some(' ')
            } else {
                None
            }
        })
        .collect();
    Cow::Owned(out)
}

/// Text for a terminal (stdout or stderr): line feeds and tabs kept, escape sequences and
/// other controls removed.
pub fn terminal(s: &str) -> Cow<'_, str> {
    sanitize(s, true)
}

/// One line of text (a label, a snippet, a cell): see [`sanitize`].
pub fn terminal_line(s: &str) -> Cow<'_, str> {
    sanitize(s, false)
}

/// A label for a report or generated metadata: one line, no controls, trimmed.
pub fn label(s: &str) -> String {
    sanitize(s, false).trim().to_string()
}

/// The names among `known` close to `wanted` (case-insensitive edit distance of at most a
/// third of its length, 2 at least), closest first, at most three: for "did you mean".
pub fn similar<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let wanted = wanted.to_lowercase();
    let limit = (wanted.chars().count() / 3).max(2);
    let mut close: Vec<(usize, &str)> = known
        .into_iter()
        .map(|k| (strsim::levenshtein(&wanted, &k.to_lowercase()), k))
        .filter(|(d, _)| *d <= limit)
        .collect();
    close.sort();
    close.into_iter().take(3).map(|(_, k)| k).collect()
}

/// ` (did you mean A, B?)`, or nothing when no name is close.
pub fn did_you_mean(close: &[&str]) -> String {
    if close.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", close.join(", "))
    }
}

/// `16 MiB`, `1 GiB`, or bytes.
pub fn human_bytes(n: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if n >= 1024 * MIB && n % (1024 * MIB) == 0 {
        format!("{} GiB", n / (1024 * MIB))
    } else if n >= MIB && n % MIB == 0 {
        format!("{} MiB", n / MIB)
    } else {
        format!("{n} bytes")
    }
}

/// Check a Salesforce developer name: starts with a letter, only ASCII letters, digits and
/// underscores, no trailing or double underscore, at most `max` characters.
pub fn developer_name(name: &str, max: usize) -> Result<(), String> {
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(format!("{name:?} must start with a letter"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        return Err(format!(
            "{name:?} contains {c:?}: only letters, digits and _ are allowed"
        ));
    }
    if name.ends_with('_') {
        return Err(format!("{name:?} must not end with an underscore"));
    }
    if name.contains("__") {
        return Err(format!(
            "{name:?} must not contain two underscores in a row"
        ));
    }
    if name.chars().count() > max {
        return Err(format!("{name:?} is longer than {max} characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn suggests_close_names_only() {
        let rules = ["ECA101", "ECA109", "ECA209", "ECA301", "full-scope"];
        assert_eq!(super::similar("eca190", rules), ["ECA101", "ECA109"]);
        assert_eq!(super::similar("ful-scope", rules), ["full-scope"]);
        assert!(super::similar("Nothing_Like_It", rules).is_empty());
        assert_eq!(super::did_you_mean(&["A", "B"]), " (did you mean A, B?)");
        assert_eq!(super::did_you_mean(&[]), "");
    }

    use super::*;

    #[test]
    fn escapes_nul_and_bidi_are_removed() {
        assert_eq!(terminal("a\u{1b}[31mred\u{1b}[0m\n\tz"), "a[31mred[0m\n\tz");
        assert_eq!(terminal("x\0y\u{9b}2J\u{7f}"), "xy2J");
        assert_eq!(
            label(" Pay\u{202E}lanoitan\u{2066}x\u{2069}\u{200E}\u{200F} "),
            "Paylanoitanx"
        );
        assert_eq!(label("two\r\nlines\tand\u{2028}more"), "two lines and more");
        assert!(matches!(terminal("plain ünïcode ✓"), Cow::Borrowed(_)));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::fuzz_cases()))]

        #[test]
        fn nothing_unsafe_survives(s in "\\PC*|[\\x00-\\x1f\\x7f-\\x9f\u{202a}-\u{202e}\u{2066}-\u{2069}a]*") {
            for (out, lines) in [(sanitize(&s, true), true), (sanitize(&s, false), false)] {
                proptest::prop_assert!(!out.chars().any(|c| is_unsafe(c, lines)), "{out:?}");
            }
        }

        #[test]
        fn the_byte_scan_finds_what_the_character_scan_finds(
            s in "\\PC*|[\\x00-\\x1f\\x7f-\\x9f\u{85}\u{61c}\u{200b}-\u{2030}\u{2060}-\u{206f}\u{2190}-\u{21ff}\u{600}-\u{700}\u{80}-\u{ff}\n\ta—é]*"
        ) {
            for lines in [true, false] {
                proptest::prop_assert_eq!(
                    has_unsafe(&s, lines),
                    s.chars().any(|c| is_unsafe(c, lines))
                );
            }
        }
    }
}
