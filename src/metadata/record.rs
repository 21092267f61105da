//! The machinery that maps an element tree onto typed metadata records.
//!
//! Every record type is declared once with [`xml_record!`]: its Rust fields and the XML element
//! each one reads. The macro derives the reader, so unknown elements, bad scalars and the line of
//! every element are handled in one place instead of in each reader.

use std::collections::BTreeMap;

use crate::diag::{Level, Note};
use crate::metadata::xml::Element;

/// Reading context for one document: where we are, what we saw, what went wrong.
#[derive(Debug, Default)]
pub struct Cx {
    file: String,
    path: Vec<String>,
    /// First line of each element path (`oauthConfig/scopes`) in the document; a repeated
    /// element's later occurrences under `path#n` (n from 1), so evidence can point at the one
    /// that matters (the second `profileName`).
    pub lines: BTreeMap<String, u32>,
    /// Occurrences seen of each repeated element path.
    seen: BTreeMap<String, u32>,
    /// Recoverable problems and information found while reading.
    pub notes: Vec<Note>,
}

impl Cx {
    /// A context for the file shown to users as `file`.
    pub fn new(file: impl Into<String>) -> Self {
        Cx {
            file: file.into(),
            ..Cx::default()
        }
    }

    fn enter(&mut self, el: &Element) {
        self.path.push(el.name.clone());
        let key = self.path.join("/");
        if self.lines.contains_key(&key) {
            let n = self.seen.entry(key.clone()).or_insert(0);
            *n += 1;
            self.lines.insert(format!("{key}#{n}"), el.pos.line);
        } else {
            self.lines.insert(key, el.pos.line);
        }
    }

    fn leave(&mut self) {
        self.path.pop();
    }

    /// Record a note at an element's position.
    pub fn note(&mut self, level: Level, code: &'static str, el: &Element, message: String) {
        self.notes
            .push(Note::at(level, code, &self.file, el.pos, message));
    }

    /// Report children whose names the schema we know does not have (newer API versions).
    pub fn check_unknown(&mut self, el: &Element, known: &[&str]) {
        for child in &el.children {
            if !known.contains(&child.name.as_str()) {
                let msg = format!(
                    "element <{}> in <{}> is not in the schema ecaplan knows (newer API version?); kept going",
                    child.name, el.name
                );
                self.note(Level::Info, "unknown-element", child, msg);
            }
        }
    }
}

/// A value that can be read from one element.
pub trait FromElement: Sized {
    /// Read the value; `None` when the element holds nothing usable (a note says why).
    fn from_element(el: &Element, cx: &mut Cx) -> Option<Self>;
}

/// How a record field reads its element(s) from the parent: optional, repeated.
pub trait Field: Sized {
    /// Read the field named `name` from `parent`.
    fn read(parent: &Element, name: &str, cx: &mut Cx) -> Self;
}

fn read_one<T: FromElement>(el: &Element, cx: &mut Cx) -> Option<T> {
    cx.enter(el);
    let v = T::from_element(el, cx);
    cx.leave();
    v
}

impl<T: FromElement> Field for Option<T> {
    fn read(parent: &Element, name: &str, cx: &mut Cx) -> Self {
        let mut found = parent.children_named(name);
        let first = found.next()?;
        if let Some(extra) = found.next() {
            let msg = format!("<{name}> appears more than once; the first one is used");
            cx.note(Level::Warning, "repeated-element", extra, msg);
        }
        read_one(first, cx)
    }
}

impl<T: FromElement> Field for Vec<T> {
    fn read(parent: &Element, name: &str, cx: &mut Cx) -> Self {
        parent
            .children_named(name)
            .filter_map(|el| read_one(el, cx))
            .collect()
    }
}

impl FromElement for String {
    fn from_element(el: &Element, _cx: &mut Cx) -> Option<Self> {
        Some(el.text.clone())
    }
}

impl FromElement for bool {
    fn from_element(el: &Element, cx: &mut Cx) -> Option<Self> {
        match el.text.as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            other => {
                let msg = format!(
                    "<{}> should be true or false, found {other:?}; ignored",
                    el.name
                );
                cx.note(Level::Warning, "invalid-value", el, msg);
                None
            }
        }
    }
}

