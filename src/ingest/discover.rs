//! Discovery: walk input folders (sorted, so runs are deterministic), list zip archives in
//! place, and hand every file to the readers with the name users will see.
//!
//! Discovery opens nothing but folders and archive directories: only regular files become
//! inputs (a FIFO would block a read forever, a device would never end), folders an earlier
//! run wrote are skipped, and an archive entry is inflated only when it is read, one at a
//! time, with its size limit enforced while it inflates (the declared size is never trusted).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::error::Error;
use crate::text::human_bytes;

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

/// Directories that never hold org metadata; skipped as a whole (and said so).
const SKIP_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    ".sfdx",
    ".sf",
    "target",
    ".localdevserver",
];

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

/// The inflation budgets an archive entry draws on: its archive's and the run's.
#[derive(Debug)]
struct Budget {
    /// The limits.
    max: Budgets,
    /// Bytes inflated from this archive so far.
    archive: AtomicU64,
    /// Bytes inflated from all archives so far (shared by every archive of the run).
    total: Arc<AtomicU64>,
}

/// An archive entry still to be read: its central-directory record and its archive's budget.
#[derive(Debug)]
struct ArchiveEntry {
    entry: zip::read::OwnedZipFileEntry,
    budget: Arc<Budget>,
}

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
    /// Size in bytes (of an archive entry still to load: the size its archive declares).
    pub size: u64,
    /// A file whose bytes are read by [`InputFile::load`], not by discovery: the metadata is
    /// read while the usage exports stream, not before.
    pending: bool,
    /// For an entry of an archive: how to read it.
    archive: Option<Arc<ArchiveEntry>>,
}

/// Why [`InputFile::load`] read nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotLoaded {
    /// Larger than the limit or the archive budget allows: not read, with this message (which
    /// names the limit).
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
            archive: None,
        }
    }

    /// Whether this is an entry of an archive (read from the archive, never extracted).
    pub fn in_archive(&self) -> bool {
        self.archive.is_some()
    }

    /// Read the bytes of a file discovery left unread, at most `limit.bytes` of them: a file
    /// on disk or an archive entry, whose size is checked while it inflates. Nothing to do for
    /// files already in memory.
    pub fn load(&mut self, limit: Limit) -> Result<(), NotLoaded> {
        if !self.pending {
            return Ok(());
        }
        let bytes = match &self.archive {
            Some(entry) => load_entry(&self.path, entry, limit)?,
            None => load_disk(&self.path, limit)?,
        };
        self.size = bytes.len() as u64;
        self.bytes = bytes;
        self.pending = false;
        Ok(())
    }

    /// A reader over the whole content, for the usage stage: the file on disk (streamed), an
    /// archive entry inflated as it is read (never held whole in memory), or the bytes in
    /// memory.
    pub fn open_stream(&self) -> std::io::Result<Box<dyn Read + Send + '_>> {
        match &self.archive {
            Some(entry) if self.pending => Ok(Box::new(EntryStream::spawn(
                self.path.clone(),
                Arc::clone(entry),
            ))),
            None if self.bytes.is_empty() && self.entry.is_none() => {
                check_regular(&self.path)?;
                Ok(Box::new(std::fs::File::open(&self.path)?))
            }
            _ => Ok(Box::new(std::io::Cursor::new(&self.bytes[..]))),
        }
    }

    /// The last path component.
    pub fn file_name(&self) -> &str {
        let name = self.entry.as_deref().unwrap_or(&self.display);
        name.rsplit(['/', '\\']).next().unwrap_or(name)
    }
}

/// What a file system object that is not a regular file or a folder is, for messages.
fn special_kind(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "character device";
        }
        if file_type.is_block_device() {
            return "block device";
        }
        if file_type.is_socket() {
            return "socket";
        }
    }
    if file_type.is_symlink() {
        return "symbolic link";
    }
    if file_type.is_dir() {
        return "folder";
    }
    "special file"
}

/// Refuse anything but a regular file before opening it: opening a FIFO blocks until a writer
/// comes, and a device never ends. (Discovery already skipped them; this covers a file
/// replaced between discovery and reading. A symbolic link reaching here was named by the
/// user, so it is followed: walks skip the links they meet.)
fn check_regular(path: &Path) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.is_file() {
        Ok(())
    } else {
        let kind = special_kind(&meta.file_type());
        Err(std::io::Error::other(format!("not a regular file: {kind}")))
    }
}

