//! Progress for large usage files: an indicatif bar (bytes, rate) on stderr when it is a
//! terminal, nothing otherwise. The reading itself stays in the usage stage; this module only
//! watches its byte counter.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::ingest::usage;
use crate::ingest::InputFile;
use crate::model::usage::UsageData;

/// Below this many bytes a bar would only flicker.
const MIN_BYTES_FOR_BAR: u64 = 32 * 1024 * 1024;

/// Read the usage files, showing a progress bar when it helps.
pub fn read_usage(files: &[InputFile], quiet: bool) -> UsageData {
    let total: u64 = files.iter().map(|f| f.size).sum();
    if quiet || total < MIN_BYTES_FOR_BAR || !std::io::stderr().is_terminal() {
        return usage::read_usage(files);
    }
    let counter = AtomicU64::new(0);
    std::thread::scope(|s| {
        let worker = s.spawn(|| usage::read_usage_counted(files, usage::WORKERS, Some(&counter)));
        let bar = indicatif::ProgressBar::new(total);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} reading usage {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left) {wide_bar}",
        ) {
            bar.set_style(style);
        }
        while !worker.is_finished() {
            bar.set_position(counter.load(Ordering::Relaxed));
            std::thread::sleep(Duration::from_millis(100));
        }
        bar.finish_and_clear();
        match worker.join() {
            Ok(data) => data,
            // The reader does not panic on bad input; if it ever does, surface it.
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}
