//! The output folder: refuses to overwrite without `--force`, keeps every path inside the
//! folder, and appears atomically: everything is written into a hidden staging folder beside
//! it, which replaces the output folder in one rename when all files are written. A run that
//! fails half-way leaves the previous output untouched (one rename, not one per file: a large
//! org has thousands of files).

use std::path::{Component, Path, PathBuf};

use crate::error::Error;

/// An output folder being written (by several threads at once).
#[derive(Debug)]
pub struct OutputDir {
    root: PathBuf,
    staging: PathBuf,
    /// Folders already created: thousands of files share a few folders, and asking the file
    /// system again for each file costs a path walk apiece.
    made: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

impl OutputDir {
    /// Check `root` (absent, empty, or `force`) and start a staging folder beside it.
    pub fn prepare(root: &Path, force: bool) -> Result<OutputDir, Error> {
        if root.exists() {
            let non_empty = std::fs::read_dir(root).map_err(io(root))?.next().is_some();
            if non_empty && !force {
                return Err(Error::Input {
                    path: root.to_path_buf(),
                    message: "output folder is not empty (use --force to overwrite)".into(),
                });
            }
        }
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let parent = root
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io(parent))?;
        let staging = parent.join(format!(".{name}.ecaplan-staging"));
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
        }
        std::fs::create_dir_all(&staging).map_err(io(&staging))?;
        Ok(OutputDir {
            root: root.to_path_buf(),
            staging,
            made: std::sync::Mutex::default(),
        })
    }

    /// Write `rel` (a relative, `/`-separated path that must stay inside the folder).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<PathBuf, Error> {
        let path = self.place(rel)?;
        std::fs::write(&path, bytes).map_err(io(&path))?;
        Ok(self.root.join(rel))
    }

    /// Write many small files (sorted by path, so that neighbours share a folder): the folder
    /// is looked up once per run of files in it, and no path is allocated per file.
    pub fn write_files<'f>(
        &self,
        files: impl IntoIterator<Item = (&'f str, &'f [u8])>,
    ) -> Result<(), Error> {
        let mut path = self.staging.clone();
        let mut folder: Option<&str> = None;
        for (rel, bytes) in files {
            let parent = rel.rsplit_once('/').map(|(dir, _)| dir);
            if parent != folder {
                self.place(rel)?;
                folder = parent;
            } else {
                confined(rel)?;
            }
            path.push(rel);
            std::fs::write(&path, bytes).map_err(io(&path))?;
            path.clone_from(&self.staging);
        }
        Ok(())
    }

    /// Write `rel` through a buffered writer: large outputs are streamed to the file rather
    /// than built in memory first. `fill` reports its own errors; write errors name the file.
    pub fn write_with(
        &self,
        rel: &str,
        fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<(), Error>,
    ) -> Result<PathBuf, Error> {
        use std::io::Write;
        let path = self.place(rel)?;
        let file = std::fs::File::create(&path).map_err(io(&path))?;
        let mut w = std::io::BufWriter::with_capacity(256 * 1024, file);
        fill(&mut w)?;
        w.flush().map_err(io(&path))?;
        Ok(self.root.join(rel))
    }

    /// The staging path of `rel`, its folder created.
    fn place(&self, rel: &str) -> Result<PathBuf, Error> {
        let path = self.staging.join(confined(rel)?);
        if let Some(parent) = path.parent() {
            let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
            if !made.contains(parent) {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
                made.insert(parent.to_path_buf());
            }
        }
        Ok(path)
    }

    /// Replace the output folder with everything written.
    pub fn commit(self) -> Result<PathBuf, Error> {
        if self.root.exists() {
            std::fs::remove_dir_all(&self.root).map_err(io(&self.root))?;
        }
        std::fs::rename(&self.staging, &self.root).map_err(io(&self.root))?;
        Ok(self.root)
    }

    /// The folder (once committed).
    pub fn root(&self) -> &Path {
        &self.root
    }
}

fn confined(rel: &str) -> Result<&Path, Error> {
    let p = Path::new(rel);
    let ok = !rel.is_empty()
        && !rel.contains('\\')
        && p.components().all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(p)
    } else {
        Err(Error::Input {
            path: rel.into(),
            message: "output path escapes the output folder".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confines_paths_refuses_to_overwrite_and_swaps_atomically() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path().join("out");
        let out = OutputDir::prepare(&root, false).expect("absent is fine");
        assert!(out.write("a/b.txt", b"x").is_ok());
        for bad in ["../x", "/etc/x", "a/../../x", "", "a\\..\\x"] {
            assert!(out.write(bad, b"x").is_err(), "{bad}");
        }
        assert!(!root.exists(), "nothing appears before commit");
        out.commit().expect("commit");
        assert_eq!(std::fs::read(root.join("a/b.txt")).expect("read"), b"x");
        assert!(OutputDir::prepare(&root, false).is_err());
        let again = OutputDir::prepare(&root, true).expect("force");
        again.write("c.txt", b"y").expect("write");
        again.commit().expect("commit");
        assert!(
            !root.join("a/b.txt").exists(),
            "--force replaces the folder"
        );
        assert!(root.join("c.txt").exists());
    }

    #[test]
    fn writes_runs_of_files_and_still_confines_each_path() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path().join("out");
        let out = OutputDir::prepare(&root, false).expect("prepare");
        let files = [
            ("a/1.txt", &b"1"[..]),
            ("a/2.txt", b"2"),
            ("b/c/3.txt", b"3"),
            ("top.txt", b"4"),
        ];
        out.write_files(files).expect("write");
        assert!(out
            .write_files([("a/ok.txt", &b"x"[..]), ("a/../../x", b"x")])
            .is_err());
        out.commit().expect("commit");
        for (rel, bytes) in files {
            assert_eq!(std::fs::read(root.join(rel)).expect(rel), bytes, "{rel}");
        }
        assert!(!tmp.path().join("x").exists());
    }
}
