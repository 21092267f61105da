//! Replacing an output folder without ever leaving it half-written. One run at a time holds
//! the lock on the folder's parent; the new tree is built in a staging folder of a unique name
//! beside it; on Linux one `renameat2(RENAME_EXCHANGE)` swaps staging and output, so that the
//! output is the old or the new complete tree at every instant, whatever kills the process.
//! Leftovers of an interrupted run carry the marker and are removed by the next run.

use std::path::{Path, PathBuf};

use super::place::MARKER;

/// The exclusive lock of one parent folder, released when dropped (or when the process dies:
/// an advisory lock dies with its file descriptor).
#[derive(Debug)]
pub struct Lock {
    _file: std::fs::File,
}

/// Wait for the lock of `parent` (another ecaplan run writing an output folder there holds it
/// until it has swapped its folder in). The folder itself is locked: no lock file is left
/// behind.
pub fn lock(parent: &Path) -> std::io::Result<Lock> {
    let file = std::fs::File::open(parent)?;
    #[cfg(unix)]
    rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)?;
    Ok(Lock { _file: file })
}

/// The prefixes of the staging and trash folders of output folder `name`.
fn prefixes(name: &str) -> [String; 2] {
    [
        format!(".{name}.ecaplan-staging-"),
        format!(".{name}.ecaplan-trash-"),
    ]
}

/// A staging folder name no other run uses: the process id and a clock reading (used only in
/// the name, never in output).
pub fn staging_name(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}{}-{nanos}", prefixes(name)[0], std::process::id())
}

/// Remove the staging and trash folders an interrupted run left beside output folder `name`
/// in `parent` (run under the lock, so none of them is in use). A leftover without the marker
/// is not provably ecaplan's: it is left in place and named. Returns what to tell the user.
pub fn clean_leftovers(parent: &Path, name: &str) -> Vec<String> {
    let mut said = Vec::new();
    let Ok(entries) = std::fs::read_dir(parent) else {
        return said;
    };
    let prefixes = prefixes(name);
    // The fixed staging name of ecaplan versions before the lock.
    let legacy = format!(".{name}.ecaplan-staging");
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n == legacy || prefixes.iter().any(|p| n.starts_with(p.as_str()))
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    for path in found {
        let ours = std::fs::symlink_metadata(path.join(MARKER)).is_ok_and(|m| m.is_file());
        let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        // A run killed between creating its staging folder and writing the marker into it
        // leaves it empty: removing an empty folder loses nothing.
        if is_dir && !ours && std::fs::remove_dir(&path).is_ok() {
            continue;
        }
        if ours && is_dir {
            match remove_tree(&path) {
                Ok(()) => said.push(format!(
                    "removed {}, left by an interrupted ecaplan run",
                    path.display()
                )),
                Err(e) => said.push(format!(
                    "could not remove {}, left by an interrupted ecaplan run: {e}",
                    path.display()
                )),
            }
        } else {
            said.push(format!(
                "left {} in place: named like an ecaplan leftover but without its {MARKER} file; remove it yourself if it is",
                path.display()
            ));
        }
    }
    said
}

/// Delete a tree ecaplan wrote, its marker last, so that a deletion cut short leaves a folder
/// that the next run still recognises as its own.
pub fn remove_tree(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == MARKER {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path)?;
        }
    }
    match std::fs::remove_file(dir.join(MARKER)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    std::fs::remove_dir(dir)
}

/// Put `staging` in the place of `root`: one atomic exchange where the system has it, then the
/// old tree (now at `staging`) is deleted. Where it has not, the old tree is renamed aside
/// first (a window without `root`; both trees stay whole and the next run reports them).
pub fn swap_in(staging: &Path, root: &Path) -> std::io::Result<()> {
    if std::fs::symlink_metadata(root).is_err() {
        return std::fs::rename(staging, root);
    }
    if exchange(staging, root).is_ok() {
        return remove_tree(staging);
    }
    let name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let trash = staging.with_file_name(staging_name(&name).replacen("staging", "trash", 1));
    std::fs::rename(root, &trash)?;
    std::fs::rename(staging, root)?;
    remove_tree(&trash)
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(dir: &Path, files: &[&str]) {
        std::fs::create_dir_all(dir).expect("mkdir");
        std::fs::write(dir.join(MARKER), "m").expect("marker");
        for f in files {
            let p = dir.join(f);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, f).expect("write");
        }
    }

    #[test]
    fn swaps_a_tree_in_and_deletes_the_old_one() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path().join("out");
        let staging = tmp.path().join(staging_name("out"));
        tree(&root, &["old.txt", "a/old.txt"]);
        tree(&staging, &["new.txt"]);
        swap_in(&staging, &root).expect("swap");
        assert!(root.join("new.txt").is_file());
        assert!(!root.join("old.txt").exists());
        assert!(!staging.exists(), "the old tree is gone");
        let only: Vec<_> = std::fs::read_dir(tmp.path()).expect("ls").collect();
        assert_eq!(only.len(), 1, "nothing else left beside the output");
    }

    #[test]
    fn cleans_marked_leftovers_and_names_unmarked_ones() {
        let tmp = tempfile::tempdir().expect("tmp");
        let marked = tmp.path().join(".out.ecaplan-staging-1-2");
        tree(&marked, &["x/y.txt"]);
        let trash = tmp.path().join(".out.ecaplan-trash-1-3");
        tree(&trash, &[]);
        let unmarked = tmp.path().join(".out.ecaplan-staging");
        std::fs::create_dir(&unmarked).expect("mkdir");
        std::fs::write(unmarked.join("f"), "x").expect("write");
        let empty = tmp.path().join(".out.ecaplan-staging-1-1");
        std::fs::create_dir(&empty).expect("mkdir");
        let other = tmp.path().join(".other.ecaplan-staging-1-2");
        tree(&other, &[]);
        let said = clean_leftovers(tmp.path(), "out");
        assert!(!marked.exists() && !trash.exists() && !empty.exists());
        assert!(unmarked.exists(), "not provably ours");
        assert!(other.exists(), "another output folder's");
        assert_eq!(said.len(), 3, "{said:?}");
        assert!(
            said[0].contains("left") && said[0].contains("without"),
            "{said:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_lock_is_exclusive() {
        let tmp = tempfile::tempdir().expect("tmp");
        let held = lock(tmp.path()).expect("lock");
        let other = std::fs::File::open(tmp.path()).expect("open");
        let try_lock =
            || rustix::fs::flock(&other, rustix::fs::FlockOperation::NonBlockingLockExclusive);
        assert!(try_lock().is_err(), "held by the first");
        drop(held);
        assert!(try_lock().is_ok());
    }
}
