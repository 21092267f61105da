//! One input file: where it is (a path, or an entry of an archive) and its bytes once loaded
//! within its limit. Only regular files are opened: a FIFO would block a read forever, a
//! device would never end.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::archive::{load_entry, ArchiveEntry, EntryStream};
use super::limits::{Limit, NotLoaded};
use crate::text::human_bytes;

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
    pub(super) pending: bool,
    /// For an entry of an archive: how to read it.
    pub(super) archive: Option<Arc<ArchiveEntry>>,
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

    /// The file on disk, opened, when the content is a plain file's (not an archive entry,
    /// not bytes in memory): the usage stage maps large exports rather than reading them.
    pub fn open_disk(&self) -> std::io::Result<Option<std::fs::File>> {
        if self.archive.is_some() || !self.bytes.is_empty() || self.entry.is_some() {
            return Ok(None);
        }
        check_regular(&self.path)?;
        std::fs::File::open(&self.path).map(Some)
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
pub(super) fn special_kind(file_type: &std::fs::FileType) -> &'static str {
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
