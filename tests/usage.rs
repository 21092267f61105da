//! Usage ingestion against fixtures: the same logins exported in every style give identical
//! per-app summaries; every skip reason and truncation warning is exercised; accounting balances.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ecaplan::ingest::{self, FileStatus, InputFile};
use ecaplan::model::usage::{self, Evidence, Flow, Installation};
use ecaplan::model::usage::{LoginStats, SkipReason, UsageData};
use ecaplan::model::{App, Distribution, Inventory, Origin};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/usage")
        .join(rel)
}

fn files(dirs: &[PathBuf]) -> Vec<InputFile> {
    let sources = ingest::discover(dirs).expect("fixtures exist");
    ingest::read_all(sources).usage_files
}

fn read(dirs: &[&str]) -> UsageData {
    let dirs: Vec<PathBuf> = dirs.iter().map(|d| fixture(d)).collect();
    let data = ecaplan::ingest::usage::read_usage(&files(&dirs));
    assert_balanced(&data);
    data
}

fn assert_balanced(data: &UsageData) {
    for a in &data.accounts {
        assert!(a.balances(), "accounting does not balance: {a:?}");
    }
}

fn logins_by_label(data: &UsageData) -> BTreeMap<String, LoginStats> {
    data.apps
        .values()
        .filter(|a| a.logins.logins > 0)
        .map(|a| (a.display().to_lowercase(), a.logins.clone()))
        .collect()
}

const STYLES: &[&str] = &[
    "styles/sf_cli_json",
    "styles/data_loader",
    "styles/workbench",
    "styles/setup_download",
    "styles/excel_semicolon",
    "styles/elf",
];

#[test]
fn same_logins_in_every_style_give_identical_summaries() {
    let base = read(&["styles/sf_cli_csv", "styles/common"]);
    let want = logins_by_label(&base);
    assert_eq!(want.len(), 7, "{:?}", want.keys());
    let dwh = &want["data warehouse loader"];
    let up = dwh.by_flow[&Flow::UsernamePassword];
    assert_eq!((up.logins, up.successes, up.failures), (2, 1, 1));
    assert_eq!(
        dwh.users.iter().collect::<Vec<_>>(),
        ["dwh.loader@acme.example"]
    );
    assert!(want["marketing spa"].by_flow.contains_key(&Flow::UserAgent));
    assert_eq!(want["erp sync"].networks["203.0.113.0/24"], 2);
    let shadow = &want["shadowsync"];
    assert_eq!(shadow.by_flow[&Flow::Refresh].logins, 1);
    assert_eq!(shadow.by_flow[&Flow::Unknown].failures, 1);
    for style in STYLES {
        let data = read(&[style, "styles/common"]);
        assert_eq!(logins_by_label(&data), want, "style {style}");
        assert_eq!(data.unattributed_logins.logins, 0, "style {style}");
        let skipped: u64 = data.accounts.iter().map(|a| a.rows_skipped).sum();
        assert_eq!(skipped, 1, "the UI login is skipped in {style}");
    }
}

#[test]
fn style_quirks_are_reported() {
    // Data Loader's Platform column holds a cp1252 byte, but no reader uses that column.
    let dl = read(&["styles/data_loader"]);
    assert_eq!(dl.accounts[0].cp1252_fields, 0);
    let users = read(&["other/User_cp1252.csv"]);
    assert_eq!(users.accounts[0].cp1252_fields, 1);
    assert!(users.notes.iter().any(|n| n.code == "cp1252-fallback"));
    let name = users.tables.users[0].name.as_deref();
    assert_eq!(name, Some("Jürgen Müller – ERP"));
    let setup = read(&["styles/setup_download"]);
    assert_eq!(setup.accounts[0].ambiguous_times, 11);
    assert!(setup.notes.iter().any(|n| n.code == "ambiguous-time"));
    let excel = read(&["styles/excel_semicolon"]);
    assert_eq!(excel.accounts[0].delimiter, Some(';'));
    let elf = read(&["styles/elf"]);
    let via_user: u64 = elf.apps.values().map(|a| a.logins_attributed_by_user).sum();
    assert_eq!(via_user, 10);
}

