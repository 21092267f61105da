//! Discovery: walk input folders (sorted, so runs are deterministic), list zip archives in
//! place, and hand every file to the readers with the name users will see.
//!
//! Discovery opens nothing but folders and archive directories: only regular files become
//! inputs (a FIFO would block a read forever, a device would never end), folders an earlier
//! run wrote are skipped, and an archive entry is inflated only when it is read, one at a
//! time, with its size limit enforced while it inflates (the declared size is never trusted).

mod archive;
mod input;
mod limits;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use crate::error::Error;

use input::special_kind;
pub use input::InputFile;
pub use limits::{
    Budgets, Limit, NotLoaded, BUDGETS, CONFIG_LIMIT, KEEP_LIMIT, KEY_LIMIT, METADATA_LIMIT,
    USAGE_LIMIT,
};

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
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    // A gzip-compressed export (`LoginHistory.csv.gz`, `x.json.gz`) streams, inflated as read.
    if let Some(inner) = name.strip_suffix(".gz") {
        let ext = inner.rsplit_once('.').map(|(_, e)| e);
        return matches!(ext, Some("csv" | "tsv" | "txt" | "json"));
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e);
    matches!(ext, Some("csv" | "tsv"))
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

/// List the entries of an archive from its central directory, every entry in it (duplicate
/// names included), without inflating any: each is read when it is needed, one at a time.
fn list_zip(path: &Path, shown: &str, run: &Run, out: &mut Vec<Source>) {
    let (mut entries, failed) = archive::directory(path);
    out.extend(failed.into_iter().map(|message| Source::Failed {
        path: shown.into(),
        message,
    }));
    // Sorted by name for deterministic output; the sort is stable, so entries sharing a name
    // keep their directory order and the first of them is the one read.
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let budget = archive::Budget::new(run.budgets, &run.inflated);
    let mut previous: Option<(String, usize)> = None;
    for (name, entry) in entries {
        if entry.is_dir() {
            continue;
        }
        let entry_shown = format!("{shown}!{name}");
        let copy = match &previous {
            Some((p, n)) if *p == name => n + 1,
            _ => 1,
        };
        previous = Some((name.clone(), copy));
        if copy > 1 {
            out.push(Source::Failed {
                path: entry_shown,
                message: format!(
                    "entry {copy} of the archive with this name: only the first is read"
                ),
            });
            continue;
        }
        if entry.is_symlink() {
            out.push(Source::Skipped {
                path: entry_shown,
                reason: "symbolic link in an archive: not followed".into(),
            });
            continue;
        }
        // The declared size only sizes the progress bar (clamped so sums cannot overflow).
        let size = entry.size().min(1 << 40);
        out.push(Source::File(InputFile {
            display: entry_shown,
            path: path.into(),
            entry: Some(name),
            bytes: Vec::new(),
            size,
            pending: true,
            archive: Some(Arc::new(archive::ArchiveEntry::new(entry, &budget))),
        }));
    }
}