fn load_disk(path: &Path, limit: Limit) -> Result<Vec<u8>, NotLoaded> {
    let failed = |e: std::io::Error| NotLoaded::Failed(e.to_string());
    check_regular(path).map_err(failed)?;
    let file = std::fs::File::open(path).map_err(failed)?;
    let size = file.metadata().map_err(failed)?.len();
    let too_large = |size: &str| {
        NotLoaded::TooLarge(format!(
            "{size} bytes: larger than the {} limit for {}; not read",
            human_bytes(limit.bytes),
            limit.what
        ))
    };
    if size > limit.bytes {
        return Err(too_large(&size.to_string()));
    }
    // The file may grow after the stat: the read itself stops at the limit.
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(limit.bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(failed)?;
    if bytes.len() as u64 > limit.bytes {
        return Err(too_large("more than"));
    }
    Ok(bytes)
}

/// Inflate one archive entry, stopping at `limit` or at what is left of the archive's and the
/// run's budgets, whichever comes first. The budgets count what was inflated, refused or not.
fn load_entry(archive: &Path, entry: &ArchiveEntry, limit: Limit) -> Result<Vec<u8>, NotLoaded> {
    let budget = &entry.budget;
    let archive_room = budget
        .max
        .archive
        .saturating_sub(budget.archive.load(Ordering::Relaxed));
    let total_room = budget
        .max
        .total
        .saturating_sub(budget.total.load(Ordering::Relaxed));
    let over_budget = || {
        let message = if archive_room <= total_room {
            format!(
                "the archive's budget of {} inflated bytes is used up by earlier entries; not read",
                human_bytes(budget.max.archive)
            )
        } else {
            format!(
                "the run's budget of {} inflated bytes from archives is used up; not read",
                human_bytes(budget.max.total)
            )
        };
        NotLoaded::TooLarge(message)
    };
    let room = archive_room.min(total_room);
    if room == 0 {
        return Err(over_budget());
    }
    let cap = limit.bytes.min(room);
    let failed = |e: String| NotLoaded::Failed(e);
    let mut file = std::fs::File::open(archive).map_err(|e| failed(e.to_string()))?;
    let mut reader = entry
        .entry
        .as_ref()
        .with_reader(&mut file, zip::read::ZipReadOptions::new())
        .map_err(|e| failed(format!("cannot read the archive entry: {e}")))?;
    // Capacity from the declared size only up to the cap: a declared size is not trusted.
    let declared = entry.entry.size();
    let mut bytes = Vec::with_capacity(declared.min(cap).min(1024 * 1024) as usize);
    let read = reader.by_ref().take(cap + 1).read_to_end(&mut bytes);
    let inflated = bytes.len() as u64;
    budget.archive.fetch_add(inflated, Ordering::Relaxed);
    budget.total.fetch_add(inflated, Ordering::Relaxed);
    if inflated > cap {
        if cap == limit.bytes {
            return Err(NotLoaded::TooLarge(format!(
                "inflates to more than the {} limit for {} (its archive declares {declared} bytes); not read",
                human_bytes(limit.bytes),
                limit.what
            )));
        }
        return Err(over_budget());
    }
    read.map_err(|e| failed(format!("cannot inflate the archive entry: {e}")))?;
    Ok(bytes)
}

/// An archive entry inflated on a thread of its own and handed over in chunks, so the usage
/// stage streams it like a file: never more than a few chunks are in memory.
struct EntryStream {
    chunks: std::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    at: usize,
    done: bool,
}

impl EntryStream {
    const CHUNK: usize = 256 * 1024;

    fn spawn(archive: PathBuf, entry: Arc<ArchiveEntry>) -> Self {
        let (tx, rx) = std::sync::mpsc::sync_channel(2);
        std::thread::spawn(move || {
            let mut file = match std::fs::File::open(&archive) {
                Ok(f) => f,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            let mut reader = match entry
                .entry
                .as_ref()
                .with_reader(&mut file, zip::read::ZipReadOptions::new())
            {
                Ok(r) => r,
                Err(e) => {
                    let message = format!("cannot read the archive entry: {e}");
                    let _ = tx.send(Err(std::io::Error::other(message)));
                    return;
                }
            };
            loop {
                let mut chunk = vec![0; Self::CHUNK];
                match reader.read(&mut chunk) {
                    Ok(0) => return,
                    Ok(n) => {
                        chunk.truncate(n);
                        // The reader went away (it stopped early): nothing more to do.
                        if tx.send(Ok(chunk)).is_err() {
                            return;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
        });
        EntryStream {
            chunks: rx,
            chunk: Vec::new(),
            at: 0,
            done: false,
        }
    }
}

impl Read for EntryStream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at >= self.chunk.len() {
            if self.done {
                return Ok(0);
            }
            match self.chunks.recv() {
                Ok(Ok(chunk)) => {
                    self.chunk = chunk;
                    self.at = 0;
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                // The inflating thread finished: the end of the entry.
                Err(_) => {
                    self.done = true;
                    return Ok(0);
                }
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
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

/// List the entries of an archive from its central directory, every entry in it (duplicate
/// names included), without inflating any: each is read when it is needed, one at a time.
fn list_zip(path: &Path, shown: &str, run: &Run, out: &mut Vec<Source>) {
    use zip::unstable::read::ZipIterable;
    let opened = std::fs::File::open(path)
        .map_err(|e| e.to_string())
        .and_then(|f| {
            ZipIterable::try_new(f, zip::read::Config::default())
                .map_err(|e| format!("not a readable zip: {e}"))
        });
    let mut archive = match opened {
        Ok(a) => a,
        Err(message) => {
            return out.push(Source::Failed {
                path: shown.into(),
                message,
            })
        }
    };
    let files = match archive.files() {
        Ok(f) => f,
        Err(e) => {
            return out.push(Source::Failed {
                path: shown.into(),
                message: format!("not a readable zip: {e}"),
            })
        }
    };
    let mut entries: Vec<(String, zip::read::OwnedZipFileEntry)> = Vec::new();
    for (i, entry) in files.enumerate() {
        if i >= MAX_ARCHIVE_ENTRIES {
            out.push(Source::Failed {
                path: shown.into(),
                message: format!(
                    "more than {MAX_ARCHIVE_ENTRIES} entries: the entries after the first {MAX_ARCHIVE_ENTRIES} are not read"
                ),
            });
            break;
        }
        match entry {
            Ok(entry) => {
                let name = match entry.name() {
                    Ok(n) => n.into_owned(),
                    Err(_) => String::from_utf8_lossy(entry.name_raw()).into_owned(),
                };
                entries.push((name, entry.into()));
            }
            Err(e) => {
                // The directory cannot be walked past a broken record: what follows is lost,
                // and said so.
                out.push(Source::Failed {
                    path: shown.into(),
                    message: format!(
                        "archive directory unreadable after {i} entries ({e}): the rest is not read"
                    ),
                });
                break;
            }
        }
    }
    // Sorted by name for deterministic output; the sort is stable, so entries sharing a name
    // keep their directory order and the first of them is the one read.
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let budget = Arc::new(Budget {
        max: run.budgets,
        archive: AtomicU64::new(0),
        total: Arc::clone(&run.inflated),
    });
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
            archive: Some(Arc::new(ArchiveEntry {
                entry,
                budget: Arc::clone(&budget),
            })),
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn last(p: &str) -> &str {
        p.trim_end_matches('/')
            .rsplit(['/', '!'])
            .next()
            .unwrap_or("")
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

    /// A zip of (name, bytes), deflated.
    fn zip_of(path: &Path, entries: &[(&str, &[u8])]) {
        let f = std::fs::File::create(path).expect("create zip");
        let mut w = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        for (name, bytes) in entries {
            w.start_file(*name, opts).expect("start");
            w.write_all(bytes).expect("write entry");
        }
        w.finish().expect("finish");
    }

    fn only_file(sources: Vec<Source>) -> InputFile {
        match sources.into_iter().next() {
            Some(Source::File(f)) => f,
            other => panic!("{other:?}"),
        }
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
        meta.load(METADATA_LIMIT).expect("load");
        assert_eq!(meta.bytes, b"<x/>");
        assert_eq!(meta.size, 4);
        let csv = found.iter().find_map(|s| match s {
            Source::File(f) if f.file_name() == "LoginHistory.csv" => Some(f),
            _ => None,
        });
        let mut csv = csv.expect("csv").clone();
        assert_eq!(csv.size, 5);
        csv.load(USAGE_LIMIT).expect("nothing to load");
        assert!(csv.bytes.is_empty());
    }

    #[test]
    fn load_reports_oversized_and_vanished_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let big = dir.path().join("Big.connectedApp-meta.xml");
        let f = std::fs::File::create(&big).expect("create");
        // Sparse: nothing is written.
        f.set_len(METADATA_LIMIT.bytes + 1).expect("set_len");
        let gone = dir.path().join("Gone.connectedApp-meta.xml");
        std::fs::write(&gone, "<x/>").expect("write");
        let found = discover(&[dir.path().to_path_buf()]).expect("discover");
        std::fs::remove_file(&gone).expect("rm");
        let mut loaded = found.into_iter().map(|s| match s {
            Source::File(mut f) => f.load(METADATA_LIMIT),
            other => panic!("{other:?}"),
        });
        assert!(
            matches!(loaded.next(), Some(Err(NotLoaded::TooLarge(r))) if r.contains("larger than the 16 MiB limit for a metadata file"))
        );
        assert!(matches!(loaded.next(), Some(Err(NotLoaded::Failed(_)))));
    }

    #[test]
    fn a_folder_an_earlier_run_wrote_is_skipped_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("in")).expect("mkdir");
        std::fs::create_dir_all(root.join("plan/force-app")).expect("mkdir");
        std::fs::write(root.join("in/A.connectedApp-meta.xml"), "<x/>").expect("write");
        std::fs::write(root.join("plan").join(OUTPUT_MARKER), "ecaplan 0.1.0\n").expect("w");
        std::fs::write(
            root.join("plan/force-app/A_ECA.connectedApp-meta.xml"),
            "<x/>",
        )
        .expect("write");
        let found = discover(&[root.to_path_buf()]).expect("discover");
        assert_eq!(
            files(&found),
            [("A.connectedApp-meta.xml", "file"), ("plan", "skipped")]
        );
        let Source::Skipped { reason, .. } = &found[1] else {
            panic!("{found:?}")
        };
        assert_eq!(reason, OUTPUT_FOLDER_REASON);
        // Named directly, too.
        let found = discover(&[root.join("plan")]).expect("discover");
        assert_eq!(files(&found), [("plan", "skipped")]);
    }

    #[cfg(unix)]
    #[test]
    fn fifos_and_devices_are_accounted_for_never_opened() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("X.connectedApp-meta.xml");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(made.success());
        // Opening either would block (FIFO) or never end (device): this test would hang.
        let found =
            discover(&[dir.path().to_path_buf(), PathBuf::from("/dev/zero")]).expect("discover");
        let reasons: Vec<_> = found
            .iter()
            .map(|s| match s {
                Source::Skipped { reason, .. } => reason.as_str(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            reasons,
            [
                "not a regular file: FIFO (named pipe)",
                "not a regular file: character device"
            ]
        );
    }

    #[test]
    fn an_entry_is_inflated_only_up_to_its_limit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let zip = dir.path().join("a.zip");
        let big = vec![b' '; (METADATA_LIMIT.bytes + 4096) as usize];
        zip_of(&zip, &[("A.connectedApp-meta.xml", &big), ("B.txt", b"ok")]);
        let found = discover(&[zip]).expect("discover");
        assert_eq!(
            files(&found),
            [("A.connectedApp-meta.xml", "file"), ("B.txt", "file")]
        );
        let mut entries = found.into_iter().map(|s| match s {
            Source::File(f) => f,
            other => panic!("{other:?}"),
        });
        let mut a = entries.next().expect("a");
        // Listed, not inflated.
        assert!(a.bytes.is_empty());
        let err = a.load(METADATA_LIMIT).expect_err("too large");
        assert!(
            matches!(&err, NotLoaded::TooLarge(m) if m.contains("inflates to more than the 16 MiB limit for a metadata file")),
            "{err:?}"
        );
        assert!(a.bytes.is_empty());
        let mut b = entries.next().expect("b");
        b.load(CONFIG_LIMIT).expect("small entry");
        assert_eq!(b.bytes, b"ok");
    }

    /// Rewrite the uncompressed size of every entry (local and central headers) to `size`:
    /// an archive that lies about what its entries inflate to.
    fn lie_about_sizes(zip: &mut [u8], size: u32) {
        let mut i = 0;
        while i + 30 <= zip.len() {
            let sig = &zip[i..i + 4];
            if sig == b"PK\x03\x04" {
                zip[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
            } else if sig == b"PK\x01\x02" && i + 28 <= zip.len() {
                zip[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
            }
            i += 1;
        }
    }

    #[test]
    fn an_entry_that_declares_small_but_inflates_big_is_stopped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let zip = dir.path().join("liar.zip");
        let f = std::fs::File::create(&zip).expect("create");
        let mut w = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file("A.connectedApp-meta.xml", opts)
            .expect("start");
        w.write_all(&vec![b' '; 3 * 1024 * 1024]).expect("write");
        w.finish().expect("finish");
        let mut bytes = std::fs::read(&zip).expect("read");
        lie_about_sizes(&mut bytes, 100);
        std::fs::write(&zip, &bytes).expect("write");
        let mut a = only_file(discover(&[zip]).expect("discover"));
        assert_eq!(a.size, 100);
        // Whatever the zip reader makes of the lie, no more than the limit is ever inflated.
        let limit = Limit {
            bytes: 1024 * 1024,
            what: "a test",
        };
        match a.load(limit) {
            Ok(()) => assert!(a.bytes.len() as u64 <= limit.bytes),
            Err(NotLoaded::TooLarge(m)) => assert!(m.contains("1 MiB limit for a test"), "{m}"),
            Err(NotLoaded::Failed(m)) => assert!(m.contains("archive entry"), "{m}"),
        }
        assert!(a.bytes.len() as u64 <= limit.bytes);
    }

    #[test]
    fn the_archive_budget_reports_what_does_not_fit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let zip = dir.path().join("a.zip");
        let kib = vec![b' '; 1024];
        zip_of(
            &zip,
            &[
                ("A.connectedApp", &kib),
                ("B.connectedApp", &kib),
                ("C.connectedApp", &kib),
            ],
        );
        let budgets = Budgets {
            archive: 2048,
            total: 1 << 20,
        };
        let found = discover_with(&[zip], budgets).expect("discover");
        let results: Vec<_> = found
            .into_iter()
            .map(|s| match s {
                Source::File(mut f) => f.load(METADATA_LIMIT),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(results[..2], [Ok(()), Ok(())]);
        assert!(
            matches!(&results[2], Err(NotLoaded::TooLarge(m)) if m.contains("the archive's budget of 2048 bytes")),
            "{results:?}"
        );
    }

    #[test]
    fn duplicate_entry_names_are_accounted_for() {
        let dir = tempfile::tempdir().expect("tempdir");
        let zip = dir.path().join("dup.zip");
        let f = std::fs::File::create(&zip).expect("create");
        let mut w = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file("A.connectedApp", opts).expect("start");
        w.write_all(b"first").expect("write");
        // The writer refuses a second entry of one name: rename it in the bytes afterwards.
        w.start_file("A.connectedApX", opts).expect("start");
        w.write_all(b"second").expect("write");
        w.finish().expect("finish");
        let mut bytes = std::fs::read(&zip).expect("read");
        let from = b"A.connectedApX";
        let mut i = 0;
        while i + from.len() <= bytes.len() {
            if &bytes[i..i + from.len()] == from {
                bytes[i + from.len() - 1] = b'p';
            }
            i += 1;
        }
        std::fs::write(&zip, &bytes).expect("write");
        let found = discover(&[zip]).expect("discover");
        assert_eq!(
            files(&found),
            [("A.connectedApp", "file"), ("A.connectedApp", "failed")]
        );
        let Source::Failed { message, .. } = &found[1] else {
            panic!("{found:?}")
        };
        assert!(
            message.contains("entry 2 of the archive with this name"),
            "{message}"
        );
        let mut first = only_file(found);
        first.load(METADATA_LIMIT).expect("first");
        assert_eq!(first.bytes, b"first");
    }

    #[test]
    fn an_archive_entry_streams_for_the_usage_stage() {
        let dir = tempfile::tempdir().expect("tempdir");
        let zip = dir.path().join("u.zip");
        let rows: Vec<u8> = (0..200_000)
            .flat_map(|i| format!("{i},x\n").into_bytes())
            .collect();
        zip_of(&zip, &[("LoginHistory.csv", &rows)]);
        let f = only_file(discover(&[zip]).expect("discover"));
        let mut back = Vec::new();
        f.open_stream()
            .expect("open")
            .read_to_end(&mut back)
            .expect("read");
        assert_eq!(back, rows);
        // Stopping early ends the inflating thread (nothing to assert but no hang).
        let mut head = [0u8; 10];
        f.open_stream()
            .expect("open")
            .read_exact(&mut head)
            .expect("head");
        assert_eq!(&head, b"0,x\n1,x\n2,");
    }
}