#[test]
fn as_of_is_the_newest_timestamp() {
    let data = read(&["styles/sf_cli_csv", "styles/common"]);
    let as_of = data.coverage.as_of.expect("as-of").iso();
    assert_eq!(
        as_of, "2026-10-09T10:00:00.000Z",
        "the skipped UI login does not count"
    );
    let floor = data.coverage.login_history_floor.expect("floor").iso();
    assert_eq!(floor, "2026-04-09T10:00:00.000Z");
    assert!(data.notes.iter().any(|n| n.code == "retention-limit"));
}

#[test]
fn every_skip_reason_is_counted_with_its_line() {
    for (file, reason, count) in [
        ("short_row.csv", SkipReason::ShortRow, 1),
        ("bad_time.csv", SkipReason::BadTime, 1),
        ("no_app.csv", SkipReason::NoApp, 2),
        ("other_event_type.csv", SkipReason::OtherEventType, 1),
        ("no_user.csv", SkipReason::NoUser, 1),
        ("missing_key.csv", SkipReason::MissingKey, 1),
    ] {
        let line = 3;
        let data = read(&[&format!("skips/{file}")]);
        let a = &data.accounts[0];
        assert_eq!(a.skipped.get(&reason), Some(&count), "{file}: {a:?}");
        assert_eq!(a.rows_skipped, count, "{file}");
        assert_eq!(a.first_skipped[0].line, line, "{file}");
        assert!(a.rows_used >= 1, "{file}");
    }
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecaplan-usage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write temp");
    path
}

fn generated(name: &str, header: &str, rows: usize, row: impl Fn(usize) -> String) -> UsageData {
    let mut text = format!("{header}\n");
    for i in 0..rows {
        text.push_str(&row(i));
        text.push('\n');
    }
    let path = temp_file(name, &text);
    let data = ecaplan::ingest::usage::read_usage(&files(&[path]));
    assert_balanced(&data);
    data
}

fn truncation_messages(data: &UsageData) -> Vec<&str> {
    data.notes
        .iter()
        .filter(|n| n.code == "truncated-export")
        .map(|n| n.message.as_str())
        .collect()
}

#[test]
fn truncation_warnings_at_each_cap() {
    let tokens = generated(
        "OauthToken.csv",
        "AppName,AppMenuItemId,UserId,CreatedDate,LastUsedDate,UseCount",
        2_500,
        |i| format!("ERP Sync,,0050000000{i:05},2026-01-01T00:00:00Z,2026-10-01T00:00:00Z,1"),
    );
    assert!(truncation_messages(&tokens)[0].contains("2500 rows"));
    assert!(tokens.coverage.truncated);
    let setup = generated(
        "Setup.csv",
        "Username,Login Time,Login Type,Status,Application",
        20_000,
        |i| format!("u{i}@x.example,10/1/2026 8:00 AM,Remote Access 2.0,Success,ERP Sync"),
    );
    assert!(truncation_messages(&setup)[0].contains("20000 rows"));
    let cli = generated(
        "LoginHistory.csv",
        "UserId,LoginTime,LoginType,LoginSubType,Application,Status",
        50_000,
        |i| {
            format!("0050000000{:05},2026-10-01T08:00:00.000+0000,Remote Access 2.0,OAuth Web Server,ERP Sync,Success", i % 100)
        },
    );
    assert!(truncation_messages(&cli)[0].contains("50000 rows"));
    let erp = cli.apps.values().next().expect("one app");
    assert_eq!(erp.logins.by_flow[&Flow::WebServer].logins, 50_000);
    assert_eq!(erp.logins.users.len(), 100);
    let json = read(&["other/oauth_token_incomplete.json"]);
    assert!(truncation_messages(&json)[0].contains("3100"));
    let fine = read(&["other/OauthToken.csv"]);
    assert!(truncation_messages(&fine).is_empty());
    assert!(!fine.coverage.truncated);
}

