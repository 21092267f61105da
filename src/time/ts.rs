//! Timestamps in every form the exports use (reference §15, §16.6), parsed without allocating.
//!
//! Everything becomes milliseconds since the Unix epoch in UTC. Locale forms (Setup download,
//! Excel re-saves) carry no time zone: they are read as UTC and flagged ambiguous.

use serde::{Serialize, Serializer};

use super::{civil_from_days, days_from_civil};

/// A UTC instant in milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ts(pub i64);

/// A parsed timestamp and whether its time zone / field order had to be guessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed {
    /// The instant (UTC; a guess when `ambiguous`).
    pub ts: Ts,
    /// Locale form: local time of an unknown zone, day/month order guessed.
    pub ambiguous: bool,
}

const DAY_MS: i64 = 86_400_000;

impl Ts {
    /// Midnight UTC of a civil date plus a time of day.
    pub fn from_parts(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: u32) -> Option<Ts> {
        if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) || h > 23 || mi > 59 {
            return None;
        }
        if s > 60 || ms > 999 {
            return None;
        }
        let days = days_from_civil(y, mo, d);
        let secs = i64::from(h * 3600 + mi * 60 + s);
        Some(Ts(days * DAY_MS + secs * 1000 + i64::from(ms)))
    }

    /// This instant minus whole days.
    pub fn minus_days(self, days: i64) -> Ts {
        Ts(self.0 - days * DAY_MS)
    }

    /// ISO 8601 with milliseconds and `Z`.
    pub fn iso(self) -> String {
        let days = self.0.div_euclid(DAY_MS);
        let rem = self.0.rem_euclid(DAY_MS);
        let (y, m, d) = civil_from_days(days);
        let (h, mi, s, ms) = (
            rem / 3_600_000,
            rem / 60_000 % 60,
            rem / 1000 % 60,
            rem % 1000,
        );
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
    }
}

impl Serialize for Ts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's civil-date algorithms: exact for the proleptic Gregorian calendar.
/// The common forms (ISO, ELF compact) straight from bytes, without decoding the field first;
/// `None` when the bytes are another form (the caller then decodes and calls [`parse`]).
pub fn parse_fast(b: &[u8]) -> Option<Ts> {
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        return parse_canonical(b).or_else(|| parse_iso(b));
    }
    if b.len() >= 14 && b[..14].iter().all(u8::is_ascii_digit) {
        return parse_elf(b);
    }
    None
}

/// Parse any supported timestamp form; `None` when it is none of them.
pub fn parse(raw: &str) -> Option<Parsed> {
    let s = raw.trim();
    let b = s.as_bytes();
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        return parse_iso(b).map(|ts| Parsed {
            ts,
            ambiguous: false,
        });
    }
    if b.len() >= 14 && b[..14].iter().all(u8::is_ascii_digit) {
        return parse_elf(b).map(|ts| Parsed {
            ts,
            ambiguous: false,
        });
    }
    parse_locale(s).map(|ts| Parsed {
        ts,
        ambiguous: true,
    })
}

fn num(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
}

/// Milliseconds from a fraction of any length (`.5`, `.655`, `.123456`).
fn millis(frac: &[u8]) -> Option<u32> {
    if frac.is_empty() || !frac.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut ms = 0;
    for i in 0..3 {
        ms = ms * 10 + frac.get(i).map_or(0, |d| u32::from(d - b'0'));
    }
    Some(ms)
}

/// The form nearly every export writes, `yyyy-MM-ddTHH:mm:ss.SSS` + `Z` or `±hhmm`, digit by
/// digit at fixed offsets; `None` for anything else (then [`parse_iso`] decides). This runs
/// once per login row: the general reader spent four times as long on it.
fn parse_canonical(b: &[u8]) -> Option<Ts> {
    let (head, rest) = b.split_first_chunk::<23>()?;
    let seps = [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
    ];
    if seps.iter().any(|&(i, c)| head[i] != c) {
        return None;
    }
    let digit = |i: usize| {
        let d = head[i].wrapping_sub(b'0');
        (d < 10).then_some(u32::from(d))
    };
    let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
    let year = two(0)? * 100 + two(2)?;
    let ms = digit(20)? * 100 + two(21)?;
    let offset = match rest {
        b"Z" | b"+0000" => 0,
        [b'+' | b'-', _, _, _, _] => offset_minutes(rest)?,
        _ => return None,
    };
    let ts = Ts::from_parts(
        i64::from(year),
        two(5)?,
        two(8)?,
        two(11)?,
        two(14)?,
        two(17)?,
        ms,
    )?;
    Some(Ts(ts.0 - offset * 60_000))
}

