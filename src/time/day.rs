//! A calendar day: what the as-of date, certificate validity, blackout windows and wave dates
//! are counted in. Shown and read as `YYYY-MM-DD`.

use std::fmt;

use super::{civil_from_days, days_from_civil, Ts};

const DAY_MS: i64 = 86_400_000;

/// A day of the proleptic Gregorian calendar (UTC), held as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Day(i64);

impl Day {
    /// `YYYY-MM-DD` (anything after the date is ignored, so a timestamp gives its day).
    pub fn parse(text: &str) -> Option<Day> {
        let date = text.get(..10)?;
        let mut parts = date.split('-');
        let y = parts.next()?.parse().ok()?;
        let m: u32 = parts.next()?.parse().ok()?;
        let d: u32 = parts.next()?.parse().ok()?;
        ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| Day::from_ymd(y, m, d))
    }

    /// The day of a year, month and day of month.
    pub fn from_ymd(y: i64, m: u32, d: u32) -> Day {
        Day(days_from_civil(y, m, d))
    }

    /// The day an instant falls on.
    pub fn of(ts: Ts) -> Day {
        Day(ts.0.div_euclid(DAY_MS))
    }

    /// The first instant of this day (00:00 UTC).
    pub fn start(self) -> Ts {
        Ts(self.0 * DAY_MS)
    }

    /// The day of a Unix time in seconds.
    pub fn of_unix_seconds(seconds: i64) -> Day {
        Day(seconds.div_euclid(86_400))
    }

    /// This day moved by `days` (negative: earlier).
    pub fn plus(self, days: i64) -> Day {
        Day(self.0 + days)
    }

    /// Whole days from `earlier` to this day (negative when `earlier` is later).
    pub fn days_since(self, earlier: Day) -> i64 {
        self.0 - earlier.0
    }

    /// The same day of the month `months` months later (negative: earlier); a day past the
    /// end of that month becomes its last day (Jan 31 + 1 month = Feb 28 or 29).
    pub fn plus_months(self, months: i64) -> Day {
        let (y, m, d) = civil_from_days(self.0);
        let index = y * 12 + i64::from(m) - 1 + months;
        let (y, m) = (index.div_euclid(12), (index.rem_euclid(12) + 1) as u32);
        let next = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        let length = days_from_civil(next.0, next.1, 1) - days_from_civil(y, m, 1);
        Day::from_ymd(y, m, d.min(length as u32))
    }

    /// Calendar months from `earlier`'s month to this day's (days of the month ignored).
    pub fn months_since(self, earlier: Day) -> i64 {
        let (y, m, _) = civil_from_days(self.0);
        let (ey, em, _) = civil_from_days(earlier.0);
        (y - ey) * 12 + i64::from(m) - i64::from(em)
    }

    /// The first Monday after this day.
    pub fn next_monday(self) -> Day {
        // 1970-01-01 was a Thursday: day % 7 == 4 is a Monday.
        let next = self.0 + 1;
        Day(next + (4 - next).rem_euclid(7))
    }
}

impl fmt::Display for Day {
    /// `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = civil_from_days(self.0);
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_keep_the_day_or_end_at_the_months_end() {
        let day = |s| Day::parse(s).expect("day");
        assert_eq!(day("2027-01-27").plus_months(1), day("2027-02-27"));
        assert_eq!(day("2027-01-31").plus_months(1), day("2027-02-28"));
        assert_eq!(day("2028-01-31").plus_months(1), day("2028-02-29"));
        assert_eq!(day("2026-12-15").plus_months(2), day("2027-02-15"));
        assert_eq!(day("2027-03-31").plus_months(-1), day("2027-02-28"));
        assert_eq!(day("2027-03-01").months_since(day("2026-12-31")), 3);
        assert_eq!(day("2026-12-31").months_since(day("2027-03-01")), -3);
    }

    #[test]
    fn parses_and_shows_iso_days() {
        assert_eq!(Day::parse("2025-02-05T00:00:00Z"), Some(Day(20_124)));
        assert_eq!(Day::parse("2025-13-05"), None);
        assert_eq!(Day::parse("2025-02"), None);
        assert_eq!(Day(0).to_string(), "1970-01-01");
        assert_eq!(Day::of_unix_seconds(951_782_400).to_string(), "2000-02-29");
        assert_eq!(
            Day::of_unix_seconds(1_738_713_600).to_string(),
            "2025-02-05"
        );
        assert_eq!(Day::of(Ts(-1)).to_string(), "1969-12-31");
    }

    #[test]
    fn counts_days_and_finds_mondays() {
        let d = Day::from_ymd(2026, 11, 1);
        assert_eq!(d.plus(30).days_since(d), 30);
        // 2026-11-01 is a Sunday; 2026-11-02 a Monday, whose next Monday is a week later.
        assert_eq!(d.next_monday().to_string(), "2026-11-02");
        assert_eq!(d.next_monday().next_monday().to_string(), "2026-11-09");
    }
}