#[test]
fn unknown_kind_is_reported_not_guessed() {
    let data = read(&["other/unknown_kind.csv"]);
    assert!(
        matches!(&data.records[0].status, FileStatus::Ignored { reason } if reason.contains("no known usage export kind"))
    );
    assert!(data.notes.iter().any(|n| n.code == "unknown-usage-kind"));
    assert!(data.apps.is_empty());
}

#[test]
fn parallel_read_is_deterministic() {
    let dirs: Vec<PathBuf> = ["styles", "other"].iter().map(|d| fixture(d)).collect();
    let f = files(&dirs);
    let one = ecaplan::ingest::usage::read_usage_with(&f, 1);
    let two = ecaplan::ingest::usage::read_usage_with(&f, 2);
    assert_eq!(one, two);
    let json = |d: &UsageData| serde_json::to_string(d).expect("serializes");
    assert_eq!(json(&one), json(&two));
}

fn app(api_name: &str, label: &str, namespace: Option<&str>) -> App {
    App {
        api_name: api_name.into(),
        label: Some(label.into()),
        namespace: namespace.map(String::from),
        distribution: Distribution::Local,
        connected_app: None,
        eca: None,
        certificate: None,
        certificate_error: None,
        origin: Origin::Metadata,
        usage_key: None,
        distribution_reason: String::new(),
        facts_cache: Default::default(),
    }
}

fn inventory() -> Inventory {
    Inventory {
        apps: vec![
            app("Data_Warehouse_Loader", "Data Warehouse Loader", None),
            app("ERP_Sync", "ERP Sync", None),
            app("Marketing_SPA", "Marketing SPA", None),
            app("Old_Survey_Tool", "Old Survey Tool", None),
            app("Partner_Portal", "Partner Portal", None),
            app("Partner_Portal_Legacy", "Partner Portal", None),
        ],
        ..Inventory::default()
    }
}

#[test]
fn join_by_id_installation_unknown_apps_and_first_party() {
    let data = read(&["styles/elf", "styles/common", "other/OauthToken.csv"]);
    let j = usage::join(&inventory(), &data);
    let erp = &j.apps["ERP_Sync"];
    assert!(erp.matched_by.contains(&usage::MatchKey::Id));
    assert_eq!(erp.installation, Installation::Installed);
    assert_eq!(erp.evidence, Evidence::Full.min(erp.evidence));
    // The id resolves the look-alike label: Partner_Portal gets its usage, the legacy twin none.
    assert!(j.apps["Partner_Portal"].usage.is_some());
    assert!(j.apps["Partner_Portal"].look_alike);
    assert!(j.apps["Partner_Portal_Legacy"].usage.is_none());
    assert_eq!(j.look_alikes.len(), 1);
    let old = &j.apps["Old_Survey_Tool"];
    assert!(old.usage.is_none());
    assert_eq!(old.installation, Installation::Installed);
    let unknown: BTreeMap<&str, _> = j
        .unknown_apps
        .iter()
        .map(|u| (u.label.as_str(), u))
        .collect();
    let shadow = unknown["ShadowSync"];
    assert_eq!(shadow.installation, Installation::NotInstalled);
    assert!(shadow.first_party.is_none());
    assert_eq!(shadow.usage.tokens["shadow@acme.example"].use_count, 42);
    let cli = unknown["Salesforce CLI"];
    assert!(cli.first_party.as_ref().is_some_and(|f| f.trusted));
    let dl = unknown["Dataloader Partner"];
    let fp = dl.first_party.as_ref().expect("first party");
    assert!(fp
        .corroborated_by
        .contains(&"namespace:sf_com_apps".to_string()));
}

#[test]
fn look_alike_labels_are_never_merged() {
    let data = read(&["styles/sf_cli_csv"]);
    let j = usage::join(&inventory(), &data);
    let amb: Vec<_> = j.ambiguous.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(amb, ["Partner Portal"]);
    assert_eq!(j.ambiguous[0].candidates.len(), 2);
    assert!(j.apps["Partner_Portal"].usage.is_none());
    assert!(j.apps["Partner_Portal_Legacy"].usage.is_none());
    assert_eq!(j.apps["ERP_Sync"].matched_by.len(), 1);
    assert_eq!(j.apps["ERP_Sync"].evidence, Evidence::Partial);
}