/// `yyyy-MM-dd`, optionally `T`/space + `HH:mm[:ss[.SSS]]` + `Z` / `±hhmm` / `±hh:mm`.
fn parse_iso(b: &[u8]) -> Option<Ts> {
    let (y, mo, d) = (num(&b[0..4])?, num(&b[5..7])?, num(&b[8..10])?);
    if b.len() == 10 {
        return Ts::from_parts(i64::from(y), mo, d, 0, 0, 0, 0);
    }
    if !matches!(b[10], b'T' | b' ') || b.len() < 16 || b[13] != b':' {
        return None;
    }
    let (h, mi) = (num(&b[11..13])?, num(&b[14..16])?);
    let mut rest = &b[16..];
    let mut s = 0;
    if rest.first() == Some(&b':') && rest.len() >= 3 {
        s = num(&rest[1..3])?;
        rest = &rest[3..];
    }
    let mut ms = 0;
    if rest.first() == Some(&b'.') {
        let end = rest[1..]
            .iter()
            .position(|c| !c.is_ascii_digit())
            .map_or(rest.len(), |p| p + 1);
        ms = millis(&rest[1..end])?;
        rest = &rest[end..];
    }
    let offset = offset_minutes(rest)?;
    let ts = Ts::from_parts(i64::from(y), mo, d, h, mi, s, ms)?;
    Some(Ts(ts.0 - offset * 60_000))
}

fn offset_minutes(rest: &[u8]) -> Option<i64> {
    match rest {
        [] | b"Z" | b"z" => Some(0),
        [sign @ (b'+' | b'-'), tail @ ..] => {
            let digits: &[u8] = match tail {
                [a, b, b':', c, d] => &[*a, *b, *c, *d],
                [_, _, _, _] | [_, _] => tail,
                _ => return None,
            };
            let h = i64::from(num(&digits[0..2])?);
            let m = if digits.len() == 4 {
                i64::from(num(&digits[2..4])?)
            } else {
                0
            };
            // Real zones lie within -12:00..+14:00: `+2400` or `+0075` is a damaged value, not
            // a zone, and must make the timestamp unreadable rather than shift it silently.
            if m > 59 || h * 60 + m > 14 * 60 {
                return None;
            }
            let total = h * 60 + m;
            Some(if *sign == b'-' { -total } else { total })
        }
        _ => None,
    }
}

/// ELF `TIMESTAMP`: `yyyyMMddHHmmss` with an optional `.SSS`, GMT.
fn parse_elf(b: &[u8]) -> Option<Ts> {
    let ms = match &b[14..] {
        [] => 0,
        [b'.', frac @ ..] => millis(frac)?,
        _ => return None,
    };
    Ts::from_parts(
        i64::from(num(&b[0..4])?),
        num(&b[4..6])?,
        num(&b[6..8])?,
        num(&b[8..10])?,
        num(&b[10..12])?,
        num(&b[12..14])?,
        ms,
    )
}

