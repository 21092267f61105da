//! The report files of `ecaplan plan`: every format is written and well-formed, escaping of
//! hostile input in every format, and no secret of the inputs in any output file. Their bytes
//! are compared with the goldens by `golden_plan.rs`, over the whole output folder.

mod common;

use common::ecaplan;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Run `plan` on inputs into a fresh folder; returns the folder (kept alive by the guard).
fn plan(inputs: &[&Path]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let mut args: Vec<&std::ffi::OsStr> = vec!["plan".as_ref()];
    args.extend(inputs.iter().map(|p| p.as_os_str()));
    args.extend(["-o".as_ref(), out.as_os_str()]);
    let run = ecaplan(&args);
    assert!(
        run.status.success(),
        "plan failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    (tmp, out)
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A file of the workbook (a zip).
fn xlsx_part(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).expect("open xlsx");
    let mut zip = zip::ZipArchive::new(file).expect("xlsx is a zip");
    let mut s = String::new();
    zip.by_name(name)
        .expect(name)
        .read_to_string(&mut s)
        .expect("utf-8");
    s
}

#[test]
fn plan_writes_every_report_well_formed() {
    let (_tmp, out) = plan(&[Path::new("samples/northwind")]);
    for name in [
        "report.html",
        "report.md",
        "report.json",
        "apps.csv",
        "findings.csv",
        "workshop.xlsx",
        "findings.sarif",
        "graph.dot",
        "graph.mmd",
        "plan.json",
    ] {
        assert!(out.join(name).is_file(), "{name} missing");
    }
    let html = read(&out, "report.html");
    assert_eq!(html.matches("data-app=").count(), 35);
    assert!(html.contains("<svg"));
    let sarif: serde_json::Value =
        serde_json::from_str(&read(&out, "findings.sarif")).expect("sarif json");
    assert_eq!(sarif["version"], "2.1.0");
    let located = sarif["runs"][0]["results"]
        .as_array()
        .and_then(|r| {
            r.iter()
                .find(|x| x["locations"][0]["physicalLocation"].is_object())
        })
        .expect("a result with a file location");
    let artifact = &located["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
    assert!(artifact["uri"]
        .as_str()
        .is_some_and(|u| u.starts_with("samples/northwind/")));
    let report: serde_json::Value =
        serde_json::from_str(&read(&out, "report.json")).expect("report json");
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        report["findings"].as_array().map(Vec::len)
    );
    let workbook = xlsx_part(&out.join("workshop.xlsx"), "xl/workbook.xml");
    for sheet in ["Summary", "Apps", "Findings", "Waves", "Decisions"] {
        assert!(workbook.contains(&format!("name=\"{sheet}\"")), "{sheet}");
    }
}

#[test]
fn same_inputs_give_identical_reports() {
    let (_a, one) = plan(&[Path::new("samples/northwind")]);
    let (_b, two) = plan(&[Path::new("samples/northwind")]);
    for name in [
        "report.html",
        "workshop.xlsx",
        "findings.sarif",
        "report.md",
    ] {
        let a = std::fs::read(one.join(name)).expect("read");
        let b = std::fs::read(two.join(name)).expect("read");
        assert!(a == b, "{name} differs between two runs");
    }
}

const HOSTILE_LABEL: &str = "<script>alert(1)</script>";
const HOSTILE_DESCRIPTION: &str = "=HYPERLINK(\"http://evil.example\",\"x\")";

#[test]
fn hostile_label_and_description_are_inert_everywhere() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = tmp.path().join("in/connectedApps");
    std::fs::create_dir_all(&input).expect("mkdir");
    std::fs::write(
        input.join("Evil_App.connectedApp-meta.xml"),
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
    <contactEmail>x@example.com</contactEmail>
    <description>{}</description>
    <label>{}</label>
    <oauthConfig>
        <callbackUrl>https://example.com/cb</callbackUrl>
        <scopes>Api</scopes>
    </oauthConfig>
</ConnectedApp>
"#,
            xml_escape(HOSTILE_DESCRIPTION),
            xml_escape(HOSTILE_LABEL)
        ),
    )
    .expect("write fixture");
    let (_guard, out) = plan(&[&tmp.path().join("in")]);

    let html = read(&out, "report.html");
    assert!(!html.contains("<script"), "a script element in report.html");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"));

    let md = read(&out, "report.md");
    assert!(!md.contains("<script"), "raw HTML in report.md");

    let apps = read(&out, "apps.csv");
    let mut rows = csv::Reader::from_reader(apps.as_bytes());
    let header = rows.headers().expect("header").clone();
    let col = header
        .iter()
        .position(|h| h == "description")
        .expect("description column");
    let row = rows.records().next().expect("one app").expect("row");
    assert_eq!(
        row.get(col),
        Some(format!("'{HOSTILE_DESCRIPTION}").as_str())
    );

    let xlsx = out.join("workshop.xlsx");
    let shared = xlsx_part(&xlsx, "xl/sharedStrings.xml");
    assert!(
        shared.contains(&xml_escape_text(HOSTILE_DESCRIPTION)),
        "description is not a shared string: {shared}"
    );
    assert!(shared.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    for sheet in 1..=5 {
        let xml = xlsx_part(&xlsx, &format!("xl/worksheets/sheet{sheet}.xml"));
        assert!(!xml.contains("<f>"), "sheet{sheet} holds a formula");
    }
}