/// The sample's Event Monitoring Login file of 2026-11-19 repeats logins the LoginHistory
/// export (2026-08-21 to 2026-11-20) holds: they are counted once, and a note says so.
#[test]
fn a_login_file_within_a_loginhistory_export_is_counted_once() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/northwind/usage");
    let data = ecaplan::ingest::usage::read_usage(&files(&[dir]));
    assert_balanced(&data);
    let note = data
        .notes
        .iter()
        .find(|n| n.code == "logins-counted-once")
        .expect("a note for the covered file");
    assert!(note.to_string().contains("2026-11-19_Login.csv"), "{note}");
    let dwl = logins_by_label(&data)
        .remove("data warehouse loader")
        .expect("Data Warehouse Loader");
    // 174 in LoginHistory (both exports); the ELF file's repeat is not added again.
    assert_eq!(dwl.logins, 174);
}

/// Usage data as JSON with the file names left out (a `.csv.gz` twin differs only in them).
fn without_names(data: &UsageData) -> String {
    let mut v = serde_json::to_value(data).expect("serializes");
    for a in v["accounts"].as_array_mut().expect("accounts") {
        a["file"] = serde_json::Value::Null;
        for s in a["first_skipped"].as_array_mut().expect("first_skipped") {
            s["file"] = serde_json::Value::Null;
        }
    }
    for n in v["notes"].as_array_mut().expect("notes") {
        n["file"] = serde_json::Value::Null;
    }
    v.to_string()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(bytes).expect("gzip");
    z.finish().expect("gzip")
}

#[test]
fn a_gzip_export_gives_the_summary_of_its_plain_twin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (plain, gz, misnamed) = (
        dir.path().join("plain"),
        dir.path().join("gz"),
        dir.path().join("misnamed"),
    );
    for d in [&plain, &gz, &misnamed] {
        std::fs::create_dir(d).expect("mkdir");
    }
    let src = fixture("styles/sf_cli_csv");
    for entry in std::fs::read_dir(&src).expect("fixture") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let bytes = std::fs::read(&path).expect("read");
        std::fs::write(plain.join(&name), &bytes).expect("write");
        std::fs::write(gz.join(format!("{name}.gz")), gzip(&bytes)).expect("write");
        // Gzip by content, whatever the name says.
        std::fs::write(misnamed.join(&name), gzip(&bytes)).expect("write");
    }
    let read_dir = |d: &Path| ecaplan::ingest::usage::read_usage(&files(&[d.to_path_buf()]));
    let want = read_dir(&plain);
    assert!(!want.apps.is_empty());
    assert_eq!(without_names(&read_dir(&gz)), without_names(&want));
    assert_eq!(without_names(&read_dir(&misnamed)), without_names(&want));
}

#[test]
fn a_truncated_gzip_export_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rows =
        String::from("Id,UserId,LoginTime,LoginType,LoginSubType,Application,Status,SourceIp\n");
    for i in 0..20_000 {
        rows += &format!(
            "0Ya{i:015},005000000000001AAA,2026-05-22T00:00:00.000Z,Remote Access 2.0,OAuth Refresh Token,Fleet App,Success,10.0.{}.1\n",
            i % 200
        );
    }
    let whole = gzip(rows.as_bytes());
    let path = dir.path().join("LoginHistory.csv.gz");
    std::fs::write(&path, &whole[..whole.len() / 2]).expect("write");
    let data = ecaplan::ingest::usage::read_usage(&files(&[dir.path().to_path_buf()]));
    assert!(
        matches!(&data.records[0].status, FileStatus::Unreadable { message, .. } if message.contains("gzip") && message.contains("truncated")),
        "{:?}",
        data.records[0].status
    );
    let note = data
        .notes
        .iter()
        .find(|n| n.code == "unreadable-file")
        .expect("a note");
    assert!(note.file.ends_with("LoginHistory.csv.gz"), "{}", note.file);
}
