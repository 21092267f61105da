//! The table every tabular output shares (CSV files, workbook sheets): a header and rows of
//! text. A leaf of its own, so that the report model and the sheets made from it both use it
//! without importing each other.

/// A table: header and rows of text cells (not yet made formula-safe).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// Column names.
    pub header: Vec<&'static str>,
    /// Rows, each as long as the header.
    pub rows: Vec<Vec<String>>,
}
