//! Reading whole files: kinds, dialects, broken quoting, encodings, accounting.

use super::*;
use proptest::prelude::*;

thread_local! {
    /// (workers, chunk bytes) of the fast path for files read on this thread, instead of the
    /// size-based choice: tests split small files between workers.
    pub(super) static SPLIT: std::cell::Cell<Option<(usize, usize)>> =
        const { std::cell::Cell::new(None) };
}

/// `file` read with `workers` workers and chunks of `chunk` bytes, merged into usage data.
fn read_split(file: &InputFile, workers: usize, chunk: usize) -> crate::ingest::usage::UsageData {
    SPLIT.with(|s| s.set(Some((workers, chunk))));
    let out = read_file(file);
    SPLIT.with(|s| s.set(None));
    crate::ingest::usage::merge::merge(vec![out])
}

/// A LoginHistory export whose apps have many users and networks: `Wide` 3,000 networks
/// (estimated), `Edge` exactly the cap, `Over` one more than the cap, each half of them only in
/// the first half of the file (so a worker may see fewer than the cap and the merge spill),
/// `Narrow` two; users from a pool of 5,000 with times out of order.
fn high_cardinality() -> Vec<u8> {
    use crate::ingest::usage::nets::EXACT_CAP;
    let mut src =
        String::from("Id,UserId,LoginTime,LoginType,LoginSubType,Application,Status,SourceIp\n");
    let apps = [
        ("Wide", 3_000),
        ("Edge", EXACT_CAP),
        ("Over", EXACT_CAP + 1),
        ("Narrow", 2),
    ];
    let mut row = 0u64;
    for pass in 0..2 {
        for (app, nets) in apps {
            for n in 0..nets * 2 {
                // The first pass has the first half of the networks, the second all of them.
                let n = if pass == 0 {
                    n % nets.div_ceil(2)
                } else {
                    n % nets
                };
                let user = (row * 7_919) % 5_000;
                let (sec, ms) = ((row * 104_729) % 86_400, row % 1000);
                let (h, m, s) = (sec / 3600, sec / 60 % 60, sec % 60);
                src += &format!(
                    "0Ya{row:015},005{user:012}AAA,2026-05-22T{h:02}:{m:02}:{s:02}.{ms:03}Z,Remote Access 2.0,OAuth Refresh Token,{app},Success,10.{}.{}.7\n",
                    n / 256,
                    n % 256
                );
                row += 1;
            }
        }
    }
    src.into_bytes()
}

#[test]
fn workers_read_high_cardinality_as_the_sequential_reader() {
    let file = input(&high_cardinality());
    let one = read_split(&file, 1, 1 << 30);
    let json = |d: &crate::ingest::usage::UsageData| serde_json::to_string(d).expect("json");
    for (workers, chunk) in [(2, 64 * 1024), (3, 8 * 1024), (2, 1024 * 1024)] {
        let many = read_split(&file, workers, chunk);
        assert_eq!(one, many, "{workers} workers, chunks of {chunk}");
        assert_eq!(json(&one), json(&many));
    }
    let logins = |app: &str| {
        let key = format!("label:{}", app.to_lowercase());
        one.apps[&key].logins.clone()
    };
    let wide = logins("Wide");
    let (n, error) = wide.network_count();
    assert!(error.is_some() && wide.networks.is_empty());
    assert!((2_800..3_200).contains(&n), "{n}");
    let edge = logins("Edge");
    assert_eq!(edge.network_count(), (256, None));
    assert_eq!(edge.networks.values().sum::<u64>(), edge.logins);
    assert!(logins("Over").network_count().1.is_some());
    assert_eq!(logins("Narrow").network_count(), (2, None));
    assert_eq!(wide.users.len(), 5_000);
}

/// More users than the id table keeps in the caches, so that workers send most of them to
/// the worker that owns them (`exchange`): the result must still be the sequential reader's.
#[test]
fn workers_sharing_out_users_read_as_the_sequential_reader() {
    let mut src =
        String::from("Id,UserId,LoginTime,LoginType,LoginSubType,Application,Status,SourceIp\n");
    for row in 0..120_000u64 {
        let user = (row * 7_919) % 40_000;
        let app = ["Mobile", "Outlook", "Sync"][(row % 3) as usize];
        let (sec, ms) = ((row * 104_729) % 86_400, row % 1000);
        let (h, m, s) = (sec / 3600, sec / 60 % 60, sec % 60);
        src += &format!(
            "0Ya{row:015},005{user:012}AAA,2026-05-22T{h:02}:{m:02}:{s:02}.{ms:03}Z,Remote Access 2.0,OAuth Refresh Token,{app},Success,10.0.{}.7\n",
            row % 7
        );
    }
    let file = input(src.as_bytes());
    let one = read_split(&file, 1, 1 << 30);
    for (workers, chunk) in [(2, 64 * 1024), (3, 256 * 1024)] {
        let many = read_split(&file, workers, chunk);
        assert_eq!(one, many, "{workers} workers, chunks of {chunk}");
    }
    let users = |app: &str| one.apps[&format!("label:{app}")].logins.users.len();
    assert_eq!(
        (users("mobile"), users("outlook"), users("sync")),
        (40_000, 40_000, 40_000)
    );
}

