//! Adversarial ingest (issue 13, defects 6, 8, 9 and the output marker): archives that inflate
//! far beyond what they declare, devices and FIFOs among the inputs, files over a size limit,
//! duplicate archive entries, and folders an earlier run wrote. Every case ends in bounded
//! time with the exit code and the message asserted, and leaves the input tree untouched.
//! Large fixtures are generated at test time.

mod common;

use std::io::Write;
use std::path::Path;

use common::{ecaplan_bounded, tree_digest};
use proptest::prelude::*;

/// Seconds any run may take before it counts as a hang.
const BOUND: u64 = 60;

const APP: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
    <contactEmail>admin@example.com</contactEmail>
    <label>Small</label>
</ConnectedApp>
"#;

fn zip_of(path: &Path, entries: &[(&str, &[u8])]) {
    let f = std::fs::File::create(path).expect("create zip");
    let mut w = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, bytes) in entries {
        w.start_file(*name, opts).expect("start");
        w.write_all(bytes).expect("write entry");
    }
    w.finish().expect("finish");
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `inventory DIR --format json` plus `extra`, with the input tree hashed before and after.
fn inventory(dir: &Path, extra: &[&str]) -> std::process::Output {
    let before = tree_digest(dir);
    let mut args = vec![
        "inventory".to_string(),
        dir.display().to_string(),
        "--format".into(),
        "json".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = ecaplan_bounded(&args, BOUND);
    assert_eq!(before, tree_digest(dir), "the run changed its input");
    assert_ne!(out.status.code(), Some(101), "panic: {}", text(&out.stderr));
    out
}

/// The accounting records of a JSON inventory: (path, status, reason or message).
fn accounting(out: &std::process::Output) -> Vec<(String, String, String)> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    v["accounting"]["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            let why = if f["reason"].is_string() {
                s("reason")
            } else {
                s("message")
            };
            (s("path"), s("status"), why)
        })
        .collect()
}

fn app_count(out: &std::process::Output) -> usize {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    v["apps"].as_array().expect("apps").len()
}

/// Defect 6: an entry inflating beyond the metadata limit is stopped while it inflates and
/// reported; `--strict` fails on it; the small app beside it is read.
#[test]
fn zip_entry_inflating_past_the_limit_is_reported_and_strict_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = vec![b' '; 20 * 1024 * 1024];
    zip_of(
        &dir.path().join("retrieve.zip"),
        &[
            ("unpackaged/connectedApps/Big.connectedApp", &big),
            (
                "unpackaged/connectedApps/Small.connectedApp",
                APP.as_bytes(),
            ),
        ],
    );
    let out = inventory(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(app_count(&out), 1);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("retrieve.zip!unpackaged/connectedApps/Big.connectedApp: inflates to more than the 16 MiB limit for a metadata file"),
        "{stderr}"
    );
    let strict = inventory(dir.path(), &["--strict"]);
    assert_eq!(strict.status.code(), Some(2));
    let stderr = text(&strict.stderr);
    assert!(
        stderr.contains("1 input file(s) could not be read whole (--strict)")
            && stderr.contains("Big.connectedApp: inflates to more than the 16 MiB limit"),
        "{stderr}"
    );
}

/// Defect 6: a character device named as input is accounted for, never read.
#[cfg(unix)]
#[test]
fn a_device_named_as_input_is_skipped_not_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("A.connectedApp-meta.xml"), APP).expect("write");
    let before = tree_digest(dir.path());
    let out = ecaplan_bounded(
        [
            "inventory",
            "/dev/zero",
            &dir.path().display().to_string(),
            "--format",
            "json",
            "--strict",
        ],
        BOUND,
    );
    assert_eq!(before, tree_digest(dir.path()));
    // Skipped on purpose: --strict does not count it.
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(accounting(&out).contains(&(
        "/dev/zero".into(),
        "ignored".into(),
        "not a regular file: character device".into()
    )));
    assert_eq!(app_count(&out), 1);
}

