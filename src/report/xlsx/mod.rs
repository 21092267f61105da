//! The workshop workbook (`workshop.xlsx`): Summary, Apps, Findings, Waves and Decisions sheets
//! with frozen headers, autofilters and column widths. Every text cell is written as a string
//! (never a formula); text a spreadsheet would evaluate also gets Excel's quote prefix, so it
//! stays text even after someone edits the cell.
//!
//! The package is written here ([`parts`]) rather than through a general workbook library: a
//! large org's workbook has a hundred thousand cells, and a writer that knows its five sheets
//! builds them in a fraction of the time. Its parts are the ones rust_xlsxwriter (which wrote
//! the workbook before) writes for the same cells, byte for byte, which a test checks against
//! that library; only the zip's compression differs.

mod parts;
#[cfg(test)]
mod reference;

use std::borrow::Cow;

use rayon::prelude::*;

use super::contents::Report;
use super::sheets::{self, Sheet};
use crate::error::Error;

/// Widest column, in characters; longer text wraps.
const MAX_WIDTH: usize = 60;

/// Excel's limit on the characters of one cell; longer text is cut (see [`fit`]).
const MAX_CELL_CHARS: usize = 32_767;

/// Render the workbook with the standard sheets only (what the reference test compares).
#[cfg(test)]
pub fn render(r: &Report) -> Result<Vec<u8>, Error> {
    render_with(r, Vec::new())
}

