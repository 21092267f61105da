//! The Tera templates of `report.html` and `report.md`: embedded in the binary, each replaceable
//! by a file of the same name in the `--templates` folder (mdBook's way: a file present in the
//! folder wins, a missing one falls back to the built-in). One engine per format: HTML is
//! autoescaped with HTML escaping, Markdown with the Markdown escaping of [`super::markdown`],
//! so a template cannot forget to escape input-derived text.

use std::borrow::Cow;
use std::path::Path;

use tera::{Context, Tera};

use crate::error::Error;

/// The page of `report.html` (everything but the per-app sections).
pub const HTML_PAGE: &str = "report.html";
/// One app's section of `report.html`, rendered for each app in parallel.
pub const HTML_APP: &str = "report-app.html";
/// The macros both HTML templates import (the drawing of a graph).
pub const HTML_MACROS: &str = "report-macros.html";
/// `report.md`.
pub const MARKDOWN: &str = "report.md";

/// The built-in templates by file name.
pub const BUILTIN: [(&str, &str); 4] = [
    (HTML_PAGE, include_str!("../../templates/report.html")),
    (HTML_APP, include_str!("../../templates/report-app.html")),
    (
        HTML_MACROS,
        include_str!("../../templates/report-macros.html"),
    ),
    (MARKDOWN, include_str!("../../templates/report.md")),
];

/// A Tera engine with some of the templates, and which of them a folder replaced.
pub(crate) struct Engine {
    /// The parsed templates.
    pub tera: Tera,
    /// Names of the templates read from the `--templates` folder.
    pub replaced: Vec<&'static str>,
    /// The output the templates make, for error messages.
    what: &'static str,
}

impl Engine {
    /// Load `names` (built-in, or from `dir` when the folder has a file of that name),
    /// autoescaped with `escape` when their name ends in `suffix`.
    pub fn load(
        what: &'static str,
        names: &[&'static str],
        dir: Option<&Path>,
        suffix: &'static str,
        escape: fn(&str) -> String,
    ) -> Result<Engine, Error> {
        let mut tera = Tera::default();
        // Explicit, so that escaping never depends on Tera's defaults.
        tera.autoescape_on(vec![suffix]);
        tera.set_escape_fn(escape);
        let mut replaced = Vec::new();
        let mut sources = Vec::with_capacity(names.len());
        for &name in names {
            let (source, from_dir) = source(name, dir)?;
            if from_dir {
                replaced.push(name);
            }
            sources.push((name, source));
        }
        let mut engine = Engine {
            tera,
            replaced,
            what,
        };
        engine
            .tera
            .add_raw_templates(sources.iter().map(|(n, s)| (*n, s.as_ref())))
            .map_err(|e| engine.error(&e))?;
        Ok(engine)
    }

    /// Whether the folder replaced the template `name`.
    pub fn is_replaced(&self, name: &str) -> bool {
        self.replaced.contains(&name)
    }

    /// Render `name` with `cx`, appending to `out`.
    pub fn render_to(&self, name: &str, cx: &Context, out: &mut Vec<u8>) -> Result<(), Error> {
        self.tera
            .render_to(name, cx, out)
            .map_err(|e| self.error(&e))
    }

    /// A Tera failure as the error of this output.
    pub fn error(&self, e: &tera::Error) -> Error {
        Error::Render {
            what: self.what,
            message: chain(e),
        }
    }
}

/// The text of template `name`: the folder's file when there is one (`true`), else built-in.
fn source(name: &'static str, dir: Option<&Path>) -> Result<(Cow<'static, str>, bool), Error> {
    if let Some(path) = dir.map(|d| d.join(name)).filter(|p| p.is_file()) {
        return match std::fs::read_to_string(&path) {
            Ok(text) => Ok((Cow::Owned(text), true)),
            Err(e) => Err(Error::Input {
                message: format!("cannot read template: {e}"),
                path,
            }),
        };
    }
    let builtin = BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, s)| *s);
    Ok((Cow::Borrowed(builtin.unwrap_or_default()), false))
}

/// Bytes Tera made into text (templates and values are UTF-8, so this never fails in practice).
pub(crate) fn into_text(what: &'static str, bytes: Vec<u8>) -> Result<String, Error> {
    String::from_utf8(bytes).map_err(|e| Error::Render {
        what,
        message: e.to_string(),
    })
}