/// Defect 6: `--config /dev/zero` and an oversized configuration are refused with exit 2.
#[cfg(unix)]
#[test]
fn config_must_be_a_small_regular_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("A.connectedApp-meta.xml"), APP).expect("write");
    let input = dir.path().join("in");
    std::fs::create_dir(&input).expect("mkdir");
    std::fs::rename(
        dir.path().join("A.connectedApp-meta.xml"),
        input.join("A.connectedApp-meta.xml"),
    )
    .expect("mv");
    let huge = dir.path().join("huge.toml");
    let f = std::fs::File::create(&huge).expect("create");
    f.set_len(2 * 1024 * 1024 * 1024).expect("sparse 2 GiB");
    let before = tree_digest(dir.path());
    let run = |config: &str| {
        ecaplan_bounded(
            [
                "inventory",
                &input.display().to_string(),
                "--config",
                config,
            ],
            BOUND,
        )
    };
    let out = run("/dev/zero");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: invalid configuration /dev/zero: not a regular file: a configuration must be a file\n"
    );
    let out = run(&huge.display().to_string());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("2147483648 bytes: larger than the 1 MiB limit for a configuration file"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(before, tree_digest(dir.path()));
}

fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo");
    assert!(made.success());
}

/// Defect 8: FIFOs named like metadata, a usage export and an archive, in a folder and named
/// directly, are accounted for and never opened (opening one would block forever).
#[cfg(unix)]
#[test]
fn fifos_among_the_inputs_never_block() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("A.connectedApp-meta.xml"), APP).expect("write");
    for name in ["X.connectedApp-meta.xml", "LoginHistory.csv", "x.zip"] {
        mkfifo(&dir.path().join(name));
    }
    let out = inventory(dir.path(), &["--strict"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let fifos: Vec<_> = accounting(&out)
        .into_iter()
        .filter(|(_, status, why)| {
            status == "ignored" && why == "not a regular file: FIFO (named pipe)"
        })
        .map(|(path, ..)| path.rsplit('/').next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        fifos,
        ["LoginHistory.csv", "X.connectedApp-meta.xml", "x.zip"]
    );
    assert_eq!(app_count(&out), 1);
    // Named directly (as `usage` and `plan` take them too).
    let fifo = dir.path().join("LoginHistory.csv").display().to_string();
    let out = ecaplan_bounded(["inventory", &fifo, "--format", "json"], BOUND);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        accounting(&out)[0].2,
        "not a regular file: FIFO (named pipe)"
    );
}

/// Defect 9: a metadata file over the XML limit (16 MiB and 64 MiB alike) is unreadable with
/// the limit named, and `--strict` fails on it.
#[test]
fn metadata_over_the_size_limit_fails_strict() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, len) in [
        ("Mid.connectedApp-meta.xml", 20u64),
        ("Huge.connectedApp-meta.xml", 65),
    ] {
        let f = std::fs::File::create(dir.path().join(name)).expect("create");
        // Sparse: nothing is written, and nothing is read either.
        f.set_len(len * 1024 * 1024).expect("set_len");
    }
    let out = inventory(dir.path(), &["--strict"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("2 input file(s) could not be read whole (--strict)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Huge.connectedApp-meta.xml: 68157440 bytes: larger than the 16 MiB limit for a metadata file; not read")
            && stderr.contains("Mid.connectedApp-meta.xml: 20971520 bytes: larger than the 16 MiB limit for a metadata file; not read"),
        "{stderr}"
    );
}

/// Defect 9: a second archive entry of the same name is reported, and `--strict` fails.
#[test]
fn duplicate_zip_entry_is_reported_and_strict_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zip = dir.path().join("dup.zip");
    let first = APP.replace("Small", "First");
    let second = APP.replace("Small", "Secnd");
    zip_of(
        &zip,
        &[
            ("connectedApps/A.connectedApp", first.as_bytes()),
            ("connectedApps/A.connectedApX", second.as_bytes()),
        ],
    );
    // The writer refuses two entries of one name: rename the second in the bytes.
    let mut bytes = std::fs::read(&zip).expect("read");
    let from = b"A.connectedApX";
    for i in 0..bytes.len().saturating_sub(from.len()) {
        if &bytes[i..i + from.len()] == from {
            bytes[i + from.len() - 1] = b'p';
        }
    }
    std::fs::write(&zip, &bytes).expect("write");
    let out = inventory(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["apps"][0]["label"], "First", "{v}");
    let strict = inventory(dir.path(), &["--strict"]);
    assert_eq!(strict.status.code(), Some(2));
    let stderr = text(&strict.stderr);
    assert!(
        stderr.contains("dup.zip!connectedApps/A.connectedApp: entry 2 of the archive with this name: only the first is read"),
        "{stderr}"
    );
}