/// Render the workbook with `extra` sheets after the standard ones (what the reports list
/// besides apps, findings and waves: freeze windows, coupled groups, owners and notes, what is
/// not carried over, warnings, unreadable files).
pub fn render_with(r: &Report, extra: Vec<(&'static str, Sheet)>) -> Result<Vec<u8>, Error> {
    let tables: [(&'static str, SheetOf); 4] = [
        ("Apps", sheets::apps),
        ("Findings", sheets::findings),
        ("Waves", sheets::waves),
        ("Decisions", sheets::decisions),
    ];
    // The sheets are independent until the package is numbered: they are made on every core.
    let mut filled: Vec<(&'static str, Sheet)> = tables
        .par_iter()
        .map(|(name, sheet)| (*name, sheet(r)))
        .collect();
    filled.extend(extra);
    let mut grids = vec![summary(r)];
    grids.par_extend(filled.par_iter().map(|(name, sheet)| table(name, sheet)));
    parts::package(&grids, &creation_day(r)).map_err(|e| Error::Render {
        what: "workshop.xlsx",
        message: e.to_string(),
    })
}

/// A table view of the report.
type SheetOf = fn(&Report) -> Sheet;

/// A cell style other than the default. The workbook lists them in the order the cells first
/// use them (sheet by sheet, row by row), as rust_xlsxwriter numbers formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// Bold on a pale blue fill: header rows.
    Header,
    /// Wrapped text: long or multi-line cells.
    Wrap,
    /// Excel's quote prefix: text a spreadsheet would otherwise evaluate.
    Quote,
    /// A date, shown as YYYY-MM-DD.
    Date,
}

/// What a cell holds.
#[derive(Debug)]
enum Value<'a> {
    /// A shared string.
    Text(Cow<'a, str>),
    /// A count.
    Number(usize),
}

/// One cell. A sheet's cells are kept in writing order: row by row, left to right.
#[derive(Debug)]
struct Cell<'a> {
    row: u32,
    col: u16,
    style: Option<Style>,
    value: Value<'a>,
}

/// One worksheet's content.
#[derive(Debug)]
struct Grid<'a> {
    /// The sheet's name.
    name: &'static str,
    /// Its cells, in writing order.
    cells: Vec<Cell<'a>>,
    /// Column widths in characters, from the first column.
    widths: Vec<usize>,
    /// The autofilter's last row and column (tables have one).
    filter: Option<(u32, u16)>,
    /// Drop-down lists: column and its values, for rows 2 to the last.
    lists: Vec<(u16, Vec<&'static str>)>,
    /// Backgrounds of values: column, and each value with its fill, for rows 2 to the last.
    highlights: Vec<(u16, Vec<(&'static str, sheets::Fill)>)>,
}

impl<'a> Grid<'a> {
    fn new(name: &'static str) -> Self {
        Grid {
            name,
            cells: Vec::new(),
            widths: Vec::new(),
            filter: None,
            lists: Vec::new(),
            highlights: Vec::new(),
        }
    }

    /// A text cell. Like Excel (and rust_xlsxwriter), an empty cell without a style is no
    /// cell at all.
    fn text(&mut self, row: u32, col: u16, text: Cow<'a, str>, style: Option<Style>) {
        if text.is_empty() && style.is_none() {
            return;
        }
        self.cells.push(Cell {
            row,
            col,
            style,
            value: Value::Text(text),
        });
    }

    /// A text cell that is always a string: quote-prefixed when a spreadsheet would evaluate it.
    fn plain(&mut self, row: u32, col: u16, text: Cow<'a, str>) {
        let style = super::evaluates(&text).then_some(Style::Quote);
        self.text(row, col, text, style);
    }
}

/// Key figures as label / count pairs.
fn summary(r: &Report) -> Grid<'_> {
    let mut g = Grid::new("Summary");
    g.text(0, 0, "Item".into(), Some(Style::Header));
    g.text(0, 1, "Value".into(), Some(Style::Header));
    let mut rows: Vec<(String, Value<'_>)> = vec![
        (
            "tool".into(),
            Value::Text(format!("ecaplan {}", r.tool_version).into()),
        ),
        (
            "data as of".into(),
            Value::Text(r.as_of.as_deref().unwrap_or_default().into()),
        ),
        ("apps".into(), Value::Number(r.summary.apps)),
        ("findings".into(), Value::Number(r.findings.len())),
        (
            "rules triggered".into(),
            Value::Number(r.summary.rules_triggered),
        ),
        ("waves".into(), Value::Number(r.waves.len())),
    ];
    let counts = [
        ("strategy", &r.summary.by_strategy),
        ("distribution", &r.summary.by_distribution),
        ("open findings", &r.summary.by_severity),
    ];
    for (what, map) in counts {
        rows.extend(
            in_order(map)
                .into_iter()
                .map(|(k, v)| (format!("{what}: {k}"), Value::Number(v))),
        );
    }
    for (row, (label, value)) in (1u32..).zip(rows) {
        g.plain(row, 0, owned(crate::text::terminal(&label)));
        match value {
            Value::Text(t) => g.plain(row, 1, owned(crate::text::terminal(&t))),
            number @ Value::Number(_) => g.cells.push(Cell {
                row,
                col: 1,
                style: None,
                value: number,
            }),
        }
    }
    g.widths = vec![34, 24];
    g
}

/// Text that no longer borrows from a temporary.
fn owned(text: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(text.into_owned())
}

/// A sheet with a frozen, filtered header row and widths fitted to the content.
fn table<'a>(name: &'static str, sheet: &'a Sheet) -> Grid<'a> {
    let mut g = Grid::new(name);
    g.cells.reserve((sheet.rows.len() + 1) * sheet.header.len());
    let mut widths: Vec<usize> = sheet.header.iter().map(|h| h.len() + 2).collect();
    let numeric: Vec<bool> = sheet.header.iter().map(|h| NUMERIC.contains(h)).collect();
    let dated: Vec<bool> = sheet.header.iter().map(|h| DATES.contains(h)).collect();
    for (c, h) in (0u16..).zip(&sheet.header) {
        g.text(0, c, Cow::Borrowed(*h), Some(Style::Header));
    }
    for (row, cells) in (1u32..).zip(&sheet.rows) {
        for ((c, cell), w) in (0u16..).zip(cells).zip(widths.iter_mut()) {
            let cell = match fit(cell) {
                Cow::Borrowed(s) => crate::text::terminal(s),
                Cow::Owned(s) => owned(crate::text::terminal(&s)),
            };
            let longest = longest_line(&cell);
            *w = (*w).max(longest + 1);
            if let Some(serial) = dated[c as usize].then(|| date_serial(&cell)).flatten() {
                g.cells.push(Cell {
                    row,
                    col: c,
                    style: Some(Style::Date),
                    value: Value::Number(serial),
                });
            } else if let Some(n) = numeric[c as usize].then(|| count(&cell)).flatten() {
                g.cells.push(Cell {
                    row,
                    col: c,
                    style: None,
                    value: Value::Number(n),
                });
            } else if longest > MAX_WIDTH || cell.contains('\n') {
                g.text(row, c, cell, Some(Style::Wrap));
            } else {
                g.plain(row, c, cell);
            }
        }
    }
    g.widths = widths.into_iter().map(|w| w.min(MAX_WIDTH)).collect();
    let last_row = sheet.rows.len() as u32;
    let last_col = sheet.header.len().saturating_sub(1) as u16;
    g.filter = Some((last_row, last_col));
    g.lists = sheets::lists(name, sheet);
    g.highlights = sheets::highlights(name, sheet);
    g
}

/// A count map's entries in the order people read them: severities from blocker down, other
/// keys alphabetically.
pub(super) fn in_order<'m>(
    map: &'m std::collections::BTreeMap<&'static str, usize>,
) -> Vec<(&'m str, usize)> {
    let rank = |k: &str| {
        crate::diag::Severity::ALL
            .iter()
            .position(|s| s.as_str() == k)
            .unwrap_or(usize::MAX)
    };
    let mut v: Vec<(&str, usize)> = map.iter().map(|(k, n)| (*k, *n)).collect();
    v.sort_by_key(|(k, _)| rank(k));
    v
}

/// Columns of days: written as dates, so a workshop sorts them in time.
pub(super) const DATES: [&str; 5] = ["certificate_expires", "last_use", "start", "end", "date"];

/// A YYYY-MM-DD day as a spreadsheet's date serial (days since 1899-12-30).
pub(super) fn date_serial(s: &str) -> Option<usize> {
    let day = crate::time::Day::parse(s).filter(|_| s.len() == 10)?;
    usize::try_from(day.days_since(crate::time::Day::from_ymd(1899, 12, 30))).ok()
}

/// Columns of counts: written as numbers, so a workshop sorts and sums them.
pub(super) const NUMERIC: [&str; 5] = ["wave", "number", "findings", "logins", "users"];

/// A count as the sheets write it: digits only, no leading zero, at most 15 digits (exact in
/// a spreadsheet's floating point).
pub(super) fn count(s: &str) -> Option<usize> {
    let digits = !s.is_empty() && s.len() <= 15 && s.bytes().all(|b| b.is_ascii_digit());
    (digits && (s == "0" || !s.starts_with('0')))
        .then(|| s.parse().ok())
        .flatten()
}

/// The characters of the longest line.
fn longest_line(s: &str) -> usize {
    if s.is_ascii() && !s.contains('\n') {
        return s.len();
    }
    s.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// Text that fits in one cell: Excel refuses a cell longer than 32,767 characters (a wave of
/// a thousand apps lists more), so such text is cut at a list separator where there is one,
/// and says so; report.json keeps the whole text (the CSV files too, for the sheets they have).
fn fit(s: &str) -> Cow<'_, str> {
    // Fewer bytes than the limit are fewer characters too.
    if s.len() <= MAX_CELL_CHARS {
        return s.into();
    }
    let total = s.chars().count();
    if total <= MAX_CELL_CHARS {
        return s.into();
    }
    let note = |shown: usize| {
        format!(" … [cut: {shown} of {total} characters shown; report.json has the whole text]")
    };
    // The note is at most this long, whatever the counts.
    let room = MAX_CELL_CHARS - note(total).chars().count();
    let end = s.char_indices().nth(room).map_or(s.len(), |(i, _)| i);
    let head = &s[..end];
    // At the last list separator, unless that would drop more than a tenth of the room.
    let near = |i: &usize| head[..*i].chars().count() >= room - room / 10;
    let head = ["; ", ", ", " "]
        .iter()
        .find_map(|sep| head.rfind(sep).filter(near))
        .map_or(head, |i| &head[..=i]);
    let shown = head.chars().count();
    format!("{head}{}", note(shown)).into()
}

/// The workbook's creation date (year, month, day): the as-of date, not the clock, so the
/// same inputs give the same bytes; 2000-01-01 without one.
fn creation_day(r: &Report) -> (u16, u8, u8) {
    r.as_of
        .as_deref()
        .and_then(|d| {
            let y: u16 = d.get(..4)?.parse().ok()?;
            let m: u8 = d.get(5..7)?.parse().ok()?;
            let dd: u8 = d.get(8..10)?.parse().ok()?;
            let valid = (1900..=9999).contains(&y)
                && (1..=12).contains(&m)
                && dd >= 1
                && dd <= days_in_month(y, m);
            valid.then_some((y, m, dd))
        })
        .unwrap_or((2000, 1, 1))
}

fn days_in_month(y: u16, m: u8) -> u8 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        let mut s = String::new();
        zip.by_name(name)
            .expect(name)
            .read_to_string(&mut s)
            .expect("read");
        s
    }

    #[test]
    fn formula_like_text_is_a_string_cell_and_output_is_deterministic() {
        let r = crate::report::testkit::sample_report("<script>alert(1)</script>", "=1+2");
        let bytes = render(&r).expect("xlsx");
        let shared = part(&bytes, "xl/sharedStrings.xml");
        assert!(
            shared.contains("<t>=1+2</t>"),
            "description is a shared string"
        );
        assert!(shared.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        for sheet in 1..=5 {
            let xml = part(&bytes, &format!("xl/worksheets/sheet{sheet}.xml"));
            assert!(!xml.contains("<f>"), "sheet{sheet} has a formula");
        }
        let workbook = part(&bytes, "xl/workbook.xml");
        for name in ["Summary", "Apps", "Findings", "Waves", "Decisions"] {
            assert!(workbook.contains(&format!("name=\"{name}\"")), "{name}");
        }
        assert_eq!(bytes, render(&r).expect("xlsx"), "not deterministic");
    }

    #[test]
    fn text_over_the_cell_limit_is_cut_at_a_separator_and_says_so() {
        let short = "a; b";
        assert_eq!(fit(short), short);
        let long = (0..5000)
            .map(|i| format!("Integration_App_{i:04}"))
            .collect::<Vec<_>>()
            .join("; ");
        let cut = fit(&long);
        assert!(cut.chars().count() <= MAX_CELL_CHARS, "{}", cut.len());
        let (head, note) = cut.split_once(" … [cut: ").expect("marked as cut");
        assert!(
            head.ends_with(';'),
            "cut between items: {}",
            &head[head.len() - 30..]
        );
        assert!(long.starts_with(head));
        assert!(note.contains(&format!("of {} characters shown", long.chars().count())));
        // Many bytes, few characters: not cut.
        let wide = "é".repeat(MAX_CELL_CHARS);
        assert_eq!(fit(&wide), wide);
    }

    #[test]
    fn a_cell_is_cut_near_its_limit_not_at_an_early_separator() {
        // One "; " early, then a long list of words: the cut keeps nearly all of the room.
        let long = format!("first; {}", "word ".repeat(MAX_CELL_CHARS / 4));
        let cut = fit(&long);
        let (head, _) = cut.split_once(" … [cut: ").expect("marked as cut");
        assert!(
            head.chars().count() > MAX_CELL_CHARS * 9 / 10,
            "{}",
            head.len()
        );
        assert!(head.ends_with(' '), "cut between words");
    }

    #[test]
    fn a_wave_longer_than_a_cell_still_renders() {
        let mut r = crate::report::testkit::sample_report("App", "text");
        r.waves[0].apps = (0..5000)
            .map(|i| format!("Integration_App_{i:04}"))
            .collect();
        let bytes = render(&r).expect("a long wave renders");
        assert!(part(&bytes, "xl/sharedStrings.xml")
            .contains("characters shown; report.json has the whole text"));
    }

    #[test]
    fn the_creation_day_is_the_as_of_day_when_it_is_a_date() {
        let mut r = crate::report::testkit::sample_report("App", "text");
        for (as_of, want) in [
            (Some("2026-11-30"), (2026, 11, 30)),
            (Some("2024-02-29"), (2024, 2, 29)),
            (Some("2023-02-29"), (2000, 1, 1)),
            (Some("2026-13-01"), (2000, 1, 1)),
            (Some("soon"), (2000, 1, 1)),
            (None, (2000, 1, 1)),
        ] {
            r.as_of = as_of.map(str::to_string);
            assert_eq!(creation_day(&r), want, "{as_of:?}");
        }
    }
}
