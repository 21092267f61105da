//! The contract of [`read`]: records and line numbers against the `csv` crate.

use proptest::prelude::*;

use super::*;

type Rows = Vec<(u64, Vec<Vec<u8>>)>;

/// Keeps every record as (first line, fields).
struct Collect;

impl Visit for Collect {
    type Part = Rows;
    fn part(&self) -> Rows {
        Vec::new()
    }
    fn record(&self, part: &mut Rows, rec: &Record<'_>, line: u64) {
        let fields = (0..rec.len()).map(|i| rec.get(i).unwrap_or_default().to_vec());
        part.push((line, fields.collect()));
    }
    fn renumber(&self, part: &mut Rows, line: &dyn Fn(u64) -> u64) {
        for r in part {
            r.0 = line(r.0);
        }
    }
    fn merge(&self, parts: Vec<Rows>) -> Rows {
        let mut all = parts.concat();
        all.sort_by_key(|r| r.0);
        all
    }
}

/// How the fast path gets its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    /// Read through a buffer.
    Buffer,
    /// Mapped from a file holding a BOM and then the text.
    Map,
}

/// What [`read`] made of `src`: its data records (the first `need` fields of each), the rows
/// lost, and whether the fast path gave up.
fn through_read(
    src: &[u8],
    delim: u8,
    fields: Fields,
    workers: usize,
    chunk: usize,
) -> (Rows, Lost, bool) {
    through(src, delim, fields, (workers, chunk), Via::Buffer)
}

/// [`through_read`], the fast path's bytes coming `via` a buffer or a map.
fn through(
    src: &[u8],
    delim: u8,
    fields: Fields,
    (workers, chunk): (usize, usize),
    via: Via,
) -> (Rows, Lost, bool) {
    let options = Options {
        delimiter: delim,
        workers,
        chunk,
    };
    // The file starts with a BOM, which the text does not hold: the map starts after it.
    let mapped = (via == Via::Map).then(|| {
        let file = tempfile::tempfile().expect("temp file");
        let bytes = [&b"\xEF\xBB\xBF"[..], src].concat();
        std::io::Write::write_all(&mut &file, &bytes).expect("writes");
        MappedFile {
            file,
            start: 3,
            counter: None,
        }
    });
    let out = read(
        src,
        mapped,
        || Ok(src),
        options,
        |_| Some((Collect, fields)),
    );
    let Read::Records {
        part, lost, end, ..
    } = out.read
    else {
        return (Vec::new(), Lost::default(), out.irregular);
    };
    assert_eq!(end, Ok(()));
    let need = match fields {
        Fields::Leading(n) => n,
        Fields::All => usize::MAX,
    };
    let rows = part
        .into_iter()
        .map(|(line, f)| (line, f.into_iter().take(need).collect()))
        .collect();
    (rows, lost, out.irregular)
}

/// The data records of `src` (its first record is the header) through the `csv` crate, the
/// reference, with the line each starts at.
fn reference(src: &[u8], delim: u8, need: usize) -> Rows {
    let mut parser = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .from_reader(src);
    let mut out = Vec::new();
    let mut rec = ByteRecord::new();
    while parser.read_byte_record(&mut rec).expect("csv") {
        // The crate's positions are where it started reading, before the blank lines it
        // skipped: the record's own line is after them.
        let mut at = rec.position().map_or(0, |p| p.byte()) as usize;
        while matches!(src.get(at), Some(b'\n' | b'\r')) {
            at += 1;
        }
        let line = 1 + bytecount::count(&src[..at], b'\n') as u64;
        let fields = rec.iter().take(need).map(<[u8]>::to_vec).collect();
        out.push((line, fields));
    }
    out.into_iter().skip(1).collect()
}

/// Every line end made LF, as the record-by-record reader reads.
fn normalised(src: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut eol::NormalizeEol::new(src), &mut out).expect("reads");
    out
}

