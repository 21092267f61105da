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

/// `ecaplan plan INPUT -o OUT --quiet`, asserting success.
pub fn plan_ok(input: &Path, out: &Path) {
    let run = ecaplan([
        "plan".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--quiet".as_ref(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
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

/// Every file under `dir` (relative path, `/`-separated) with its length and a hash of its
/// bytes: equal digests before and after a run mean the run left the tree untouched.
pub fn tree_digest(dir: &Path) -> std::collections::BTreeMap<String, (u64, u64)> {
    use std::hash::{Hash, Hasher};
    fn walk(root: &Path, dir: &Path, out: &mut std::collections::BTreeMap<String, (u64, u64)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let rel = path
                .strip_prefix(root)
                .expect("below root")
                .to_string_lossy()
                .replace('\\', "/");
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                out.insert(format!("{rel}/"), (0, 0));
                walk(root, &path, out);
            } else if ft.is_file() {
                let bytes = std::fs::read(&path).expect("read input file");
                let mut h = std::collections::hash_map::DefaultHasher::new();
                bytes.hash(&mut h);
                out.insert(rel, (bytes.len() as u64, h.finish()));
            } else {
                out.insert(format!("{rel}@"), (0, 0));
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Run the binary with arguments from the package root, killed (and the test failed) when it
/// has not finished after `secs` seconds: adversarial inputs must end, never hang.
pub fn ecaplan_bounded<I, S>(args: I, secs: u64) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecaplan"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ecaplan");
    // Drain the pipes on threads so a chatty child cannot block on a full pipe.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut v).ok();
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut v).ok();
        v
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().ok();
            child.wait().ok();
            panic!("ecaplan did not finish within {secs} s (hang)");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out_t.join().expect("stdout thread"),
        stderr: err_t.join().expect("stderr thread"),
    }
}

/// Case count of the property tests over the readers: `ECAPLAN_FUZZ_CASES` (100,000 for a fuzz
/// run), else 256 so that `cargo test` stays fast.
pub fn fuzz_cases() -> u32 {
    std::env::var("ECAPLAN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// Copy a folder tree (the samples are small).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

/// `plan.json` of an output folder.
pub fn plan_json(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("plan.json")).expect("plan.json");
    serde_json::from_str(&text).expect("plan.json is JSON")
}

/// One app's entry in `plan.json`, by API name.
pub fn plan_app<'a>(plan: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    plan["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .find(|a| a["api_name"] == name)
        .unwrap_or_else(|| panic!("{name} in plan.json"))
}

/// Held while `../shared/tools/sf-resolve` runs: the tool rewrites its `resolve.cjs` on every
/// call, so two calls at once can run a half-written script (empty output, exit 0). Test
/// binaries run one after another; this serialises the tests of one binary.
pub fn sf_resolve_turn() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