/// Rewrite the uncompressed size the headers of entry `name` declare (local and central).
fn declare_size(zip: &mut [u8], name: &[u8], size: u32) {
    let le16 = |z: &[u8], i: usize| usize::from(u16::from_le_bytes([z[i], z[i + 1]]));
    for i in 0..zip.len().saturating_sub(46) {
        let (size_at, len_at, name_at) = match &zip[i..i + 4] {
            b"PK\x03\x04" => (22, 26, 30),
            b"PK\x01\x02" => (24, 28, 46),
            _ => continue,
        };
        let n = le16(zip, i + len_at);
        if zip.get(i + name_at..i + name_at + n) == Some(name) {
            zip[i + size_at..i + size_at + 4].copy_from_slice(&size.to_le_bytes());
        }
    }
}

/// Defect 9: declared sizes are not trusted either way: apps whose entries declare 4 GB each
/// (the old budget counted declared sizes and dropped what followed) are all read.
#[test]
fn declared_sizes_do_not_crowd_out_later_entries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zip = dir.path().join("retrieve.zip");
    let names: Vec<String> = (0..4).map(|i| format!("a/Liar{i}.connectedApp")).collect();
    let apps: Vec<String> = (0..4)
        .map(|i| APP.replace("Small", &format!("Liar{i}")))
        .collect();
    let mut entries: Vec<(&str, &[u8])> = names
        .iter()
        .zip(&apps)
        .map(|(n, a)| (n.as_str(), a.as_bytes()))
        .collect();
    entries.push(("z/Small.connectedApp", APP.as_bytes()));
    zip_of(&zip, &entries);
    let mut bytes = std::fs::read(&zip).expect("read");
    for n in &names {
        declare_size(&mut bytes, n.as_bytes(), 0xFFFF_FFF0);
    }
    std::fs::write(&zip, &bytes).expect("write");
    let out = inventory(dir.path(), &["--strict"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(app_count(&out), 5);
    let acc = accounting(&out);
    assert!(
        acc.iter()
            .any(|(p, s, _)| p.ends_with("retrieve.zip!z/Small.connectedApp") && s == "parsed"),
        "{acc:?}"
    );
}

/// What `--strict` does not count: files left out on purpose.
#[cfg(unix)]
#[test]
fn strict_ignores_what_is_left_out_on_purpose() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(root.join("A.connectedApp-meta.xml"), APP).expect("write");
    std::fs::create_dir_all(root.join("node_modules/pkg")).expect("mkdir");
    std::fs::write(
        root.join("node_modules/pkg/B.connectedApp-meta.xml"),
        "<broken",
    )
    .expect("w");
    std::fs::write(root.join("Foo.cls"), "public class Foo {}").expect("write");
    std::os::unix::fs::symlink("/dev/zero", root.join("C.connectedApp-meta.xml")).expect("ln");
    let out = inventory(root, &["--strict"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let statuses: Vec<_> = accounting(&out).into_iter().map(|(_, s, _)| s).collect();
    assert_eq!(statuses, ["parsed", "ignored", "ignored", "ignored"]);
}

/// Defect 4 (discovery side): a folder carrying the output marker is never read back.
#[test]
fn an_earlier_output_folder_is_not_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(root.join("A.connectedApp-meta.xml"), APP).expect("write");
    let old = root.join("plan-out");
    std::fs::create_dir_all(old.join("force-app/main/default/connectedApps")).expect("mkdir");
    std::fs::write(old.join(".ecaplan-output"), "ecaplan 0.1.0\n").expect("marker");
    std::fs::write(
        old.join("force-app/main/default/connectedApps/B.connectedApp-meta.xml"),
        APP.replace("Small", "Phantom"),
    )
    .expect("write");
    let out = inventory(root, &["--strict"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(app_count(&out), 1);
    let acc = accounting(&out);
    assert!(
        acc.iter().any(|(p, s, why)| p.ends_with("plan-out/")
            && s == "ignored"
            && why == "output of an earlier ecaplan run: not an input"),
        "{acc:?}"
    );
}

/// One generated archive entry: a name from hostile parts, content, and how to store it.
fn entry() -> impl Strategy<Value = (String, Vec<u8>, bool)> {
    let part = prop_oneof![
        Just("..".to_string()),
        Just("".to_string()),
        Just("connectedApps".to_string()),
        Just("A.connectedApp".to_string()),
        Just("A.connectedApp-meta.xml".to_string()),
        Just("LoginHistory.csv".to_string()),
        Just("ecaplan.toml".to_string()),
        Just("k.pem".to_string()),
        Just("u.json".to_string()),
        Just("d/".to_string()),
        "[a-zA-Z0-9._\\\\ -]{0,12}",
    ];
    let name = proptest::collection::vec(part, 1..4).prop_map(|p| p.join("/"));
    let content = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        Just(APP.as_bytes().to_vec()),
        Just(b"Id,UserId,LoginTime,Application\n1,005,2026-01-01T00:00:00Z,A\n".to_vec()),
    ];
    (name, content, any::<bool>())
}

/// Damage applied to a well-formed archive: none, truncation, overwritten bytes, or declared
/// sizes that lie.
#[derive(Debug, Clone)]
enum Damage {
    None,
    Truncate(usize),
    Flip(Vec<(usize, u8)>),
    LieSize(u32),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        Just(Damage::None),
        any::<usize>().prop_map(Damage::Truncate),
        proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8).prop_map(Damage::Flip),
        prop_oneof![Just(0u32), Just(u32::MAX), Just(0xFFFF_FFFE), any::<u32>()]
            .prop_map(Damage::LieSize),
    ]
}

