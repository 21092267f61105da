//! The parts of the workbook package (SpreadsheetML in an Open Packaging zip), written as
//! rust_xlsxwriter writes them for the same content: the same parts in the same order, the
//! same elements and attributes, the same escaping. Strings are shared (`sharedStrings.xml`)
//! and numbered in the order the cells first use them; so are the cell styles.

use std::borrow::Cow;
use std::io::Write;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{Grid, Style, Value};
use crate::report::sheets::Fill;

/// The XML declaration every part starts with.
const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// SpreadsheetML's namespace.
const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

/// The namespace of relationships, and of their types.
const RELS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// The Office theme, as every workbook Excel starts from has it.
const THEME: &str = include_str!("theme1.xml");

/// Deflate level. On a 2,000-app workbook (7 MB of XML) level 2 takes 10 ms for 755 KB,
/// level 1 7 ms for 1,040 KB, the default (6) 37 ms for 620 KB.
const LEVEL: i64 = 2;

/// The strings and styles of the whole workbook, numbered.
struct Numbered<'a> {
    /// Distinct strings, in the order the cells first use them.
    strings: Vec<&'a str>,
    /// String cells in all.
    count: usize,
    /// Per sheet, per cell: the string's number (0 for numbers).
    ids: Vec<Vec<u32>>,
    /// The styles in the order the cells first use them; a style's `cellXfs` index is its
    /// position plus one (0 is the default).
    styles: Vec<Style>,
    /// The backgrounds of conditional formats, in the order the sheets first use them; a
    /// fill's `dxfId` is its position.
    fills: Vec<Fill>,
}

impl Numbered<'_> {
    fn xf(&self, style: Style) -> usize {
        self.styles.iter().position(|s| *s == style).unwrap_or(0) + 1
    }
}

