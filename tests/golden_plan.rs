//! Golden test over the whole output folder of `ecaplan plan samples/northwind`: every file,
//! byte for byte. `ECAPLAN_BLESS=1` rewrites tests/golden/plan-samples (review the diff).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::plan_samples;

fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("dir")
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p
                    .strip_prefix(root)
                    .expect("prefix")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    if root.is_dir() {
        walk(root, root, &mut out);
    }
    out
}

/// The generated `eca-global/.gitignore` ignores everything beside it; in the golden copy
/// it is stored as `_gitignore` so that git keeps the golden files.
fn stored(rel: &str) -> String {
    rel.replace(".gitignore", "_gitignore")
}

#[test]
fn plan_output_folder_matches_golden() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("out");
    let run = plan_samples(&dir, &[]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let actual: BTreeMap<String, Vec<u8>> = files(&dir)
        .into_iter()
        .map(|(k, v)| (stored(&k), v))
        .collect();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/plan-samples");
    if std::env::var("ECAPLAN_BLESS").is_ok_and(|v| v == "1") {
        let _ = std::fs::remove_dir_all(&golden);
        for (rel, bytes) in &actual {
            let p = golden.join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, bytes).expect("write");
        }
        return;
    }
    let expected = files(&golden);
    let missing: Vec<&String> = expected
        .keys()
        .filter(|k| !actual.contains_key(*k))
        .collect();
    let extra: Vec<&String> = actual
        .keys()
        .filter(|k| !expected.contains_key(*k))
        .collect();
    let changed: Vec<&String> = actual
        .iter()
        .filter(|(k, v)| expected.get(*k).is_some_and(|e| e != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && changed.is_empty(),
        "output differs from tests/golden/plan-samples (run with ECAPLAN_BLESS=1 and review the diff)\nmissing: {missing:?}\nextra: {extra:?}\nchanged: {changed:?}"
    );
}

#[test]
fn no_secret_full_key_or_certificate_body_in_the_output() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("out");
    assert!(plan_samples(&dir, &[]).status.success());
    let inputs = files(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples/northwind")
            .as_path(),
    );
    let mut keys = Vec::new();
    let mut certs = Vec::new();
    for (rel, bytes) in &inputs {
        let text = String::from_utf8_lossy(bytes);
        for (open, close, into) in [
            ("<consumerKey>", "</consumerKey>", &mut keys),
            ("<certificate>", "</certificate>", &mut certs),
        ] {
            let mut rest = text.as_ref();
            while let Some(i) = rest.find(open) {
                let after = &rest[i + open.len()..];
                let end = after.find(close).unwrap_or(after.len());
                into.push(after[..end].trim().to_string());
                rest = &after[end..];
            }
        }
        if rel.ends_with(".crt") {
            let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
            certs.push(body);
        }
    }
    assert!(
        keys.len() >= 25 && certs.len() >= 2,
        "{} keys, {} certs",
        keys.len(),
        certs.len()
    );
    for (rel, bytes) in files(&dir) {
        let text = String::from_utf8_lossy(&bytes);
        for k in &keys {
            assert!(
                !text.contains(k.as_str()),
                "{rel} contains a full consumer key"
            );
        }
        // The global OAuth settings carry a JWT app's public certificate by design (outside
        // the source project); every other file must not.
        if !rel.starts_with("eca-global/") {
            for c in &certs {
                assert!(
                    !text.contains(&c[..c.len().min(60)]),
                    "{rel} contains a certificate body"
                );
            }
        }
        assert!(
            !text.contains("PRIVATE KEY"),
            "{rel} contains a private key"
        );
    }
}
