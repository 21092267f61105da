//! What the human reports of `ecaplan plan samples/northwind` show beyond strategies and
//! findings (issue 15): the elements not carried over, the warnings and notes, the coupled
//! group, the owners and notes of ecaplan.toml, the freeze window and the input files are in
//! both report.md and report.html; the header's counts are the cards'; the spreadsheet CSVs
//! start with a byte-order mark; an unreadable input is listed with its line and column.

mod common;

use std::path::{Path, PathBuf};

use common::{ecaplan, fixture, plan_samples};

/// The plan folder of the samples (with `extra` arguments), kept alive by the guard.
fn planned(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let run = plan_samples(&out, extra);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    (tmp, out)
}

/// Text as report.html escapes it.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2F;")
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The samples' report.md and report.html.
fn reports() -> (tempfile::TempDir, String, String) {
    let (tmp, out) = planned(&[]);
    let md = read(&out, "report.md");
    let html = read(&out, "report.html");
    (tmp, md, html)
}

#[test]
fn not_carried_elements_are_in_both_reports_with_their_reason() {
    let (_tmp, md, html) = reports();
    assert!(md.contains("## Not carried over into the ECAs"), "{md}");
    assert!(md.contains("| Loyalty_Handler | 5 | plugin | LoyaltyConnectedAppPlugin implements"));
    assert!(md.contains("| Marketing_SPA | 5 | oauthConfig/consumerSecret | never written:"));
    assert!(html.contains("<h3 id=\"not-carried\">Not carried over into the ECAs</h3>"));
    // Page-wide, and in the app's own section.
    assert_eq!(html.matches("<tr class=\"not-carried\">").count(), 7);
    assert!(html.contains("<h4>Not carried over into the ECA</h4>"));
    assert!(html.contains("write and deploy it first"));
}

#[test]
fn warnings_and_notes_are_in_both_reports() {
    let (_tmp, md, html) = reports();
    for (code, text) in [
        ("ambiguous-time", "day/month order guessed"),
        (
            "eca-saml-encryption",
            "the service provider must accept AES_256",
        ),
        ("retention-limit", "LoginHistory keeps 6 months"),
        (
            "eca-name-check",
            "check that the migration created it under this name",
        ),
    ] {
        assert!(md.contains(code) && md.contains(text), "report.md: {code}");
        let html_has = html.contains(code) && html.contains(&esc(text));
        assert!(html_has, "report.html: {code}");
    }
    assert!(md.contains("## Warnings\n\n| Level | Code | Where | Message |"));
    assert!(md.contains(
        "| warning | ambiguous-time | samples/northwind/usage/LoginHistory_setup_download.csv |"
    ));
    assert_eq!(html.matches("<tr class=\"warning\">").count(), 3);
    // And in the section of the app they are about.
    let legacy = html
        .split("<h3>Legacy_Expenses_SSO")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .expect("Legacy_Expenses_SSO's section");
    assert!(legacy.contains("<h4>Warnings and notes</h4>"));
    assert!(legacy.contains("warning <code>eca-saml-encryption</code>"));
}

#[test]
fn coupled_groups_are_in_both_reports() {
    let (_tmp, md, html) = reports();
    assert!(md.contains(
        "| 1 | ERP_Sync (4), Warehouse_Events (4) | permission set ERP_Integration_Access; \
         run-as user erp.integration@northwind.example |"
    ));
    assert_eq!(html.matches("<tr class=\"coupled-group\">").count(), 1);
    assert!(html.contains("<li>permission set ERP_Integration_Access</li>"));
    assert!(html.contains("<li>run-as user erp.integration@northwind.example</li>"));
}

#[test]
fn owners_notes_and_freeze_windows_are_in_both_reports() {
    let (_tmp, md, html) = reports();
    let note = "Order sync every 5 minutes; no downtime during month-end close";
    assert!(md.contains(&format!(
        "| ERP_Sync | 4 | Finance IT (M. Okafor) | {note} |"
    )));
    assert!(html.contains(&format!(
        "<td>Finance IT (M. Okafor)</td><td>{}</td>",
        esc(note)
    )));
    let freeze = "January month-end close: no integration change while Finance closes the books";
    assert!(md.contains(&format!(
        "| 2027-01-27 | 2027-02-03 | {freeze} | every wave | 3 |"
    )));
    assert!(html.contains(&format!(
        "<tr><td>2027-01-27</td><td>2027-02-03</td><td>{}</td><td>every wave</td><td>3</td></tr>",
        esc(freeze)
    )));
    let monthly = "ERP_Sync, Finance_Close, every month (their runbooks say when)";
    assert!(md.contains(&format!("| {monthly} | none |")));
    assert!(html.contains(&format!("<td>{}</td><td>none</td></tr>", esc(monthly))));
}

/// The number after `· ` and before `label` in the header line.
fn header_count(line: &str, label: &str) -> usize {
    let before = line.split(label).next().expect("label");
    let n = before.rsplit(['·', '>']).next().expect("count").trim();
    n.parse().unwrap_or_else(|_| panic!("{n:?} in {line}"))
}

