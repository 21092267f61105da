//! What may be read into memory at all: per-file limits by kind of file, the inflation
//! budgets of archives, and why a file was not loaded.

/// Largest usage export loaded into memory whole (JSON and text exports; CSV files are
/// streamed and have no limit).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Largest total of bytes inflated from one archive (zip-bomb guard); what does not fit is
/// reported, never dropped silently.
pub const MAX_ARCHIVE_BYTES: u64 = 1024 * 1024 * 1024;
/// Largest total of bytes inflated from all archives of one run.
pub const MAX_TOTAL_ARCHIVE_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// Most entries listed from one archive; the rest are reported as not read.
pub const MAX_ARCHIVE_ENTRIES: usize = 100_000;

/// How many bytes a file may have to be read into memory, and what kind of file that limit is
/// for (named in the message when it is exceeded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Most bytes read.
    pub bytes: u64,
    /// What the limit is for, e.g. `a metadata file`.
    pub what: &'static str,
}

/// A metadata file: the XML reader refuses anything larger, so nothing larger is read.
pub const METADATA_LIMIT: Limit = Limit {
    bytes: crate::metadata::xml::MAX_XML_BYTES as u64,
    what: "a metadata file",
};
/// A usage export read whole (JSON or text).
pub const USAGE_LIMIT: Limit = Limit {
    bytes: MAX_FILE_BYTES,
    what: "a usage export read whole",
};
/// A configuration file (`ecaplan.toml`): a few kilobytes by nature.
pub const CONFIG_LIMIT: Limit = Limit {
    bytes: crate::config::MAX_CONFIG_BYTES,
    what: "a configuration file",
};
/// A key or PEM file, read to spot private keys.
pub const KEY_LIMIT: Limit = Limit {
    bytes: 16 * 1024 * 1024,
    what: "a key or PEM file",
};
/// A JSON or text usage export inside an archive is kept in memory (and scanned for keys)
/// only up to this size; larger ones stream.
pub const KEEP_LIMIT: Limit = Limit {
    bytes: 1024 * 1024,
    what: "an archived export kept in memory",
};

/// Why [`super::InputFile::load`] read nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotLoaded {
    /// Larger than the limit or the archive budget allows: not read, with this message (which
    /// names the limit).
    TooLarge(String),
    /// The file could not be read.
    Failed(String),
}

/// How many bytes may be inflated from archives: per archive and for the whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budgets {
    /// Per archive.
    pub archive: u64,
    /// For all archives of a run.
    pub total: u64,
}

/// The budgets of a run: [`MAX_ARCHIVE_BYTES`] and [`MAX_TOTAL_ARCHIVE_BYTES`].
pub const BUDGETS: Budgets = Budgets {
    archive: MAX_ARCHIVE_BYTES,
    total: MAX_TOTAL_ARCHIVE_BYTES,
};
