//! The workbook as rust_xlsxwriter writes it for the same report (how ecaplan wrote it before
//! it wrote the parts itself), and the test that every part of ecaplan's workbook is, byte for
//! byte, the one that library writes: the workbook is as valid as that library's.

use std::io::Read;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::{fit, MAX_WIDTH};
use crate::report::contents::Report;
use crate::report::sheets::{self, Sheet};

/// The workbook of `r`, by rust_xlsxwriter.
fn build(r: &Report) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let (y, m, d) = super::creation_day(r);
    let day = ExcelDateTime::from_ymd(y, m, d)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title("ecaplan migration workshop")
            .set_creation_datetime(&day),
    );
    let header = Format::new().set_bold().set_background_color("#DCE6F5");
    summary(wb.add_worksheet(), r, &header)?;
    let tables: [(&str, super::SheetOf); 4] = [
        ("Apps", sheets::apps),
        ("Findings", sheets::findings),
        ("Waves", sheets::waves),
        ("Decisions", sheets::decisions),
    ];
    for (name, sheet) in tables {
        let mut ws = Worksheet::new();
        table(&mut ws, name, &sheet(r), &header)?;
        wb.push_worksheet(ws);
    }
    wb.save_to_buffer()
}

fn summary(ws: &mut Worksheet, r: &Report, header: &Format) -> Result<(), XlsxError> {
    ws.set_name("Summary")?;
    ws.write_string_with_format(0, 0, "Item", header)?;
    ws.write_string_with_format(0, 1, "Value", header)?;
    let mut rows: Vec<(String, Result<usize, String>)> = vec![
        ("tool".into(), Err(format!("ecaplan {}", r.tool_version))),
        (
            "data as of".into(),
            Err(r.as_of.clone().unwrap_or_default()),
        ),
        ("apps".into(), Ok(r.summary.apps)),
        ("findings".into(), Ok(r.findings.len())),
        ("rules triggered".into(), Ok(r.summary.rules_triggered)),
        ("waves".into(), Ok(r.waves.len())),
    ];
    for (what, map) in [
        ("strategy", &r.summary.by_strategy),
        ("distribution", &r.summary.by_distribution),
        ("open findings", &r.summary.by_severity),
    ] {
        rows.extend(
            super::in_order(map)
                .into_iter()
                .map(|(k, v)| (format!("{what}: {k}"), Ok(v))),
        );
    }
    for (row, (label, value)) in (1u32..).zip(rows) {
        text(ws, row, 0, &label)?;
        match value {
            Ok(n) => {
                ws.write_number(row, 1, n as f64)?;
            }
            Err(t) => text(ws, row, 1, &t)?,
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.set_column_width(0, 34)?;
    ws.set_column_width(1, 24)?;
    print_setup(ws);
    Ok(())
}

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
            let number = super::NUMERIC
                .contains(&sheet.header[c as usize])
                .then(|| super::count(cell))
                .flatten();
            let dated = super::DATES.contains(&sheet.header[c as usize])
                && super::date_serial(cell).is_some();
            if dated {
                let (y, m, d) = (&cell[0..4], &cell[5..7], &cell[8..10]);
                let n = |s: &str| s.parse::<u8>().unwrap_or(1);
                let date = ExcelDateTime::from_ymd(y.parse().unwrap_or(1900), n(m), n(d))?;
                let format = Format::new().set_num_format("yyyy-mm-dd");
                ws.write_datetime_with_format(row, c, &date, &format)?;
            } else if let Some(n) = number {
                ws.write_number(row, c, n as f64)?;
            } else if longest > MAX_WIDTH || cell.contains('\n') {
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
    for (col, values) in sheets::highlights(name, sheet) {
        for (value, fill) in values {
            let format = Format::new().set_background_color(fill.rgb());
            let rule = rust_xlsxwriter::ConditionalFormatCellRule::EqualTo(format!("\"{value}\""));
            let cf = rust_xlsxwriter::ConditionalFormatCell::new()
                .set_rule(rule)
                .set_format(&format);
            ws.add_conditional_format(1, col, last_row.max(1), col, &cf)?;
        }
    }
    for (col, values) in sheets::lists(name, sheet) {
        let list = rust_xlsxwriter::DataValidation::new().allow_list_strings(&values)?;
        ws.add_data_validation(1, col, last_row.max(1), col, &list)?;
    }
    ws.set_freeze_panes(1, 0)?;
    print_setup(ws);
    ws.set_repeat_rows(0, 0)?;
    Ok(())
}

/// Landscape, fit to one page wide.
fn print_setup(ws: &mut Worksheet) {
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
}

fn text(ws: &mut Worksheet, row: u32, col: u16, s: &str) -> Result<(), XlsxError> {
    let s = &*crate::text::terminal(s);
    if crate::report::formula_safe(s) != s {
        ws.write_string_with_format(row, col, s, &Format::new().set_quote_prefix())?;
    } else {
        ws.write_string(row, col, s)?;
    }
    Ok(())
}

/// Every part of a workbook: (name, contents), in the zip's order.
fn parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    (0..zip.len())
        .map(|i| {
            let mut file = zip.by_index(i).expect("a part");
            let mut contents = Vec::new();
            file.read_to_end(&mut contents).expect("readable");
            (file.name().expect("a name").to_string(), contents)
        })
        .collect()
}

/// Compare ecaplan's workbook of `r` with rust_xlsxwriter's, part by part.
fn assert_same_parts(r: &Report) {
    let ours = parts(&super::render(r).expect("ours"));
    let theirs = parts(&build(r).expect("rust_xlsxwriter's"));
    let names = |p: &[(String, Vec<u8>)]| p.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&ours), names(&theirs));
    for ((name, a), (_, b)) in ours.iter().zip(&theirs) {
        if a != b {
            let at = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(0);
            let show = |v: &[u8]| {
                String::from_utf8_lossy(&v[at.saturating_sub(80)..(at + 200).min(v.len())])
                    .to_string()
            };
            panic!(
                "{name} differs at byte {at}:\nours:   {}\ntheirs: {}",
                show(a),
                show(b)
            );
        }
    }
}

