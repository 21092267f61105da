//! Adversarial output hygiene (issue 13, defects 5 and 10): secrets on quoted lines, terminal
//! escape sequences, NUL and bidi characters, Markdown links from labels, ECA names that differ
//! between plan.json and the generated files, and an app defined twice. Every run is bounded in
//! time, ends with the expected exit code and message, and leaves the input tree untouched.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{ecaplan_bounded, tree_digest};

/// Seconds any one run may take before the test fails as a hang.
const LIMIT: u64 = 60;

const NS: &str = "http://soap.sforce.com/2006/04/metadata";

fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&path, text).expect("write fixture");
    path
}

/// A connected app file whose body is `body` (all on the line after the XML declaration).
fn connected_app(dir: &Path, name: &str, body: &str) -> PathBuf {
    write(
        dir,
        &format!("{name}.connectedApp-meta.xml"),
        &format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ConnectedApp xmlns=\"{NS}\">{body}</ConnectedApp>\n"),
    )
}

/// Run ecaplan on `args` (bounded) and check that `input` is untouched.
fn run(input: &Path, args: &[&std::ffi::OsStr]) -> Output {
    let before = tree_digest(input);
    let out = ecaplan_bounded(args, LIMIT);
    assert_eq!(before, tree_digest(input), "the run changed its input tree");
    assert_ne!(out.status.code(), Some(101), "panic: {}", text(&out.stderr));
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every regular file under `dir` with its text.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let bytes = std::fs::read(&p).expect("read output");
                out.push((p, bytes));
            }
        }
    }
    out.sort();
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// `plan INPUT -o OUT` with `extra` arguments, asserting success; returns stderr.
fn plan(input: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "plan".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    let o = run(input, &args);
    assert_eq!(o.status.code(), Some(0), "plan failed: {}", text(&o.stderr));
    o
}

