//! Generate a realistic LoginHistory export of N rows for the usage benchmark.
//!
//! `cargo run --release --example gen_loginhistory -- ROWS STYLE [APPS] [USERS] [--shape S] > file.csv`
//! STYLE is `sf-cli` (`sf data query -r csv`: minimal quoting, `+0000` datetimes) or
//! `dataloader` (Data Loader ≤ v60: ALL-CAPS headers, every field quoted, `Z` datetimes).
//! SHAPE is the cardinality of the data:
//! - `friendly` (default; output unchanged since the first benchmark): 25 users and one /24 per
//!   app, APPS (200) skewed apps over a pool of USERS (5,000);
//! - `high-cardinality`: APPS (405) apps, each seen from 5,000 users of an org-wide pool of
//!   USERS (100,000), about 2 million app–user pairs; source IPs anywhere in 10.0.0.0/8, so
//!   nearly every row is a new IP and each app sees thousands of /24s;
//! - `skewed` (realistic): 5 busy apps (mobile, Outlook) with 20,000 users each and IPs over a
//!   /8 take 60% of the rows; a long tail of APPS − 5 integrations has 1–8 users and one or two
//!   /24s each.
//!
//! The same APPS and USERS at any ROWS give the same distinct (app, user) pairs once ROWS is at
//! least their number (the first app rows enumerate every pair), so memory can be compared
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Friendly,
    HighCardinality,
    Skewed,
}

/// Apps of the busy head of the skewed shape, their users, their share of the app rows (%).
const SKEWED_HEAD: u64 = 5;
const SKEWED_HEAD_USERS: u64 = 20_000;
const SKEWED_HEAD_SHARE: u64 = 60;
/// Users per app of the high-cardinality shape.
const HIGH_CARD_USERS: u64 = 5_000;

/// The (app, user) pairs of a shape: how many users each app has; the n-th pair overall.
struct Pairs {
    /// Cumulative pair counts: app `a` owns pairs `start[a]..start[a + 1]`.
    start: Vec<u64>,
    /// Org-wide user pool.
    pool: u64,
    /// A stride coprime with the pair count: the first `total` app rows visit every pair once.
    stride: u64,
}

impl Pairs {
    fn new(shape: Shape, apps: u64, pool: u64) -> Pairs {
        let mut start = vec![0];
        for a in 0..apps {
            let n = match shape {
                Shape::HighCardinality => HIGH_CARD_USERS.min(pool),
                _ if a < SKEWED_HEAD => SKEWED_HEAD_USERS.min(pool),
                // The tail: 1 to 8 users each.
                _ => 1 + ((a * 2_654_435_761) >> 7) % 8,
            };
            start.push(start[a as usize] + n);
        }
        let total = start[apps as usize].max(1);
        let gcd = |mut a: u64, mut b: u64| {
            while b != 0 {
                (a, b) = (b, a % b);
            }
            a
        };
        let mut stride = 1_000_003 % total.max(2);
        while gcd(stride, total) != 1 {
            stride += 1;
        }
        Pairs {
            start,
            pool,
            stride,
        }
    }

    fn total(&self) -> u64 {
        *self.start.last().unwrap_or(&0)
    }

    /// The app and pool user of pair `p`.
    fn pair(&self, p: u64) -> (u64, u64) {
        let a = self.start.partition_point(|&s| s <= p) as u64 - 1;
        let k = p - self.start[a as usize];
        // Distinct users per app (104,729 is prime, so k ↦ k·104,729 mod pool is one-to-one when
        // the pool is not a multiple of it); apps overlap in the pool as an org's apps do.
        (a, (a * 7919 + k * 104_729) % self.pool.max(1))
    }

    /// The pair of the `i`-th app row: every pair once first, then drawn at random (the skewed
    /// shape sends most rows to its head).
    fn of_row(&self, shape: Shape, i: u64, rng: &mut Rng) -> (u64, u64) {
        let total = self.total().max(1);
        if i < total {
            return self.pair(i * self.stride % total);
        }
        let apps = self.start.len() as u64 - 1;
        if shape == Shape::Skewed && apps > SKEWED_HEAD {
            let a = if rng.below(100) < SKEWED_HEAD_SHARE {
                rng.below(SKEWED_HEAD)
            } else {
                SKEWED_HEAD + rng.below(apps - SKEWED_HEAD)
            };
            let (s, e) = (self.start[a as usize], self.start[a as usize + 1]);
            return self.pair(s + rng.below(e - s));
        }
        self.pair(rng.below(total))
    }

    /// A source IP of app `a`: anywhere in 10.0.0.0/8 for the high-cardinality shape and the
    /// skewed head; one or two /24s of its own for the skewed tail.
    fn ip(&self, shape: Shape, a: u64, rng: &mut Rng) -> String {
        if shape == Shape::HighCardinality || a < SKEWED_HEAD {
            let r = rng.next();
            return format!(
                "10.{}.{}.{}",
                (r >> 8) & 255,
                (r >> 16) & 255,
                (r >> 24) & 255
            );
        }
        let second = u64::from(rng.below(4) == 0);
        format!("198.{}.{}.{}", 51 + second, a % 256, rng.below(256))
    }
}

fn main() -> std::io::Result<()> {
    let mut args: Vec<String> = std::env::args().collect();
    let mut shape = Shape::Friendly;
    if let Some(i) = args.iter().position(|a| a == "--shape") {
        shape = match args.get(i + 1).map(String::as_str) {
            Some("friendly") => Shape::Friendly,
            Some("high-cardinality") => Shape::HighCardinality,
            Some("skewed") => Shape::Skewed,
            other => {
                eprintln!("--shape friendly|high-cardinality|skewed, not {other:?}");
                std::process::exit(2);
            }
        };
        args.drain(i..(i + 2).min(args.len()));
    }
    let rows: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let style = args.get(2).map_or("sf-cli", |s| s.as_str());
    let (apps_default, users_default) = match shape {
        Shape::Friendly => (200, 5000),
        _ => (405, 100_000),
    };
    let apps: u64 = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(apps_default);
    let users: u64 = args
        .get(4)
        .and_then(|s| s.parse().ok())
        .unwrap_or(users_default);
    let pairs = (shape != Shape::Friendly).then(|| Pairs::new(shape, apps.max(1), users));
    let mut app_rows = 0u64;
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
        let mut a = (rng.below(apps) * rng.below(apps)) / apps.max(1);
        let mut pair_user = None;
        if let (Some(p), "Remote Access 2.0") = (&pairs, login_type) {
            (a, pair_user) = {
                let (a, u) = p.of_row(shape, app_rows, &mut rng);
                (a, Some(u))
            };
            app_rows += 1;
        }
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
        let u = pair_user.unwrap_or(u);
        let status = pick(&mut rng, STATUS);
        // Each app calls from its own /24, as integrations do; the host part varies.
        let ip = match (&pairs, pair_user) {
            (Some(p), Some(_)) => p.ip(shape, a, &mut rng),
            _ => format!(
                "{}.{}.{}.{}",
                [203, 198, 192, 10][(a % 4) as usize],
                a % 256,
                (a / 256) % 8,
                rng.below(256)
            ),
        };
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
