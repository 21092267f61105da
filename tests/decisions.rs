//! The workshop round trip: `plan` writes workshop.xlsx, a workshop edits its Decisions sheet
//! (here with openpyxl, as a script or a spreadsheet program would), and `plan --decisions`
//! picks the decisions up; what names nothing is an error naming the sheet, row and cell.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{ecaplan, plan_app, plan_json, plan_samples};

/// openpyxl, or a skip (a failure under `.ci/run`, which installs it).
fn openpyxl() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import openpyxl"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok && std::env::var("ECAPLAN_REQUIRE_SHARED").is_ok_and(|v| v == "1") {
        panic!("python3 with openpyxl is required under .ci/run");
    }
    ok
}

/// Copy `from` to `to`, setting `cells` of the Decisions row of `app` (column name → value;
/// a value `date:YYYY-MM-DD` is written as a real date cell).
fn edit(from: &Path, to: &Path, app: &str, cells: &[(&str, &str)]) {
    let script = r#"
import sys, datetime, openpyxl
src, dst, app = sys.argv[1:4]
wb = openpyxl.load_workbook(src)
ws = wb["Decisions"]
cols = {c.value: c.column for c in ws[1]}
row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == app) if app != "NEW" else ws.max_row + 1
for pair in sys.argv[4:]:
    name, value = pair.split("=", 1)
    if value.startswith("date:"):
        value = datetime.datetime.strptime(value[5:], "%Y-%m-%d")
    ws.cell(row, cols[name]).value = value
wb.save(dst)
"#;
    let mut args: Vec<String> = vec![
        "-c".into(),
        script.into(),
        from.display().to_string(),
        to.display().to_string(),
        app.into(),
    ];
    args.extend(cells.iter().map(|(k, v)| format!("{k}={v}")));
    let out = Command::new("python3")
        .args(&args)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn planned(tmp: &Path) -> PathBuf {
    let out = tmp.join("out");
    assert!(plan_samples(&out, &[]).status.success());
    out
}

#[test]
fn the_workshops_decisions_come_back() {
    if !openpyxl() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let out = planned(tmp.path());
    let edited = tmp.path().join("decided.xlsx");
    edit(
        &out.join("workshop.xlsx"),
        &edited,
        "Marketing_SPA",
        &[
            ("strategy", "side-by-side"),
            ("strategy reason", "the web team can run both for two weeks"),
            ("decided by", "CAB"),
            ("date", "date:2026-12-10"),
            ("owner", "web-team@northwind.example"),
            ("criticality", "high"),
        ],
    );
    let again = tmp.path().join("again");
    let e = edited.display().to_string();
    let run = plan_samples(&again, &["--decisions", &e]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let plan = plan_json(&again);
    let spa = plan_app(&plan, "Marketing_SPA");
    assert_eq!(spa["strategy"], "side-by-side");
    let reason = spa["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("the web team can run both for two weeks (workshop: CAB on 2026-12-10)"),
        "{reason}"
    );
    assert_eq!(spa["owner"], "web-team@northwind.example");
    // The unedited rows change nothing: the other apps keep their plan.
    let before = plan_json(&out);
    assert_eq!(plan_app(&before, "ERP_Sync"), plan_app(&plan, "ERP_Sync"));
}

#[test]
fn an_unedited_workbook_changes_nothing() {
    if !openpyxl() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let out = planned(tmp.path());
    let copy = tmp.path().join("copy.xlsx");
    edit(&out.join("workshop.xlsx"), &copy, "ERP_Sync", &[]);
    let again = tmp.path().join("again");
    let c = copy.display().to_string();
    assert!(plan_samples(&again, &["--decisions", &c]).status.success());
    let a = std::fs::read(out.join("plan.json")).expect("plan");
    let b = std::fs::read(again.join("plan.json")).expect("plan");
    assert!(a == b, "plan.json changed");
}

/// A row to edit, its cells, and what the error must say.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

#[test]
fn what_names_nothing_is_an_error_at_its_cell() {
    if !openpyxl() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let out = planned(tmp.path());
    let wb = out.join("workshop.xlsx");
    let cases: [Case; 4] = [
        (
            "ERP_Sync",
            &[("strategy", "sidebyside"), ("strategy reason", "x")],
            "Decisions!G",
        ),
        ("ERP_Sync", &[("strategy", "retire")], "needs its reason"),
        (
            "NEW",
            &[("app", "ERP_Sinc"), ("owner", "x")],
            "(did you mean ERP_Sync?)",
        ),
        (
            "ERP_Sync",
            &[("criticality", "urgent")],
            "is not a criticality",
        ),
    ];
    for (i, (app, cells, wanted)) in cases.iter().enumerate() {
        let bad = tmp.path().join(format!("bad-{i}.xlsx"));
        edit(&wb, &bad, app, cells);
        let b = bad.display().to_string();
        let o = tmp.path().join(format!("o-{i}")).display().to_string();
        let run = ecaplan([
            "plan",
            "samples/northwind",
            "-o",
            &o,
            "--quiet",
            "--decisions",
            &b,
        ]);
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{err}");
        assert!(
            err.contains(wanted) && err.contains("Decisions!"),
            "{wanted}: {err}"
        );
    }
}

#[test]
fn a_workbook_inside_the_output_folder_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = planned(tmp.path());
    let wb = out.join("workshop.xlsx").display().to_string();
    let o = out.display().to_string();
    let run = ecaplan([
        "plan",
        "samples/northwind",
        "-o",
        &o,
        "--force",
        "--quiet",
        "--decisions",
        &wb,
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        out.join("workshop.xlsx").exists(),
        "the workbook must survive"
    );
}

#[test]
fn openpyxl_reads_numbers_and_the_strategy_list() {
    if !openpyxl() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let out = planned(tmp.path());
    let script = r#"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
apps = wb["Apps"]
col = [c.value for c in apps[1]].index("wave") + 1
assert all(isinstance(apps.cell(r, col).value, int) for r in range(2, apps.max_row + 1))
lists = [dv.formula1 for dv in wb["Decisions"].data_validations.dataValidation if dv.type == "list"]
assert any("side-by-side" in f for f in lists), lists
assert any("critical" in f for f in lists), lists
"#;
    let wb = out.join("workshop.xlsx").display().to_string();
    let run = Command::new("python3")
        .args(["-c", script, &wb])
        .output()
        .expect("python3");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}
