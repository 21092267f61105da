//! The workshop workbook (`workshop.xlsx`): Summary, Apps, Findings, Waves and Decisions sheets
//! with frozen headers, autofilters and column widths. Every text cell is written as a string
//! (never a formula); text a spreadsheet would evaluate also gets Excel's quote prefix, so it
//! stays text even after someone edits the cell.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::contents::Report;
use super::sheets::{self, Sheet};
use crate::error::Error;

/// Widest column, in characters; longer text wraps.
const MAX_WIDTH: usize = 60;

/// Excel's limit on the characters of one cell; longer text is cut (see [`fit`]).
const MAX_CELL_CHARS: usize = 32_767;

/// Render the workbook.
pub fn render(r: &Report) -> Result<Vec<u8>, Error> {
    build(r).map_err(|e| Error::Render {
        what: "workshop.xlsx",
        message: e.to_string(),
    })
}

fn build(r: &Report) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    // Same inputs, same bytes: the creation date is the as-of date, not the clock.
    let day = r
        .as_of
        .as_deref()
        .and_then(|d| {
            let y = d.get(..4)?.parse().ok()?;
            let m = d.get(5..7)?.parse().ok()?;
            let dd = d.get(8..10)?.parse().ok()?;
            ExcelDateTime::from_ymd(y, m, dd).ok()
        })
        .map_or_else(|| ExcelDateTime::from_ymd(2000, 1, 1), Ok)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title("ecaplan migration workshop")
            .set_creation_datetime(&day),
    );
    let header = Format::new().set_bold().set_background_color("#DCE6F5");
    summary(wb.add_worksheet(), r, &header)?;
    // The sheets are independent until the workbook is saved: they are filled on every core.
    let tables: [(&str, SheetOf); 4] = [
        ("Apps", sheets::apps),
        ("Findings", sheets::findings),
        ("Waves", sheets::waves),
        ("Decisions", sheets::decisions),
    ];
    let filled: Vec<Result<Worksheet, XlsxError>> = {
        use rayon::prelude::*;
        tables
            .par_iter()
            .map(|(name, sheet)| {
                let mut ws = Worksheet::new();
                table(&mut ws, name, &sheet(r), &header)?;
                Ok(ws)
            })
            .collect()
    };
    for ws in filled {
        wb.push_worksheet(ws?);
    }
    wb.save_to_buffer()
}

/// A table view of the report.
type SheetOf = fn(&Report) -> Sheet;

/// Key figures as label / count pairs.
fn summary(ws: &mut Worksheet, r: &Report, header: &Format) -> Result<(), XlsxError> {
    ws.set_name("Summary")?;
    ws.write_string_with_format(0, 0, "Item", header)?;
    ws.write_string_with_format(0, 1, "Value", header)?;
    let mut row = 1;
    let mut put = |ws: &mut Worksheet, label: &str, value: Cell| -> Result<(), XlsxError> {
        text(ws, row, 0, label)?;
        match value {
            Cell::Count(n) => {
                ws.write_number(row, 1, n as f64)?;
            }
            Cell::Text(t) => text(ws, row, 1, &t)?,
        }
        row += 1;
        Ok(())
    };
    put(
        ws,
        "tool",
        Cell::Text(format!("ecaplan {}", r.tool_version)),
    )?;
    put(
        ws,
        "data as of",
        Cell::Text(r.as_of.clone().unwrap_or_default()),
    )?;
    put(ws, "apps", Cell::Count(r.summary.apps))?;
    put(ws, "findings", Cell::Count(r.findings.len()))?;
    put(
        ws,
        "rules triggered",
        Cell::Count(r.summary.rules_triggered),
    )?;
    put(ws, "waves", Cell::Count(r.waves.len()))?;
    for (k, v) in &r.summary.by_strategy {
        put(ws, &format!("strategy: {k}"), Cell::Count(*v))?;
    }
    for (k, v) in &r.summary.by_distribution {
        put(ws, &format!("distribution: {k}"), Cell::Count(*v))?;
    }
    for (k, v) in &r.summary.by_severity {
        put(ws, &format!("open findings: {k}"), Cell::Count(*v))?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.set_column_width(0, 34)?;
    ws.set_column_width(1, 24)?;
    Ok(())
}

/// A summary value.
enum Cell {
    Count(usize),
    Text(String),
}

/// A sheet with a frozen, filtered header row and widths fitted to the content.
fn table(ws: &mut Worksheet, name: &str, sheet: &Sheet, header: &Format) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let wrap = Format::new().set_text_wrap();
    let mut widths: Vec<usize> = sheet.header.iter().map(|h| h.len() + 2).collect();
    for (c, h) in (0u16..).zip(&sheet.header) {
        ws.write_string_with_format(0, c, *h, header)?;
    }
    for (row, cells) in (1u32..).zip(&sheet.rows) {
        for ((c, cell), w) in (0u16..).zip(cells).zip(widths.iter_mut()) {
            let cell = &*fit(cell);
            let cell = &*crate::text::terminal(cell);
            let longest = cell.lines().map(|l| l.chars().count()).max().unwrap_or(0);
            *w = (*w).max(longest + 1);
            if longest > MAX_WIDTH || cell.contains('\n') {
                ws.write_string_with_format(row, c, cell, &wrap)?;
            } else {
                text(ws, row, c, cell)?;
            }
        }
    }
    for (c, w) in (0u16..).zip(&widths) {
        ws.set_column_width(c, (*w).min(MAX_WIDTH) as f64)?;
    }
    let last_row = sheet.rows.len() as u32;
    let last_col = sheet.header.len().saturating_sub(1) as u16;
    ws.autofilter(0, 0, last_row, last_col)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Text that fits in one cell: Excel refuses a cell longer than 32,767 characters (a wave of
/// a thousand apps lists more), so such text is cut at a list separator where there is one,
/// and says so; the CSV files and report.json keep the whole text.
fn fit(s: &str) -> std::borrow::Cow<'_, str> {
    let total = s.chars().count();
    if total <= MAX_CELL_CHARS {
        return s.into();
    }
    let note = |shown: usize| {
        format!(
            " … [cut: {shown} of {total} characters shown; the CSV files and report.json have all]"
        )
    };
    // The note is at most this long, whatever the counts.
    let room = MAX_CELL_CHARS - note(total).chars().count();
    let end = s.char_indices().nth(room).map_or(s.len(), |(i, _)| i);
    let head = &s[..end];
    let head = head.rfind("; ").map_or(head, |i| &head[..i + 1]);
    let shown = head.chars().count();
    format!("{head}{}", note(shown)).into()
}

/// A text cell: always a string, with the quote prefix when a spreadsheet would evaluate it.
fn text(ws: &mut Worksheet, row: u32, col: u16, s: &str) -> Result<(), XlsxError> {
    let s = &*crate::text::terminal(s);
    if super::formula_safe(s) != s {
        ws.write_string_with_format(row, col, s, &Format::new().set_quote_prefix())?;
    } else {
        ws.write_string(row, col, s)?;
    }
    Ok(())
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
    }

    #[test]
    fn a_wave_longer_than_a_cell_still_renders() {
        let mut r = crate::report::testkit::sample_report("App", "text");
        r.waves[0].apps = (0..5000)
            .map(|i| format!("Integration_App_{i:04}"))
            .collect();
        let bytes = render(&r).expect("a long wave renders");
        assert!(part(&bytes, "xl/sharedStrings.xml").contains("characters shown; the CSV files"));
    }
}