/// A gzip export cut short: the complete records before the damage are counted, and the
/// error names the line where reading stopped, however the file was split between workers.
#[test]
fn a_truncated_gzip_export_is_reported_at_the_line_where_it_breaks() {
    use std::io::{Read, Write};
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(&login_history(20_000, false)).expect("gzip");
    let whole = z.finish().expect("gzip");
    let cut = &whole[..whole.len() * 3 / 5];
    // What a decoder gives before it fails: its complete lines are the header and the rows.
    let mut inflated = Vec::new();
    let mut decoder = flate2::read::GzDecoder::new(cut);
    let mut buf = [0u8; 4096];
    while let Ok(n @ 1..) = decoder.read(&mut buf) {
        inflated.extend_from_slice(&buf[..n]);
    }
    let lines = inflated.iter().filter(|&&b| b == b'\n').count() as u64;
    assert!(lines > 1_000 && lines < 19_000, "{lines}");
    let file = input(cut);
    for (workers, chunk) in [(1, 1 << 30), (2, 64 * 1024), (3, 8 * 1024)] {
        let data = read_split(&file, workers, chunk);
        let account = &data.accounts[0];
        assert_eq!(account.rows_read, lines - 1, "{workers} workers");
        let error = data.notes.iter().find(|n| n.code == "unreadable-file");
        let error = error.expect("the damage is reported");
        assert_eq!(error.line, Some(lines as u32 + 1), "{workers} workers");
        assert!(error.message.contains("damaged"), "{}", error.message);
    }
}

fn input(bytes: &[u8]) -> InputFile {
    InputFile::in_memory(
        "mem.csv".into(),
        "mem.csv".into(),
        Some("mem.csv".into()),
        bytes.to_vec(),
    )
}

fn users(out: &FileOutput) -> Vec<Option<String>> {
    let acc = out.acc.as_ref().expect("parsed");
    acc.tables.users.iter().map(|u| u.name.clone()).collect()
}

/// A LoginHistory export of `rows` rows; row 2 names an app with a stray quote.
fn login_history(rows: usize, stray: bool) -> Vec<u8> {
    let mut src =
        String::from("Id,UserId,LoginTime,LoginType,LoginSubType,Application,Status,SourceIp\n");
    for i in 0..rows {
        let app = if stray && i == 1 {
            "5\" Tablet App"
        } else {
            "Fleet App"
        };
        src += &format!(
            "0Ya{i:015},005000000000001AAA,2026-05-22T00:00:00.000Z,Remote Access 2.0,OAuth Refresh Token,{app},Success,10.0.0.1\n"
        );
    }
    src.into_bytes()
}

fn labels(out: &FileOutput) -> Vec<(String, u64)> {
    let acc = out.acc.as_ref().expect("parsed");
    let mut v: Vec<(String, u64)> = acc
        .apps
        .iter()
        .filter_map(|(k, a)| match k {
            crate::ingest::usage::acc::AppKey::Label(l) => Some((
                acc.strings.get(*l).to_string(),
                a.logins.flows.iter().map(|f| f[0]).sum(),
            )),
            crate::ingest::usage::acc::AppKey::Id(_) => None,
        })
        .collect();
    v.sort();
    v
}

#[test]
fn stray_quotes_are_read_as_a_csv_parser_reads_them() {
    // Small (one chunk) and past the chunk size (parity never evens out again).
    for rows in [10, 40_000] {
        let out = read_file(&input(&login_history(rows, true)));
        assert_eq!(out.account.rows_read, rows as u64, "{rows}");
        assert!(out.account.balances());
        assert_eq!(
            labels(&out),
            [
                ("5\" Tablet App".to_string(), 1),
                ("Fleet App".to_string(), rows as u64 - 1)
            ]
        );
        assert!(
            out.notes.iter().any(|n| n.code == "irregular-csv"),
            "{rows}"
        );
    }
    let clean = read_file(&input(&login_history(40_000, false)));
    assert!(clean.notes.iter().all(|n| n.code != "irregular-csv"));
    assert_eq!(clean.account.rows_read, 40_000);
}