/// Number the strings and styles, sheet by sheet and cell by cell.
fn number<'a>(grids: &'a [Grid<'a>]) -> Numbered<'a> {
    let cells: usize = grids.iter().map(|g| g.cells.len()).sum();
    let mut index: FxHashMap<&str, u32> = FxHashMap::default();
    index.reserve(cells / 2);
    let mut n = Numbered {
        strings: Vec::with_capacity(cells / 2),
        count: 0,
        ids: Vec::with_capacity(grids.len()),
        styles: Vec::new(),
        fills: Vec::new(),
    };
    for g in grids {
        for (_, values) in &g.highlights {
            for (_, fill) in values {
                if !n.fills.contains(fill) {
                    n.fills.push(*fill);
                }
            }
        }
        let mut ids = Vec::with_capacity(g.cells.len());
        for c in &g.cells {
            if let Some(style) = c.style.filter(|s| !n.styles.contains(s)) {
                n.styles.push(style);
            }
            let Value::Text(text) = &c.value else {
                ids.push(0);
                continue;
            };
            n.count += 1;
            let next = n.strings.len() as u32;
            let id = *index.entry(text.as_ref()).or_insert(next);
            if id == next {
                n.strings.push(text.as_ref());
            }
            ids.push(id);
        }
        n.ids.push(ids);
    }
    n
}

/// The zip of all parts.
pub(super) fn package(
    grids: &[Grid<'_>],
    day: &(u16, u8, u8),
) -> Result<Vec<u8>, zip::result::ZipError> {
    let n = number(grids);
    // The large parts (the sheets and the shared strings) are written on every core.
    let (sheets, strings) = rayon::join(
        || {
            grids
                .par_iter()
                .zip(&n.ids)
                .enumerate()
                .map(|(i, (g, ids))| worksheet(g, ids, &n, i == 0))
                .collect::<Vec<String>>()
        },
        || shared_strings(&n),
    );
    let mut parts: Vec<(String, Cow<'_, str>)> = vec![
        ("[Content_Types].xml".into(), content_types(grids).into()),
        ("_rels/.rels".into(), ROOT_RELS.into()),
        (
            "xl/_rels/workbook.xml.rels".into(),
            workbook_rels(grids).into(),
        ),
        ("xl/theme/theme1.xml".into(), THEME.into()),
        ("xl/styles.xml".into(), styles(&n.styles, &n.fills).into()),
        ("xl/workbook.xml".into(), workbook(grids).into()),
    ];
    for (i, sheet) in (1..).zip(sheets) {
        parts.push((format!("xl/worksheets/sheet{i}.xml"), sheet.into()));
    }
    parts.push(("xl/sharedStrings.xml".into(), strings.into()));
    parts.push(("docProps/core.xml".into(), core(day).into()));
    parts.push(("docProps/app.xml".into(), app(grids).into()));
    zip(&parts)
}

/// The parts in a zip, in order, with fixed dates and permissions (same inputs, same bytes).
fn zip(parts: &[(String, Cow<'_, str>)]) -> Result<Vec<u8>, zip::result::ZipError> {
    let size: usize = parts.iter().map(|(_, p)| p.len()).sum();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(size / 6)));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(LEVEL))
        .unix_permissions(0o600)
        .last_modified_time(zip::DateTime::default());
    for (name, part) in parts {
        zip.start_file(name, options)?;
        zip.write_all(part.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

/// One worksheet: frozen header row, column widths, cells, autofilter.
fn worksheet(g: &Grid<'_>, ids: &[u32], n: &Numbered<'_>, selected: bool) -> String {
    let mut x = String::with_capacity(1024 + g.cells.len() * 40);
    x.push_str(DECLARATION);
    x.push_str(&format!(
        "<worksheet xmlns=\"{MAIN}\" xmlns:r=\"{RELS}\"><sheetPr><pageSetUpPr \
         fitToPage=\"1\"/></sheetPr><dimension ref=\"{}\"/>",
        dimension(g)
    ));
    let tab = if selected { " tabSelected=\"1\"" } else { "" };
    x.push_str(&format!(
        "<sheetViews><sheetView{tab} workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" \
         activePane=\"bottomLeft\" state=\"frozen\"/><selection pane=\"bottomLeft\"/>\
         </sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>"
    ));
    columns(&mut x, &g.widths);
    x.push_str("<sheetData>");
    cells(&mut x, g, ids, n);
    x.push_str("</sheetData>");
    if let Some((row, col)) = g.filter {
        x.push_str(&format!("<autoFilter ref=\"A1:{}\"/>", cell_ref(row, col)));
    }
    highlights(&mut x, g, n);
    validations(&mut x, g);
    x.push_str(
        "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" \
         footer=\"0.3\"/><pageSetup fitToHeight=\"0\" orientation=\"landscape\" \
         horizontalDpi=\"200\" verticalDpi=\"200\"/></worksheet>",
    );
    x
}

/// The values that get a background: one conditional format per value, for rows 2 to the
/// last, prioritised in order.
fn highlights(x: &mut String, g: &Grid<'_>, n: &Numbered<'_>) {
    let last = g.filter.map_or(1, |(row, _)| row.max(1));
    let mut priority = 0;
    for (col, values) in &g.highlights {
        let range = column_range(*col, last);
        x.push_str(&format!("<conditionalFormatting sqref=\"{range}\">"));
        for (value, fill) in values {
            priority += 1;
            let dxf = n.fills.iter().position(|f| f == fill).unwrap_or(0);
            x.push_str(&format!(
                "<cfRule type=\"cellIs\" dxfId=\"{dxf}\" priority=\"{priority}\" \
                 operator=\"equal\"><formula>\"{value}\"</formula></cfRule>"
            ));
        }
        x.push_str("</conditionalFormatting>");
    }
}

/// Rows 2 to `last` of a column, as Excel writes a range (one cell without the colon).
fn column_range(col: u16, last: u32) -> String {
    if last <= 1 {
        return cell_ref(1, col);
    }
    format!("{}:{}", cell_ref(1, col), cell_ref(last, col))
}

/// The drop-down lists (`dataValidations`, after the autofilter as the schema orders them).
fn validations(x: &mut String, g: &Grid<'_>) {
    let last = g.filter.map_or(1, |(row, _)| row.max(1));
    if g.lists.is_empty() {
        return;
    }
    x.push_str(&format!("<dataValidations count=\"{}\">", g.lists.len()));
    for (col, values) in &g.lists {
        let range = column_range(*col, last);
        x.push_str(&format!(
            "<dataValidation type=\"list\" allowBlank=\"1\" showInputMessage=\"1\" showErrorMessage=\"1\" sqref=\"{range}\"><formula1>\"{}\"</formula1></dataValidation>",
            values.join(",")
        ));
    }
    x.push_str("</dataValidations>");
}

/// The range the cells cover.
fn dimension(g: &Grid<'_>) -> String {
    let rows = g.cells.iter().map(|c| c.row);
    let cols = g.cells.iter().map(|c| c.col);
    let (Some(r0), Some(r1), Some(c0), Some(c1)) = (
        rows.clone().min(),
        rows.max(),
        cols.clone().min(),
        cols.max(),
    ) else {
        return "A1".into();
    };
    range(r0, c0, r1, c1)
}

/// `A1:B2`, or `A1` when both corners are one cell.
fn range(r0: u32, c0: u16, r1: u32, c1: u16) -> String {
    if (r0, c0) == (r1, c1) {
        cell_ref(r0, c0)
    } else {
        format!("{}:{}", cell_ref(r0, c0), cell_ref(r1, c1))
    }
}

/// The widths, adjacent columns of one width as one `<col>` range. Widths are whole
/// characters of at least one, which Excel stores in pixels (7 a character, plus 5) and
/// writes in 256ths of a character.
fn columns(x: &mut String, widths: &[usize]) {
    if widths.is_empty() {
        return;
    }
    x.push_str("<cols>");
    let mut first = 0;
    for i in 1..=widths.len() {
        if widths.get(i) == widths.get(first) {
            continue;
        }
        let pixels = widths[first] as u32 * 7 + 5;
        let width = f64::from(pixels * 256 / 7) / 256.0;
        x.push_str(&format!(
            "<col min=\"{}\" max=\"{i}\" width=\"{width}\" customWidth=\"1\"/>",
            first + 1
        ));
        first = i;
    }
    x.push_str("</cols>");
}

/// The rows and their cells. Each row says which columns its block of 16 rows spans.
fn cells(x: &mut String, g: &Grid<'_>, ids: &[u32], n: &Numbered<'_>) {
    let spans = spans(g);
    let letters: Vec<String> = (0..g.cells.iter().map(|c| c.col + 1).max().unwrap_or(0))
        .map(column_name)
        .collect();
    let mut row = None;
    for (c, id) in g.cells.iter().zip(ids) {
        if row != Some(c.row) {
            if row.is_some() {
                x.push_str("</row>");
            }
            row = Some(c.row);
            let (lo, hi) = spans.get(&(c.row / 16)).copied().unwrap_or_default();
            x.push_str("<row r=\"");
            push_number(x, u64::from(c.row) + 1);
            x.push_str(&format!("\" spans=\"{}:{}\">", lo + 1, hi + 1));
        }
        x.push_str("<c r=\"");
        x.push_str(letters.get(usize::from(c.col)).map_or("", String::as_str));
        push_number(x, u64::from(c.row) + 1);
        x.push('"');
        if let Some(style) = c.style {
            x.push_str(" s=\"");
            push_number(x, n.xf(style) as u64);
            x.push('"');
        }
        match &c.value {
            Value::Text(_) => {
                x.push_str(" t=\"s\"><v>");
                push_number(x, u64::from(*id));
            }
            Value::Number(v) => {
                x.push_str("><v>");
                push_number(x, *v as u64);
            }
        }
        x.push_str("</v></c>");
    }
    if row.is_some() {
        x.push_str("</row>");
    }
}

/// The first and last column of each block of 16 rows.
fn spans(g: &Grid<'_>) -> FxHashMap<u32, (u16, u16)> {
    let mut spans: FxHashMap<u32, (u16, u16)> = FxHashMap::default();
    for c in &g.cells {
        spans
            .entry(c.row / 16)
            .and_modify(|(lo, hi)| {
                *lo = (*lo).min(c.col);
                *hi = (*hi).max(c.col);
            })
            .or_insert((c.col, c.col));
    }
    spans
}

/// A decimal number.
fn push_number(x: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    x.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

/// `A`, `B`, … `Z`, `AA`, … for a column from 0.
fn column_name(col: u16) -> String {
    let mut n = u32::from(col) + 1;
    let mut name = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        name.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// `A1` for row 0, column 0.
fn cell_ref(row: u32, col: u16) -> String {
    format!("{}{}", column_name(col), u64::from(row) + 1)
}

/// `$A$1` for row 0, column 0.
fn absolute_ref(row: u32, col: u16) -> String {
    format!("${}${}", column_name(col), u64::from(row) + 1)
}

/// `sharedStrings.xml`.
fn shared_strings(n: &Numbered<'_>) -> String {
    let size: usize = n.strings.iter().map(|s| s.len() + 16).sum();
    let mut x = String::with_capacity(size + 256);
    x.push_str(DECLARATION);
    x.push_str(&format!(
        "<sst xmlns=\"{MAIN}\" count=\"{}\" uniqueCount=\"{}\">",
        n.count,
        n.strings.len()
    ));
    for s in &n.strings {
        let blank = [' ', '\t', '\n'];
        if s.starts_with(blank) || s.ends_with(blank) {
            x.push_str("<si><t xml:space=\"preserve\">");
        } else {
            x.push_str("<si><t>");
        }
        escape_text(&mut x, &escape_escapes(s));
        x.push_str("</t></si>");
    }
    x.push_str("</sst>");
    x
}

/// Element text as Excel escapes it: `&`, `<` and `>`, and control characters (but tab and
/// line feed) and the non-characters U+FFFE and U+FFFF as `_xHHHH_`.
fn escape_text(x: &mut String, s: &str) {
    let special =
        |b: u8| matches!(b, b'&' | b'<' | b'>' | 0xEF) || (b < 0x20 && b != b'\t' && b != b'\n');
    if !s.bytes().any(special) {
        x.push_str(s);
        return;
    }
    for ch in s.chars() {
        match ch {
            '&' => x.push_str("&amp;"),
            '<' => x.push_str("&lt;"),
            '>' => x.push_str("&gt;"),
            '\t' | '\n' => x.push(ch),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {
                x.push_str(&format!("_x{:04X}_", u32::from(ch)));
            }
            _ => x.push(ch),
        }
    }
}

/// Text that reads as one of Excel's `_xHHHH_` escapes keeps its underscore as `_x005F`, so
/// that Excel shows it as it was written.
fn escape_escapes(s: &str) -> Cow<'_, str> {
    const LEN: usize = "_xHHHH_".len();
    if !s.contains("_x") {
        return Cow::Borrowed(s);
    }
    let mut out = s.to_string();
    // From the right, so that each insertion leaves the earlier positions as they were.
    for (i, _) in s.rmatch_indices("_x") {
        let escape = s
            .get(i + 2..i + LEN - 1)
            .filter(|hex| hex.chars().all(|c| c.is_ascii_hexdigit()))
            .is_some_and(|_| s.get(i + LEN - 1..).is_some_and(|r| r.starts_with('_')));
        if escape {
            out.insert_str(i, "_x005F");
        }
    }
    Cow::Owned(out)
}

/// The styles part: Calibri 11 and a bold variant, the header fill, and the cell styles in
/// the order the cells first use them.
fn styles(used: &[Style], fills: &[Fill]) -> String {
    let mut x = String::with_capacity(2048);
    x.push_str(DECLARATION);
    x.push_str(&format!(
        "<styleSheet xmlns=\"{MAIN}\">{}<fonts count=\"2\"><font><sz val=\"11\"/><color \
         theme=\"1\"/><name val=\"Calibri\"/><family val=\"2\"/><scheme val=\"minor\"/></font>\
         <font><b/><sz val=\"11\"/><color theme=\"1\"/><name val=\"Calibri\"/><family \
         val=\"2\"/><scheme val=\"minor\"/></font></fonts><fills count=\"3\"><fill><patternFill \
         patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill><fill>\
         <patternFill patternType=\"solid\"><fgColor rgb=\"FFDCE6F5\"/><bgColor \
         indexed=\"64\"/></patternFill></fill></fills><borders count=\"1\"><border><left/>\
         <right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count=\"1\"><xf \
         numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>",
        if used.contains(&Style::Date) {
            "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd\"/></numFmts>"
        } else {
            ""
        }
    ));
    x.push_str(&format!(
        "<cellXfs count=\"{}\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" \
         xfId=\"0\"/>",
        used.len() + 1
    ));
    for style in used {
        x.push_str(match style {
            Style::Header => {
                "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"2\" borderId=\"0\" xfId=\"0\" \
                 applyFont=\"1\" applyFill=\"1\"/>"
            }
            Style::Wrap => {
                "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" \
                 applyAlignment=\"1\"><alignment wrapText=\"1\"/></xf>"
            }
            Style::Quote => {
                "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" \
                 quotePrefix=\"1\"/>"
            }
            Style::Date => {
                "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" \
                 applyNumberFormat=\"1\"/>"
            }
        });
    }
    x.push_str(
        "</cellXfs><cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" \
         builtinId=\"0\"/></cellStyles>",
    );
    x.push_str(&format!("<dxfs count=\"{}\">", fills.len()));
    for f in fills {
        x.push_str(&format!(
            "<dxf><fill><patternFill><bgColor rgb=\"FF{}\"/></patternFill></fill></dxf>",
            f.rgb()
        ));
    }
    x.push_str(
        "</dxfs><tableStyles count=\"0\" defaultTableStyle=\"TableStyleMedium9\" \
         defaultPivotStyle=\"PivotStyleLight16\"/></styleSheet>",
    );
    x
}

/// `workbook.xml`: the sheets, and the autofilters' ranges as Excel names them.
fn workbook(grids: &[Grid<'_>]) -> String {
    let mut x = String::with_capacity(2048);
    x.push_str(DECLARATION);
    x.push_str(&format!(
        "<workbook xmlns=\"{MAIN}\" xmlns:r=\"{RELS}\"><fileVersion appName=\"xl\" \
         lastEdited=\"4\" lowestEdited=\"4\" rupBuild=\"4505\"/><workbookPr \
         defaultThemeVersion=\"124226\"/><bookViews><workbookView xWindow=\"240\" yWindow=\"15\" \
         windowWidth=\"16095\" windowHeight=\"9660\"/></bookViews><sheets>"
    ));
    for (i, g) in (1..).zip(grids) {
        x.push_str(&format!(
            "<sheet name=\"{}\" sheetId=\"{i}\" r:id=\"rId{i}\"/>",
            g.name
        ));
    }
    x.push_str("</sheets>");
    // Excel lists the defined names by sheet name.
    let mut filters: Vec<(usize, &Grid<'_>, (u32, u16))> = grids
        .iter()
        .enumerate()
        .filter_map(|(i, g)| g.filter.map(|f| (i, g, f)))
        .collect();
    filters.sort_by_key(|(_, g, _)| g.name.to_lowercase());
    if !filters.is_empty() {
        x.push_str("<definedNames>");
        for (i, g, (row, col)) in &filters {
            x.push_str(&format!(
                "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"{i}\" \
                 hidden=\"1\">{}!$A$1:{}</definedName>",
                g.name,
                absolute_ref(*row, *col)
            ));
        }
        // The header row of every table repeats on each printed page.
        for (i, g, _) in &filters {
            x.push_str(&format!(
                "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{i}\">{}!$1:$1</definedName>",
                g.name
            ));
        }
        x.push_str("</definedNames>");
    }
    x.push_str("<calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/></workbook>");
    x
}

/// `[Content_Types].xml`.
fn content_types(grids: &[Grid<'_>]) -> String {
    let ml = "application/vnd.openxmlformats-officedocument";
    let mut x = String::with_capacity(2048);
    x.push_str(DECLARATION);
    x.push_str(&format!(
        "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default \
         Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+\
         xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override \
         PartName=\"/docProps/app.xml\" ContentType=\"{ml}.extended-properties+xml\"/><Override \
         PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.\
         core-properties+xml\"/><Override PartName=\"/xl/styles.xml\" \
         ContentType=\"{ml}.spreadsheetml.styles+xml\"/><Override \
         PartName=\"/xl/theme/theme1.xml\" ContentType=\"{ml}.theme+xml\"/><Override \
         PartName=\"/xl/workbook.xml\" ContentType=\"{ml}.spreadsheetml.sheet.main+xml\"/>"
    ));
    for i in 1..=grids.len() {
        x.push_str(&format!(
            "<Override PartName=\"/xl/worksheets/sheet{i}.xml\" \
             ContentType=\"{ml}.spreadsheetml.worksheet+xml\"/>"
        ));
    }
    x.push_str(&format!(
        "<Override PartName=\"/xl/sharedStrings.xml\" \
         ContentType=\"{ml}.spreadsheetml.sharedStrings+xml\"/></Types>"
    ));
    x
}

/// `_rels/.rels`.
const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/\
relationships/officeDocument\" Target=\"xl/workbook.xml\"/><Relationship Id=\"rId2\" \
Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" \
Target=\"docProps/core.xml\"/><Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.\
org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>\
</Relationships>";

/// `xl/_rels/workbook.xml.rels`: the sheets, the theme, the styles and the shared strings.
fn workbook_rels(grids: &[Grid<'_>]) -> String {
    let mut x = String::with_capacity(2048);
    x.push_str(DECLARATION);
    x.push_str(
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    );
    let mut targets: Vec<(&str, String)> = (1..=grids.len())
        .map(|i| ("worksheet", format!("worksheets/sheet{i}.xml")))
        .collect();
    targets.push(("theme", "theme/theme1.xml".into()));
    targets.push(("styles", "styles.xml".into()));
    targets.push(("sharedStrings", "sharedStrings.xml".into()));
    for (i, (kind, target)) in (1..).zip(targets) {
        x.push_str(&format!(
            "<Relationship Id=\"rId{i}\" Type=\"{RELS}/{kind}\" Target=\"{target}\"/>"
        ));
    }
    x.push_str("</Relationships>");
    x
}

/// `docProps/core.xml`: the title and the creation date.
fn core((y, m, d): &(u16, u8, u8)) -> String {
    let date = format!("{y:04}-{m:02}-{d:02}T00:00:00Z");
    format!(
        "{DECLARATION}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/\
         2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:dcmitype=\"http://purl.org/dc/\
         dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>ecaplan \
         migration workshop</dc:title><dc:creator></dc:creator><cp:lastModifiedBy>\
         </cp:lastModifiedBy><dcterms:created xsi:type=\"dcterms:W3CDTF\">{date}</dcterms:\
         created><dcterms:modified xsi:type=\"dcterms:W3CDTF\">{date}</dcterms:modified>\
         </cp:coreProperties>"
    )
}

/// `docProps/app.xml`: the sheets' names.
fn app(grids: &[Grid<'_>]) -> String {
    let n = grids.len();
    let mut names: String = grids
        .iter()
        .map(|g| format!("<vt:lpstr>{}</vt:lpstr>", g.name))
        .collect();
    // The tables' print titles are named ranges, listed by sheet name after the sheets.
    let mut titled: Vec<&str> = grids
        .iter()
        .filter(|g| g.filter.is_some())
        .map(|g| g.name)
        .collect();
    titled.sort_by_key(|name| name.to_lowercase());
    for name in &titled {
        names.push_str(&format!("<vt:lpstr>{name}!Print_Titles</vt:lpstr>"));
    }
    let (pairs, ranges) = if titled.is_empty() {
        (2, String::new())
    } else {
        (
            4,
            format!(
                "<vt:variant><vt:lpstr>Named Ranges</vt:lpstr></vt:variant><vt:variant><vt:i4>{}\
                 </vt:i4></vt:variant>",
                titled.len()
            ),
        )
    };
    let parts = n + titled.len();
    format!(
        "{DECLARATION}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/\
         extended-properties\" xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/\
         docPropsVTypes\"><Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity>\
         <ScaleCrop>false</ScaleCrop><HeadingPairs><vt:vector size=\"{pairs}\" baseType=\"variant\">\
         <vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>{n}</vt:i4>\
         </vt:variant>{ranges}</vt:vector></HeadingPairs><TitlesOfParts><vt:vector size=\"{parts}\" \
         baseType=\"lpstr\">{names}</vt:vector></TitlesOfParts><Company></Company>\
         <LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>\
         false</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_as_in_excel() {
        let names: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702]
            .into_iter()
            .map(column_name)
            .collect();
        assert_eq!(
            names,
            ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"].map(String::from)
        );
        assert_eq!(cell_ref(0, 0), "A1");
        assert_eq!(absolute_ref(2000, 21), "$V$2001");
        assert_eq!(range(0, 0, 0, 0), "A1");
    }

    #[test]
    fn text_is_escaped_as_excel_reads_it() {
        let mut x = String::new();
        escape_text(&mut x, "a&b<c>\"d\u{1}\t\n\u{fffe}é");
        assert_eq!(x, "a&amp;b&lt;c&gt;\"d_x0001_\t\n_xFFFE_é");
        assert_eq!(
            escape_escapes("_x0041_ and _x00G1_"),
            "_x005F_x0041_ and _x00G1_"
        );
        assert_eq!(escape_escapes("tail _x004"), "tail _x004");
    }

    #[test]
    fn numbers_are_decimal() {
        for n in [0, 7, 10, 2001, u64::MAX] {
            let mut x = String::new();
            push_number(&mut x, n);
            assert_eq!(x, n.to_string());
        }
    }
}
