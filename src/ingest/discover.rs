//! Discovery: walk input folders (sorted, so runs are deterministic), open zip archives in
//! place, and hand every file to the readers with the name users will see.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Largest single file we load into memory for metadata reading (usage CSVs are streamed).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Largest total of uncompressed bytes we accept from one archive (zip-bomb guard).
pub const MAX_ARCHIVE_BYTES: u64 = 1024 * 1024 * 1024;

/// Directories that never hold org metadata; skipped as a whole (and said so).
const SKIP_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    ".sfdx",
    ".sf",
    "target",
    ".localdevserver",
];

/// One input file with its bytes (metadata) or its path (large files read later by streaming).
#[derive(Debug, Clone)]
pub struct InputFile {
    /// Name shown to users: the path as given, or `archive.zip!entry`.
    pub display: String,
    /// Path on disk (for archive entries, the archive).
    pub path: PathBuf,
    /// Entry name inside an archive.
    pub entry: Option<String>,
    /// Content for small files and archive entries; empty for files left to stream.
    pub bytes: Vec<u8>,
    /// Size in bytes.
    pub size: u64,
}

impl InputFile {
    /// The last path component.
    pub fn file_name(&self) -> &str {
        let name = self.entry.as_deref().unwrap_or(&self.display);
        name.rsplit(['/', '\\']).next().unwrap_or(name)
    }
}

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

/// Find every file under the inputs. A missing input folder is fatal (exit 2).
pub fn discover(inputs: &[PathBuf]) -> Result<Vec<Source>, Error> {
    let mut out = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| Error::Input {
            path: input.clone(),
            message: e.to_string(),
        })?;
        if meta.is_dir() {
            walk(input, &mut out);
        } else {
            add_file(input, meta.len(), &mut out);
        }
    }
    Ok(out)
}

fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn walk(dir: &Path, out: &mut Vec<Source>) {
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
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
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
        if meta.file_type().is_symlink() {
            let reason = "symbolic link: not followed".to_string();
            out.push(Source::Skipped {
                path: display(&path),
                reason,
            });
        } else if meta.is_dir() {
            if SKIP_DIRS.contains(&name.as_str()) {
                let reason = "tool or dependency folder: not org metadata".to_string();
                out.push(Source::Skipped {
                    path: format!("{}/", display(&path)),
                    reason,
                });
            } else {
                walk(&path, out);
            }
        } else {
            add_file(&path, meta.len(), out);
        }
    }
}

fn is_stream_candidate(path: &Path) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    matches!(ext.as_deref(), Some("csv" | "tsv"))
}

fn add_file(path: &Path, size: u64, out: &mut Vec<Source>) {
    let shown = display(path);
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    {
        return read_zip(path, &shown, out);
    }
    if is_stream_candidate(path) {
        // Usage exports can be gigabytes: they are streamed by the usage stage, not loaded here.
        let file = InputFile {
            display: shown,
            path: path.into(),
            entry: None,
            bytes: Vec::new(),
            size,
        };
        return out.push(Source::File(file));
    }
    if size > MAX_FILE_BYTES {
        let reason = format!("{size} bytes: larger than any metadata file ({MAX_FILE_BYTES} max)");
        return out.push(Source::Skipped {
            path: shown,
            reason,
        });
    }
    match std::fs::read(path) {
        Ok(bytes) => out.push(Source::File(InputFile {
            display: shown,
            path: path.into(),
            entry: None,
            bytes,
            size,
        })),
        Err(e) => out.push(Source::Failed {
            path: shown,
            message: e.to_string(),
        }),
    }
}

fn read_zip(path: &Path, shown: &str, out: &mut Vec<Source>) {
    let opened = std::fs::File::open(path)
        .map_err(|e| e.to_string())
        .and_then(|f| zip::ZipArchive::new(f).map_err(|e| format!("not a readable zip: {e}")));
    let mut archive = match opened {
        Ok(a) => a,
        Err(message) => {
            return out.push(Source::Failed {
                path: shown.into(),
                message,
            })
        }
    };
    let mut names: Vec<String> = archive
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    names.sort();
    let mut total = 0u64;
    for name in names {
        let entry_shown = format!("{shown}!{name}");
        if name.ends_with('/') {
            continue;
        }
        let mut entry = match archive.by_name(&name) {
            Ok(e) => e,
            Err(e) => {
                out.push(Source::Failed {
                    path: entry_shown,
                    message: e.to_string(),
                });
                continue;
            }
        };
        let size = entry.size();
        total = total.saturating_add(size);
        if size > MAX_FILE_BYTES || total > MAX_ARCHIVE_BYTES {
            let reason = format!("archive entry of {size} bytes exceeds the size limits");
            out.push(Source::Skipped {
                path: entry_shown,
                reason,
            });
            continue;
        }
        let mut bytes = Vec::with_capacity(size as usize);
        match entry
            .by_ref()
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
        {
            Ok(_) => out.push(Source::File(InputFile {
                display: entry_shown,
                path: path.into(),
                entry: Some(name),
                size: bytes.len() as u64,
                bytes,
            })),
            Err(e) => out.push(Source::Failed {
                path: entry_shown,
                message: e.to_string(),
            }),
        }
    }
}