#[test]
fn skipped_rows_after_blank_lines_name_their_own_line() {
    // Read record by record (stray quote); row 4 comes after a blank line and has no time.
    let mut src = login_history(1, false);
    src.extend_from_slice(b"0Yb,005000000000001AAA,2026-05-22T00:00:00.000Z,Remote Access 2.0,x,5\" App,Success,1\n\n");
    src.extend_from_slice(
        b"0Yc,005000000000001AAA,soon,Remote Access 2.0,x,App,Success,1\r\n\r\n\n",
    );
    src.extend_from_slice(b"0Yd,005000000000001AAA,never,Remote Access 2.0,x,App,Success,1\n");
    // A record longer than the bytes the guard keeps between records, after a blank line.
    src.extend_from_slice(b"\r\n0Ye,005000000000001AAA,never,Remote Access 2.0,x,App,Success,");
    src.extend(std::iter::repeat_n(b'z', 3 << 20));
    src.extend_from_slice(
        b"\r\n0Yf,005000000000001AAA,never,Remote Access 2.0,x,App,Success,1\r\n",
    );
    let out = read_file(&input(&src));
    let lines: Vec<u64> = out.account.first_skipped.iter().map(|s| s.line).collect();
    assert_eq!(lines, [5, 8, 10, 11]);
}

#[test]
fn skipped_rows_in_later_chunks_get_their_file_line() {
    let src = String::from_utf8(login_history(60_000, false)).expect("utf8");
    // Rows 100 and 59,000 (lines 102 and 59,002) lose their time; two chunks or more.
    let src = src
        .replacen(
            "0Ya000000000000100,005000000000001AAA,2026-05-22T00:00:00.000Z",
            "0Ya000000000000100,005000000000001AAA,never",
            1,
        )
        .replacen(
            "0Ya000000000059000,005000000000001AAA,2026-05-22T00:00:00.000Z",
            "0Ya000000000059000,005000000000001AAA,never",
            1,
        );
    assert!(src.len() > 4 * 1024 * 1024, "more than one chunk");
    let out = read_file(&input(src.as_bytes()));
    let lines: Vec<u64> = out.account.first_skipped.iter().map(|s| s.line).collect();
    assert_eq!(lines, [102, 59_002]);
}

#[test]
fn a_lone_carriage_return_past_the_head_is_a_line_end() {
    let mut src = login_history(2_000, false);
    let at = src.len() - 40;
    let cr = src[at..].iter().position(|&b| b == b',').expect("comma") + at;
    src[cr] = b'\r';
    let out = read_file(&input(&src));
    // The last row is cut in two by the CR: one row more, the second half skipped.
    assert_eq!(out.account.rows_read, 2_001);
    assert!(out.account.balances());
    assert!(out.notes.iter().any(|n| n.code == "irregular-csv"));
}

#[test]
fn a_quote_that_never_closes_is_reported_with_its_line() {
    let mut src = login_history(3, false);
    src.extend_from_slice(
        b"0Ya,005000000000001AAA,2026-05-22T00:00:00.000Z,Remote Access 2.0,x,\"open,Success,1\n",
    );
    src.extend(std::iter::repeat_n(b'x', 17 << 20));
    let out = read_file(&input(&src));
    // The rows before it are read; the quoted record and the 17 MiB line after it are
    // not, each reported at its own line.
    assert!(matches!(out.record.status, FileStatus::Parsed { .. }));
    assert_eq!(out.account.rows_read, 3);
    assert_eq!(out.account.rows_not_read, 2);
    let lost: Vec<(Option<u32>, Option<u32>, &str)> = out
        .notes
        .iter()
        .filter(|n| n.code == "unreadable-row")
        .map(|n| (n.line, n.column, n.message.as_str()))
        .collect();
    assert_eq!(lost.len(), 2, "{lost:?}");
    assert_eq!((lost[0].0, lost[0].1), (Some(5), Some(69)));
    assert!(lost[0].2.contains("runs past 16 MiB"), "{}", lost[0].2);
    assert_eq!((lost[1].0, lost[1].1), (Some(6), None));
    assert!(
        lost[1].2.contains("longer than the 16 MiB limit"),
        "{}",
        lost[1].2
    );
}

