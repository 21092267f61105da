//! Adversarial usage exports (issue 13, defects 6, 7, 9 and 11 in the usage readers): each case
//! builds its input in a temporary folder, runs `ecaplan usage` with a time bound, checks the
//! exit code and the message (file, line, column), and that the input tree is untouched.

mod common;

use std::path::Path;

use common::{ecaplan_bounded, tree_digest};
use serde_json::Value;

const HEADER: &str = "Id,UserId,LoginTime,LoginType,LoginSubType,Application,Status,SourceIp\n";

/// One LoginHistory row: record `n`, at `time`, through `app`, by `user`.
fn row(n: u64, time: &str, app: &str, user: &str) -> String {
    format!(
        "0Ya5g{n:010}AAA,{user},{time},Remote Access 2.0,OAuth Refresh Token,{app},Success,10.0.0.1\n"
    )
}

const USER: &str = "0055g0000000001AAA";
const MAY: &str = "2026-05-22T00:00:00.000Z";

/// `rows` ordinary rows numbered from `from`.
fn rows(from: u64, count: u64) -> String {
    (from..from + count)
        .map(|n| row(n, MAY, "Fleet App", USER))
        .collect()
}

/// Run `ecaplan usage --format json DIR` (plus `extra`) within `secs`, asserting that the
/// input tree is unchanged; returns the exit code, the JSON (when exit 0) and stderr.
fn usage(dir: &Path, extra: &[&str], secs: u64) -> (i32, Option<Value>, String) {
    let before = tree_digest(dir);
    let mut args = vec!["usage", "--quiet", "--format", "json"];
    args.extend_from_slice(extra);
    let dir_arg = dir.to_str().expect("utf-8 temp path");
    args.push(dir_arg);
    let out = ecaplan_bounded(&args, secs);
    assert_eq!(before, tree_digest(dir), "the run changed its input tree");
    let code = out.status.code().expect("exited, not killed");
    assert_ne!(code, 101, "panic: {}", String::from_utf8_lossy(&out.stderr));
    let json = (code == 0).then(|| serde_json::from_slice(&out.stdout).expect("json on stdout"));
    (
        code,
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn notes<'a>(json: &'a Value, code: &str) -> Vec<&'a Value> {
    json["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter(|n| n["code"] == code)
        .collect()
}

fn file_account<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["file"].as_str().is_some_and(|s| s.ends_with(name)))
        .expect("file accounted")
}

fn total_logins(json: &Value) -> u64 {
    json["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .map(|a| a["logins"].as_u64().unwrap_or(0))
        .sum()
}

#[test]
fn defect6_a_20_mb_header_is_refused_in_a_short_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = "X".repeat(20 << 20);
    text.push_str("\n1,2\n");
    std::fs::write(dir.path().join("LoginHistory.csv"), text).expect("write");
    let (code, json, _) = usage(dir.path(), &[], 60);
    assert_eq!(code, 0);
    let json = json.expect("json");
    let n = notes(&json, "unknown-usage-kind");
    assert_eq!(n.len(), 1, "{n:?}");
    assert!(n[0]["file"]
        .as_str()
        .is_some_and(|f| f.ends_with("LoginHistory.csv")));
    assert_eq!(n[0]["line"], 1);
    let message = n[0]["message"].as_str().expect("message");
    assert!(message.contains("longer than 64 KiB"), "{message}");
    // Nothing of the header is copied into the output.
    assert!(json.to_string().len() < 20_000);
}

#[test]
fn defect6_an_unknown_header_is_quoted_briefly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let header: Vec<String> = (0..10)
        .map(|i| format!("{i}{}", "Y".repeat(5000)))
        .collect();
    std::fs::write(
        dir.path().join("odd.csv"),
        format!("{}\n1,2\n", header.join(",")),
    )
    .expect("write");
    let (code, json, _) = usage(dir.path(), &[], 60);
    assert_eq!(code, 0);
    let json = json.expect("json");
    let n = notes(&json, "unknown-usage-kind");
    let message = n[0]["message"].as_str().expect("message");
    assert!(message.chars().count() < 300, "{message}");
    assert!(message.ends_with("…)"), "{message}");
}

