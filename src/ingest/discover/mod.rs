//! Discovery: walk input folders (sorted, so runs are deterministic), list zip archives in
//! place, and hand every file to the readers with the name users will see.
//!
//! Discovery opens nothing but folders and archive directories: only regular files become
//! inputs (a FIFO would block a read forever, a device would never end), folders an earlier
//! run wrote are skipped, and an archive entry is inflated only when it is read, one at a
//! time, with its size limit enforced while it inflates (the declared size is never trusted).

mod archive;
mod input;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use crate::error::Error;

use archive::list_zip;
pub use archive::{Budgets, BUDGETS};
use input::special_kind;
pub use input::{
    InputFile, Limit, NotLoaded, CONFIG_LIMIT, KEEP_LIMIT, KEY_LIMIT, METADATA_LIMIT, USAGE_LIMIT,
};

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
/// Name of the marker file at the top of every folder ecaplan writes: such a folder is an
/// earlier run's output and never read as input.
pub const OUTPUT_MARKER: &str = ".ecaplan-output";

/// Directories that never hold org metadata; skipped as a whole (and said so).
const SKIP_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    ".sfdx",
    ".sf",
    "target",
    ".localdevserver",
];

/// A discovered input: a file to read, or something accounted for without reading.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file to read.
    File(InputFile),
    /// Not read, on purpose.
    Skipped {
        /// Path shown to users.
        path: String,
        /// Why.
        reason: String,
    },
    /// Could not be opened.
    Failed {
        /// Path shown to users.
        path: String,
        /// The I/O or archive error.
        message: String,
    },
}

/// Why a folder holding [`OUTPUT_MARKER`] is not read.
pub const OUTPUT_FOLDER_REASON: &str = "output of an earlier ecaplan run: not an input";

/// Find every file under the inputs. A missing input folder is fatal (exit 2).
pub fn discover(inputs: &[PathBuf]) -> Result<Vec<Source>, Error> {
    discover_with(inputs, BUDGETS)
}

/// [`discover`] with other archive budgets (tests use small ones).
pub fn discover_with(inputs: &[PathBuf], budgets: Budgets) -> Result<Vec<Source>, Error> {
    let mut out = Vec::new();
    let run = &Run {
        budgets,
        inflated: Arc::new(AtomicU64::new(0)),
    };
    for input in inputs {
        // Followed when named: the user chose this path.
        let meta = std::fs::metadata(input).map_err(|e| Error::Input {
            path: input.clone(),
            message: e.to_string(),
        })?;
        if meta.is_dir() {
            walk(input, run, &mut out);
        } else if meta.is_file() {
            add_file(input, Some(meta.len()), run, &mut out);
        } else {
            out.push(not_regular(input, &meta.file_type()));
        }
    }
    Ok(out)
}

fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// What all archives of a run share: the budgets and the bytes inflated so far.
struct Run {
    budgets: Budgets,
    inflated: Arc<AtomicU64>,
}

/// A FIFO, device or socket: accounted for, never opened.
fn not_regular(path: &Path, file_type: &std::fs::FileType) -> Source {
    Source::Skipped {
        path: display(path),
        reason: format!("not a regular file: {}", special_kind(file_type)),
    }
}

fn walk(dir: &Path, run: &Run, out: &mut Vec<Source>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            out.push(Source::Failed {
                path: display(dir),
                message: e.to_string(),
            });
            return;
        }
    };
    // The entry's type comes with the listing (no stat per file on most file systems).
    let mut found: Vec<(PathBuf, Option<std::fs::FileType>)> = entries
        .filter_map(|e| e.ok().map(|e| (e.path(), e.file_type().ok())))
        .collect();
    // A folder an earlier run wrote: reading it back would count its generated apps as the
    // org's (the marker is written by the output stage).
    if found
        .iter()
        .any(|(p, _)| p.file_name().is_some_and(|n| n == OUTPUT_MARKER))
    {
        out.push(Source::Skipped {
            path: format!("{}/", display(dir)),
            reason: OUTPUT_FOLDER_REASON.into(),
        });
        return;
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, file_type) in found {
        let Some(file_type) = file_type else {
            out.push(Source::Failed {
                path: display(&path),
                message: "cannot stat".into(),
            });
            continue;
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if file_type.is_symlink() {
            let reason = "symbolic link: not followed".to_string();
            out.push(Source::Skipped {
                path: display(&path),
                reason,
            });
        } else if file_type.is_dir() {
            if SKIP_DIRS.contains(&name.as_str()) {
                let reason = "tool or dependency folder: not org metadata".to_string();
                out.push(Source::Skipped {
                    path: format!("{}/", display(&path)),
                    reason,
                });
            } else {
                walk(&path, run, out);
            }
        } else if file_type.is_file() {
            add_file(&path, None, run, out);
        } else {
            out.push(not_regular(&path, &file_type));
        }
    }
}

fn is_stream_candidate(path: &Path) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    matches!(ext.as_deref(), Some("csv" | "tsv"))
}

/// A regular file found on disk (`size` when already known). Archives are listed here; usage
/// exports (gigabytes) are streamed by the usage stage; everything else is read by
/// [`InputFile::load`].
fn add_file(path: &Path, size: Option<u64>, run: &Run, out: &mut Vec<Source>) {
    let shown = display(path);
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    {
        return list_zip(path, &shown, run, out);
    }
    let stream = is_stream_candidate(path);
    let size = match size {
        Some(s) => s,
        // The progress bar needs the size of what is streamed.
        None if stream => match std::fs::metadata(path) {
            Ok(m) => m.len(),
            Err(e) => {
                return out.push(Source::Failed {
                    path: shown,
                    message: e.to_string(),
                })
            }
        },
        None => 0,
    };
    out.push(Source::File(InputFile {
        display: shown,
        path: path.into(),
        entry: None,
        bytes: Vec::new(),
        size,
        pending: !stream,
        archive: None,
    }));
}