/// Defect 5: `<consumerSecret>` (and the consumer key) on a line a finding quotes.
#[test]
fn secrets_on_quoted_lines_are_redacted_in_every_output() {
    let tmp = tempfile::tempdir().expect("tmp");
    let input = tmp.path().join("in");
    // One line: the insecure callback (quoted by ECA211) shares it with the secret and key,
    // which come first so that a quote cut to its display width would still show them.
    connected_app(
        &input,
        "Leaky",
        "<contactEmail>a@b.example</contactEmail><label>Leaky</label>\n<oauthConfig><consumerSecret>S3CR3TONELINE0123456789</consumerSecret><consumerKey>3MVG9LEAKYKEY000000000000WXYZ</consumerKey><callbackUrl>http://insecure.example/cb</callbackUrl><scopes>Full</scopes></oauthConfig>",
    );
    // The whole document on one line (minified).
    write(
        &input,
        "Leaky_Flat.connectedApp-meta.xml",
        &format!("<ConnectedApp xmlns=\"{NS}\"><oauthConfig><consumerSecret>S3CR3TFLAT0123456789</consumerSecret><callbackUrl>http://insecure.example/flat</callbackUrl><scopes>Full</scopes></oauthConfig><label>Flat</label></ConnectedApp>"),
    );
    // A secret whose value starts on the line before and ends on the quoted line.
    write(
        &input,
        "Leaky_Two.connectedApp-meta.xml",
        &format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ConnectedApp xmlns=\"{NS}\"><contactEmail>a@b.example</contactEmail><label>Leaky Two</label><oauthConfig><consumerSecret>\nS3CR3TMULTILINE98765</consumerSecret><callbackUrl>http://insecure.example/two</callbackUrl><scopes>Full</scopes></oauthConfig></ConnectedApp>\n"
        ),
    );
    let secrets = [
        "S3CR3TONELINE0123456789",
        "S3CR3TFLAT0123456789",
        "S3CR3TMULTILINE98765",
        "3MVG9LEAKYKEY000000000000WXYZ",
        "LEAKYKEY",
    ];
    let assert_clean = |what: &str, bytes: &[u8]| {
        for s in secrets {
            assert!(!contains(bytes, s), "{what} prints {s}:\n{}", text(bytes));
        }
    };
    for format in ["human", "json", "markdown", "html", "sarif"] {
        let out = run(
            &input,
            &[
                "assess".as_ref(),
                input.as_os_str(),
                "--format".as_ref(),
                format.as_ref(),
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_clean(&format!("assess --format {format} (stdout)"), &out.stdout);
        assert_clean(&format!("assess --format {format} (stderr)"), &out.stderr);
        if format == "human" {
            // The line is quoted, with the values masked by element.
            let human = text(&out.stdout);
            assert!(
                human.contains("<oauthConfig><consumerSecret>****</consumerSecret><consumerKey>…WXYZ</consumerKey><callbackUrl>http://insecure"),
                "{human}"
            );
            assert!(
                human.contains("****</consumerSecret><callbackUrl>http://insecure.example/two"),
                "{human}"
            );
        }
    }
    for args in [
        vec!["inventory", "--format", "json"],
        vec!["inventory", "--format", "csv"],
        vec!["inventory"],
        vec!["graph", "--format", "json"],
    ] {
        let mut a: Vec<&std::ffi::OsStr> = vec![args[0].as_ref(), input.as_os_str()];
        a.extend(args[1..].iter().map(|s| std::ffi::OsStr::new(*s)));
        let out = run(&input, &a);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_clean(&format!("{args:?}"), &out.stdout);
        assert_clean(&format!("{args:?}"), &out.stderr);
    }
    let out_dir = tmp.path().join("out");
    let o = plan(&input, &out_dir, &[]);
    assert_clean("plan (stderr)", &o.stderr);
    let files = files_under(&out_dir);
    assert!(files.len() > 5, "{files:?}");
    for (path, bytes) in &files {
        assert_clean(&path.display().to_string(), bytes);
    }
    // `generate` for the leaky apps: the ECA files carry neither the secret nor the key.
    let gen_dir = tmp.path().join("gen");
    let out = run(
        &input,
        &[
            "generate".as_ref(),
            input.as_os_str(),
            "--app".as_ref(),
            "Leaky".as_ref(),
            "--app".as_ref(),
            "Leaky_Two".as_ref(),
            "--app".as_ref(),
            "Leaky_Flat".as_ref(),
            "-o".as_ref(),
            gen_dir.as_os_str(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("file(s) to"),
        "{}",
        text(&out.stderr)
    );
    assert_clean("generate (stderr)", &out.stderr);
    for (path, bytes) in files_under(&gen_dir) {
        assert_clean(&path.display().to_string(), &bytes);
    }
}

/// Characters that must never reach a terminal or a label: C0/C1 controls (but line feed and
/// tab) and the bidi controls.
fn hostile(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Defect 10: escape sequences in file names and bidi controls in labels reach the terminal,
/// reports and generated labels.
#[test]
fn escapes_and_bidi_controls_never_reach_terminals_or_labels() {
    let tmp = tempfile::tempdir().expect("tmp");
    let input = tmp.path().join("in");
    // A file name with a terminal escape (clear screen, red), unreadable so it is printed.
    write(
        &input,
        "evil\u{1b}[2J\u{1b}[31m\u{9b}0m.connectedApp-meta.xml",
        "<ConnectedApp><label>broken",
    );
    // A label with bidi overrides (the RLO makes "Payroll" read backwards), an isolate, an
    // escape sequence and a C1 line break (NEL, which becomes a space).
    connected_app(
        &input,
        "Bidi_App",
        "<contactEmail>a@b.example</contactEmail><label>Pay\u{202E}llor\u{2066}x\u{2069}\u{200F}&#x1b;[31m&#x85;!</label><oauthConfig><callbackUrl>https://x.example/cb\u{202E}</callbackUrl><scopes>Api</scopes></oauthConfig>",
    );
    // A valid app whose API name (from its file name) carries an escape and a bidi override.
    write(
        &input,
        "Named\u{1b}[31m\u{202E}.connectedApp-meta.xml",
        &format!("<ConnectedApp xmlns=\"{NS}\"><label>Named</label><contactEmail>a@b.example</contactEmail><oauthConfig><callbackUrl>http://x.example/cb</callbackUrl><scopes>Full</scopes></oauthConfig></ConnectedApp>"),
    );
    let check = |what: &str, s: &str| {
        if let Some(c) = s.chars().find(|c| hostile(*c)) {
            panic!("{what} contains {c:?}:\n{s}");
        }
    };
    for args in [
        vec!["inventory"],
        vec!["inventory", "--format", "json"],
        vec!["inventory", "--format", "csv"],
        vec!["assess"],
        vec!["assess", "--format", "sarif"],
        vec!["assess", "--format", "markdown"],
        vec!["assess", "--format", "html"],
        vec!["usage"],
        vec!["graph"],
        vec!["graph", "--format", "mermaid"],
        vec!["graph", "--format", "json"],
    ] {
        let mut a: Vec<&std::ffi::OsStr> = vec![args[0].as_ref(), input.as_os_str()];
        a.extend(args[1..].iter().map(|s| std::ffi::OsStr::new(*s)));
        let out = run(&input, &a);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let stderr = text(&out.stderr);
        check(&format!("{args:?} stderr"), &stderr);
        check(&format!("{args:?} stdout"), &text(&out.stdout));
    }
    // An error (exit 2) names the missing input without its escape sequence.
    let missing = input.join("no\u{1b}]0;owned\u{7}such\u{202E}");
    let out = run(&input, &["inventory".as_ref(), missing.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    check("error stderr", &stderr);
    assert!(
        stderr.starts_with("error: ") && stderr.contains("no]0;ownedsuch"),
        "{stderr}"
    );
    // The unreadable file is still named (its escapes removed) with its position.
    let out = run(&input, &["assess".as_ref(), input.as_os_str()]);
    let stderr = text(&out.stderr);
    assert!(
        stderr
            .contains("evil[2J[31m0m.connectedApp-meta.xml:1:15: element <label> is never closed"),
        "{stderr}"
    );
    let out_dir = tmp.path().join("out");
    let o = plan(&input, &out_dir, &[]);
    check("plan stderr", &text(&o.stderr));
    let plan_json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("plan.json")).expect("plan.json"))
            .expect("json");
    let app = plan_json["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .find(|a| a["api_name"] == "Bidi_App")
        .expect("Bidi_App planned");
    assert_eq!(app["label"], "Payllorx[31m !", "{app}");
    // No report, export or generated file keeps a control or bidi character (xlsx is a zip).
    let mut checked = 0;
    for (path, bytes) in files_under(&out_dir) {
        let name = path.display().to_string();
        if name.ends_with(".xlsx") {
            // A zip: its XML parts are checked (Excel writes a control as `_x001B_`).
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("xlsx");
            for i in 0..zip.len() {
                let mut part = zip.by_index(i).expect("part");
                let part_name = format!("{:?}", part.name());
                let mut xml = String::new();
                std::io::Read::read_to_string(&mut part, &mut xml).expect("xml part");
                check(&format!("{name}!{part_name}"), &xml);
                assert!(!xml.contains("_x001B_"), "{name}!{part_name}");
            }
            continue;
        }
        check(&name, &text(&bytes));
        checked += 1;
    }
    assert!(checked > 10, "{checked}");
}

/// Defect 10: Markdown links and images from labels stay literal in report.md.
#[test]
fn markdown_links_and_images_from_labels_are_literal() {
    let tmp = tempfile::tempdir().expect("tmp");
    let input = tmp.path().join("in");
    connected_app(
        &input,
        "Link_App",
        "<contactEmail>a@b.example</contactEmail><label>[click](http://evil.example) ![img](http://evil.example/i.png) *b* _i_</label><oauthConfig><callbackUrl>https://x.example/cb</callbackUrl><scopes>Api</scopes></oauthConfig>",
    );
    let out_dir = tmp.path().join("out");
    plan(&input, &out_dir, &[]);
    let md = std::fs::read_to_string(out_dir.join("report.md")).expect("report.md");
    let assess = run(
        &input,
        &[
            "assess".as_ref(),
            input.as_os_str(),
            "--format".as_ref(),
            "markdown".as_ref(),
        ],
    );
    assert_eq!(assess.status.code(), Some(0));
    for doc in [md, text(&assess.stdout)] {
        assert!(
            doc.contains("\\[click\\](http://evil.example) !\\[img\\](http://evil.example/i.png) \\*b\\* \\_i\\_"),
            "{doc}"
        );
        // No unescaped bracket anywhere: nothing can open a link or an image.
        let b = doc.as_bytes();
        for (i, &c) in b.iter().enumerate() {
            if c == b'[' || c == b']' {
                assert!(
                    i > 0 && b[i - 1] == b'\\',
                    "unescaped bracket at {i}: {doc}"
                );
            }
        }
    }
}

/// The base names of the files under `dir` ending with `suffix`.
fn bases(dir: &Path, suffix: &str) -> Vec<String> {
    files_under(dir)
        .into_iter()
        .filter_map(|(p, _)| {
            let n = p.file_name()?.to_string_lossy().into_owned();
            n.strip_suffix(suffix).map(String::from)
        })
        .collect()
}

/// Every `<externalClientApplication>` named by a generated file under `dir`.
fn eca_references(dir: &Path) -> Vec<String> {
    let mut refs = Vec::new();
    for (_, bytes) in files_under(dir) {
        let s = text(&bytes);
        let mut rest = s.as_str();
        while let Some(p) = rest.find("<externalClientApplication>") {
            rest = &rest[p + "<externalClientApplication>".len()..];
            let end = rest.find('<').expect("closed");
            refs.push(rest[..end].to_string());
        }
    }
    refs.sort();
    refs
}

/// Permission set labels under `dir`.
fn permission_set_labels(dir: &Path) -> Vec<String> {
    files_under(dir)
        .into_iter()
        .filter(|(p, _)| p.to_string_lossy().ends_with(".permissionset-meta.xml"))
        .map(|(_, b)| {
            let s = text(&b);
            let start = s.find("<label>").expect("label") + "<label>".len();
            let end = s[start..].find("</label>").expect("closed") + start;
            s[start..end].to_string()
        })
        .collect()
}

fn planned(out_dir: &Path) -> Vec<serde_json::Value> {
    let plan: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("plan.json")).expect("plan.json"))
            .expect("json");
    plan["apps"].as_array().expect("apps").clone()
}

/// Defect 10: `eca_name` in plan.json equals the generated names, for long and non-ASCII
/// names, both for a new ECA (big-bang) and for the automated migration's hardening files.
#[test]
fn plan_eca_names_equal_the_generated_file_names() {
    let tmp = tempfile::tempdir().expect("tmp");
    let input = tmp.path().join("in");
    let long = "Extremely_Long_Connected_App_Name_For_The_Tests_Of_Names";
    assert!(long.len() > 40);
    let body = |label: &str| {
        format!("<contactEmail>a@b.example</contactEmail><label>{label}</label><oauthConfig><callbackUrl>https://x.example/cb</callbackUrl><scopes>Api</scopes></oauthConfig>")
    };
    connected_app(&input, long, &body("A very long app"));
    connected_app(&input, "Café_Ünïcode", &body("Café Ünïcode ✓"));
    connected_app(
        &input,
        "Long_Automated_Connected_App_Name_Beyond_Forty",
        &body("Auto long"),
    );
    connected_app(&input, "Ünïcode_Automated", &body("Ünïcode automatisch"));
    write(
        &input,
        "ecaplan.toml",
        &format!(
            "[apps.{long}]\nstrategy = \"big-bang\"\nstrategy_reason = \"test\"\n\n[apps.\"Café_Ünïcode\"]\nstrategy = \"big-bang\"\nstrategy_reason = \"test\"\n"
        ),
    );
    let out_dir = tmp.path().join("out");
    plan(&input, &out_dir, &[]);
    let apps = planned(&out_dir);
    let eca = out_dir.join("eca");
    let headers = bases(&eca, ".eca-meta.xml");
    let oauth_policies = bases(&eca, "_oauthPlcy.ecaOauthPlcy-meta.xml");
    let refs = eca_references(&eca);
    let mut named = 0;
    for app in &apps {
        let Some(name) = app["eca_name"].as_str() else {
            continue;
        };
        named += 1;
        assert!(name.len() <= 40 && name.is_ascii(), "{name}");
        if app["strategy"] == "big-bang" {
            assert!(
                headers.contains(&name.to_string()),
                "{name} not in {headers:?}"
            );
        }
        assert!(
            oauth_policies.contains(&name.to_string()),
            "{name} not in {oauth_policies:?}"
        );
        assert!(refs.contains(&name.to_string()), "{name} not in {refs:?}");
    }
    assert_eq!(named, 4, "{apps:?}");
    // And nothing generated names an ECA the plan does not.
    for r in &refs {
        assert!(apps.iter().any(|a| a["eca_name"] == r.as_str()), "{r}");
    }
}

/// Defect 10: the same app in two input folders (different definitions) gets one ECA and one
/// permission set; every policy names a generated ECA; two apps with one label get distinct
/// permission set labels.
#[test]
fn an_app_defined_twice_is_generated_once() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().join("in");
    let body = |scope: &str| {
        format!("<contactEmail>a@b.example</contactEmail><label>Twin</label><oauthConfig><callbackUrl>https://x.example/cb</callbackUrl><scopes>{scope}</scopes></oauthConfig>")
    };
    let first = connected_app(&root.join("source"), "Twice", &body("Api"));
    let second = connected_app(&root.join("mdapi"), "Twice", &body("Web"));
    // Another app with the same label.
    connected_app(&root.join("source"), "Other_Twin", &body("Api"));
    for strategy in ["side-by-side", "automated"] {
        write(
            &root,
            "ecaplan.toml",
            &format!("[apps.Twice]\nstrategy = \"{strategy}\"\nstrategy_reason = \"test\"\n\n[apps.Other_Twin]\nstrategy = \"{strategy}\"\nstrategy_reason = \"test\"\n"),
        );
        let out_dir = tmp.path().join(format!("out-{strategy}"));
        plan(&root, &out_dir, &[]);
        let apps = planned(&out_dir);
        assert_eq!(apps.len(), 3, "both definitions are listed: {apps:?}");
        let names: Vec<&str> = apps.iter().filter_map(|a| a["eca_name"].as_str()).collect();
        assert_eq!(names.len(), 2, "one ECA per API name: {names:?}");
        let unnamed = apps
            .iter()
            .find(|a| a["eca_name"].is_null())
            .expect("the second definition");
        assert!(
            unnamed["evidence"]
                .to_string()
                .contains("Twice is defined more than once among the inputs"),
            "{unnamed}"
        );
        let eca = out_dir.join("eca");
        let refs = eca_references(&eca);
        let headers = bases(&eca, ".eca-meta.xml");
        for r in &refs {
            assert!(
                names.contains(&r.as_str()),
                "{r} is not a planned ECA ({names:?})"
            );
            if strategy == "side-by-side" {
                assert!(headers.contains(r), "{r} is not generated ({headers:?})");
            }
        }
        if strategy == "side-by-side" {
            // The ECA is made from the definition the note says is used.
            let report = std::fs::read_to_string(out_dir.join("report.json")).expect("report.json");
            let note = report
                .lines()
                .find(|l| l.contains("is defined differently in"))
                .expect("conflicting-definition note");
            let used = note
                .rsplit("generated for the one in ")
                .next()
                .expect("used");
            let scope = if used.contains("/mdapi/") {
                "Web"
            } else {
                "Api"
            };
            let settings: Vec<String> = files_under(&eca)
                .into_iter()
                .filter(|(p, _)| p.to_string_lossy().contains("Twice_ECA_oauth.ecaOauth"))
                .map(|(_, b)| text(&b))
                .collect();
            assert_eq!(settings.len(), 1, "{settings:?}");
            assert!(
                settings[0].contains(&format!("<commaSeparatedOauthScopes>{scope}")),
                "{note}\n{}",
                settings[0]
            );
        }
        let labels = permission_set_labels(&eca);
        assert_eq!(labels.len(), 2, "{labels:?}");
        assert_ne!(labels[0], labels[1], "two permission sets share a label");
        // The duplicate is reported, naming both files.
        let report = std::fs::read_to_string(out_dir.join("report.json")).expect("report.json");
        let note = report
            .lines()
            .find(|l| l.contains("is defined differently in"))
            .expect("conflicting-definition note");
        for file in [&first, &second] {
            let rel = file
                .strip_prefix(&root)
                .expect("below root")
                .display()
                .to_string();
            assert!(note.contains(&rel), "{note} does not name {rel}");
        }
    }
}
