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
    /// Content for small files and archive entries, once [`InputFile::load`]ed; empty for
    /// files left to stream.
    pub bytes: Vec<u8>,
    /// Size in bytes (of a file still to load: known once loaded).
    pub size: u64,
    /// A small file on disk whose bytes are read by [`InputFile::load`], not by discovery: the
    /// metadata is read while the usage exports stream, not before.
    pending: bool,
}

/// Why [`InputFile::load`] read nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotLoaded {
    /// Too large to be a metadata file: skipped, with this reason.
    TooLarge(String),
    /// The file could not be read.
    Failed(String),
}

impl InputFile {
    /// A file whose bytes are already in memory (an archive entry, a test input).
    pub fn in_memory(
        display: String,
        path: PathBuf,
        entry: Option<String>,
        bytes: Vec<u8>,
    ) -> Self {
        InputFile {
            display,
            path,
            entry,
            size: bytes.len() as u64,
            bytes,
            pending: false,
        }
    }

    /// Read the bytes of a file discovery left on disk (nothing to do for the others).
    pub fn load(&mut self) -> Result<(), NotLoaded> {
        if !self.pending {
            return Ok(());
        }
        let failed = |e: std::io::Error| NotLoaded::Failed(e.to_string());
        let mut file = std::fs::File::open(&self.path).map_err(failed)?;
        let size = file.metadata().map_err(failed)?.len();
        if size > MAX_FILE_BYTES {
            return Err(NotLoaded::TooLarge(format!(
                "{size} bytes: larger than any metadata file ({MAX_FILE_BYTES} max)"
            )));
        }
        let mut bytes = Vec::with_capacity(size as usize);
        file.read_to_end(&mut bytes).map_err(failed)?;
        self.size = bytes.len() as u64;
        self.bytes = bytes;
        self.pending = false;
        Ok(())
    }

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
            add_file(input, Some(meta.len()), &mut out);
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
    // The entry's type comes with the listing (no stat per file on most file systems).
    let mut found: Vec<(PathBuf, Option<std::fs::FileType>)> = entries
        .filter_map(|e| e.ok().map(|e| (e.path(), e.file_type().ok())))
        .collect();
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
                walk(&path, out);
            }
        } else {
            add_file(&path, None, out);
        }
    }
}

fn is_stream_candidate(path: &Path) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    matches!(ext.as_deref(), Some("csv" | "tsv"))
}

/// A file found on disk (`size` when already known). Archives are opened here; usage exports
/// (gigabytes) are streamed by the usage stage; everything else is read by
/// [`InputFile::load`].
fn add_file(path: &Path, size: Option<u64>, out: &mut Vec<Source>) {
    let shown = display(path);
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    {
        return read_zip(path, &shown, out);
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
    }));
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
            Ok(_) => out.push(Source::File(InputFile::in_memory(
                entry_shown,
                path.into(),
                Some(name),
                bytes,
            ))),
            Err(e) => out.push(Source::Failed {
                path: entry_shown,
                message: e.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last(p: &str) -> &str {
        p.trim_end_matches('/').rsplit('/').next().unwrap_or("")
    }

    /// (last path component, what discovery made of it).
    fn files(sources: &[Source]) -> Vec<(&str, &str)> {
        sources
            .iter()
            .map(|s| match s {
                Source::File(f) => (f.file_name(), "file"),
                Source::Skipped { path, .. } => (last(path), "skipped"),
                Source::Failed { path, .. } => (last(path), "failed"),
            })
            .collect()
    }

    #[test]
    fn every_entry_is_accounted_for_and_metadata_is_read_on_load() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("node_modules/x")).expect("mkdir");
        std::fs::write(root.join("A.connectedApp-meta.xml"), "<x/>").expect("write");
        std::fs::write(root.join("LoginHistory.csv"), "Id\n1\n").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("A.connectedApp-meta.xml"), root.join("B.xml"))
            .expect("symlink");
        let found = discover(&[root.to_path_buf()]).expect("discover");
        let mut expected = vec![("A.connectedApp-meta.xml", "file")];
        if cfg!(unix) {
            expected.push(("B.xml", "skipped"));
        }
        expected.extend([("LoginHistory.csv", "file"), ("node_modules", "skipped")]);
        assert_eq!(files(&found), expected);
        let Source::File(meta) = &found[0] else {
            panic!("{found:?}")
        };
        // Discovery lists; the bytes come with `load` (the usage export is never loaded).
        assert!(meta.bytes.is_empty());
        let mut meta = meta.clone();
        meta.load().expect("load");
        assert_eq!(meta.bytes, b"<x/>");
        assert_eq!(meta.size, 4);
        let csv = found.iter().find_map(|s| match s {
            Source::File(f) if f.file_name() == "LoginHistory.csv" => Some(f),
            _ => None,
        });
        let mut csv = csv.expect("csv").clone();
        assert_eq!(csv.size, 5);
        csv.load().expect("nothing to load");
        assert!(csv.bytes.is_empty());
    }

    #[test]
    fn load_reports_oversized_and_vanished_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let big = dir.path().join("Big.connectedApp-meta.xml");
        let f = std::fs::File::create(&big).expect("create");
        // Sparse: no 64 MiB is written.
        f.set_len(MAX_FILE_BYTES + 1).expect("set_len");
        let gone = dir.path().join("Gone.connectedApp-meta.xml");
        std::fs::write(&gone, "<x/>").expect("write");
        let found = discover(&[dir.path().to_path_buf()]).expect("discover");
        std::fs::remove_file(&gone).expect("rm");
        let mut loaded = found.into_iter().map(|s| match s {
            Source::File(mut f) => f.load(),
            other => panic!("{other:?}"),
        });
        assert!(
            matches!(loaded.next(), Some(Err(NotLoaded::TooLarge(r))) if r.contains("larger than any metadata file"))
        );
        assert!(matches!(loaded.next(), Some(Err(NotLoaded::Failed(_)))));
    }
}
