//! Fill metadata evidence with the source line it points at, for human output. This is I/O,
//! so it lives in the orchestration, not in the rules.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use crate::rules::{Evidence, Finding};

/// Longest snippet shown (characters); certificate bodies are long and never useful in full.
const MAX_SNIPPET: usize = 120;

/// Bytes of a quoted line redacted before it is cut to [`MAX_SNIPPET`] characters (4 bytes a
/// character at most, and room for the tag being written).
const QUOTE_BYTES: usize = MAX_SNIPPET * 4 + 64;

fn load(file: &str) -> Option<String> {
    match file.split_once('!') {
        Some((archive, entry)) if archive.to_ascii_lowercase().ends_with(".zip") => {
            let f = std::fs::File::open(archive).ok()?;
            let mut zip = zip::ZipArchive::new(f).ok()?;
            let mut e = zip.by_name(entry).ok()?;
            let mut s = String::new();
            e.read_to_string(&mut s).ok()?;
            Some(s)
        }
        _ => std::fs::read_to_string(file).ok(),
    }
}

/// Elements whose text is a credential (or a certificate body, long and never useful): their
/// value is shown as `****` wherever a quoted line holds them, whatever element is quoted.
const SECRET_ELEMENTS: &[&str] = &[
    "certificate",
    "consumerSecret",
    "encryptionCertificate",
    "password",
    "privateKey",
    "recaptchaSecretKey",
    "secretKey",
    "serviceAccount",
    "signingKey",
    "signingSecret",
];

/// Consumer keys are masked to their last 4 characters, as everywhere else in the tool.
const MASKED_ELEMENTS: &[&str] = &["consumerKey"];

/// A quoted element path whose whole line is hidden (the line holds little else).
fn sensitive_element(element: &str) -> bool {
    [
        "certificate",
        "consumerKey",
        "consumerSecret",
        "private-key",
        "consumer-secret",
        "push-credential",
    ]
    .iter()
    .any(|s| element.ends_with(s))
}

/// Redacts secret-bearing elements line by line. It carries what is open at the end of a line
/// (a secret element's text, a PEM private key) to the next, so a value that spans lines, or a
/// line that starts inside one, is redacted too. Redaction is by element, not by line: a
/// secret on the same line as a quoted element never shows.
#[derive(Debug, Default)]
struct Redactor {
    /// Local name of the secret element whose text is open.
    element: Option<&'static str>,
    /// Inside a PEM private key block.
    pem: bool,
}

/// The local name (after any `prefix:`) of the tag that starts at `tag` (just after `<` or
/// `</`), and where the name ends.
fn tag_name(tag: &str) -> (&str, usize) {
    let end = tag
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(tag.len());
    let name = &tag[..end];
    (name.rsplit(':').next().unwrap_or(name), end)
}

