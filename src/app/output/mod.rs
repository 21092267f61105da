//! The output folder: where it may be ([`place`]), and how it is replaced ([`swap`]). Every
//! path written stays inside the folder. Everything is written into a staging folder beside
//! it, which takes the output folder's place in one atomic exchange when all files are written;
//! a run that fails or is killed half-way leaves the previous output as it was.

mod place;
mod swap;

pub use place::{marker_text, MARKER};

use std::path::{Component, Path, PathBuf};

use crate::error::Error;

/// An output folder being written (by several threads at once).
#[derive(Debug)]
pub struct OutputDir {
    /// As the user named it (shown in messages).
    root: PathBuf,
    /// Absolute and resolved: what is swapped.
    real: PathBuf,
    staging: PathBuf,
    /// Folders already created: thousands of files share a few folders, and asking the file
    /// system again for each file costs a path walk apiece.
    made: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
    /// What the user should hear about (leftovers of interrupted runs).
    notices: Vec<String>,
    /// Held until the new tree is in place.
    _lock: swap::Lock,
    committed: bool,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

impl OutputDir {
    /// Check where `root` is (apart from every one of `inputs`: the inputs, `--config`,
    /// `--templates`), wait for any other run writing beside it, check what is there (absent,
    /// empty, or with `force` an earlier ecaplan output), clean up leftovers of interrupted
    /// runs and start a staging folder beside it.
    pub fn prepare(root: &Path, force: bool, inputs: &[&Path]) -> Result<OutputDir, Error> {
        let real = place::resolve(root).map_err(io(root))?;
        let inputs: Vec<place::Input> =
            inputs.iter().filter_map(|p| place::Input::new(p)).collect();
        place::check_place(root, &real, &inputs)?;
        let name = real
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let parent = real.parent().unwrap_or(Path::new("/")).to_path_buf();
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        let lock = swap::lock(&parent).map_err(io(&parent))?;
        place::check_contents(root, &real, force)?;
        let notices = swap::clean_leftovers(&parent, &name);
        let staging = parent.join(swap::staging_name(&name));
        std::fs::create_dir(&staging).map_err(io(&staging))?;
        // The marker first: a staging folder left by a killed run is recognisably ecaplan's.
        let marker = staging.join(MARKER);
        std::fs::write(&marker, marker_text(&[])).map_err(io(&marker))?;
        Ok(OutputDir {
            root: root.to_path_buf(),
            real,
            staging,
            made: std::sync::Mutex::default(),
            notices,
            _lock: lock,
            committed: false,
        })
    }

    /// Messages for the user about the folder's surroundings (leftovers removed or kept).
    pub fn notices(&self) -> &[String] {
        &self.notices
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

    /// Put everything written in the output folder's place, atomically.
    pub fn commit(mut self) -> Result<PathBuf, Error> {
        // The marker lists what this run wrote: what a later `--force` may replace.
        let mut written: Vec<String> = std::fs::read_dir(&self.staging)
            .map_err(io(&self.staging))?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != MARKER)
            .collect();
        written.sort();
        let marker = self.staging.join(MARKER);
        std::fs::write(&marker, marker_text(&written)).map_err(io(&marker))?;
        swap::swap_in(&self.staging, &self.real).map_err(io(&self.root))?;
        self.committed = true;
        Ok(self.root.clone())
    }
}

impl Drop for OutputDir {
    /// A run that failed leaves the previous output as it was and no staging folder behind.
    fn drop(&mut self) {
        if !self.committed {
            let _ = swap::remove_tree(&self.staging);
        }
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
        let out = OutputDir::prepare(&root, false, &[]).expect("absent is fine");
        assert!(out.write("a/b.txt", b"x").is_ok());
        for bad in ["../x", "/etc/x", "a/../../x", "", "a\\..\\x"] {
            assert!(out.write(bad, b"x").is_err(), "{bad}");
        }
        assert!(!root.exists(), "nothing appears before commit");
        out.commit().expect("commit");
        assert_eq!(std::fs::read(root.join("a/b.txt")).expect("read"), b"x");
        assert!(OutputDir::prepare(&root, false, &[]).is_err());
        let again = OutputDir::prepare(&root, true, &[]).expect("force");
        again.write("c.txt", b"y").expect("write");
        again.commit().expect("commit");
        assert!(
            !root.join("a/b.txt").exists(),
            "--force replaces the folder"
        );
        assert!(root.join("c.txt").exists());
    }

    /// What a run did not write (rollback snapshots kept in the folder, notes) makes `--force`
    /// refuse, so that replacing the folder deletes nothing of the user's.
    #[test]
    fn force_refuses_a_folder_holding_what_ecaplan_did_not_write() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path().join("out");
        let out = OutputDir::prepare(&root, false, &[]).expect("prepare");
        out.write("eca/README.md", b"x").expect("write");
        out.write("plan.json", b"{}").expect("write");
        out.commit().expect("commit");
        let marker = std::fs::read_to_string(root.join(MARKER)).expect("marker");
        assert!(marker.ends_with(":\neca\nplan.json\n"), "{marker}");
        std::fs::create_dir_all(root.join("rollback/wave-1")).expect("mkdir");
        std::fs::write(root.join("notes.txt"), b"mine").expect("write");
        let refused = OutputDir::prepare(&root, true, &[]).expect_err("refused");
        let text = refused.to_string();
        assert!(
            text.contains("holds notes.txt, rollback that ecaplan did not write"),
            "{text}"
        );
        assert!(root.join("rollback/wave-1").is_dir() && root.join("notes.txt").is_file());
        std::fs::remove_dir_all(root.join("rollback")).expect("rm");
        std::fs::remove_file(root.join("notes.txt")).expect("rm");
        assert!(OutputDir::prepare(&root, true, &[]).is_ok());
        // A marker of an earlier version lists nothing: the names `plan` writes are taken.
        std::fs::write(root.join(MARKER), "ecaplan 0.1.0\n").expect("old marker");
        assert!(OutputDir::prepare(&root, true, &[]).is_ok());
        std::fs::create_dir(root.join("deploy-results")).expect("mkdir");
        assert!(OutputDir::prepare(&root, true, &[]).is_err());
    }

    #[test]
    fn writes_runs_of_files_and_still_confines_each_path() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path().join("out");
        let out = OutputDir::prepare(&root, false, &[]).expect("prepare");
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
