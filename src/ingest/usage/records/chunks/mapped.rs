//! The chunk reader for a plain file on disk: each chunk is a memory map of the file, cut on a
//! record boundary like a chunk read through a buffer, and unmapped once a worker has split
//! it. Reading copies every byte from the kernel's page cache into the process (a sixth of the
//! CPU time of a gigabyte export's ingest, on the one serial thread); a map shares those pages.
//! At most a handful of chunks are mapped at a time (the channel's bound), so the pages the
//! process holds stay a few chunks whatever the file's size.
//!
//! A map reads the file as it is while the chunk is split: the length is taken once, when
//! reading starts, so bytes appended later are not read. A file cut shorter while it is read
//! (a tool overwriting the export during the run) ends the process with SIGBUS, as in any
//! program that maps files; the exports are downloads, not live logs.

use std::sync::atomic::Ordering;
use std::sync::mpsc;

use super::super::MappedFile;
use super::{boundary, Bytes, Chunk, Stop, MAX_RECORD_SPAN};

/// Map the chunks of `src` from byte `at` to its end and send them to the workers.
pub(super) fn feed(
    src: &MappedFile<'_>,
    mut at: u64,
    tx: &mpsc::SyncSender<Chunk>,
    chunk: usize,
) -> Result<(), Stop> {
    let cannot = |e: std::io::Error| Stop::Unreadable(format!("cannot read: {e}"), 0);
    let len = src.file.metadata().map_err(cannot)?.len();
    let chunk = chunk as u64;
    let mut index = 0;
    // Bytes to map before looking for a boundary: a chunk, more while none is found.
    let mut want = chunk;
    while at < len {
        let size = want.min(len - at);
        let eof = at + size == len;
        let map = map(&src.file, at, size).map_err(cannot)?;
        // A record that runs on past the span is not cut by parity: the `csv` crate reads the
        // file and reports it (as the buffered reader does), even when the file ends inside it.
        let first = boundary(&map[..map.len().min(MAX_RECORD_SPAN + 1)]);
        if first.is_none() && map.len() > MAX_RECORD_SPAN {
            return Err(Stop::Stray);
        }
        let split = match first {
            _ if eof => Some(map.len()),
            Some(_) if map.len() > MAX_RECORD_SPAN => boundary(&map),
            found => found,
        };
        let Some(end) = split else {
            // No boundary yet (a quoted field spans the chunk): map more.
            want += chunk;
            continue;
        };
        want = chunk;
        if let Some(c) = src.counter {
            c.fetch_add(end as u64, Ordering::Relaxed);
        }
        let sent = Chunk {
            index,
            len: end,
            bytes: Bytes::Mapped(map),
        };
        if tx.send(sent).is_err() {
            return Err(Stop::Unreadable("worker stopped".into(), 0));
        }
        index += 1;
        at += end as u64;
    }
    Ok(())
}

/// `size` bytes of `file` from `offset` (any offset: the crate aligns the map to a page).
#[allow(unsafe_code)]
fn map(file: &std::fs::File, offset: u64, size: u64) -> std::io::Result<memmap2::Mmap> {
    let size = usize::try_from(size).map_err(std::io::Error::other)?;
    // SAFETY: the map is read-only and private to this process; the bytes are only read as
    // `&[u8]`. The one hazard left, the file being cut shorter while mapped, is a SIGBUS
    // (see the module's documentation), not a wrong read.
    unsafe {
        memmap2::MmapOptions::new()
            .offset(offset)
            .len(size)
            .map(file)
    }
}