/// Escape for an XML element or attribute (the fixture).
fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Escape as the workbook writes element text (quotes stay as they are).
fn xml_escape_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Consumer keys and certificate bodies of the sample inputs (XML, `.crt` files and the
/// retrieve zip).
fn sample_secrets() -> Vec<String> {
    let mut texts = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/northwind");
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read_dir").flatten() {
            let p = entry.path();
            let name = p.to_string_lossy().to_string();
            if p.is_dir() {
                stack.push(p);
            } else if name.ends_with(".xml") || name.ends_with(".crt") {
                texts.push(std::fs::read_to_string(&p).expect("read"));
            } else if name.ends_with(".zip") {
                let mut zip =
                    zip::ZipArchive::new(std::fs::File::open(&p).expect("zip")).expect("zip");
                for i in 0..zip.len() {
                    let mut s = String::new();
                    if zip
                        .by_index(i)
                        .expect("entry")
                        .read_to_string(&mut s)
                        .is_ok()
                    {
                        texts.push(s);
                    }
                }
            }
        }
    }
    let mut secrets = Vec::new();
    for t in &texts {
        for tag in ["consumerKey", "certificate"] {
            let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
            let mut rest = t.as_str();
            while let Some(i) = rest.find(&open) {
                let after = &rest[i + open.len()..];
                let Some(j) = after.find(&close) else { break };
                secrets.push(after[..j].to_string());
                rest = &after[j..];
            }
        }
        if t.contains("-----BEGIN CERTIFICATE-----") {
            secrets.push(t.clone());
        }
    }
    // Keys whole; certificates by each long base64 line of their body, so a certificate
    // re-wrapped or partly quoted is still caught.
    let mut needles = Vec::new();
    for s in secrets {
        if s.contains("BEGIN CERTIFICATE") || s.len() > 200 {
            needles.extend(
                s.lines()
                    .map(str::trim)
                    .filter(|l| l.len() >= 40 && !l.starts_with("-----"))
                    .map(String::from),
            );
        } else if s.trim().len() >= 20 {
            needles.push(s.trim().to_string());
        }
    }
    needles.sort();
    needles.dedup();
    needles
}

#[test]
fn no_consumer_key_or_certificate_body_in_any_output() {
    let needles = sample_secrets();
    assert!(
        needles.iter().any(|n| n.starts_with("3MVG")),
        "found no consumer key in the samples"
    );
    assert!(
        needles.len() > 10,
        "found too few secrets: {}",
        needles.len()
    );
    let (_tmp, out) = plan(&[Path::new("samples/northwind")]);
    let mut files = vec![out.clone()];
    let mut checked = 0;
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(
                std::fs::read_dir(&p)
                    .expect("dir")
                    .flatten()
                    .map(|e| e.path()),
            );
            continue;
        }
        let mut contents =
            vec![String::from_utf8_lossy(&std::fs::read(&p).expect("read")).into_owned()];
        if p.extension().is_some_and(|e| e == "xlsx") {
            let mut zip =
                zip::ZipArchive::new(std::fs::File::open(&p).expect("open")).expect("zip");
            for i in 0..zip.len() {
                let mut s = String::new();
                zip.by_index(i)
                    .expect("entry")
                    .read_to_string(&mut s)
                    .expect("utf-8");
                contents.push(s);
            }
        }
        for c in &contents {
            for n in &needles {
                assert!(
                    !c.contains(n.as_str()),
                    "{} contains a secret: {n}",
                    p.display()
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} files checked");
}