/// Where the closing tag of `name` starts in `s`, if it does.
fn find_close(s: &str, name: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = s[from..].find("</") {
        let at = from + p;
        if tag_name(&s[at + 2..]).0 == name {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

impl Redactor {
    /// `line` with every secret value replaced, stopping once `limit` bytes are written (a
    /// quoted line is shown cut to its display width; one-line XML can be megabytes long).
    fn line(&mut self, line: &str, limit: usize) -> String {
        let begins_key = line.contains("-----BEGIN") && line.contains("PRIVATE KEY");
        if self.pem || begins_key || line.contains("PRIVATE KEY-----") {
            self.pem = (self.pem || begins_key) && !line.contains("-----END");
            let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
            return format!("{indent}****");
        }
        let mut out = String::with_capacity(line.len());
        let mut rest = line;
        loop {
            if out.len() >= limit {
                return out;
            }
            if let Some(name) = self.element {
                // Inside a secret's text: mask up to its closing tag (or the end of the line).
                let (value, closed) = match find_close(rest, name) {
                    Some(at) => (&rest[..at], true),
                    None => (rest, false),
                };
                out.push_str(&mask(value, name, closed));
                rest = &rest[value.len()..];
                if !closed {
                    return out;
                }
                self.element = None;
            }
            let Some(first_lt) = rest.find('<') else {
                out.push_str(rest);
                return out;
            };
            let Some(gt) = rest[first_lt..].find('>').map(|g| g + first_lt) else {
                // A tag cut by the end of the line: nothing of a value can follow it here.
                out.push_str(rest);
                return out;
            };
            // The tag is the last `<` before that `>` (`<<consumerSecret>` is still one).
            let lt = rest[..gt].rfind('<').unwrap_or(first_lt);
            out.push_str(&rest[..lt]);
            rest = &rest[lt..];
            let gt = gt - lt;
            let tag = &rest[..=gt];
            rest = &rest[gt + 1..];
            out.push_str(tag);
            if tag.starts_with("</") || tag.starts_with("<!") || tag.starts_with("<?") {
                continue;
            }
            if tag.ends_with("/>") {
                continue;
            }
            let (local, _) = tag_name(&tag[1..]);
            self.element = SECRET_ELEMENTS
                .iter()
                .chain(MASKED_ELEMENTS)
                .find(|s| **s == local)
                .copied();
        }
    }
}

/// The text of a secret-bearing element as shown: `****`, or for a consumer key complete on
/// the line its last 4 characters. Whitespace alone (the rest of a line) is kept.
fn mask(value: &str, element: &str, closed: bool) -> String {
    if value.trim().is_empty() {
        return value.to_string();
    }
    if closed && MASKED_ELEMENTS.contains(&element) {
        return crate::model::facts::mask_key(value.trim());
    }
    "****".to_string()
}

/// The lines `wanted` (0-based, ascending) of `text`, secrets redacted (by element, with what
/// is open from the lines before) and cut a little beyond the display width. One pass over
/// the text however many lines are wanted: quoting stays linear in the file's size.
fn quote_lines(text: &str, wanted: &[usize]) -> BTreeMap<usize, String> {
    let mut out = BTreeMap::new();
    let mut next = wanted.iter().copied().peekable();
    let mut redactor = Redactor::default();
    for (i, line) in text.lines().enumerate() {
        let Some(&want) = next.peek() else {
            break;
        };
        if i == want {
            let mut shown = redactor.line(line, QUOTE_BYTES);
            if shown.len() > QUOTE_BYTES {
                // Still more than MAX_SNIPPET characters: `clean` marks the cut.
                let mut cut = QUOTE_BYTES;
                while !shown.is_char_boundary(cut) {
                    cut -= 1;
                }
                shown.truncate(cut);
            }
            out.insert(i, shown);
            while next.next_if(|&w| w == i).is_some() {}
        } else if redactor.element.is_some()
            || redactor.pem
            || line.contains('<')
            || line.contains("-----")
        {
            // Only lines that could open a secret need to be read for what they leave open.
            redactor.line(line, usize::MAX);
        }
    }
    out
}

/// Line `at` (0-based) of `text` as shown for `element`.
#[cfg(test)]
fn quote(text: &str, at: usize, element: &str) -> Option<String> {
    quote_lines(text, &[at])
        .remove(&at)
        .map(|l| clean(&l, element))
}

/// A (redacted) line made safe and short for display; a quoted secret-bearing element hides
/// the whole line.
fn clean(line: &str, element: &str) -> String {
    if sensitive_element(element) {
        let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
        return format!("{indent}… (value not shown)");
    }
    let t = crate::text::terminal_line(line.trim_end());
    if t.chars().count() > MAX_SNIPPET {
        let cut: String = t.chars().take(MAX_SNIPPET).collect();
        format!("{cut}…")
    } else {
        t.into_owned()
    }
}

/// Attach snippets to every metadata evidence item that has a line: from `texts` (the files
/// as the ingest read them), else from the file itself.
pub fn fill(findings: &mut [Finding], texts: &HashMap<String, String>) {
    // The lines wanted of each file, so that each file is read and redacted once.
    let mut wanted: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for f in findings.iter() {
        for ev in &f.evidence {
            if let Evidence::Metadata {
                file,
                line: Some(line),
                ..
            } = ev
            {
                if let Some(at) = (*line as usize).checked_sub(1) {
                    wanted.entry(file.as_str()).or_default().push(at);
                }
            }
        }
    }
    let mut quoted: HashMap<String, BTreeMap<usize, String>> = HashMap::new();
    for (file, mut lines) in wanted {
        lines.sort_unstable();
        lines.dedup();
        let loaded;
        let text = match texts.get(file) {
            Some(t) => Some(t.as_str()),
            None => {
                loaded = load(file);
                loaded.as_deref()
            }
        };
        if let Some(text) = text {
            quoted.insert(file.to_string(), quote_lines(text, &lines));
        }
    }
    for f in findings.iter_mut() {
        for ev in &mut f.evidence {
            let Evidence::Metadata {
                file,
                line: Some(line),
                element,
                snippet,
            } = ev
            else {
                continue;
            };
            *snippet = (*line as usize)
                .checked_sub(1)
                .and_then(|at| quoted.get(file.as_str())?.get(&at))
                .map(|l| clean(l, element));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(files: &[(&str, u32, &str)]) -> Finding {
        Finding {
            rule: "ECA000",
            name: "test",
            severity: crate::rules::Severity::Info,
            app: None,
            message: String::new(),
            evidence: files
                .iter()
                .map(|(file, line, element)| Evidence::Metadata {
                    file: file.to_string(),
                    line: Some(*line),
                    element: element.to_string(),
                    snippet: None,
                })
                .collect(),
            accepted: None,
        }
    }

    fn snippets(f: &Finding) -> Vec<Option<&str>> {
        f.evidence
            .iter()
            .map(|e| match e {
                Evidence::Metadata { snippet, .. } => snippet.as_deref(),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn quotes_the_ingested_text_else_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let on_disk = dir.path().join("B.xml");
        std::fs::write(&on_disk, "<a>\n  <b>disk</b>\n").expect("write");
        let on_disk = on_disk.to_string_lossy().into_owned();
        let texts = HashMap::from([("A.xml".to_string(), "<a>\n  <b>memory</b>\n".to_string())]);
        let mut fs = [finding(&[
            ("A.xml", 2, "b"),
            (&on_disk, 2, "b"),
            ("A.xml", 9, "b"),
            ("A.xml", 0, "b"),
            ("missing.xml", 1, "b"),
        ])];
        fill(&mut fs, &texts);
        assert_eq!(
            snippets(&fs[0]),
            [
                Some("  <b>memory</b>"),
                Some("  <b>disk</b>"),
                None,
                None,
                None
            ]
        );
    }

    #[test]
    fn hides_sensitive_and_shortens() {
        assert_eq!(
            clean(
                "    <certificate>MIIB...</certificate>",
                "oauthConfig/certificate"
            ),
            "    … (value not shown)"
        );
        assert_eq!(
            clean("  <scopes>Full</scopes>  ", "oauthConfig/scopes"),
            "  <scopes>Full</scopes>"
        );
        assert!(clean(&"x".repeat(500), "a").ends_with('…'));
    }

    #[test]
    fn secrets_are_redacted_by_element_not_by_line() {
        let text = "<a>\n\
<oauthConfig><callbackUrl>http://x</callbackUrl><consumerSecret>S3CR3T</consumerSecret><consumerKey>3MVGkeyABCD</consumerKey>\n\
<sf:password>pw</sf:password><certificate>MIIB\n\
MIIC-body</certificate><scopes>Api</scopes>\n\
<consumerSecret/><label>L</label>\n\
-----BEGIN PRIVATE KEY-----\n\
<not>a tag, key body</not>\n\
-----END PRIVATE KEY-----\n\
<after>shown</after>\n";
        let q = |line: usize| quote(text, line - 1, "oauthConfig/callbackUrl");
        assert_eq!(
            q(2).as_deref(),
            Some("<oauthConfig><callbackUrl>http://x</callbackUrl><consumerSecret>****</consumerSecret><consumerKey>…ABCD</consumerKey>")
        );
        assert_eq!(
            q(3).as_deref(),
            Some("<sf:password>****</sf:password><certificate>****")
        );
        assert_eq!(
            q(4).as_deref(),
            Some("****</certificate><scopes>Api</scopes>")
        );
        assert_eq!(q(5).as_deref(), Some("<consumerSecret/><label>L</label>"));
        for line in 6..=8 {
            assert_eq!(q(line).as_deref(), Some("****"), "line {line}");
        }
        assert_eq!(q(9).as_deref(), Some("<after>shown</after>"));
        assert_eq!(q(10), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::fuzz_cases()))]

        /// Whatever surrounds it and however lines are cut, a secret value never shows.
        #[test]
        fn no_secret_survives(
            before in r#"([a-zA-Z<>/!?:"= \n-]|<consumerKey>|<consumerSecret>|</certificate>|<!--|-----BEGIN PRIVATE KEY-----){0,12}"#,
            after in r#"([a-zA-Z<>/!?:"= \n-]|</consumerSecret>|-->|-----END PRIVATE KEY-----){0,12}"#,
            element in proptest::sample::select(SECRET_ELEMENTS),
            prefix in proptest::option::of("[a-z]{1,3}"),
            split in 0usize..12,
        ) {
            // Digits never occur in the surrounding text: any run of them shown is a leak.
            let secret = "Q7W8E9R0T1Y2";
            let value = format!("{}\n{}", &secret[..split], &secret[split..]);
            let tag = prefix.map(|p| format!("{p}:{element}")).unwrap_or_else(|| element.to_string());
            let text = format!("{before}<{tag}>{value}</{tag}>{after}");
            for at in 0..text.lines().count() {
                let shown = quote(&text, at, "x").unwrap_or_default();
                let digits = shown.chars().filter(char::is_ascii_digit).count();
                proptest::prop_assert!(digits == 0, "{text:?} line {at}: {shown:?}");
            }
        }
    }
}
