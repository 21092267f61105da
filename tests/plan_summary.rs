//! `ecaplan plan` ends with a short summary on stderr: apps per strategy, the open findings by
//! severity, the warnings that need attention, and where the files are.

mod common;

use common::ecaplan;

#[test]
fn plan_ends_with_a_summary_an_admin_can_act_on() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let out_arg = out.to_str().expect("utf-8");
    let run = ecaplan(["plan", "samples/northwind", "-o", out_arg]);
    assert!(run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines[0], "35 app(s) planned in 7 wave(s)", "{stderr}");
    assert!(
        lines[1].starts_with("  strategies: already-migrated 1, automated 20,"),
        "{stderr}"
    );
    assert_eq!(
        lines[2],
        "  open findings: blocker 2, high 30, medium 57, low 15, info 4 (findings.csv)"
    );
    // The inputs' warnings and the generator's.
    assert_eq!(lines[3], "  3 warning(s) need attention:");
    assert!(lines[4].contains("warning[ambiguous-time]"), "{stderr}");
    assert!(
        lines[5].contains("warning[eca-saml-encryption]"),
        "{stderr}"
    );
    assert_eq!(
        lines[7],
        "  7 element(s) of 3 app(s) not carried over into the ECAs: why and what to do in \
         report.md"
    );
    let last = lines.last().expect("a last line");
    assert!(
        last.contains("start with report.html; deploy with eca/README.md"),
        "{stderr}"
    );
    assert!(last.contains(out_arg), "{stderr}");
    let quiet = ecaplan([
        "plan",
        "samples/northwind",
        "-o",
        out_arg,
        "--force",
        "--quiet",
    ]);
    assert!(quiet.status.success());
    assert!(quiet.stderr.is_empty(), "--quiet prints nothing");
}
