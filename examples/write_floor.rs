//! The kernel's floor for writing a plan's output: read every file of a plan folder into memory
//! (not timed), then create the same tree again and write the same bytes (timed), on one
//! thread, and print the CPU time that took in seconds. No computing of ours is in it, so a
//! plan can never take less CPU time than this for the same files.
//!
//! `cargo run --release --example write_floor -- PLAN_OUT FRESH_DIR`
#![allow(clippy::print_stdout, missing_docs)]

use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        if e.file_type()?.is_dir() {
            files(&e.path(), out)?;
        } else {
            out.push((e.path(), std::fs::read(e.path())?));
        }
    }
    Ok(())
}

/// This thread's CPU time in seconds (`/proc/thread-self/schedstat`, nanoseconds on a CPU).
fn cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (src, dest) = (PathBuf::from(&args[1]), PathBuf::from(&args[2]));
    let mut all = Vec::new();
    files(&src, &mut all)?;
    let start = cpu();
    for (path, bytes) in &all {
        let to = dest.join(path.strip_prefix(&src).unwrap_or(path));
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&to, bytes)?;
    }
    println!("{:.3} {}", cpu() - start, all.len());
    Ok(())
}
