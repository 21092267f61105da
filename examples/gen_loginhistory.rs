//! Generate a realistic LoginHistory export of N rows for the usage benchmark.
//!
//! `cargo run --release --example gen_loginhistory -- ROWS STYLE [APPS] [USERS] > file.csv`
//! STYLE is `sf-cli` (`sf data query -r csv`: minimal quoting, `+0000` datetimes) or
//! `dataloader` (Data Loader ≤ v60: ALL-CAPS headers, every field quoted, `Z` datetimes).
//! The same APPS and USERS at any ROWS give the same distinct keys, so memory can be compared
//! between sizes. Deterministic: a fixed-seed xorshift generator, no clock.
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

use std::io::{BufWriter, Write};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const SUBTYPES: &[(&str, &str, u64)] = &[
    ("Remote Access 2.0", "OAuth Refresh Token", 30),
    ("Remote Access 2.0", "OAuth Web Server", 18),
    ("Remote Access 2.0", "OAuth Client Credentials", 14),
    ("Remote Access 2.0", "OAuth Username-Password", 8),
    ("Remote Access 2.0", "OAuth User-Agent", 5),
    ("Remote Access 2.0", "", 10),
    ("Application", "", 8),
    ("SAML Sfdc Initiated SSO", "", 4),
    ("Other Apex API", "", 3),
];
const STATUS: &[(&str, u64)] = &[
    ("Success", 95),
    ("Invalid Password", 3),
    ("Failed: Invalid Nonce", 2),
];
const PLATFORMS: &[&str] = &["Unknown", "Windows 10", "Mac OSX", "Linux"];
const BROWSERS: &[&str] = &[
    "Unknown",
    "Chrome 131",
    "Firefox 133",
    "Java (Salesforce.com)",
];

fn pick<'a>(rng: &mut Rng, items: &'a [(&'a str, u64)]) -> &'a str {
    let total: u64 = items.iter().map(|i| i.1).sum();
    let mut r = rng.below(total);
    for (v, w) in items {
        if r < *w {
            return v;
        }
        r -= w;
    }
    items[0].0
}

fn id(prefix: &str, n: u64) -> String {
    // 3-char key prefix, 12 more characters, and the case-checksum suffix of an all-lower-case id.
    format!("{prefix}5g{n:010}AAA")
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let rows: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let style = args.get(2).map_or("sf-cli", |s| s.as_str());
    let apps: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(200);
    let users: u64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(5000);
    let dataloader = style == "dataloader";
    let out = std::io::stdout();
    let mut w = BufWriter::with_capacity(1 << 20, out.lock());
    let header = [
        "Id",
        "UserId",
        "LoginTime",
        "LoginType",
        "LoginSubType",
        "Application",
        "Status",
        "SourceIp",
        "Platform",
        "Browser",
        "ApiType",
        "ApiVersion",
        "LoginUrl",
        "CountryIso",
        "TlsProtocol",
    ];
    let header: Vec<String> = header
        .iter()
        .map(|h| {
            if dataloader {
                format!("\"{}\"", h.to_ascii_uppercase())
            } else {
                h.to_string()
            }
        })
        .collect();
    write!(w, "{}\r\n", header.join(","))?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start: i64 = 1_779_408_000; // 2026-05-22T00:00:00Z
    let span: i64 = 182 * 86_400;
    let subtype_weights: Vec<(usize, u64)> =
        SUBTYPES.iter().enumerate().map(|(i, s)| (i, s.2)).collect();
    let total_w: u64 = subtype_weights.iter().map(|s| s.1).sum();
    for n in 0..rows {
        // Rows come in time order, as exports sorted by LoginTime do.
        let t = start + (n as i64 * span) / rows.max(1) as i64;
        let (y, mo, d) = ecaplan::time::civil_from_days(t.div_euclid(86_400));
        let secs = t.rem_euclid(86_400);
        let ms = rng.below(1000);
        let time = if dataloader {
            format!(
                "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
                secs / 3600,
                secs / 60 % 60,
                secs % 60
            )
        } else {
            format!(
                "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}+0000",
                secs / 3600,
                secs / 60 % 60,
                secs % 60
            )
        };
        let mut r = rng.below(total_w);
        let mut k = 0;
        for (i, wgt) in &subtype_weights {
            if r < *wgt {
                k = *i;
                break;
            }
            r -= wgt;
        }
        let (login_type, sub_type, _) = SUBTYPES[k];
        // A skewed app distribution: a few busy integrations, a long tail.
        let a = (rng.below(apps) * rng.below(apps)) / apps.max(1);
        let app = if login_type == "Remote Access 2.0" {
            format!("Integration App {a:04}")
        } else if login_type == "Other Apex API" {
            "N/A".to_string()
        } else {
            "Browser".to_string()
        };
        // Each app has its own 25 users, so the set of (app, user) pairs is fixed and fully
        // seen after a few thousand rows: memory can then be compared between file sizes.
        let u = (a * 7919 + rng.below(25) * 104_729) % users.max(1);
        let status = pick(&mut rng, STATUS);
        // Each app calls from its own /24, as integrations do; the host part varies.
        let ip = format!(
            "{}.{}.{}.{}",
            [203, 198, 192, 10][(a % 4) as usize],
            a % 256,
            (a / 256) % 8,
            rng.below(256)
        );
        let api = if login_type == "Other Apex API" {
            ("SOAP Partner", "64.0")
        } else {
            ("N/A", "N/A")
        };
        let fields = [
            id("0Ya", n),
            id("005", u),
            time,
            login_type.to_string(),
            sub_type.to_string(),
            app,
            status.to_string(),
            ip,
            PLATFORMS[(u % 4) as usize].to_string(),
            BROWSERS[(u % 4) as usize].to_string(),
            api.0.to_string(),
            api.1.to_string(),
            "northwind.my.salesforce.com".to_string(),
            "US".to_string(),
            "TLS 1.3".to_string(),
        ];
        if dataloader {
            let quoted: Vec<String> = fields
                .iter()
                .map(|f| format!("\"{}\"", f.replace('"', "\"\"")))
                .collect();
            write!(w, "{}\r\n", quoted.join(","))?;
        } else {
            write!(w, "{}\r\n", fields.join(","))?;
        }
    }
    w.flush()
}
