//! One record's fields as the row readers see them, whichever reader split the record, and
//! the per-file counters that reading a field updates.

use std::borrow::Cow;

use csv::ByteRecord;

use super::data::SkipReason;
use super::text;

/// Per-file counters the row readers update besides the aggregates, and the memo of field
/// values already decoded.
#[derive(Debug, Default, Clone)]
pub struct RowStats {
    /// Locale-form timestamps.
    pub ambiguous_times: u64,
    /// Fields decoded as cp1252.
    pub cp1252_fields: u64,
    /// Decoded field values (see `memo`).
    pub memo: super::memo::Memos,
}

/// Result of one row: the timestamp it contributes to the file's window, if any.
pub type RowResult = Result<Option<i64>, SkipReason>;

/// Read access to the fields of one record: a `csv::ByteRecord`, or the fast path's ranges
/// into a line (see `fast`).
pub trait Fields {
    /// Number of fields.
    fn len(&self) -> usize;
    /// Field `i`, raw bytes.
    fn get(&self, i: usize) -> Option<&[u8]>;
}

impl Fields for super::records::Record<'_> {
    #[inline]
    fn len(&self) -> usize {
        super::records::Record::len(self)
    }
    #[inline]
    fn get(&self, i: usize) -> Option<&[u8]> {
        super::records::Record::get(self, i)
    }
}

impl Fields for ByteRecord {
    fn len(&self) -> usize {
        ByteRecord::len(self)
    }
    fn get(&self, i: usize) -> Option<&[u8]> {
        ByteRecord::get(self, i)
    }
}

/// A field's raw bytes (empty when the column is absent or the row short).
pub(super) fn raw<F: Fields + ?Sized>(rec: &F, idx: Option<usize>) -> &[u8] {
    idx.and_then(|i| rec.get(i)).unwrap_or_default()
}

/// A field as text (`""` when the column is absent or the row short).
pub fn field<'r, F: Fields + ?Sized>(
    rec: &'r F,
    idx: Option<usize>,
    st: &mut RowStats,
) -> Cow<'r, str> {
    let Some(bytes) = idx.and_then(|i| rec.get(i)) else {
        return Cow::Borrowed("");
    };
    let (text, fallback) = text::field(bytes);
    if fallback {
        st.cp1252_fields += 1;
    }
    text
}
