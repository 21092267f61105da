//! Where an output folder may be. Never `/`, the home folder, an input, a folder that holds an
//! input, or a folder inside one; an existing folder is replaced only when ecaplan wrote it
//! (its [`MARKER`] file says so), because `--force` replaces the folder whole.

use std::path::{Component, Path, PathBuf};

use crate::error::Error;

/// The file at the top of every output folder ecaplan writes. `--force` replaces only folders
/// that carry it, and discovery skips every folder that does (what a run reads never includes
/// what an earlier run wrote): one name, defined where it is read.
pub use crate::ingest::discover::OUTPUT_MARKER as MARKER;

/// The marker's text: the tool and its version, never a date (outputs are deterministic),
/// then the names the run wrote at the top of the folder, one a line, under [`WRITTEN`].
pub fn marker_text(written: &[String]) -> String {
    let mut text = format!(
        "ecaplan {}\nThis folder was written by ecaplan. `--force` replaces it whole: keep nothing else in it.\n",
        env!("CARGO_PKG_VERSION")
    );
    if !written.is_empty() {
        text.push_str(WRITTEN);
        for name in written {
            text.push_str(name);
            text.push('\n');
        }
    }
    text
}

/// The line of the marker after which the run's top-level names follow.
const WRITTEN: &str =
    "Written here by ecaplan (anything else makes `--force` refuse to replace the folder):\n";

/// What an earlier run's marker says it wrote; a marker of an older version lists nothing,
/// and then the names `plan` writes are taken.
fn written_by(marker: &str) -> Vec<String> {
    match marker.split_once(WRITTEN) {
        Some((_, names)) => names.lines().map(String::from).collect(),
        None => PLAN_NAMES.iter().map(|n| n.to_string()).collect(),
    }
}

/// The top-level names of `ecaplan plan`'s output (for markers that do not list theirs).
const PLAN_NAMES: [&str; 13] = [
    "access",
    "apps.csv",
    "eca",
    "eca-global",
    "findings.csv",
    "findings.sarif",
    "graph.dot",
    "graph.mmd",
    "plan.json",
    "report.html",
    "report.json",
    "report.md",
    "workshop.xlsx",
];

/// Entries at the top of an earlier output that its run did not write (rollback snapshots or
/// deploy results kept there, notes): `--force` would delete them with the folder.
fn foreign_entries(real: &Path, entries: std::fs::ReadDir) -> Vec<String> {
    let marker = std::fs::read_to_string(real.join(MARKER)).unwrap_or_default();
    let written = written_by(&marker);
    let mut foreign: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != MARKER && !written.contains(n))
        .collect();
    foreign.sort();
    foreign
}

/// `path` made absolute, with `.` and `..` resolved: through the file system (links
/// followed) as far as it exists, lexically beyond.
pub fn resolve(path: &Path) -> std::io::Result<PathBuf> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut cur = PathBuf::new();
    let mut exists = true;
    for part in abs.components() {
        match part {
            Component::Prefix(_) | Component::RootDir => cur.push(part.as_os_str()),
            Component::CurDir => {}
            // `cur` is canonical while it exists, so its parent is the real parent.
            Component::ParentDir => {
                cur.pop();
            }
            Component::Normal(name) => {
                cur.push(name);
                if exists {
                    match cur.canonicalize() {
                        Ok(real) => cur = real,
                        Err(_) => exists = false,
                    }
                }
            }
        }
    }
    Ok(cur)
}

/// An input as given and as resolved.
#[derive(Debug, Clone)]
pub struct Input {
    /// As the user wrote it (for messages).
    pub shown: PathBuf,
    /// Absolute and canonical.
    pub real: PathBuf,
}

impl Input {
    /// Resolve `shown`; inputs that do not exist are left to the readers to report.
    pub fn new(shown: &Path) -> Option<Input> {
        let real = shown.canonicalize().ok()?;
        Some(Input {
            shown: shown.to_path_buf(),
            real,
        })
    }
}

fn refuse(shown: &Path, message: String) -> Error {
    Error::Output {
        path: shown.to_path_buf(),
        message,
    }
}

/// Refuse an output folder (`real`, resolved) that is the root, the home folder, an input, holds
/// an input, or lies inside one.
pub fn check_place(shown: &Path, real: &Path, inputs: &[Input]) -> Result<(), Error> {
    if real.parent().is_none() {
        return Err(refuse(shown, "is the root of the file system".into()));
    }
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .and_then(|h| Path::new(&h).canonicalize().ok());
    if home.as_deref() == Some(real) {
        return Err(refuse(shown, "is your home folder".into()));
    }
    for input in inputs {
        let what = if real == input.real {
            "is the input"
        } else if input.real.starts_with(real) {
            "contains the input"
        } else if real.starts_with(&input.real) {
            "lies inside the input"
        } else {
            continue;
        };
        return Err(refuse(
            shown,
            format!(
                "{what} {}: an output folder must be apart from every input (a run must never replace or read back what it reads)",
                input.shown.display()
            ),
        ));
    }
    Ok(())
}