#[test]
fn the_header_counts_are_the_sum_of_the_cards() {
    let (_tmp, md, html) = reports();
    // report.md: the header and the severity table.
    let header = md.lines().nth(2).expect("header");
    let open = header_count(header, " open finding(s)");
    let table: usize = md
        .split("| Severity | Open findings |")
        .nth(1)
        .expect("severity table")
        .lines()
        .skip(2)
        .take(5)
        .map(|l| {
            let n = l.trim_end_matches(" |").rsplit("| ").next().expect("cell");
            n.parse::<usize>().expect("count")
        })
        .sum();
    assert_eq!(open, table, "{header}");
    assert!(md.contains(&format!("| open, all severities | {open} |")));
    assert!(header.contains("+ 1 accepted"), "{header}");
    // report.html: the header and the cards.
    let header = html
        .lines()
        .find(|l| l.contains(" open finding(s)"))
        .expect("html header");
    let html_open = header_count(header, " open finding(s)");
    assert_eq!(html_open, open);
    let cards: usize = html
        .lines()
        .filter(|l| l.starts_with("<div class=\"card\"><b>") && l.contains(" finding(s)</div>"))
        .map(|l| {
            let n = l["<div class=\"card\"><b>".len()..].split('<').next();
            n.expect("n").parse::<usize>().expect("count")
        })
        .sum();
    assert_eq!(html_open, cards, "{header}");
    // And with the accepted ones, all the findings of report.json.
    let (_tmp2, out) = planned(&[]);
    let json: serde_json::Value =
        serde_json::from_str(&read(&out, "report.json")).expect("report.json");
    let all = json["findings"].as_array().expect("findings").len();
    assert_eq!(all, open + 1);
}

#[test]
fn spreadsheet_csvs_start_with_a_byte_order_mark() {
    let (_tmp, out) = planned(&[]);
    for name in ["apps.csv", "findings.csv"] {
        let bytes = std::fs::read(out.join(name)).expect(name);
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{name}");
        assert!(!bytes[3..].starts_with(b"\xEF\xBB\xBF"), "{name}: one BOM");
    }
    for command in ["inventory", "usage"] {
        let run = ecaplan([command, "samples/northwind", "--format", "csv"]);
        assert!(run.status.success(), "{command}");
        assert!(
            run.stdout.starts_with(b"\xEF\xBB\xBFapi_name,"),
            "{command}"
        );
    }
}

#[test]
fn an_unreadable_input_is_listed_with_its_position_in_both_reports() {
    // Relative to the package root, where the binary runs: the report shows the path as given.
    assert!(fixture("malformed").is_dir());
    let (_tmp, out) = planned(&["tests/fixtures/malformed"]);
    let md = read(&out, "report.md");
    let html = read(&out, "report.html");
    let at = "tests/fixtures/malformed/Broken.connectedApp-meta.xml:6:61";
    assert!(md.contains("1 unreadable."), "{md}");
    let row = md.lines().find(|l| l.contains(at)).expect("unreadable row");
    assert!(row.contains("malformed XML"), "{row}");
    assert!(html.contains(&format!("<tr class=\"unreadable\"><td><code>{}", esc(at))));
    assert!(html.contains("1 unreadable.</p>"));
}

/// A sheet of the samples' workshop.xlsx, as rows of text (read back with calamine).
fn sheet_text(dir: &Path, name: &str) -> Vec<Vec<String>> {
    use calamine::{open_workbook, Reader, Xlsx};
    let mut book: Xlsx<_> = open_workbook(dir.join("workshop.xlsx")).expect("workbook");
    let range = book
        .worksheet_range(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[test]
fn the_workbook_lists_what_the_reports_list() {
    let (_tmp, out) = planned(&[]);
    let has = |sheet: &str, cells: &[&str]| {
        let rows = sheet_text(&out, sheet);
        assert!(
            rows.iter()
                .any(|r| cells.iter().all(|c| r.iter().any(|x| x.contains(c)))),
            "{sheet}: no row with {cells:?} in {rows:?}"
        );
    };
    has(
        "Not carried over",
        &["Loyalty_Handler", "plugin", "write and deploy it first"],
    );
    has(
        "Warnings and notes",
        &["ambiguous-time", "day/month order guessed"],
    );
    has("Coupled groups", &["ERP_Sync", "Warehouse_Events"]);
    has(
        "Owners and notes",
        &["ERP_Sync", "no downtime during month-end close"],
    );
    has(
        "Freeze windows",
        &["2027-01-27", "2027-02-03", "month-end close"],
    );
}

/// The waves table links each app to its section, and every section it links to exists.
#[test]
fn the_waves_table_links_every_app_to_its_section() {
    let (_tmp, _md, html) = reports();
    let start = html.find("<h2 id=\"waves\">").expect("waves heading");
    let table = &html[start..];
    let table = &table[..table.find("</table>").expect("waves table")];
    let plan: serde_json::Value =
        serde_json::from_str(&read(&planned(&[]).1, "plan.json")).expect("plan.json");
    let mut linked = 0;
    for wave in plan["waves"].as_array().expect("waves") {
        for app in wave["apps"].as_array().expect("apps") {
            let name = esc(app.as_str().unwrap_or_default());
            let at = table
                .find(&format!("\">{name}</a>"))
                .unwrap_or_else(|| panic!("{name}: not linked in the waves table"));
            let href = &table[..at];
            let anchor = &href[href.rfind("href=\"#").expect("href") + 7..];
            assert!(
                html.contains(&format!("id=\"{anchor}\"")),
                "{name}: #{anchor} has no section"
            );
            linked += 1;
        }
    }
    assert!(linked >= 30, "only {linked} apps linked");
}
