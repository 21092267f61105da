//! The output folder contract end to end: `--force` never deletes an input or a folder ecaplan
//! did not write; the output is the old or the new complete tree whenever the run is killed;
//! concurrent runs into one folder leave the complete tree of one of them.

#![allow(clippy::print_stderr)] // the kill test reports where its kills landed

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{copy_tree, ecaplan_bounded, fixture, tree_digest};

type Digest = BTreeMap<String, (u64, u64)>;

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/northwind")
}

fn plan_args(input: &Path, out: &Path) -> Vec<std::ffi::OsString> {
    [
        "plan".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]
    .iter()
    .map(|s| s.to_os_string())
    .chain(["--force".into(), "--quiet".into()])
    .collect()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The output tree of `plan input` (outputs are deterministic: a reference for any run).
fn reference(input: &Path, tmp: &Path, name: &str) -> Digest {
    let out = tmp.join(name);
    let run = ecaplan_bounded(plan_args(input, &out), 120);
    assert!(run.status.success(), "{}", stderr(&run));
    tree_digest(&out)
}

/// Files beside `out` that a run left: staging and trash folders.
fn leftovers(out: &Path) -> Vec<String> {
    let name = out
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let mut found: Vec<String> = std::fs::read_dir(out.parent().expect("parent"))
        .expect("ls")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!(".{name}.ecaplan-")))
        .collect();
    found.sort();
    found
}

#[test]
fn force_never_replaces_an_input_or_a_folder_ecaplan_did_not_write() {
    let tmp = tempfile::tempdir().expect("tmp");
    let base = tmp.path();
    let input = base.join("org/in");
    copy_tree(&samples(), &input);
    let mine = base.join("mine");
    std::fs::create_dir(&mine).expect("mkdir");
    std::fs::write(mine.join("notes.txt"), "keep me").expect("write");
    let before = tree_digest(base);
    let cases: Vec<(PathBuf, &str)> = vec![
        (input.clone(), "is the input"),
        (base.join("org"), "contains the input"),
        (base.to_path_buf(), "contains the input"),
        (input.join("out"), "lies inside the input"),
        (input.join("force-app"), "lies inside the input"),
        (PathBuf::from("/"), "is the root of the file system"),
        (mine.clone(), "was not written by ecaplan"),
    ];
    for (out, expected) in &cases {
        for command in ["plan", "generate"] {
            let mut args = plan_args(&input, out);
            args[0] = command.into();
            if command == "generate" {
                args.extend(["--app".into(), "Data_Warehouse_Loader".into()]);
            }
            let run = ecaplan_bounded(&args, 60);
            assert_eq!(run.status.code(), Some(2), "{command} -o {}", out.display());
            let err = stderr(&run);
            assert!(
                err.contains("cannot use output folder") && err.contains(expected),
                "{command} -o {}: {err}",
                out.display()
            );
        }
    }
    // A config or template folder is an input too.
    let run = ecaplan_bounded(
        [
            "plan".as_ref(),
            samples().as_os_str(),
            "--templates".as_ref(),
            input.as_os_str(),
            "-o".as_ref(),
            input.join("t").as_os_str(),
        ],
        60,
    );
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert_eq!(tree_digest(base), before, "every file is where it was");
}

#[test]
fn an_earlier_output_is_replaced_only_with_force_and_whole() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let first = ecaplan_bounded(plan_args(&fixture("clean"), &out), 60);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(out.join(".ecaplan-output").is_file(), "the marker");
    let clean = tree_digest(&out);
    let mut again = plan_args(&samples(), &out);
    again.retain(|a| a != "--force");
    let run = ecaplan_bounded(&again, 60);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("use --force"), "{}", stderr(&run));
    assert_eq!(tree_digest(&out), clean, "refused: untouched");
    let run = ecaplan_bounded(plan_args(&samples(), &out), 60);
    assert!(run.status.success(), "{}", stderr(&run));
    let samples_tree = reference(&samples(), tmp.path(), "ref");
    assert_eq!(
        tree_digest(&out),
        samples_tree,
        "the new tree, nothing of the old"
    );
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
}

