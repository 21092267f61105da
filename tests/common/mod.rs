//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Run the binary with arguments, from the package root.
pub fn ecaplan<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_ecaplan"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run ecaplan")
}

/// `ecaplan plan samples/northwind -o DIR --quiet` with `extra` arguments.
pub fn plan_samples(dir: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "plan".as_ref(),
        "samples/northwind".as_ref(),
        "-o".as_ref(),
        dir.as_os_str(),
        "--quiet".as_ref(),
    ];
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    ecaplan(args)
}

/// Stdout as JSON, asserting success.
pub fn json_of(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "exit {:?}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json on stdout")
}

/// `../shared` beside the project. Absent in a user's clone: tests skip, unless
/// `ECAPLAN_REQUIRE_SHARED=1` (set by `.ci/run`) turns the skip into a failure.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if dir.join("corpus/real").is_dir() {
        return Some(dir);
    }
    if std::env::var("ECAPLAN_REQUIRE_SHARED").is_ok_and(|v| v == "1") {
        panic!(
            "../shared is required (ECAPLAN_REQUIRE_SHARED=1) but missing at {}",
            dir.display()
        );
    }
    eprintln!("skipping: ../shared not found");
    None
}

/// Path of a fixture under tests/fixtures.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// Compare with a golden file under tests/golden; `ECAPLAN_BLESS=1` rewrites it (review the
/// diff before committing).
pub fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var("ECAPLAN_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b);
        panic!(
            "{name} differs from the golden file (first differing line: {first:?}); run with ECAPLAN_BLESS=1 to update and review the diff"
        );
    }
}