#[test]
fn every_part_is_the_one_rust_xlsxwriter_writes() {
    // The sample org, and the hostile texts of the escaping tests.
    assert_same_parts(&crate::report::testkit::sample_report("App", "text"));
    for (label, description) in [
        ("<script>alert(1)</script>", "=1+2"),
        ("  padded label ", "@SUM(A1)\nsecond line"),
        ("tab\tinside", "-1; +2; a & b > c"),
        ("_x0041_ looks escaped", "_x00e9_x and _x12"),
        ("ünïcödé ✓", "\u{1b}[2J\u{202e}bidi\u{7}"),
        ("\u{fffe}", &"long text ".repeat(10)),
    ] {
        assert_same_parts(&crate::report::testkit::sample_report(label, description));
    }
}

#[test]
fn every_part_is_the_one_rust_xlsxwriter_writes_for_other_shapes() {
    let mut r = crate::report::testkit::sample_report("App", "text");
    // No as-of date (no creation date, an empty summary cell), a wave longer than a cell,
    // no findings.
    r.as_of = None;
    r.waves[0].apps = (0..5000)
        .map(|i| format!("Integration_App_{i:04}"))
        .collect();
    r.findings.clear();
    for a in &mut r.apps {
        a.findings.clear();
    }
    assert_same_parts(&r);
    // Many apps: rows in many blocks of 16.
    let first = r.apps[0].clone();
    r.apps = (0..100)
        .map(|i| {
            let mut a = first.clone();
            a.row.api_name = format!("App_{i:03}");
            a
        })
        .collect();
    assert_same_parts(&r);
}