#[test]
fn defect7_many_distinct_application_names_are_not_quadratic() {
    // 100,000 distinct names: 80 s before the fix (release build; a linear search per name),
    // about 5 s of CPU after it in a debug build. The bound is the hang check.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from(HEADER);
    for n in 0..100_000 {
        text += &row(n, MAY, &format!("Distinct App {n:06}"), USER);
    }
    std::fs::write(dir.path().join("LoginHistory.csv"), text).expect("write");
    let started = std::time::Instant::now();
    let (code, json, _) = usage(dir.path(), &[], 60);
    assert_eq!(code, 0);
    assert_eq!(
        json.expect("json")["apps"].as_array().map(Vec::len),
        Some(100_000)
    );
    assert!(started.elapsed().as_secs() < 60);
}

#[test]
fn defect9_a_stray_quote_costs_one_row_and_fails_strict() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The first data row begins with a quote that never closes.
    let text = format!("{HEADER}\"{}", rows(0, 12));
    std::fs::write(dir.path().join("LoginHistory.csv"), text).expect("write");
    let (code, json, _) = usage(dir.path(), &[], 30);
    assert_eq!(code, 0);
    let json = json.expect("json");
    let n = notes(&json, "unreadable-row");
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(
        (n[0]["line"].as_u64(), n[0]["column"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(n[0]["level"], "error");
    let message = n[0]["message"].as_str().expect("message");
    assert!(message.contains("never closes"), "{message}");
    assert!(message.contains("reading resumes at line 3"), "{message}");
    let account = file_account(&json, "LoginHistory.csv");
    assert_eq!(account["rows_read"], 11);
    assert_eq!(account["rows_not_read"], 1);
    assert_eq!(total_logins(&json), 11);

    let (code, _, stderr) = usage(dir.path(), &["--strict"], 30);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("could not be read whole (--strict)"),
        "{stderr}"
    );
}

#[test]
fn defect9_a_quote_inside_an_unquoted_field_is_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!(
        "{HEADER}{}{}",
        row(0, MAY, "5\" Tablet App", USER),
        rows(1, 5)
    );
    std::fs::write(dir.path().join("LoginHistory.csv"), text).expect("write");
    let (code, json, _) = usage(dir.path(), &["--strict"], 30);
    assert_eq!(code, 0);
    let json = json.expect("json");
    assert_eq!(file_account(&json, "LoginHistory.csv")["rows_read"], 6);
    assert_eq!(total_logins(&json), 6);
    assert!(notes(&json, "unreadable-row").is_empty());
}

#[test]
fn defect9_a_row_dated_9999_never_becomes_the_as_of_date() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!(
        "{HEADER}{}{}",
        rows(0, 10),
        row(99, "9999-12-31T00:00:00.000Z", "Other App", USER)
    );
    std::fs::write(dir.path().join("LoginHistory.csv"), text).expect("write");
    let (code, json, _) = usage(dir.path(), &[], 30);
    assert_eq!(code, 0);
    let json = json.expect("json");
    assert_eq!(json["as_of"], MAY);
    let n = notes(&json, "implausible-time");
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(n[0]["line"], 12);
    assert_eq!(n[0]["level"], "warning");
    let account = file_account(&json, "LoginHistory.csv");
    assert_eq!(account["skipped"]["implausible-time"], 1);
    assert_eq!(account["first_skipped"][0]["line"], 12);
    assert_eq!(total_logins(&json), 10);
}

#[test]
fn defect9_the_same_export_twice_is_counted_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!("{HEADER}{}", rows(0, 25));
    std::fs::write(dir.path().join("LoginHistory.csv"), &text).expect("write");
    std::fs::write(dir.path().join("LoginHistory (copy).csv"), &text).expect("write");
    let (code, json, _) = usage(dir.path(), &[], 30);
    assert_eq!(code, 0);
    let json = json.expect("json");
    assert_eq!(total_logins(&json), 25);
    let n = notes(&json, "duplicate-export");
    assert_eq!(n.len(), 1, "{n:?}");
    let message = n[0]["message"].as_str().expect("message");
    assert!(n[0]["file"]
        .as_str()
        .is_some_and(|f| f.ends_with("LoginHistory.csv")));
    assert!(message.contains("LoginHistory (copy).csv"), "{message}");
    assert!(message.contains("25 record Ids"), "{message}");
    assert_eq!(json["coverage"]["sources"]["LoginHistory"]["rows"], 25);
}