#[test]
fn headers_that_are_not_and_declined_files() {
    let opts = Options::new(b',', 1);
    let none = |_: &ByteRecord| None::<(Collect, Fields)>;
    assert!(matches!(
        read(&b"\n\r\n"[..], None, || Ok(&b""[..]), opts, none).read,
        Read::Empty
    ));
    let long = vec![b'x'; HEADER_LIMIT + 1];
    let got = read(&long[..], None, || Ok(&b""[..]), opts, none).read;
    assert!(matches!(got, Read::HeaderTooLong { line: 1 }));
    assert!(matches!(
        read(&b"a,b\n1,2\n"[..], None, || Ok(&b""[..]), opts, none).read,
        Read::Declined
    ));
}

#[test]
fn a_stray_quote_reads_the_file_again_record_by_record() {
    let src = b"h,i\n1,a\"b\n2,c\n";
    let (rows, lost, irregular) = through_read(src, b',', Fields::Leading(2), 2, 64);
    assert!(irregular);
    assert_eq!(lost.count, 0);
    assert_eq!(rows, reference(src, b',', 2));
}

#[test]
fn a_file_that_cannot_be_opened_again_is_unreadable() {
    let src = &b"h,i\n1,a\"b\n"[..];
    let gone = || {
        Err(Unreadable {
            line: None,
            message: "cannot open: gone".into(),
        })
    };
    let out = read(src, None, gone, Options::new(b',', 1), |_| {
        Some((Collect, Fields::Leading(2)))
    });
    assert!(out.irregular);
    assert!(matches!(
        out.read,
        Read::Unreadable(Unreadable { line: None, .. })
    ));
}

fn field() -> impl Strategy<Value = String> {
    prop::string::string_regex("[ab ,;\"\n\r]{0,6}|[a-z]{20,70}").expect("regex")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::fuzz_cases()))]
    /// Records and line numbers agree with the `csv` crate whatever the quoting, the fields
    /// read, the chunk size and the number of workers. Fields are written quoted when needed,
    /// always quoted, or raw (which makes malformed quoting too); long fields cross SIMD
    /// blocks and chunks. A file read record by record (a lone CR, a stray quote, every field
    /// wanted) agrees with the crate over its text with LF line ends, unless a quote spanning
    /// lines broke a record: that row is then reported, never silently dropped.
    #[test]
    fn agrees_with_the_csv_crate(
        rows in prop::collection::vec(prop::collection::vec(field(), 1..6), 0..8),
        style in 0..3u8,
        crlf in any::<bool>(),
        need in prop::option::weighted(0.8, 1..7usize),
        delim in prop::sample::select(vec![b',', b';']),
        workers in 1..3usize,
        chunk in prop::sample::select(vec![16usize, 64, 200, chunks::CHUNK]),
        via in prop::sample::select(vec![Via::Buffer, Via::Map]),
    ) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let d = char::from(delim).to_string();
        let mut src = ["h0", "h1", "h2"].join(&d) + eol;
        for row in &rows {
            let cells: Vec<String> = row.iter().map(|f| match style {
                1 if !f.contains(['"', char::from(delim), '\n', '\r']) => f.clone(),
                0 => f.clone(),
                _ => format!("\"{}\"", f.replace('"', "\"\"")),
            }).collect();
            src += &cells.join(&d);
            src += eol;
        }
        let src = src.as_bytes();
        let fields = need.map_or(Fields::All, Fields::Leading);
        let (got, lost, irregular) = through(src, delim, fields, (workers, chunk), via);
        let sequential = irregular || fields == Fields::All || eol::has_lone_cr(src);
        let want = if sequential {
            reference(&normalised(src), delim, need.unwrap_or(usize::MAX))
        } else {
            reference(src, delim, need.unwrap_or(usize::MAX))
        };
        if lost.count == 0 {
            prop_assert_eq!(got, want);
        } else {
            prop_assert!(sequential);
            let lines = bytecount::count(&normalised(src), b'\n') as u64;
            prop_assert!(got.len() as u64 + lost.count <= lines);
            prop_assert!(got.windows(2).all(|w| w[0].0 < w[1].0));
        }
    }
}