impl FromElement for i64 {
    fn from_element(el: &Element, cx: &mut Cx) -> Option<Self> {
        el.text.parse().ok().or_else(|| {
            let msg = format!(
                "<{}> should be a whole number, found {:?}; ignored",
                el.name, el.text
            );
            cx.note(Level::Warning, "invalid-value", el, msg);
            None
        })
    }
}

/// Declare a metadata record: a struct whose fields read the named XML child elements.
///
/// Field types are `Option<T>` (0..1) or `Vec<T>` (0..*), with `T` a scalar or another record.
/// Fields must be listed in schema (alphabetical) order: the writer emits them in this order.
#[macro_export]
macro_rules! xml_record {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $xml:literal ),* $(,)?
        }
    ) => {
        $crate::xml_record!(@impl true; $(#[$meta])* pub struct $name {
            $( $(#[$fmeta])* $field : $ty = $xml ),*
        });
    };
    (
        lenient
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $xml:literal ),* $(,)?
        }
    ) => {
        $crate::xml_record!(@impl false; $(#[$meta])* pub struct $name {
            $( $(#[$fmeta])* $field : $ty = $xml ),*
        });
    };
    (
        @impl $check:expr;
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $xml:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
        pub struct $name {
            $( #[doc = concat!("The `<", $xml, ">` element.")] $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $name {
            /// The XML element names of this record, in schema order.
            pub const XML_NAMES: &'static [&'static str] = &[$($xml),*];
        }

        impl $crate::metadata::record::FromElement for $name {
            fn from_element(
                el: &$crate::metadata::xml::Element,
                cx: &mut $crate::metadata::record::Cx,
            ) -> Option<Self> {
                if $check {
                    cx.check_unknown(el, Self::XML_NAMES);
                }
                Some($name {
                    $( $field: <$ty as $crate::metadata::record::Field>::read(el, $xml, cx), )*
                })
            }
        }
    };
}

/// Read a whole document whose root must be `root`; `None` (with a note) if the root differs.
pub fn read_root<T: FromElement>(root: &Element, expected: &str, cx: &mut Cx) -> Option<T> {
    if root.name != expected {
        let msg = format!("expected root element <{expected}>, found <{}>", root.name);
        cx.note(Level::Error, "wrong-root", root, msg);
        return None;
    }
    T::from_element(root, cx)
}

/// Split a Salesforce "comma separated" value (`Api, RefreshToken`) into trimmed items.
pub fn split_commas(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::xml::parse;

    crate::xml_record! {
        /// Test record.
        pub struct Inner { end: Option<String> = "end", start: Option<String> = "start" }
    }
    crate::xml_record! {
        /// Test record.
        pub struct Outer {
            flag: Option<bool> = "flag",
            inner: Vec<Inner> = "inner",
            n: Option<i64> = "n",
            tags: Vec<String> = "tags",
        }
    }

    #[test]
    fn reads_fields_and_reports_unknown_and_bad_values() {
        let root = parse("<Outer>\n<flag>yes</flag>\n<inner><start>1</start><end>2</end></inner>\n<n>7</n><tags>a</tags><tags>b</tags><newThing>x</newThing></Outer>").expect("xml");
        let mut cx = Cx::new("f.xml");
        let o: Outer = read_root(&root, "Outer", &mut cx).expect("record");
        assert_eq!(o.flag, None);
        assert_eq!(o.inner[0].start.as_deref(), Some("1"));
        assert_eq!(o.n, Some(7));
        assert_eq!(o.tags, vec!["a", "b"]);
        let codes: Vec<_> = cx.notes.iter().map(|n| n.code).collect();
        assert_eq!(codes, vec!["unknown-element", "invalid-value"]);
        assert_eq!(cx.lines.get("inner/start"), Some(&3));
    }

    #[test]
    fn wrong_root_is_reported() {
        let root = parse("<Other/>").expect("xml");
        let mut cx = Cx::new("f.xml");
        assert!(read_root::<Outer>(&root, "Outer", &mut cx).is_none());
        assert_eq!(cx.notes[0].code, "wrong-root");
    }

    #[test]
    fn commas() {
        assert_eq!(
            split_commas("Api, RefreshToken,,Web "),
            vec!["Api", "RefreshToken", "Web"]
        );
    }
}