#[test]
fn a_stray_quote_costs_its_row_not_the_file() {
    // A quote at the start of the first data row that never closes, in a small export.
    let mut src = login_history(1, false);
    src.extend_from_slice(b"\"");
    src.extend_from_slice(&login_history(20, false)[71..]);
    let out = read_file(&input(&src));
    assert_eq!(out.account.rows_read, 20, "{:?}", out.notes);
    assert_eq!(out.account.rows_not_read, 1);
    let n = out
        .notes
        .iter()
        .find(|n| n.code == "unreadable-row")
        .expect("reported");
    assert_eq!((n.line, n.column), (Some(3), Some(1)));
    assert!(
        n.message.contains("reading resumes at line 4"),
        "{}",
        n.message
    );
}

#[test]
fn leading_blank_lines_and_utf32_are_read() {
    let mut src = b"\n\r\n\n".to_vec();
    src.extend_from_slice(&login_history(3, false));
    let out = read_file(&input(&src));
    assert_eq!(out.account.rows_read, 3);
    let text = "Id,Username,Name\n005000000000001,a@x,Åsa\n";
    let mut src = vec![0xFF, 0xFE, 0, 0];
    src.extend(text.chars().flat_map(|c| u32::from(c).to_le_bytes()));
    let out = read_file(&input(&src));
    assert_eq!(users(&out), [Some("Åsa".to_string())]);
}

#[test]
fn a_huge_header_is_refused_briefly() {
    let mut src = vec![b'X'; 1 << 20];
    src.extend_from_slice(b"\n1,2\n");
    let out = read_file(&input(&src));
    assert!(matches!(out.record.status, FileStatus::Ignored { .. }));
    let n = &out.notes[0];
    assert_eq!(n.line, Some(1));
    assert!(n.message.len() < 300, "{}", n.message);
    assert!(n.message.contains("longer than 64 KiB"), "{}", n.message);
}

#[test]
fn elf_triple_quotes_decode() {
    let src =
        b"\"ID\",\"USERNAME\",\"NAME\"\n\"005000000000001\",\"a@x\",\"\"\"quoted\"\" name\"\n";
    let out = read_file(&input(src));
    assert_eq!(users(&out), [Some("\"quoted\" name".to_string())]);
    assert_eq!(
        out.acc.expect("parsed").tables.users[0].id,
        "005000000000001AAA"
    );
}

#[test]
fn cr_only_and_quoted_newlines() {
    let src = b"Id,Username,Name\r005000000000001,a@x,\"two\rlines\"\r005000000000002,b@x,B\r";
    let out = read_file(&input(src));
    assert_eq!(out.account.rows_read, 2);
    assert_eq!(users(&out)[0].as_deref(), Some("two\nlines"));
}

#[test]
fn utf16_with_bom() {
    let text = "Id\tUsername\tName\r\n005000000000001\ta@x\tÅsa\r\n";
    let mut src = vec![0xFF, 0xFE];
    src.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let out = read_file(&input(&src));
    assert_eq!(out.account.delimiter, Some('\t'));
    assert_eq!(users(&out), [Some("Åsa".to_string())]);
}

#[test]
fn broken_json_is_unreadable_with_position() {
    let out = read_file(&input(b"{\n \"result\": [1,,2]}"));
    assert!(matches!(
        out.record.status,
        FileStatus::Unreadable {
            line: Some(2),
            column: Some(_),
            ..
        }
    ));
}

