//! Zip archives read in place: the central directory is listed without inflating anything,
//! and each entry is inflated only when it is read, one at a time, against a per-archive and a
//! per-run budget counted while it inflates (the declared size is never trusted).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::input::{InputFile, Limit, NotLoaded};
use super::{Run, Source, MAX_ARCHIVE_BYTES, MAX_ARCHIVE_ENTRIES, MAX_TOTAL_ARCHIVE_BYTES};
use crate::text::human_bytes;

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
pub(super) struct ArchiveEntry {
    entry: zip::read::OwnedZipFileEntry,
    budget: Arc<Budget>,
}

/// Inflate one archive entry, stopping at `limit` or at what is left of the archive's and the
/// run's budgets, whichever comes first. The budgets count what was inflated, refused or not.
pub(super) fn load_entry(
    archive: &Path,
    entry: &ArchiveEntry,
    limit: Limit,
) -> Result<Vec<u8>, NotLoaded> {
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
pub(super) struct EntryStream {
    chunks: std::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    at: usize,
    done: bool,
}

impl EntryStream {
    const CHUNK: usize = 256 * 1024;

    pub(super) fn spawn(archive: PathBuf, entry: Arc<ArchiveEntry>) -> Self {
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

/// The entries of an archive's central directory with their names, in directory order; what
/// cannot be listed (an unreadable archive, entries past the limit or past a broken record) is
/// pushed to `out` as failed.
fn directory(
    path: &Path,
    shown: &str,
    out: &mut Vec<Source>,
) -> Vec<(String, zip::read::OwnedZipFileEntry)> {
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
            out.push(Source::Failed {
                path: shown.into(),
                message,
            });
            return Vec::new();
        }
    };
    let files = match archive.files() {
        Ok(f) => f,
        Err(e) => {
            out.push(Source::Failed {
                path: shown.into(),
                message: format!("not a readable zip: {e}"),
            });
            return Vec::new();
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
    entries
}

/// List the entries of an archive from its central directory, every entry in it (duplicate
/// names included), without inflating any: each is read when it is needed, one at a time.
pub(super) fn list_zip(path: &Path, shown: &str, run: &Run, out: &mut Vec<Source>) {
    let mut entries = directory(path, shown, out);
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
