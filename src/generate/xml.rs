//! A small writer for Metadata API documents: elements in schema order, 4-space indentation,
//! escaped text, LF line endings and a trailing newline, so output is byte-for-byte stable.

use quick_xml::escape::escape;

/// The default namespace of every Metadata API document.
pub const NAMESPACE: &str = "http://soap.sforce.com/2006/04/metadata";

/// One element value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A string, written escaped.
    Text(String),
    /// `true` / `false`.
    Bool(bool),
    /// A plain decimal integer.
    Int(i64),
    /// A nested complex type.
    Record(Record),
}

/// The children of one element, kept in the order of the type's schema (`XML_NAMES`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    schema: &'static [&'static str],
    fields: Vec<(&'static str, Value)>,
}

impl Record {
    /// An empty record of the type whose element names (schema order) are `schema`.
    pub fn new(schema: &'static [&'static str]) -> Self {
        Record {
            schema,
            fields: Vec::new(),
        }
    }

    /// Add an element. Names outside the schema are a programming error (caught by tests).
    pub fn push(&mut self, name: &'static str, value: Value) {
        debug_assert!(self.schema.contains(&name), "<{name}> is not in the schema");
        self.fields.push((name, value));
    }

    /// Add a string element; blank values are left out (the schema has no empty strings).
    pub fn text(&mut self, name: &'static str, value: Option<&str>) {
        // Input text keeps its line breaks but never its control or bidi characters: XML 1.0
        // cannot carry most controls, and bidi overrides make a value read as another.
        let value = value.map(|v| crate::text::sanitize(v, true));
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            self.push(name, Value::Text(v.to_string()));
        }
    }

    /// Add a boolean element.
    pub fn bool(&mut self, name: &'static str, value: bool) {
        self.push(name, Value::Bool(value));
    }

    /// Add a boolean element when known.
    pub fn opt_bool(&mut self, name: &'static str, value: Option<bool>) {
        if let Some(v) = value {
            self.bool(name, v);
        }
    }

    /// Add an integer element when known.
    pub fn int(&mut self, name: &'static str, value: Option<i64>) {
        if let Some(v) = value {
            self.push(name, Value::Int(v));
        }
    }

    /// Add a nested record unless it has no children.
    pub fn record(&mut self, name: &'static str, value: Record) {
        if !value.fields.is_empty() {
            self.push(name, Value::Record(value));
        }
    }

    /// Whether an element of this name was added.
    pub fn has(&self, name: &str) -> bool {
        self.fields.iter().any(|(n, _)| *n == name)
    }

    /// Remove every element named `name`; true when one was there.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.fields.len();
        self.fields.retain(|(n, _)| *n != name);
        before != self.fields.len()
    }

    /// The names of the top-level elements added so far (duplicates included).
    pub fn names(&self) -> Vec<&'static str> {
        self.fields.iter().map(|(n, _)| *n).collect()
    }

    /// Children in schema order; repeated elements keep their relative order.
    fn ordered(&self) -> Vec<&(&'static str, Value)> {
        let mut out: Vec<_> = self.fields.iter().collect();
        let rank = |n: &str| {
            self.schema
                .iter()
                .position(|s| *s == n)
                .unwrap_or(usize::MAX)
        };
        out.sort_by_key(|(n, _)| rank(n));
        out
    }
}

/// A whole document: XML declaration, root with the default namespace, children, newline.
pub fn document(root: &str, record: &Record) -> String {
    let mut out = String::with_capacity(1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<");
    out.push_str(root);
    out.push_str(" xmlns=\"");
    out.push_str(NAMESPACE);
    out.push_str("\">\n");
    write_children(&mut out, record, 1);
    out.push_str("</");
    out.push_str(root);
    out.push_str(">\n");
    out
}

// Pushed piece by piece: thousands of documents for a large org, where `format!` per element
// was a third of the generator's time.
fn write_children(out: &mut String, record: &Record, depth: usize) {
    for (name, value) in record.ordered() {
        push_pad(out, depth);
        out.push('<');
        out.push_str(name);
        out.push('>');
        match value {
            Value::Record(inner) => {
                out.push('\n');
                write_children(out, inner, depth + 1);
                push_pad(out, depth);
            }
            Value::Text(t) => out.push_str(&clean(t)),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => out.push_str(&i.to_string()),
        }
        out.push_str("</");
        out.push_str(name);
        out.push_str(">\n");
    }
}

fn push_pad(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("    ");
    }
}

/// Escape markup and drop what XML 1.0 cannot hold; CR LF becomes LF (the output is LF only).
fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return escape(text);
    }
    let text = text.replace("\r\n", "\n");
    let kept: String = text
        .chars()
        .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
        .collect();
    std::borrow::Cow::Owned(escape(kept.as_str()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &[&str] = &["a", "b", "c"];

    #[test]
    fn writes_in_schema_order_escaped_and_indented() {
        let mut inner = Record::new(SCHEMA);
        inner.text("b", Some("x"));
        let mut r = Record::new(SCHEMA);
        r.text("c", Some(" 1 < 2 & \"q\" "));
        r.bool("a", true);
        r.record("b", inner);
        r.text("c", Some(""));
        r.int("a", None);
        let doc = document("Root", &r);
        assert_eq!(
            doc,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <Root xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    \
             <a>true</a>\n    <b>\n        <b>x</b>\n    </b>\n    \
             <c>1 &lt; 2 &amp; &quot;q&quot;</c>\n</Root>\n"
        );
    }

    #[test]
    fn control_characters_and_crlf() {
        assert_eq!(clean("a\r\nb\u{1}c"), "a\nbc");
    }

    #[test]
    fn empty_nested_record_is_left_out() {
        let mut r = Record::new(SCHEMA);
        r.record("b", Record::new(SCHEMA));
        assert!(!r.has("b"));
        r.bool("a", false);
        assert!(r.remove("a"));
        assert!(r.names().is_empty());
    }
}
