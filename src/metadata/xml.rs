//! A small element tree built from quick-xml's streaming reader.
//!
//! Salesforce metadata files are small (kilobytes), so a tree is the simplest shape to map into
//! typed records while keeping every element's line and column for evidence and diagnostics.
//! The parser is defensive: no DTD, no entity expansion beyond the five predefined ones and
//! character references, a depth limit and a size limit.

pub use crate::diag::Pos;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// Largest metadata file we read; retrieved metadata files are far below this.
pub const MAX_XML_BYTES: usize = 16 * 1024 * 1024;
/// Deepest element nesting we accept; real metadata nests four levels at most.
pub const MAX_DEPTH: usize = 64;

/// One element: its local name, trimmed text, children and where its start tag begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Local name without namespace prefix.
    pub name: String,
    /// Concatenated text and CDATA content, trimmed of surrounding white space.
    pub text: String,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// Position of the `<` of the start tag.
    pub pos: Pos,
}

impl Element {
    /// The first child with this name.
    #[cfg(test)]
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children with this name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
}

/// Why a document could not be read, with the position of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    /// Where the problem is.
    pub pos: Pos,
    /// What is wrong, in words.
    pub message: String,
}

/// Maps byte offsets to line and column, computed once per document.
///
/// Columns count characters, so a column needs the characters between the line start and the
/// offset. Counting them afresh for every element made a minified (one-line) file quadratic:
/// 15 MB took minutes. The index remembers the last position it computed and counts on from
/// there when the next offset is further along the same line, which the parser's offsets are
/// (they only grow): every byte is counted once.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// The last position computed: (byte offset, 0-based line index, 0-based column).
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> LineIndex<'a> {
    /// Index the line starts of `text` (LF, CRLF and lone CR all end a line).
    pub fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex {
            text,
            starts,
            last: std::cell::Cell::new((0, 0, 0)),
        }
    }

    /// The position of byte `offset`.
    pub fn pos(&self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1) - 1;
        let start = self.starts[line];
        let (last_offset, last_line, last_col) = self.last.get();
        // Count on from the last position when it is on this line and not beyond `offset`;
        // else from the line start. An offset inside a character (never from the parser)
        // counts bytes from the line start, and is not remembered.
        let resumed = (last_line == line && last_offset >= start && last_offset <= offset)
            .then(|| self.text.get(last_offset..offset))
            .flatten()
            .map(|s| last_col + s.chars().count());
        let col = resumed.unwrap_or_else(|| {
            self.text
                .get(start..offset)
                .map_or(offset - start, |s| s.chars().count())
        });
        if self.text.is_char_boundary(offset) {
            self.last.set((offset, line, col));
        }
        Pos {
            line: (line + 1) as u32,
            col: col as u32 + 1,
        }
    }
}

/// Decode raw bytes as UTF-8 (dropping a BOM); invalid bytes are an error at their position.
pub fn decode_utf8(bytes: &[u8]) -> Result<&str, XmlError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(encoding) = other_encoding(bytes) {
        return Err(XmlError {
            pos: Pos { line: 1, col: 1 },
            message: format!("{encoding} is not supported; save the file as UTF-8"),
        });
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        // The valid prefix is UTF-8 by definition, so this cannot fail.
        let prefix = std::str::from_utf8(valid).unwrap_or_default();
        let pos = LineIndex::new(prefix).pos(prefix.len());
        XmlError {
            pos,
            message: format!("invalid UTF-8 byte 0x{:02X}", bytes[e.valid_up_to()]),
        }
    })
}

/// The encoding a UTF-16 or UTF-32 document announces by its byte-order mark, or, without
/// one, by how `<` (and `<?`) are spelled in its first four bytes (XML 1.0 appendix F). UTF-32
/// is tested first: its little-endian mark begins with the UTF-16 one.
fn other_encoding(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"\xFF\xFE\x00\x00", "UTF-32 (little endian)"),
        (b"\x00\x00\xFE\xFF", "UTF-32 (big endian)"),
        (b"\xFF\xFE", "UTF-16 (little endian)"),
        (b"\xFE\xFF", "UTF-16 (big endian)"),
        (
            b"<\x00\x00\x00",
            "UTF-32 (little endian, without a byte-order mark)",
        ),
        (
            b"\x00\x00\x00<",
            "UTF-32 (big endian, without a byte-order mark)",
        ),
        (
            b"<\x00?\x00",
            "UTF-16 (little endian, without a byte-order mark)",
        ),
        (
            b"\x00<\x00?",
            "UTF-16 (big endian, without a byte-order mark)",
        ),
    ];
    SIGNATURES
        .iter()
        .find(|(sig, _)| bytes.starts_with(sig))
        .map(|(_, name)| *name)
}

