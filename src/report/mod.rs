//! Report view-models (serde) and one renderer per output format. View-models are built from
//! the model once; renderers only format them.

pub(crate) mod assess;
pub(crate) mod contents;
pub(crate) mod csv_out;
pub(crate) mod html;
mod html_view;
pub(crate) mod human;
pub(crate) mod inventory;
pub(crate) mod json;
pub(crate) mod markdown;
pub(crate) mod sarif;
pub(crate) mod sheet;
pub(crate) mod sheets;
pub(crate) mod table;
pub(crate) mod templates;
#[cfg(test)]
pub(crate) mod testkit;

pub(crate) mod usage_summary;
pub(crate) mod verify;
pub(crate) mod visual;
pub(crate) mod xlsx;

/// Make a cell safe from spreadsheet formula injection: cells that a spreadsheet would
/// evaluate (`=`, `+`, `-`, `@`, tab, CR) get a leading apostrophe.
/// Control and bidi characters from the inputs are removed first (line feeds and tabs kept).
pub fn formula_safe(cell: &str) -> String {
    let cell = &*crate::text::terminal(cell);
    if evaluates(cell) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// Whether a spreadsheet would evaluate this cell (it starts with `=`, `+`, `-`, `@`, a tab
/// or a CR).
pub(crate) fn evaluates(cell: &str) -> bool {
    matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(
            super::formula_safe("=HYPERLINK(\"x\")"),
            "'=HYPERLINK(\"x\")"
        );
        assert_eq!(super::formula_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(super::formula_safe("plain"), "plain");
    }
}
