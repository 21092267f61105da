//! The Decisions sheet of a workshop workbook (`workshop.xlsx` as `plan` wrote it, edited in
//! Excel, LibreOffice or a script): each row's cells by column name, with their cell
//! reference (`Decisions!G5`) for errors. Read with calamine, which knows the dialects of
//! every spreadsheet program (shared and inline strings, numbers, date serials).

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};

use crate::error::Error;
use crate::time::Day;

/// The sheet the decisions are read from.
pub const SHEET: &str = "Decisions";

/// One filled cell: its reference and its text (a date as YYYY-MM-DD).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionCell {
    /// `Decisions!G5`.
    pub at: String,
    /// The value as text, trimmed.
    pub value: String,
}

/// One row of the sheet: its filled cells by lower-case column name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRow {
    /// 1-based row number.
    pub row: u32,
    /// Filled cells by column name (`app`, `strategy`, `owner`, ...).
    pub cells: BTreeMap<String, DecisionCell>,
}

impl DecisionRow {
    /// The cell of a column, when filled.
    pub fn get(&self, column: &str) -> Option<&DecisionCell> {
        self.cells.get(column)
    }
}

fn column_name(col: u32) -> String {
    let mut n = col + 1;
    let mut s = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        s.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// A date serial (days since 1899-12-30, Excel's and LibreOffice's epoch) as a day.
fn serial_day(serial: f64) -> Day {
    Day::from_ymd(1899, 12, 30).plus(serial.floor() as i64)
}

/// A cell's text: strings trimmed, whole numbers without a fraction, dates as YYYY-MM-DD (a
/// plain number in a column named `date` is a date serial too).
fn text(cell: &Data, date_column: bool) -> Result<Option<String>, String> {
    let s = match cell {
        Data::Empty => return Ok(None),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if date_column => serial_day(*f).to_string(),
        Data::Int(i) if date_column => serial_day(*i as f64).to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => serial_day(d.as_f64()).to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Error(e) => return Err(format!("the cell holds an error ({e})")),
    };
    Ok((!s.is_empty()).then_some(s))
}

/// The rows of the Decisions sheet of `path`, by its header row's column names.
pub fn read(path: &Path) -> Result<Vec<DecisionRow>, Error> {
    let fail = |message: String| Error::Decisions {
        path: path.to_path_buf(),
        message,
    };
    let mut book: Xlsx<_> =
        open_workbook(path).map_err(|e| fail(format!("not a workbook ecaplan can read: {e}")))?;
    let range = book
        .worksheet_range(SHEET)
        .map_err(|e| fail(format!("no sheet {SHEET:?}: {e}")))?;
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .map(|r| {
            r.iter()
                .map(|c| {
                    text(c, false)
                        .ok()
                        .flatten()
                        .unwrap_or_default()
                        .to_lowercase()
                })
                .collect()
        })
        .unwrap_or_default();
    if !header.iter().any(|h| h == "app") {
        return Err(fail(format!(
            "{SHEET}!{}: the header row has no column \"app\"",
            row0 + 1
        )));
    }
    let mut out = Vec::new();
    for (i, r) in rows.enumerate() {
        let row = row0 + 2 + i as u32;
        let mut cells = BTreeMap::new();
        for (j, cell) in r.iter().enumerate() {
            let Some(name) = header.get(j).filter(|h| !h.is_empty()) else {
                continue;
            };
            let at = format!("{SHEET}!{}{row}", column_name(col0 + j as u32));
            let value = text(cell, name == "date").map_err(|m| fail(format!("{at}: {m}")))?;
            if let Some(value) = value {
                cells.insert(name.clone(), DecisionCell { at, value });
            }
        }
        if !cells.is_empty() {
            out.push(DecisionRow { row, cells });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_and_serials() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        // 46,000 is 2025-12-09 in Excel's calendar.
        assert_eq!(serial_day(46_000.0).to_string(), "2025-12-09");
        assert_eq!(
            text(&Data::Float(46_000.0), true),
            Ok(Some("2025-12-09".into()))
        );
        assert_eq!(text(&Data::Float(3.0), false), Ok(Some("3".into())));
        assert_eq!(text(&Data::String("  ".into()), false), Ok(None));
    }
}