/// `M/d/yyyy h:mm[:ss] [AM|PM]`, `d.M.yyyy H:mm[:ss]`, `d/M/yyyy …`, or a bare date.
fn parse_locale(s: &str) -> Option<Ts> {
    let (date, time) = match s.split_once(' ') {
        Some((d, t)) => (d, t.trim()),
        None => (s, ""),
    };
    let sep = if date.contains('/') { '/' } else { '.' };
    let mut parts = date.split(sep);
    let (a, b, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    let (a, b, y) = (num(a.as_bytes())?, num(b.as_bytes())?, num(y.as_bytes())?);
    // Slashes: US month-first (the Setup download's documented example) unless impossible.
    // Dots: European day-first.
    let (mo, d) = if sep == '/' && a <= 12 {
        (a, b)
    } else {
        (b, a)
    };
    let (h, mi, sec) = parse_clock(time)?;
    Ts::from_parts(i64::from(y), mo, d, h, mi, sec, 0)
}

fn parse_clock(t: &str) -> Option<(u32, u32, u32)> {
    if t.is_empty() {
        return Some((0, 0, 0));
    }
    let upper = t.to_ascii_uppercase();
    let (clock, meridian) = match upper.split_once(' ') {
        Some((c, m)) => (c.to_string(), Some(m.trim().to_string())),
        None => (upper.clone(), None),
    };
    let mut it = clock.split(':');
    let h = num(it.next()?.as_bytes())?;
    let mi = num(it.next()?.as_bytes())?;
    let s = it.next().map_or(Some(0), |x| num(x.as_bytes()))?;
    let h = match meridian.as_deref() {
        None => h,
        Some("AM") if (1..=12).contains(&h) => h % 12,
        Some("PM") if (1..=12).contains(&h) => h % 12 + 12,
        Some(_) => return None,
    };
    Some((h, mi, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(raw: &str) -> Option<(String, bool)> {
        parse(raw).map(|p| (p.ts.iso(), p.ambiguous))
    }

    #[test]
    fn iso_forms_agree() {
        let want = Some(("2026-01-15T10:22:33.000Z".to_string(), false));
        assert_eq!(iso("2026-01-15T10:22:33.000Z"), want);
        assert_eq!(iso("2026-01-15T10:22:33.000+0000"), want);
        assert_eq!(iso("2026-01-15T10:22:33+00:00"), want);
        assert_eq!(iso("2026-01-15T11:22:33.000+0100"), want);
        assert_eq!(iso("2026-01-15T10:22:33Z"), want);
        assert_eq!(iso("2026-01-15 10:22:33"), want);
    }

    #[test]
    fn offsets_beyond_real_zones_are_unreadable() {
        for bad in [
            "2026-01-15T10:22:33.000+2400",
            "2026-01-15T10:22:33.000-1401",
            "2026-01-15T10:22:33+00:75",
        ] {
            assert_eq!(iso(bad), None, "{bad}");
            assert_eq!(parse_fast(bad.as_bytes()), None, "{bad}");
        }
        assert!(iso("2026-01-15T10:22:33.000+1400").is_some());
        assert!(iso("2026-01-15T10:22:33.000-1200").is_some());
    }

    #[test]
    fn elf_timestamp() {
        assert_eq!(
            iso("20231218054831.655"),
            Some(("2023-12-18T05:48:31.655Z".into(), false))
        );
        assert_eq!(
            iso("20231218054831"),
            Some(("2023-12-18T05:48:31.000Z".into(), false))
        );
    }

    #[test]
    fn locale_forms_are_ambiguous() {
        assert_eq!(
            iso("11/28/2026 9:05 AM"),
            Some(("2026-11-28T09:05:00.000Z".into(), true))
        );
        assert_eq!(
            iso("12/6/2015 3:31 PM"),
            Some(("2015-12-06T15:31:00.000Z".into(), true))
        );
        assert_eq!(
            iso("28/11/2026 21:05"),
            Some(("2026-11-28T21:05:00.000Z".into(), true))
        );
        assert_eq!(
            iso("15.01.2026 10:22"),
            Some(("2026-01-15T10:22:00.000Z".into(), true))
        );
        assert_eq!(
            iso("12/1/2026 12:00 AM"),
            Some(("2026-12-01T00:00:00.000Z".into(), true))
        );
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "N/A",
            "2026-13-01T00:00:00Z",
            "2026-02-30",
            "yesterday",
            "1/2/26",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        /// The canonical-form shortcut never disagrees with the general ISO reader.
        #[test]
        fn canonical_agrees_with_iso(raw in "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{1,4}(Z|[+-][0-9]{4}|[+-][0-9]{2}:[0-9]{2}|x)?") {
            let b = raw.as_bytes();
            if let Some(ts) = parse_canonical(b) {
                proptest::prop_assert_eq!(Some(ts), parse_iso(b));
            }
            proptest::prop_assert_eq!(parse_fast(b), parse_iso(b));
        }
    }

    #[test]
    fn canonical_form_is_taken_directly() {
        let b = b"2026-05-22T00:00:12.450+0000";
        assert_eq!(
            parse_canonical(b).map(Ts::iso).as_deref(),
            Some("2026-05-22T00:00:12.450Z")
        );
        assert_eq!(parse_canonical(b"2026-05-22T00:00:12.4501Z"), None);
        assert_eq!(parse_canonical(b"2026-02-30T00:00:12.450Z"), None);
    }

    #[test]
    fn civil_round_trip() {
        for days in [-1000, 0, 59, 365, 20_000, 30_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
