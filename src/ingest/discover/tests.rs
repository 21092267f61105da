//! Discovery tests: folders, archives, limits and budgets, special files.

use super::*;
use std::io::Write;

fn last(p: &str) -> &str {
    p.trim_end_matches('/')
        .rsplit(['/', '!'])
        .next()
        .unwrap_or("")
}

/// (last path component, what discovery made of it).
fn files(sources: &[Source]) -> Vec<(&str, &str)> {
    sources
        .iter()
        .map(|s| match s {
            Source::File(f) => (f.file_name(), "file"),
            Source::Skipped { path, .. } => (last(path), "skipped"),
            Source::Failed { path, .. } => (last(path), "failed"),
        })
        .collect()
}

/// A zip of (name, bytes), deflated.
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

fn only_file(sources: Vec<Source>) -> InputFile {
    match sources.into_iter().next() {
        Some(Source::File(f)) => f,
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_entry_is_accounted_for_and_metadata_is_read_on_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("node_modules/x")).expect("mkdir");
    std::fs::write(root.join("A.connectedApp-meta.xml"), "<x/>").expect("write");
    std::fs::write(root.join("LoginHistory.csv"), "Id\n1\n").expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("A.connectedApp-meta.xml"), root.join("B.xml"))
        .expect("symlink");
    let found = discover(&[root.to_path_buf()]).expect("discover");
    let mut expected = vec![("A.connectedApp-meta.xml", "file")];
    if cfg!(unix) {
        expected.push(("B.xml", "skipped"));
    }
    expected.extend([("LoginHistory.csv", "file"), ("node_modules", "skipped")]);
    assert_eq!(files(&found), expected);
    let Source::File(meta) = &found[0] else {
        panic!("{found:?}")
    };
    // Discovery lists; the bytes come with `load` (the usage export is never loaded).
    assert!(meta.bytes.is_empty());
    let mut meta = meta.clone();
    meta.load(METADATA_LIMIT).expect("load");
    assert_eq!(meta.bytes, b"<x/>");
    assert_eq!(meta.size, 4);
    let csv = found.iter().find_map(|s| match s {
        Source::File(f) if f.file_name() == "LoginHistory.csv" => Some(f),
        _ => None,
    });
    let mut csv = csv.expect("csv").clone();
    assert_eq!(csv.size, 5);
    csv.load(USAGE_LIMIT).expect("nothing to load");
    assert!(csv.bytes.is_empty());
}

#[test]
fn load_reports_oversized_and_vanished_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("Big.connectedApp-meta.xml");
    let f = std::fs::File::create(&big).expect("create");
    // Sparse: nothing is written.
    f.set_len(METADATA_LIMIT.bytes + 1).expect("set_len");
    let gone = dir.path().join("Gone.connectedApp-meta.xml");
    std::fs::write(&gone, "<x/>").expect("write");
    let found = discover(&[dir.path().to_path_buf()]).expect("discover");
    std::fs::remove_file(&gone).expect("rm");
    let mut loaded = found.into_iter().map(|s| match s {
        Source::File(mut f) => f.load(METADATA_LIMIT),
        other => panic!("{other:?}"),
    });
    assert!(
        matches!(loaded.next(), Some(Err(NotLoaded::TooLarge(r))) if r.contains("larger than the 16 MiB limit for a metadata file"))
    );
    assert!(matches!(loaded.next(), Some(Err(NotLoaded::Failed(_)))));
}

#[test]
fn a_folder_an_earlier_run_wrote_is_skipped_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("in")).expect("mkdir");
    std::fs::create_dir_all(root.join("plan/force-app")).expect("mkdir");
    std::fs::write(root.join("in/A.connectedApp-meta.xml"), "<x/>").expect("write");
    std::fs::write(root.join("plan").join(OUTPUT_MARKER), "ecaplan 0.1.0\n").expect("w");
    std::fs::write(
        root.join("plan/force-app/A_ECA.connectedApp-meta.xml"),
        "<x/>",
    )
    .expect("write");
    let found = discover(&[root.to_path_buf()]).expect("discover");
    assert_eq!(
        files(&found),
        [("A.connectedApp-meta.xml", "file"), ("plan", "skipped")]
    );
    let Source::Skipped { reason, .. } = &found[1] else {
        panic!("{found:?}")
    };
    assert_eq!(reason, OUTPUT_FOLDER_REASON);
    // Named directly, too.
    let found = discover(&[root.join("plan")]).expect("discover");
    assert_eq!(files(&found), [("plan", "skipped")]);
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_are_accounted_for_never_opened() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("X.connectedApp-meta.xml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    // Opening either would block (FIFO) or never end (device): this test would hang.
    let found =
        discover(&[dir.path().to_path_buf(), PathBuf::from("/dev/zero")]).expect("discover");
    let reasons: Vec<_> = found
        .iter()
        .map(|s| match s {
            Source::Skipped { reason, .. } => reason.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        reasons,
        [
            "not a regular file: FIFO (named pipe)",
            "not a regular file: character device"
        ]
    );
}

#[test]
fn an_entry_is_inflated_only_up_to_its_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zip = dir.path().join("a.zip");
    let big = vec![b' '; (METADATA_LIMIT.bytes + 4096) as usize];
    zip_of(&zip, &[("A.connectedApp-meta.xml", &big), ("B.txt", b"ok")]);
    let found = discover(&[zip]).expect("discover");
    assert_eq!(
        files(&found),
        [("A.connectedApp-meta.xml", "file"), ("B.txt", "file")]
    );
    let mut entries = found.into_iter().map(|s| match s {
        Source::File(f) => f,
        other => panic!("{other:?}"),
    });
    let mut a = entries.next().expect("a");
    // Listed, not inflated.
    assert!(a.bytes.is_empty());
    let err = a.load(METADATA_LIMIT).expect_err("too large");
    assert!(
        matches!(&err, NotLoaded::TooLarge(m) if m.contains("inflates to more than the 16 MiB limit for a metadata file")),
        "{err:?}"
    );
    assert!(a.bytes.is_empty());
    let mut b = entries.next().expect("b");
    b.load(CONFIG_LIMIT).expect("small entry");
    assert_eq!(b.bytes, b"ok");
}