fn encode(field: &str, delim: char) -> String {
    if field.contains([delim, '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

const FUZZ_HEADERS: &[&str] = &[
    "Id,UserId,LoginTime,LoginType,LoginSubType,Application,Status,SourceIp",
    "\"ID\",\"USERID\",\"LOGINTIME\",\"LOGINTYPE\",\"APPLICATION\",\"STATUS\"",
    "Id;UserId;LoginTime;LoginType;LoginSubType;Application;Status;SourceIp",
    "Id,AppName,UserId,CreatedDate,LastUsedDate,UseCount,AppMenuItemId",
    "EVENT_TYPE,TIMESTAMP,USER_ID,CONNECTED_APP_ID,API_FAMILY,CLIENT_NAME",
    "Id,Username,Name",
    "Id,Name,CreatedDate",
    "Username,Login Time,Login Type,Application,Status",
    "",
    "x",
];

const FUZZ_TOKENS: &[&str] = &[
    "0Ya000000000000001",
    "0Ya000000000000001AAA",
    "005000000000001AAA",
    "005",
    "2026-05-22T00:00:00.000Z",
    "9999-12-31T23:59:59.999Z",
    "2026-05-22T00:00:00.000+2400",
    "20231218054831.655",
    "11/28/2026 9:05 AM",
    "Remote Access 2.0",
    "OAuth Refresh Token",
    "Fleet App",
    "Browser",
    "N/A",
    "Success",
    "10.0.0.1",
    "2001:db8::1",
    "\"",
    "\"\"",
    ",",
    ";",
    "\t",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\u{0}",
    "é",
    "\u{feff}",
    "{",
    "[",
];

/// Build one fuzz input from its parts.
fn fuzz_input(
    bom: usize,
    header: usize,
    pieces: &[(usize, Vec<u8>)],
    long: Option<(usize, usize)>,
) -> Vec<u8> {
    const BOMS: &[&[u8]] = &[
        b"",
        b"\xEF\xBB\xBF",
        b"\xFF\xFE",
        b"\xFE\xFF",
        b"\xFF\xFE\0\0",
        b"\0\0\xFE\xFF",
        b"\n\r\n",
    ];
    let mut src = BOMS[bom % BOMS.len()].to_vec();
    src.extend_from_slice(FUZZ_HEADERS[header % FUZZ_HEADERS.len()].as_bytes());
    src.push(b'\n');
    for (i, (token, bytes)) in pieces.iter().enumerate() {
        if let Some((at, len)) = long {
            if at % (pieces.len() + 1) == i {
                // A very long field (past the 64 KiB header limit at the top).
                src.extend(std::iter::repeat_n(b'a', len));
            }
        }
        match FUZZ_TOKENS.get(*token) {
            Some(t) => src.extend_from_slice(t.as_bytes()),
            None => src.extend_from_slice(bytes),
        }
    }
    src
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: crate::fuzz_cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Any bytes under any known header: no panic, the accounting balances, rows lost are
    /// fewer than the lines, and messages stay short.
    #[test]
    fn any_input_is_read_or_reported_never_a_panic(
        bom in 0usize..7,
        header in 0usize..10,
        pieces in prop::collection::vec(
            (0usize..(FUZZ_TOKENS.len() + 4), prop::collection::vec(any::<u8>(), 0..8)),
            0..120,
        ),
        long in prop::option::weighted(0.05, (0usize..200, 1usize..(80 * 1024))),
    ) {
        let src = fuzz_input(bom, header, &pieces, long);
        let out = read_file(&input(&src));
        prop_assert!(out.account.balances(), "{:?}", out.account);
        let lines = src.iter().filter(|&&b| b == b'\n' || b == b'\r').count() as u64 + 1;
        prop_assert!(out.account.rows_read + out.account.rows_not_read <= lines);
        for n in &out.notes {
            prop_assert!(n.message.chars().count() < 600, "{}", n.message);
        }
        // Two copies of one export are counted once; a third, cut short, overlaps them.
        let half = src[..src.len() / 2].to_vec();
        let data = crate::ingest::usage::read_usage_with(&[input(&src), input(&src), input(&half)], 1);
        for a in &data.accounts {
            prop_assert!(a.balances(), "{:?}", a);
        }
        let copies = usize::from(data.accounts[1].duplicate_of.is_some());
        let parsed = data.records[..2]
            .iter()
            .all(|r| matches!(r.status, FileStatus::Parsed { .. }));
        let want = usize::from(parsed && data.accounts[0].ids.count > 0);
        prop_assert_eq!(copies, want);
    }
}

proptest! {
    #[test]
    fn fields_and_records_survive_any_dialect(
        names in prop::collection::vec("x[a-z ,;|\"\n\t]{0,10}y", 0..20),
        delim in prop::sample::select(vec![',', ';', '\t', '|']),
        eol in prop::sample::select(vec!["\n", "\r\n", "\r"]),
        all_quoted in any::<bool>(),
    ) {
        let d = delim.to_string();
        let mut src = ["Id", "Username", "Name"].join(&d) + eol;
        for (i, n) in names.iter().enumerate() {
            let name = if all_quoted {
                format!("\"{}\"", n.replace('"', "\"\""))
            } else {
                encode(n, delim)
            };
            src += &format!("0050000000{i:05}{d}u{i}@x{d}{name}{eol}");
        }
        let out = read_file(&input(src.as_bytes()));
        prop_assert_eq!(out.account.rows_read, names.len() as u64);
        prop_assert!(out.account.balances());
        // Line endings inside quoted fields are normalised to LF.
        let want: Vec<Option<String>> = names
            .iter()
            .map(|n| Some(n.replace("\r\n", "\n").replace('\r', "\n").trim().to_string()))
            .collect();
        if names.is_empty() {
            prop_assert!(out.acc.is_some());
        } else {
            prop_assert_eq!(users(&out), want);
        }
    }
}
