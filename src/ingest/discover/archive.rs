//! Zip archives read in place: the central directory is listed without inflating anything,
//! and each entry is inflated only when it is read, one at a time, against a per-archive and a
//! per-run budget counted while it inflates (the declared size is never trusted).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::limits::{Budgets, Limit, NotLoaded, MAX_ARCHIVE_ENTRIES};
use crate::text::human_bytes;

/// The inflation budgets an archive entry draws on: its archive's and the run's.
#[derive(Debug)]
pub(super) struct Budget {
    /// The limits.
    max: Budgets,
    /// Bytes inflated from this archive so far.
    archive: AtomicU64,
    /// Bytes inflated from all archives so far (shared by every archive of the run).
    total: Arc<AtomicU64>,
}

impl Budget {
    /// A fresh budget for one archive, drawing on the run's `total` as well.
    pub(super) fn new(max: Budgets, total: &Arc<AtomicU64>) -> Arc<Budget> {
        Arc::new(Budget {
            max,
            archive: AtomicU64::new(0),
            total: Arc::clone(total),
        })
    }
}

/// An archive entry still to be read: its central-directory record and its archive's budget.
#[derive(Debug)]
pub(super) struct ArchiveEntry {
    entry: zip::read::OwnedZipFileEntry,
    budget: Arc<Budget>,
}

impl ArchiveEntry {
    pub(super) fn new(entry: zip::read::OwnedZipFileEntry, budget: &Arc<Budget>) -> ArchiveEntry {
        ArchiveEntry {
            entry,
            budget: Arc::clone(budget),
        }
    }
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

/// An entry of an archive's central directory, by name.
pub(super) type Listed = (String, zip::read::OwnedZipFileEntry);

/// The entries of an archive's central directory with their names, in directory order, and
/// what could not be listed (an unreadable archive, entries past the limit or past a broken
/// record), said in a message each.
pub(super) fn directory(path: &Path) -> (Vec<Listed>, Vec<String>) {
    let mut failed = Vec::new();
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
            return (Vec::new(), vec![message]);
        }
    };
    let files = match archive.files() {
        Ok(f) => f,
        Err(e) => {
            return (Vec::new(), vec![format!("not a readable zip: {e}")]);
        }
    };
    let mut entries: Vec<(String, zip::read::OwnedZipFileEntry)> = Vec::new();
    for (i, entry) in files.enumerate() {
        if i >= MAX_ARCHIVE_ENTRIES {
            failed.push(format!(
                    "more than {MAX_ARCHIVE_ENTRIES} entries: the entries after the first {MAX_ARCHIVE_ENTRIES} are not read"
                ));
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
                failed.push(format!(
                    "archive directory unreadable after {i} entries ({e}): the rest is not read"
                ));
                break;
            }
        }
    }
    (entries, failed)
}