/// Rewrite the uncompressed size of every entry (local and central headers) to `size`:
/// an archive that lies about what its entries inflate to.
fn lie_about_sizes(zip: &mut [u8], size: u32) {
    let mut i = 0;
    while i + 30 <= zip.len() {
        let sig = &zip[i..i + 4];
        if sig == b"PK\x03\x04" {
            zip[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
        } else if sig == b"PK\x01\x02" && i + 28 <= zip.len() {
            zip[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
        }
        i += 1;
    }
}

#[test]
fn an_entry_that_declares_small_but_inflates_big_is_stopped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zip = dir.path().join("liar.zip");
    let f = std::fs::File::create(&zip).expect("create");
    let mut w = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("A.connectedApp-meta.xml", opts)
        .expect("start");
    w.write_all(&vec![b' '; 3 * 1024 * 1024]).expect("write");
    w.finish().expect("finish");
    let mut bytes = std::fs::read(&zip).expect("read");
    lie_about_sizes(&mut bytes, 100);
    std::fs::write(&zip, &bytes).expect("write");
    let mut a = only_file(discover(&[zip]).expect("discover"));
    assert_eq!(a.size, 100);
    // Whatever the zip reader makes of the lie, no more than the limit is ever inflated.
    let limit = Limit {
        bytes: 1024 * 1024,
        what: "a test",
    };
    match a.load(limit) {
        Ok(()) => assert!(a.bytes.len() as u64 <= limit.bytes),
        Err(NotLoaded::TooLarge(m)) => assert!(m.contains("1 MiB limit for a test"), "{m}"),
        Err(NotLoaded::Failed(m)) => assert!(m.contains("archive entry"), "{m}"),
    }
    assert!(a.bytes.len() as u64 <= limit.bytes);
}

#[test]
fn the_archive_budget_reports_what_does_not_fit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zip = dir.path().join("a.zip");
    let kib = vec![b' '; 1024];
    zip_of(
        &zip,
        &[
            ("A.connectedApp", &kib),
            ("B.connectedApp", &kib),
            ("C.connectedApp", &kib),
        ],
    );
    let budgets = Budgets {
        archive: 2048,
        total: 1 << 20,
    };
    let found = discover_with(&[zip], budgets).expect("discover");
    let results: Vec<_> = found
        .into_iter()
        .map(|s| match s {
            Source::File(mut f) => f.load(METADATA_LIMIT),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(results[..2], [Ok(()), Ok(())]);
    assert!(
        matches!(&results[2], Err(NotLoaded::TooLarge(m)) if m.contains("the archive's budget of 2048 bytes")),
        "{results:?}"
    );
}

#[test]
fn duplicate_entry_names_are_accounted_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zip = dir.path().join("dup.zip");
    let f = std::fs::File::create(&zip).expect("create");
    let mut w = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default();
    w.start_file("A.connectedApp", opts).expect("start");
    w.write_all(b"first").expect("write");
    // The writer refuses a second entry of one name: rename it in the bytes afterwards.
    w.start_file("A.connectedApX", opts).expect("start");
    w.write_all(b"second").expect("write");
    w.finish().expect("finish");
    let mut bytes = std::fs::read(&zip).expect("read");
    let from = b"A.connectedApX";
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i + from.len() - 1] = b'p';
        }
        i += 1;
    }
    std::fs::write(&zip, &bytes).expect("write");
    let found = discover(&[zip]).expect("discover");
    assert_eq!(
        files(&found),
        [("A.connectedApp", "file"), ("A.connectedApp", "failed")]
    );
    let Source::Failed { message, .. } = &found[1] else {
        panic!("{found:?}")
    };
    assert!(
        message.contains("entry 2 of the archive with this name"),
        "{message}"
    );
    let mut first = only_file(found);
    first.load(METADATA_LIMIT).expect("first");
    assert_eq!(first.bytes, b"first");
}

#[test]
fn an_archive_entry_streams_for_the_usage_stage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zip = dir.path().join("u.zip");
    let rows: Vec<u8> = (0..200_000)
        .flat_map(|i| format!("{i},x\n").into_bytes())
        .collect();
    zip_of(&zip, &[("LoginHistory.csv", &rows)]);
    let f = only_file(discover(&[zip]).expect("discover"));
    let mut back = Vec::new();
    f.open_stream()
        .expect("open")
        .read_to_end(&mut back)
        .expect("read");
    assert_eq!(back, rows);
    // Stopping early ends the inflating thread (nothing to assert but no hang).
    let mut head = [0u8; 10];
    f.open_stream()
        .expect("open")
        .read_exact(&mut head)
        .expect("head");
    assert_eq!(&head, b"0,x\n1,x\n2,");
}