#[test]
fn defect11_an_unquoted_16_mib_record_is_named_for_what_it_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = format!("{HEADER}{}", rows(0, 2));
    text += &"z".repeat(17 << 20);
    text += "\n";
    text += &rows(2, 3);
    std::fs::write(dir.path().join("LoginHistory.csv"), text).expect("write");
    let (code, json, _) = usage(dir.path(), &[], 60);
    assert_eq!(code, 0);
    let json = json.expect("json");
    let n = notes(&json, "unreadable-row");
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(n[0]["line"], 4);
    let message = n[0]["message"].as_str().expect("message");
    assert!(
        message.contains("longer than the 16 MiB limit"),
        "{message}"
    );
    assert!(!message.contains("quote"), "{message}");
    assert_eq!(file_account(&json, "LoginHistory.csv")["rows_read"], 5);
    let (code, _, _) = usage(dir.path(), &["--strict"], 60);
    assert_eq!(code, 2);
}

#[test]
fn defect11_leading_blank_lines_are_not_an_empty_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!("\n\r\n\n{HEADER}{}", rows(0, 4));
    std::fs::write(dir.path().join("LoginHistory.csv"), text).expect("write");
    let (code, json, _) = usage(dir.path(), &["--strict"], 30);
    assert_eq!(code, 0);
    let json = json.expect("json");
    assert_eq!(file_account(&json, "LoginHistory.csv")["rows_read"], 4);
    assert_eq!(total_logins(&json), 4);
}

#[test]
fn defect11_utf32_is_read_as_utf32() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!("{HEADER}{}", rows(0, 3));
    let mut bytes = vec![0xFF, 0xFE, 0, 0];
    bytes.extend(text.chars().flat_map(|c| u32::from(c).to_le_bytes()));
    std::fs::write(dir.path().join("LoginHistory.csv"), bytes).expect("write");
    let (code, json, _) = usage(dir.path(), &[], 30);
    assert_eq!(code, 0);
    let json = json.expect("json");
    assert_eq!(file_account(&json, "LoginHistory.csv")["rows_read"], 3);
    assert_eq!(total_logins(&json), 3);
}

#[test]
fn defect11_offsets_beyond_14_hours_and_short_user_ids_are_refused_with_their_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!(
        "{HEADER}{}{}{}",
        rows(0, 2),
        row(2, "2026-05-22T00:00:00.000+2400", "Fleet App", USER),
        row(3, MAY, "Fleet App", "005"),
    );
    std::fs::write(dir.path().join("LoginHistory.csv"), text).expect("write");
    let (code, json, _) = usage(dir.path(), &[], 30);
    assert_eq!(code, 0);
    let json = json.expect("json");
    let account = file_account(&json, "LoginHistory.csv");
    assert_eq!(account["skipped"]["bad-time"], 1);
    assert_eq!(account["skipped"]["bad-user-id"], 1);
    let skipped: Vec<(u64, &str)> = account["first_skipped"]
        .as_array()
        .expect("listed")
        .iter()
        .map(|s| {
            (
                s["line"].as_u64().expect("line"),
                s["reason"].as_str().expect("reason"),
            )
        })
        .collect();
    assert_eq!(skipped, [(4, "bad-time"), (5, "bad-user-id")]);
    assert_eq!(total_logins(&json), 2);
}

#[test]
fn defect9_overlapping_exports_count_shared_records_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    // January-to-March and February-to-April exports: rows 10..20 are in both.
    std::fs::write(
        dir.path().join("LoginHistory_a.csv"),
        format!("{HEADER}{}", rows(0, 20)),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("LoginHistory_b.csv"),
        format!("{HEADER}{}", rows(10, 20)),
    )
    .expect("write");
    let (code, json, _) = usage(dir.path(), &[], 30);
    assert_eq!(code, 0);
    let json = json.expect("json");
    assert_eq!(total_logins(&json), 30);
    let n = notes(&json, "duplicate-records");
    assert_eq!(n.len(), 1, "{n:?}");
    assert!(n[0]["file"]
        .as_str()
        .is_some_and(|f| f.ends_with("LoginHistory_b.csv")));
    let message = n[0]["message"].as_str().expect("message");
    assert!(message.starts_with("10 record Id(s)"), "{message}");
    assert!(message.contains("LoginHistory_a.csv"), "{message}");
    let b = file_account(&json, "LoginHistory_b.csv");
    assert_eq!(b["skipped"]["duplicate-record"], 10);
    assert_eq!(b["first_skipped"][0]["line"], 2);
}
