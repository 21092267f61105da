//! Errors in the user's terms: a value on the command line that names nothing, or does not
//! parse, is said as such (exit 2), with the closest names when there are any — never as
//! "cannot read input".

mod common;

use common::ecaplan;

/// Exit code 2 and the whole stderr.
fn fails(args: &[&str]) -> String {
    let run = ecaplan(args);
    assert_eq!(run.status.code(), Some(2), "{args:?} should fail with 2");
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(!stderr.contains("cannot read input"), "{stderr}");
    stderr
}

#[test]
fn an_unknown_rule_is_named_with_the_closest_rules() {
    assert_eq!(
        fails(&["explain", "ful-scope"]),
        "error: no rule has the id or name \"ful-scope\" (did you mean full-scope?): `ecaplan rules` lists them all\n"
    );
    assert_eq!(
        fails(&["explain", "ECA999"]),
        "error: no rule has the id or name \"ECA999\" (did you mean ECA109, ECA209?): `ecaplan rules` lists them all\n"
    );
    assert_eq!(
        fails(&["explain", "nothing-like-it"]),
        "error: no rule has the id or name \"nothing-like-it\": `ecaplan rules` lists them all\n"
    );
}

#[test]
fn an_as_of_date_that_is_not_a_date_says_the_form_expected() {
    assert_eq!(
        fails(&["assess", "samples/northwind", "--as-of", "2026-13-45"]),
        "error: --as-of \"2026-13-45\" is not a date: write the day the exports were taken as YYYY-MM-DD, e.g. 2026-11-30\n"
    );
}

#[test]
fn an_unknown_app_is_named_with_the_closest_apps() {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("eca");
    let dir = dir.to_str().expect("utf-8");
    assert_eq!(
        fails(&["generate", "samples/northwind", "--app", "ERP_Sinc", "-o", dir, "--quiet"]),
        "error: --app \"ERP_Sinc\": no app of that API name among the inputs (did you mean ERP_Sync?); `ecaplan inventory` lists them\n"
    );
}

#[test]
fn an_output_folder_that_is_not_ecaplans_is_refused_as_an_output_folder() {
    let out = tempfile::tempdir().expect("tempdir");
    std::fs::write(out.path().join("notes.txt"), "mine").expect("write");
    let dir = out.path().to_str().expect("utf-8");
    let stderr = fails(&["plan", "samples/northwind", "-o", dir, "--force", "--quiet"]);
    assert!(
        stderr.starts_with(&format!(
            "error: cannot use output folder {dir}: is not empty and was not written by ecaplan"
        )),
        "{stderr}"
    );
    assert!(out.path().join("notes.txt").is_file());
}

#[test]
fn a_misspelled_strategy_or_app_in_the_config_is_named() {
    let tmp = tempfile::tempdir().expect("tmp");
    let bad = tmp.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[apps.ERP_Sync]\nstrategy = \"sidebyside\"\nstrategy_reason = \"workshop\"\n",
    )
    .expect("write");
    let b = bad.display().to_string();
    let err = fails(&["assess", "samples/northwind", "--config", &b]);
    assert!(
        err.contains("[apps.ERP_Sync] strategy = \"sidebyside\" is not a strategy (did you mean side-by-side?)"),
        "{err}"
    );
    std::fs::write(&bad, "[apps.ERP_Sinc]\nowner = \"finance\"\n").expect("write");
    let run = ecaplan(["assess", "samples/northwind", "--config", &b]);
    // assess lists its notes with the findings, on stdout.
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.contains("[apps.ERP_Sinc] names no app among the inputs (did you mean ERP_Sync?)"),
        "{stdout}"
    );
}