/// Parse a whole document and return its root element.
pub fn parse(text: &str) -> Result<Element, XmlError> {
    let mut tree = Builder {
        text,
        index: LineIndex::new(text),
        stack: Vec::new(),
        root: None,
    };
    if text.len() > MAX_XML_BYTES {
        return Err(tree.err(0, format!("file is larger than {MAX_XML_BYTES} bytes")));
    }
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.expand_empty_elements = false;
    loop {
        let before = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| tree.err(reader.error_position(), format!("malformed XML: {e}")))?;
        if matches!(event, Event::Eof) {
            break;
        }
        tree.event(event, before)?;
    }
    if let Some(open) = tree.stack.last() {
        return Err(XmlError {
            pos: open.pos,
            message: format!("element <{}> is never closed", open.name),
        });
    }
    let no_root = tree.err(0, "no root element".into());
    tree.root.ok_or(no_root)
}

/// The tree under construction: open elements on a stack, the root once it closes.
struct Builder<'a> {
    text: &'a str,
    index: LineIndex<'a>,
    stack: Vec<Element>,
    root: Option<Element>,
}

impl Builder<'_> {
    fn err(&self, offset: u64, message: String) -> XmlError {
        XmlError {
            pos: self.index.pos(offset as usize),
            message,
        }
    }

    /// Where the tag read from byte `before` starts.
    fn tag_pos(&self, before: u64) -> Pos {
        self.index.pos(tag_offset(self.text, before))
    }

    /// Add one event (read from byte `before`) to the tree.
    fn event(&mut self, event: Event<'_>, before: u64) -> Result<(), XmlError> {
        match event {
            Event::Start(_) | Event::Empty(_) if self.root.is_some() => {
                return Err(self.err(before, "content after the root element".into()));
            }
            Event::Start(start) => {
                if self.stack.len() >= MAX_DEPTH {
                    let message = format!("elements nested deeper than {MAX_DEPTH}");
                    return Err(self.err(before, message));
                }
                let el = new_element(&start, self.tag_pos(before));
                self.stack.push(el);
            }
            Event::Empty(start) => {
                let el = new_element(&start, self.tag_pos(before));
                attach(&mut self.stack, &mut self.root, el);
            }
            Event::End(_) => {
                let Some(mut el) = self.stack.pop() else {
                    return Err(self.err(before, "unexpected end tag".into()));
                };
                el.text = el.text.trim().to_string();
                attach(&mut self.stack, &mut self.root, el);
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                match self.stack.last_mut() {
                    Some(el) => el.text.push_str(&content),
                    None if content.trim().is_empty() => {}
                    None => return Err(self.err(before, "text outside the root element".into())),
                }
            }
            Event::CData(c) => {
                if let Some(el) = self.stack.last_mut() {
                    el.text.push_str(&c.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                let Some(resolved) = resolve_ref(&r) else {
                    return Err(self.err(before, format!("unknown entity &{};", &*r)));
                };
                if let Some(el) = self.stack.last_mut() {
                    el.text.push(resolved);
                }
            }
            Event::DocType(_) => {
                let message = "DOCTYPE declarations are not allowed in metadata".into();
                return Err(self.err(before, message));
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::Eof => {}
        }
        Ok(())
    }
}

fn new_element(start: &BytesStart<'_>, pos: Pos) -> Element {
    let name = start.local_name().as_ref().to_string();
    Element {
        name,
        text: String::new(),
        children: Vec::new(),
        pos,
    }
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, el: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}

/// `buffer_position` before a start event points at the preceding text; skip to the `<`.
fn tag_offset(text: &str, from: u64) -> usize {
    let from = from as usize;
    text.get(from..)
        .and_then(|rest| rest.find('<'))
        .map_or(from, |i| from + i)
}

fn resolve_ref(r: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    if r.is_char_ref() {
        return r.resolve_char_ref().ok().flatten();
    }
    let name: &str = r;
    let s = quick_xml::escape::resolve_predefined_entity(name)?;
    s.chars().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(xml: &str) -> Element {
        parse(xml).expect("parses")
    }

    #[test]
    fn reads_nested_text_and_positions() {
        let el = root(
            "<?xml version=\"1.0\"?>\n<A xmlns=\"x\">\n  <b>one</b>\n  <c><d> two </d></c>\n</A>\n",
        );
        assert_eq!(el.name, "A");
        assert_eq!(el.child("b").map(|b| b.text.as_str()), Some("one"));
        let d = &el.child("c").expect("c").children[0];
        assert_eq!(d.text, "two");
        assert_eq!(d.pos, Pos { line: 4, col: 6 });
    }

    #[test]
    fn prettier_split_tags_and_comments() {
        let el = root("<A\n  xmlns=\"x\"\n>\n<!-- note -->\n<label\n    >My App</label\n>\n</A>");
        assert_eq!(el.child("label").map(|l| l.text.as_str()), Some("My App"));
    }

    #[test]
    fn bom_and_crlf() {
        let bytes = b"\xEF\xBB\xBF<A>\r\n<b>x\r\ny</b>\r\n</A>\r\n";
        let text = decode_utf8(bytes).expect("utf8");
        let el = root(text);
        assert_eq!(el.child("b").map(|b| b.text.as_str()), Some("x\ny"));
        assert_eq!(el.child("b").map(|b| b.pos.line), Some(2));
    }

    #[test]
    fn entities_and_cdata() {
        let el = root("<A><b>a &amp; b &#65;</b><c><![CDATA[<x>]]></c></A>");
        assert_eq!(el.child("b").map(|b| b.text.as_str()), Some("a & b A"));
        assert_eq!(el.child("c").map(|b| b.text.as_str()), Some("<x>"));
    }

    #[test]
    fn malformed_reports_position() {
        let e = parse("<A>\n  <b>x</c>\n</A>").expect_err("mismatch");
        assert_eq!(e.pos.line, 2, "{e:?}");
        let e = parse("<A>\n<b>\n").expect_err("unclosed");
        assert!(
            e.message.contains("never closed") || e.message.contains("malformed"),
            "{e:?}"
        );
    }

    #[test]
    fn doctype_rejected() {
        let e = parse("<!DOCTYPE A [<!ENTITY x \"y\">]><A>&x;</A>").expect_err("doctype");
        assert!(e.message.contains("DOCTYPE"));
    }

    #[test]
    fn utf16_and_utf32_are_named_as_such() {
        let msg = |b: &[u8]| decode_utf8(b).expect_err("refused").message;
        assert!(msg(b"\xFF\xFE<\x00A\x00").starts_with("UTF-16 (little endian)"));
        assert!(msg(b"\xFE\xFF\x00<\x00A").starts_with("UTF-16 (big endian)"));
        assert!(msg(b"\xFF\xFE\x00\x00<\x00\x00\x00").starts_with("UTF-32 (little endian)"));
        assert!(msg(b"\x00\x00\xFE\xFF\x00\x00\x00<").starts_with("UTF-32 (big endian)"));
        assert!(msg(b"<\x00?\x00x\x00m\x00").contains("UTF-16 (little endian, without"));
        assert!(msg(b"\x00\x00\x00<\x00\x00\x00A").contains("UTF-32 (big endian, without"));
        assert!(decode_utf8(b"\xEF\xBB\xBF<A/>").is_ok());
    }

    #[test]
    fn invalid_utf8_position() {
        let e = decode_utf8(b"<A>\n<b>\xFF</b></A>").expect_err("bad");
        assert_eq!(e.pos, Pos { line: 2, col: 4 });
    }

    #[test]
    fn positions_on_one_line_and_many_lines() {
        // One line: columns count characters (é is two bytes), in any order of asking.
        let one = "<A><b>é</b><c>x</c><d/></A>";
        let el = root(one);
        assert_eq!(el.pos, Pos { line: 1, col: 1 });
        assert_eq!(el.child("b").map(|e| e.pos), Some(Pos { line: 1, col: 4 }));
        assert_eq!(el.child("c").map(|e| e.pos), Some(Pos { line: 1, col: 12 }));
        assert_eq!(el.child("d").map(|e| e.pos), Some(Pos { line: 1, col: 20 }));
        let index = LineIndex::new(one);
        let d = one.find("<d").expect("d");
        let b = one.find("<b").expect("b");
        assert_eq!(index.pos(d), Pos { line: 1, col: 20 });
        assert_eq!(
            index.pos(b),
            Pos { line: 1, col: 4 },
            "backwards after forwards"
        );
        assert_eq!(index.pos(d), Pos { line: 1, col: 20 });
        // Many lines, LF, CRLF and lone CR, with a multi-byte character before the element.
        let many = "<A>\n  <b>x</b>\r\n\u{e9}<c/>\r<d/></A>";
        let el = root(many);
        assert_eq!(el.child("b").map(|e| e.pos), Some(Pos { line: 2, col: 3 }));
        assert_eq!(el.child("c").map(|e| e.pos), Some(Pos { line: 3, col: 2 }));
        assert_eq!(el.child("d").map(|e| e.pos), Some(Pos { line: 4, col: 1 }));
        // An error on a long single line names the column of the problem.
        let long = format!("<A>{}<b>x</c></A>", "<k>v</k>".repeat(1000));
        let e = parse(&long).expect_err("mismatch");
        assert_eq!(e.pos.line, 1);
        assert!(e.pos.col > 8000, "{e:?}");
    }

    #[test]
    fn a_long_minified_document_parses_in_linear_time() {
        // 4 MB on one line, 200,000 elements: quadratic column counting took minutes.
        let body = "<scopes>Api</scopes>".repeat(200_000);
        let xml =
            format!("<ConnectedApp xmlns=\"x\"><oauthConfig>{body}</oauthConfig></ConnectedApp>");
        let started = std::time::Instant::now();
        let el = root(&xml);
        assert_eq!(el.children[0].children.len(), 200_000);
        let last = el.children[0].children.last().expect("last");
        assert_eq!(
            last.pos.col as usize,
            xml.len() - "<scopes>Api</scopes></oauthConfig></ConnectedApp>".len() + 1
        );
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    }

    #[test]
    fn depth_limit() {
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(parse(&deep).is_err());
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    struct Node {
        name: String,
        text: String,
        children: Vec<Node>,
    }

    fn node() -> impl Strategy<Value = Node> {
        let leaf = ("[a-zA-Z][a-zA-Z0-9]{0,8}", "[ -~]{0,12}").prop_map(|(name, text)| Node {
            name,
            text: text.trim().to_string(),
            children: vec![],
        });
        leaf.prop_recursive(4, 24, 4, |inner| {
            (
                "[a-zA-Z][a-zA-Z0-9]{0,8}",
                prop::collection::vec(inner, 1..4),
            )
                .prop_map(|(name, children)| Node {
                    name,
                    text: String::new(),
                    children,
                })
        })
    }

    fn escape(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }

    /// Serialise with the formatting variations real files have: CRLF or LF, comments,
    /// prettier-style split start and end tags.
    fn write(n: &Node, crlf: bool, pretty: bool, out: &mut String) {
        let nl = if crlf { "\r\n" } else { "\n" };
        if pretty {
            out.push_str(&format!("<{}{nl}    >", n.name));
        } else {
            out.push_str(&format!("<{}>", n.name));
        }
        out.push_str(&escape(&n.text));
        for c in &n.children {
            out.push_str(nl);
            out.push_str("<!-- c -->");
            write(c, crlf, pretty, out);
        }
        if pretty {
            out.push_str(&format!("</{}{nl}>", n.name));
        } else {
            out.push_str(&format!("</{}>", n.name));
        }
    }

    fn same(n: &Node, e: &Element) -> bool {
        n.name == e.name
            && n.text == e.text
            && n.children.len() == e.children.len()
            && n.children.iter().zip(&e.children).all(|(a, b)| same(a, b))
    }

    proptest! {
        #[test]
        fn never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            if let Ok(text) = decode_utf8(&bytes) {
                let _ = parse(text);
            }
        }

        #[test]
        fn round_trips(tree in node(), crlf in any::<bool>(), pretty in any::<bool>(), bom in any::<bool>()) {
            let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            write(&tree, crlf, pretty, &mut xml);
            let bytes = if bom { [b"\xEF\xBB\xBF".as_slice(), xml.as_bytes()].concat() } else { xml.into_bytes() };
            let text = decode_utf8(&bytes).expect("utf8");
            let root = parse(text).expect("well-formed input parses");
            prop_assert!(same(&tree, &root));
        }

        #[test]
        fn error_positions_are_inside_the_document(s in "[<>a-z/ \n]{0,60}") {
            if let Err(e) = parse(&s) {
                let lines = s.split('\n').count() as u32;
                prop_assert!(e.pos.line >= 1 && e.pos.line <= lines.max(1));
                prop_assert!(e.pos.col >= 1);
            }
        }
    }
}

/// Fuzz the XML reader and the metadata reader on top of it: generated documents mixing
/// well-formed and malformed pieces (deep nesting, entities and character references, DTDs,
/// CDATA, huge attributes, long single lines, random bytes, byte-order marks). The property is
/// that reading ends with a record or a positioned error, never a panic. The case count comes
/// from `ECAPLAN_FUZZ_CASES` (default 256, so `cargo test` stays fast); the issue-13 run used
/// 100,000: `ECAPLAN_FUZZ_CASES=100000 cargo test --release --lib xml_fuzz`.
#[cfg(test)]
mod xml_fuzz {
    use super::*;
    use crate::metadata::{read_document, Kind};
    use proptest::prelude::*;

    /// Element names: metadata names (so the typed readers and the enum checks run), random
    /// names, prefixed names and invalid ones.
    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => prop::sample::select(vec![
                "ConnectedApp", "oauthConfig", "oauthPolicy", "ipRelaxation", "refreshTokenPolicy",
                "scopes", "label", "callbackUrl", "consumerKey", "consumerSecret", "samlConfig",
                "encryptionType", "sessionPolicy", "sessionLevel", "canvasConfig", "locations",
                "isAdminApproved", "oauthClientCredentialUser", "profileName", "sessionTimeout",
            ])
            .prop_map(String::from),
            2 => "[a-zA-Z_][a-zA-Z0-9_.-]{0,12}",
            1 => "[a-z]{1,4}:[a-zA-Z]{1,8}",
            1 => "[^<>&\"' ]{1,6}",
        ]
    }

    /// Text pieces: plain, entities (known, unknown, huge and invalid character references),
    /// CDATA (closed and not), enum values known and not, control characters.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[ -~]{0,20}".prop_map(|t| t.replace(['<', '&'], " ")),
            1 => prop::sample::select(vec![
                "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#65;", "&#x1F600;", "&#0;",
                "&#xFFFFFFFF;", "&#99999999999;", "&unknown;", "&", "&#;", "&#x;", "&amp",
            ])
            .prop_map(String::from),
            1 => "[ -~]{0,30}".prop_map(|t| format!("<![CDATA[{t}]]>")),
            1 => Just("<![CDATA[never closed".to_string()),
            1 => prop::sample::select(vec![
                "ENFORCE", "WHATEVER", "specific_lifetime:90:DAYS", "specific_lifetime:0:X",
                "true", "false", "maybe", "-1", "99999999999999999999", "Triple_Des",
            ])
            .prop_map(String::from),
            1 => "\\PC{0,10}",
            1 => prop::collection::vec(0u8..32, 0..6)
                .prop_map(|b| b.into_iter().map(char::from).collect()),
        ]
    }

    fn attributes() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => Just(String::new()),
            2 => Just(" xmlns=\"http://soap.sforce.com/2006/04/metadata\"".to_string()),
            1 => ("[a-z]{1,6}", "[ -~]{0,12}")
                .prop_map(|(k, v)| format!(" {k}=\"{}\"", v.replace(['"', '<', '&'], ""))),
            1 => (1usize..200_000).prop_map(|n| format!(" big=\"{}\"", "a".repeat(n))),
            1 => Just(" a=\"1\" a=\"2\"".to_string()),
            1 => Just(" broken=\"never closed".to_string()),
            1 => Just(" noquotes=1".to_string()),
        ]
    }

    /// A well-formed-ish tree with a malformation now and then.
    fn tree() -> impl Strategy<Value = String> {
        let leaf =
            (name(), attributes(), text()).prop_map(|(n, a, t)| format!("<{n}{a}>{t}</{n}>"));
        leaf.prop_recursive(5, 48, 6, |inner| {
            (
                name(),
                attributes(),
                prop::collection::vec(inner, 0..6),
                0u8..20,
                name(),
            )
                .prop_map(|(n, a, children, fault, other)| {
                    let body = children.concat();
                    match fault {
                        0 => format!("<{n}{a}>{body}</{other}>"),
                        1 => format!("<{n}{a}>{body}"),
                        2 => format!("{body}</{n}>"),
                        3 => format!("<{n}{a}/>{body}"),
                        4 => format!("<{n}{a}>{body}</{n}><{other}/>"),
                        5 => format!("<{n}{a}><!-- {body} --></{n}>"),
                        6 => format!("<?pi {body}?><{n}{a}/>"),
                        _ => format!("<{n}{a}>{body}</{n}>"),
                    }
                })
        })
    }

    /// A prologue: nothing, the declaration, a DTD (entity bombs and external entities), BOMs.
    fn prologue() -> impl Strategy<Value = Vec<u8>> {
        prop::sample::select(vec![
            "",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            "\u{FEFF}",
            "\u{FEFF}<?xml version=\"1.0\"?>",
            "<!DOCTYPE ConnectedApp [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>",
            "<!DOCTYPE x SYSTEM \"file:///etc/passwd\">",
            "<?xml version=\"1.0\" encoding=\"UTF-16\"?>",
            "\n\n   \n",
        ])
        .prop_map(|s| s.as_bytes().to_vec())
    }

    fn document() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            // Generated trees, with a prologue; some on many lines, some minified.
            6 => (prologue(), tree(), any::<bool>()).prop_map(|(p, t, lines)| {
                let t = if lines { t.replace("><", ">\n<") } else { t };
                [p, t.into_bytes()].concat()
            }),
            // Long single lines: many siblings on one line.
            1 => (1usize..20_000).prop_map(|n| {
                format!("<ConnectedApp><oauthConfig>{}</oauthConfig></ConnectedApp>", "<scopes>Api</scopes>".repeat(n)).into_bytes()
            }),
            // Deep nesting, below and beyond the limit.
            1 => (1usize..200).prop_map(|d| {
                let mut s = "<a>".repeat(d);
                s.push_str(&"</a>".repeat(d));
                s.into_bytes()
            }),
            // UTF-16 and UTF-32 byte-order marks, and other encodings' bytes.
            1 => (prop::sample::select(vec![
                    b"\xFF\xFE".to_vec(), b"\xFE\xFF".to_vec(), b"\xFF\xFE\x00\x00".to_vec(),
                    b"\x00\x00\xFE\xFF".to_vec(), b"\xEF\xBB\xBF".to_vec(), b"\xEF\xBB".to_vec(),
                ]), tree()).prop_map(|(bom, t)| [bom, t.into_bytes()].concat()),
            // Random bytes, and random bytes spliced into a tree.
            1 => prop::collection::vec(any::<u8>(), 0..600),
            1 => (tree(), prop::collection::vec(any::<u8>(), 1..8), any::<prop::sample::Index>())
                .prop_map(|(t, junk, at)| {
                    let mut b = t.into_bytes();
                    let i = at.index(b.len() + 1);
                    b.splice(i..i, junk);
                    b
                }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: crate::fuzz_cases(),
            // Generated, not shrunk for long: a failure prints its input.
            max_shrink_iters: 256,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn readers_never_panic(bytes in document()) {
            let Ok(text) = decode_utf8(&bytes) else { return Ok(()) };
            match parse(text) {
                Ok(_) => {}
                Err(e) => {
                    prop_assert!(e.pos.line >= 1 && e.pos.col >= 1, "{e:?}");
                    let lines = text.split(['\n', '\r']).count() as u32;
                    prop_assert!(e.pos.line <= lines.max(1), "{e:?}");
                }
            }
            for kind in [Kind::ConnectedApp, Kind::EcaOauthPolicies, Kind::EcaHeader] {
                if let Ok(doc) = read_document("f.xml", "F", kind, text) {
                    for n in &doc.notes {
                        prop_assert!(n.line.unwrap_or(1) >= 1 && n.column.unwrap_or(1) >= 1);
                    }
                }
            }
        }
    }
}