/// Refuse to replace what is at `real` unless it is absent, an empty folder, or (with
/// `force`) a folder ecaplan wrote.
pub fn check_contents(shown: &Path, real: &Path, force: bool) -> Result<(), Error> {
    let meta = match std::fs::symlink_metadata(real) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(refuse(shown, e.to_string())),
    };
    if meta.file_type().is_symlink() {
        return Err(refuse(
            shown,
            "is a symbolic link: name the folder itself".into(),
        ));
    }
    if !meta.is_dir() {
        return Err(refuse(shown, "exists and is not a folder".into()));
    }
    let mut entries = std::fs::read_dir(real).map_err(|e| refuse(shown, e.to_string()))?;
    if entries.next().is_none() {
        return Ok(());
    }
    let ours = std::fs::symlink_metadata(real.join(MARKER)).is_ok_and(|m| m.is_file());
    match (ours, force) {
        (true, true) => {
            let entries = std::fs::read_dir(real).map_err(|e| refuse(shown, e.to_string()))?;
            let foreign = foreign_entries(real, entries);
            if foreign.is_empty() {
                return Ok(());
            }
            Err(refuse(
                shown,
                format!(
                    "holds {} that ecaplan did not write: --force replaces the folder whole and would delete them; move them out of it first (rollback snapshots and deploy results belong in $ECA_RUN_DIR, outside the output folder)",
                    foreign.join(", ")
                ),
            ))
        }
        (true, false) => Err(refuse(
            shown,
            "holds an earlier ecaplan output (use --force to replace it)".into(),
        )),
        (false, _) => Err(refuse(
            shown,
            format!(
                "is not empty and was not written by ecaplan (no {MARKER} file): --force replaces only ecaplan's own output folders; name a new or empty folder"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(paths: &[&Path]) -> Vec<Input> {
        paths.iter().filter_map(|p| Input::new(p)).collect()
    }

    #[test]
    fn refuses_the_root_inputs_their_ancestors_and_their_insides() {
        let tmp = tempfile::tempdir().expect("tmp");
        let base = tmp.path().canonicalize().expect("canonical");
        let input = base.join("in");
        std::fs::create_dir_all(input.join("sub")).expect("mkdir");
        let ins = inputs(&[&input]);
        let check = |p: &Path| check_place(p, &resolve(p).expect("resolve"), &ins);
        let message = |p: &Path| check(p).expect_err("refused").to_string();
        assert!(message(Path::new("/")).contains("root of the file system"));
        assert!(message(&input).contains("is the input"));
        assert!(message(&base).contains("contains the input"));
        assert!(message(&input.join("sub/out")).contains("lies inside the input"));
        assert!(message(&input.join("x/../out")).contains("lies inside the input"));
        assert!(message(&base.join("new/../in")).contains("is the input"));
        assert!(check(&base.join("out")).is_ok());
        assert!(
            check(&base.join("in-out")).is_ok(),
            "a prefix of the name is not a parent"
        );
    }

    #[test]
    fn resolves_links_and_dots() {
        let tmp = tempfile::tempdir().expect("tmp");
        let base = tmp.path().canonicalize().expect("canonical");
        std::fs::create_dir(base.join("real")).expect("mkdir");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(base.join("real"), base.join("link")).expect("link");
            assert_eq!(
                resolve(&base.join("link/./out")).expect("resolve"),
                base.join("real/out")
            );
        }
        assert_eq!(
            resolve(&base.join("a/b/../../real")).expect("resolve"),
            base.join("real")
        );
    }

    #[test]
    fn replaces_only_what_ecaplan_wrote() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("out");
        assert!(check_contents(&dir, &dir, false).is_ok(), "absent");
        std::fs::create_dir(&dir).expect("mkdir");
        assert!(check_contents(&dir, &dir, false).is_ok(), "empty");
        std::fs::write(dir.join("notes.txt"), "mine").expect("write");
        let e = check_contents(&dir, &dir, true).expect_err("not ours");
        assert!(e.to_string().contains("was not written by ecaplan"), "{e}");
        std::fs::write(dir.join(MARKER), marker_text(&["notes.txt".into()])).expect("write");
        let e = check_contents(&dir, &dir, false).expect_err("needs --force");
        assert!(e.to_string().contains("--force"), "{e}");
        assert!(check_contents(&dir, &dir, true).is_ok());
        // Not in the marker's list: the user's, which --force would delete.
        std::fs::write(dir.join(MARKER), marker_text(&["plan.json".into()])).expect("write");
        let e = check_contents(&dir, &dir, true).expect_err("not written by the run");
        assert!(e.to_string().contains("holds notes.txt that"), "{e}");
        let file = tmp.path().join("file");
        std::fs::write(&file, "x").expect("write");
        assert!(check_contents(&file, &file, true).is_err());
    }
}