fn build_zip(entries: &[(String, Vec<u8>, bool)], damage: &Damage) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes, deflate) in entries {
        let method = if *deflate {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        let opts = zip::write::SimpleFileOptions::default().compression_method(method);
        // The writer refuses some names (duplicates): those entries are simply left out.
        if w.start_file(name.as_str(), opts).is_ok() {
            w.write_all(bytes).expect("write to memory");
        }
    }
    let mut z = w.finish().expect("finish").into_inner();
    match damage {
        Damage::None => {}
        Damage::Truncate(at) => {
            let at = at % (z.len() + 1);
            z.truncate(at);
        }
        Damage::Flip(flips) => {
            for (at, b) in flips {
                if !z.is_empty() {
                    let i = at % z.len();
                    z[i] = *b;
                }
            }
        }
        Damage::LieSize(size) => {
            for i in 0..z.len().saturating_sub(30) {
                if &z[i..i + 4] == b"PK\x03\x04" {
                    z[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
                } else if &z[i..i + 4] == b"PK\x01\x02" {
                    z[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
                }
            }
        }
    }
    z
}

proptest! {
    #![proptest_config(ProptestConfig { cases: common::fuzz_cases(), failure_persistence: None, ..ProptestConfig::default() })]

    /// Defect 6 (fuzz): generated archives (hostile names, duplicates, folders, random and
    /// broken bytes, truncation, lying sizes) never panic the zip reader: every entry is read,
    /// skipped or failed, bounded by the limits, and nothing is extracted.
    #[test]
    fn zip_reader_never_panics(
        entries in proptest::collection::vec(entry(), 0..6),
        dup in any::<bool>(),
        damage in damage(),
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut entries = entries;
        // A true duplicate name: written with its last byte changed (the writer refuses two
        // entries of one name), then changed back in the archive's bytes.
        let dup_of = entries
            .first()
            .filter(|(name, ..)| dup && !name.is_empty())
            .map(|(name, bytes, d)| {
                let mut twin = name.clone().into_bytes();
                let last = twin.len() - 1;
                let original = twin[last];
                twin[last] = if original == b'~' { b'!' } else { b'~' };
                (name.clone().into_bytes(), twin, original, bytes.clone(), *d)
            });
        if let Some((_, twin, _, bytes, d)) = &dup_of {
            entries.push((String::from_utf8_lossy(twin).into_owned(), bytes.clone(), *d));
        }
        let mut z = build_zip(&entries, &damage);
        if let Some((_, twin, original, ..)) = &dup_of {
            let n = twin.len();
            for i in 0..z.len().saturating_sub(n - 1) {
                if z[i..i + n] == twin[..] {
                    z[i + n - 1] = *original;
                }
            }
        }
        let path = dir.path().join("fuzz.zip");
        std::fs::write(&path, &z).expect("write");
        let sources = ecaplan::ingest::discover(&[path]).expect("discover");
        let listed = sources.len();
        let ingested = ecaplan::ingest::read_all(sources);
        // Every listed source is accounted for (usage candidates are handed on).
        prop_assert_eq!(ingested.files.len() + ingested.usage_files.len(), listed);
        for f in &ingested.usage_files {
            // Streamed: read to the end or to an error, never a panic.
            if let Ok(mut r) = f.open_stream() {
                let mut sink = Vec::new();
                let _ = std::io::Read::read_to_end(&mut std::io::Read::take(&mut r, 1 << 20), &mut sink);
            }
        }
        let before: Vec<_> = std::fs::read_dir(dir.path()).expect("ls").map(|e| e.expect("entry").file_name()).collect();
        prop_assert_eq!(before.len(), 1, "nothing is extracted");
    }
}
