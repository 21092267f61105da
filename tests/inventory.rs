//! The inventory command on our own fixtures: malformed files, messy but valid files, and the
//! same app in source and mdapi-zip form.

mod common;

use std::io::Write;

use common::{ecaplan, fixture, json_of};

#[test]
fn malformed_file_is_reported_and_good_ones_kept() {
    let dir = fixture("malformed");
    let out = ecaplan([
        "inventory".as_ref(),
        dir.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let inv = json_of(&out);
    let names: Vec<&str> = inv["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .map(|a| a["api_name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Good_One", "Good_Two"]);
    assert_eq!(inv["accounting"]["unreadable"], 1);
    let bad = inv["accounting"]["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["status"] == "unreadable")
        .expect("unreadable record");
    assert!(bad["path"]
        .as_str()
        .expect("path")
        .ends_with("Broken.connectedApp-meta.xml"));
    assert_eq!(bad["line"], 6);
    assert!(bad["column"].as_u64().expect("column") > 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Broken.connectedApp-meta.xml:6:"),
        "{stderr}"
    );

    let strict = ecaplan(["inventory".as_ref(), dir.as_os_str(), "--strict".as_ref()]);
    assert_eq!(strict.status.code(), Some(2));
}

#[test]
fn messy_files_parse() {
    let inv = json_of(&ecaplan([
        "inventory".as_ref(),
        fixture("messy").as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]));
    assert_eq!(inv["accounting"]["unreadable"], 0);
    let app = |name: &str| {
        inv["apps"]
            .as_array()
            .expect("apps")
            .iter()
            .find(|a| a["api_name"] == name)
            .cloned()
            .expect(name)
    };
    let bom = app("Bom_Crlf_App");
    assert_eq!(bom["label"], "Windows Edited App");
    assert_eq!(bom["callback_urls"].as_array().expect("urls").len(), 2);
    assert_eq!(bom["ip_relaxation"], "Bypass");
    let pretty = app("Prettier_App");
    assert_eq!(pretty["label"], "Prettier App");
    assert_eq!(pretty["refresh_token_policy"], "inactivity 7 Days");
    assert_eq!(pretty["scopes"], serde_json::json!(["Api", "RefreshToken"]));
    let future = app("Future_App");
    assert_eq!(future["pkce_required"], true);
    let unknown: Vec<&serde_json::Value> = inv["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter(|n| n["code"] == "unknown-element")
        .collect();
    assert_eq!(unknown.len(), 2, "{unknown:?}");
    assert!(unknown
        .iter()
        .all(|n| n["level"] == "info" && n["line"].is_u64()));
}

#[test]
fn mdapi_zip_and_source_give_the_same_row() {
    let source = fixture("same_app");
    let tmp = tempfile::tempdir().expect("tmp");
    let zip_path = tmp.path().join("retrieve.zip");
    let xml = std::fs::read(source.join("Same_App.connectedApp-meta.xml")).expect("read");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).expect("create"));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("unpackaged/package.xml", opts)
        .expect("entry");
    zip.write_all(b"<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\"><types><members>Same_App</members><name>ConnectedApp</name></types><version>64.0</version></Package>").expect("write");
    zip.start_file("unpackaged/connectedApps/Same_App.connectedApp", opts)
        .expect("entry");
    zip.write_all(&xml).expect("write");
    zip.finish().expect("finish");

    let from_source = json_of(&ecaplan([
        "inventory".as_ref(),
        source.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]));
    let from_zip = json_of(&ecaplan([
        "inventory".as_ref(),
        zip_path.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]));
    let strip = |v: &serde_json::Value| {
        let mut row = v["apps"][0].clone();
        row["connected_app_file"] = serde_json::Value::Null;
        row
    };
    assert_eq!(strip(&from_source), strip(&from_zip));
    assert!(from_zip["apps"][0]["connected_app_file"]
        .as_str()
        .expect("file")
        .ends_with("retrieve.zip!unpackaged/connectedApps/Same_App.connectedApp"));
    assert_eq!(
        from_zip["accounting"]["ignored"], 1,
        "package.xml is accounted as ignored"
    );

    // Both together: the identical copy is read once.
    let both = json_of(&ecaplan([
        "inventory".as_ref(),
        source.as_os_str(),
        zip_path.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]));
    assert_eq!(both["apps"].as_array().expect("apps").len(), 1);
}

#[test]
fn missing_input_folder_exits_2() {
    let out = ecaplan(["inventory", "no/such/folder"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/folder"));
}

#[test]
fn csv_and_table_formats() {
    let dir = fixture("same_app");
    let csv = ecaplan([
        "inventory".as_ref(),
        dir.as_os_str(),
        "--format".as_ref(),
        "csv".as_ref(),
    ]);
    assert!(csv.status.success());
    let text = String::from_utf8_lossy(&csv.stdout);
    // A byte-order mark first, for Excel on Windows.
    assert!(text.starts_with("\u{feff}api_name,label,"));
    assert!(text.contains("Same_App,Same App,"));
    assert!(text.contains("…0042"));
    assert!(!text.contains("3MVG9FIXTUREsameapp"));
    let table = ecaplan(["inventory".as_ref(), dir.as_os_str()]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("Same_App") && text.contains("files: 1 total, 1 parsed"),
        "{text}"
    );
}