/// Kill `ecaplan plan` at pseudo-random moments, many of them near the end where the new tree
/// is swapped in: the output folder is always one complete tree, never a mix or nothing.
#[test]
fn a_killed_run_leaves_the_old_or_the_new_complete_tree() {
    let tmp = tempfile::tempdir().expect("tmp");
    let inputs = [fixture("clean"), samples()];
    let trees = [
        reference(&inputs[0], tmp.path(), "ref-a"),
        reference(&inputs[1], tmp.path(), "ref-b"),
    ];
    assert_ne!(trees[0], trees[1]);
    let out = tmp.path().join("out");
    // How long each run takes here and now (the machine may be busy): kills are spread over it.
    let mut took = [0u64; 2];
    for (which, input) in inputs.iter().enumerate() {
        let start = Instant::now();
        let run = ecaplan_bounded(plan_args(input, &out), 60);
        assert!(run.status.success(), "{}", stderr(&run));
        took[which] = start.elapsed().as_micros() as u64;
    }
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let (mut kills, mut attempts, mut changed, mut with_leftovers) = (0, 0, 0, 0);
    const KILLS: usize = 50;
    while kills < KILLS {
        attempts += 1;
        assert!(
            attempts < 400,
            "only {kills} of {attempts} kills landed in a run"
        );
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let r = (seed >> 33) % 1000;
        let which = attempts % 2;
        let full = took[which];
        // Half the kills anywhere in the run, half in its last third (the swap is at the end).
        let at = if attempts % 4 < 2 {
            full * r / 1000
        } else {
            full * 2 / 3 + full * r / 3000
        };
        let before = tree_digest(&out);
        let start = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_ecaplan"))
            .args(plan_args(&inputs[which], &out))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        if attempts % 3 == 1 {
            // A third of the kills right after the exchange, while the old tree is deleted.
            wait_for_swap(&out, Duration::from_micros(full * 2));
            std::thread::sleep(Duration::from_micros(r / 2));
        } else if attempts % 3 == 0 {
            // A third of the kills when the last outputs are being written or swapped in.
            wait_for_last_outputs(&out, Duration::from_micros(full * 2));
            std::thread::sleep(Duration::from_micros(r * 2));
        } else {
            std::thread::sleep(Duration::from_micros(at));
        }
        let running = child.try_wait().expect("wait").is_none();
        child.kill().ok();
        child.wait().expect("reap");
        if running {
            kills += 1;
        } else {
            // Finished before the kill: aim earlier next time.
            took[which] = took[which].min(start.elapsed().as_micros() as u64);
        }
        let after = tree_digest(&out);
        assert!(
            after == trees[0] || after == trees[1],
            "kill after {at} µs: the output is not a complete tree ({} files)",
            after.len()
        );
        if running && after != before {
            changed += 1;
        }
        if !leftovers(&out).is_empty() {
            with_leftovers += 1;
        }
    }
    eprintln!(
        "{kills} kills of running plans in {attempts} attempts: {changed} after the new tree was in, {with_leftovers} left a staging folder"
    );
    // The next run removes what the killed ones left and says so.
    let run = ecaplan_bounded(plan_args(&inputs[0], &out), 60);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(tree_digest(&out), trees[0]);
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
}

#[test]
fn concurrent_runs_into_one_folder_leave_one_complete_tree() {
    let tmp = tempfile::tempdir().expect("tmp");
    let inputs = [fixture("clean"), samples()];
    let trees = [
        reference(&inputs[0], tmp.path(), "ref-a"),
        reference(&inputs[1], tmp.path(), "ref-b"),
    ];
    let out = tmp.path().join("out");
    for round in 0..8 {
        let children: Vec<_> = (0..2)
            .map(|k| {
                Command::new(env!("CARGO_BIN_EXE_ecaplan"))
                    .args(plan_args(&inputs[(round + k) % 2], &out))
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        for child in children {
            let done = child.wait_with_output().expect("wait");
            assert!(done.status.success(), "round {round}: {}", stderr(&done));
        }
        let now = tree_digest(&out);
        assert!(
            now == trees[0] || now == trees[1],
            "round {round}: a mixed output folder"
        );
        assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
    }
}

/// Until the folder at `out` is another one (the new tree was swapped in), or `limit` has
/// passed.
fn wait_for_swap(out: &Path, limit: Duration) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let ino = |p: &Path| std::fs::metadata(p).map(|m| m.ino()).ok();
        let first = ino(out);
        let start = Instant::now();
        while start.elapsed() < limit && ino(out) == first {
            std::hint::spin_loop();
        }
    }
    #[cfg(not(unix))]
    std::thread::sleep(limit / 2);
}

/// Until a staging folder beside `out` holds `report.json` (among the last files written), or
/// `limit` has passed.
fn wait_for_last_outputs(out: &Path, limit: Duration) {
    let start = Instant::now();
    let parent = out.parent().expect("parent");
    let prefix = format!(
        ".{}.ecaplan-staging-",
        out.file_name().expect("name").to_string_lossy()
    );
    while start.elapsed() < limit {
        let found = std::fs::read_dir(parent)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| {
                e.file_name().to_string_lossy().starts_with(&prefix)
                    && e.path().join("report.json").exists()
            });
        if found {
            return;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// An earlier output among the inputs is skipped as a whole (its marker says what it is): the
/// generated `*_ECA` files are never read back as apps.
#[test]
fn an_earlier_output_among_the_inputs_is_not_read_back() {
    let tmp = tempfile::tempdir().expect("tmp");
    let base = tmp.path().join("org");
    let input = base.join("in");
    copy_tree(&samples(), &input);
    let first = tmp.path().join("first");
    let run = ecaplan_bounded(plan_args(&input, &first), 60);
    assert!(run.status.success(), "{}", stderr(&run));
    // The user moves the output next to the exports and plans the whole folder again.
    std::fs::rename(&first, base.join("out")).expect("move");
    let before = tree_digest(&base);
    let second = tmp.path().join("second");
    let run = ecaplan_bounded(plan_args(&base, &second), 60);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(tree_digest(&base), before, "inputs untouched");
    let apps = |dir: &Path| -> Vec<(String, String)> {
        let plan: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("plan.json")).expect("plan.json"))
                .expect("json");
        plan["apps"]
            .as_array()
            .expect("apps")
            .iter()
            .map(|a| (a["api_name"].to_string(), a["strategy"].to_string()))
            .collect()
    };
    assert_eq!(
        apps(&second),
        apps(&base.join("out")),
        "no phantom or migrated apps"
    );
    let report = std::fs::read_to_string(second.join("report.json")).expect("report.json");
    assert!(
        report.contains("output of an earlier ecaplan run"),
        "the skipped folder is accounted for"
    );
}
