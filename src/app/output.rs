//! The output folder: refuses to overwrite without `--force`, keeps every path inside the
//! folder, and writes each file atomically (temporary file, then rename).

use std::path::{Component, Path, PathBuf};

use crate::error::Error;

/// An output folder ready for writing.
#[derive(Debug)]
pub struct OutputDir {
    root: PathBuf,
}

impl OutputDir {
    /// Create `root` (or accept it empty); a non-empty folder needs `force`.
    pub fn prepare(root: &Path, force: bool) -> Result<OutputDir, Error> {
        let err = |source| Error::Write {
            path: root.to_path_buf(),
            source,
        };
        if root.exists() {
            let non_empty = std::fs::read_dir(root).map_err(err)?.next().is_some();
            if non_empty && !force {
                return Err(Error::Input {
                    path: root.to_path_buf(),
                    message: "output folder is not empty (use --force to overwrite)".into(),
                });
            }
        } else {
            std::fs::create_dir_all(root).map_err(err)?;
        }
        Ok(OutputDir {
            root: root.to_path_buf(),
        })
    }

    /// Write `rel` (a relative, `/`-separated path that must stay inside the folder).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<PathBuf, Error> {
        let path = self.resolve(rel)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Write {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        super::write_atomic(&path, bytes)?;
        Ok(path)
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn resolve(&self, rel: &str) -> Result<PathBuf, Error> {
        let p = Path::new(rel);
        let confined = !rel.is_empty()
            && p.components().all(|c| matches!(c, Component::Normal(_)))
            && !rel.contains('\\');
        if !confined {
            return Err(Error::Input {
                path: rel.into(),
                message: "output path escapes the output folder".into(),
            });
        }
        Ok(self.root.join(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confines_paths_and_refuses_to_overwrite() {
        let tmp = tempfile::tempdir().expect("tmp");
        let out = OutputDir::prepare(tmp.path(), false).expect("empty is fine");
        assert!(out.write("a/b.txt", b"x").is_ok());
        for bad in ["../x", "/etc/x", "a/../../x", "", "a\\..\\x"] {
            assert!(out.write(bad, b"x").is_err(), "{bad}");
        }
        assert!(OutputDir::prepare(tmp.path(), false).is_err());
        assert!(OutputDir::prepare(tmp.path(), true).is_ok());
    }
}