/// HTML escaping as Tera's (`& < > " ' /`) of the text without its control and bidi
/// characters, as [`crate::text::terminal`] removes them. One pass, runs copied whole: a large
/// org's page is tens of megabytes of text, and this runs for every value.
pub(crate) fn escape_html(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len() + 16);
    let (mut run, mut i) = (0, 0);
    while let Some(k) = b
        .get(i..)
        .and_then(|rest| rest.iter().position(|&c| STOP[c as usize]))
    {
        i += k;
        let (len, put) = match b.get(i..).unwrap_or_default() {
            [b'&', ..] => (1, "&amp;"),
            [b'<', ..] => (1, "&lt;"),
            [b'>', ..] => (1, "&gt;"),
            [b'"', ..] => (1, "&quot;"),
            [b'\'', ..] => (1, "&#x27;"),
            [b'/', ..] => (1, "&#x2F;"),
            // Lead bytes are never continuation bytes, so the cut is on a character boundary.
            rest @ [0xC2 | 0xD8 | 0xE2, ..] => (removed_len(rest), ""),
            _ => (1, ""),
        };
        if len == 0 {
            i += 1;
            continue;
        }
        out.push_str(s.get(run..i).unwrap_or_default());
        out.push_str(put);
        i += len;
        run = i;
    }
    out.push_str(s.get(run..).unwrap_or_default());
    out
}

/// Bytes where [`escape_html`] stops: the escaped characters, the control characters but line
/// feed and tab, and the lead bytes of the removed characters of two and three bytes.
static STOP: [bool; 256] = stop_bytes();

const fn stop_bytes() -> [bool; 256] {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = c != b'\n' as usize && c != b'\t' as usize;
        c += 1;
    }
    let special = [b'&', b'<', b'>', b'"', b'\'', b'/', 0x7f, 0xC2, 0xD8, 0xE2];
    let mut k = 0;
    while k < special.len() {
        t[special[k] as usize] = true;
        k += 1;
    }
    t
}

/// The UTF-8 length of the character `b` starts with when [`crate::text::terminal`] removes
/// it (C1 controls, U+061C, U+200E/F, U+2028/9, U+202A–E, U+2066–9), else 0.
fn removed_len(b: &[u8]) -> usize {
    match b {
        [0xC2, 0x80..=0x9F, ..] | [0xD8, 0x9C, ..] => 2,
        [0xE2, 0x80, 0x8E | 0x8F | 0xA8..=0xAE, ..] | [0xE2, 0x81, 0xA6..=0xA9, ..] => 3,
        _ => 0,
    }
}

/// Tera's error with its causes (the first line alone rarely says what went wrong).
fn chain(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn html_escaping_is_teras_of_the_sanitized_text(
            s in "\\PC*|[\\x00-\\x1f\\x7f-\\x9f\u{85}\u{61c}\u{200d}-\u{2030}\u{2060}-\u{206f}&<>\"'/a\n\t]*"
        ) {
            let want = tera::escape_html(&crate::text::terminal(&s));
            proptest::prop_assert_eq!(escape_html(&s), want);
        }
    }

    #[test]
    fn html_escaping_is_teras_without_controls() {
        for s in [
            "",
            "plain ünïcode",
            "a&b<c>d\"e'f/g",
            "&&//",
            "x\u{1b}[2J\u{202E}y",
        ] {
            assert_eq!(escape_html(s), tera::escape_html(&crate::text::terminal(s)));
        }
    }

    #[test]
    fn a_folder_replaces_only_the_files_it_has() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(MARKDOWN), "x").expect("write");
        let names = [HTML_MACROS, HTML_PAGE, MARKDOWN];
        let e = Engine::load("t", &names, Some(dir.path()), ".html", escape_html).expect("load");
        assert_eq!(e.replaced, vec![MARKDOWN]);
        assert!(e.is_replaced(MARKDOWN) && !e.is_replaced(HTML_PAGE));
        let e = Engine::load("t", &names, None, ".html", escape_html).expect("load");
        assert!(e.replaced.is_empty());
    }

    #[test]
    fn a_broken_template_is_a_render_error_naming_the_output() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(MARKDOWN), "{% if %}").expect("write");
        let err = Engine::load(
            "report.md",
            &[MARKDOWN],
            Some(dir.path()),
            ".md",
            escape_html,
        )
        .err()
        .expect("a parse error");
        assert!(
            matches!(
                err,
                Error::Render {
                    what: "report.md",
                    ..
                }
            ),
            "{err}"
        );
    }
}
