//! Deploy-time parameters written into the files (reference deploy-and-cli §1): each value the
//! plan made a parameter ([`crate::plan::params`]) is replaced by its placeholder, and the
//! files it went into are recorded for `sfdx-project.json` `replacements`.

use crate::plan::params::Parameter;

/// A placeholder written into a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Used {
    /// The file, relative to the output folder.
    pub path: String,
    /// The placeholder.
    pub placeholder: String,
    /// Its environment variable.
    pub variable: String,
}

/// Replace every value of `params` in `files` by its placeholder (in order: per-app values
/// before the org-wide hosts they may contain); returns where each placeholder went.
pub(super) fn apply(params: &[&Parameter], files: &mut [super::GeneratedFile]) -> Vec<Used> {
    let mut used = Vec::new();
    for f in files.iter_mut() {
        for p in params {
            let mut hit = false;
            for value in p.find.iter().filter(|v| !v.is_empty()) {
                for form in [
                    value.clone(),
                    quick_xml::escape::escape(value.as_str()).into_owned(),
                ] {
                    if f.contents.contains(&form) {
                        f.contents = f.contents.replace(&form, &p.placeholder);
                        hit = true;
                    }
                }
                // Hosts are case-insensitive; the inputs may spell them either way.
                if p.eca.is_none() {
                    hit |= replace_ignore_case(&mut f.contents, value, &p.placeholder);
                }
            }
            if hit {
                used.push(Used {
                    path: f.path.clone(),
                    placeholder: p.placeholder.clone(),
                    variable: p.variable.clone(),
                });
            }
        }
    }
    used
}

fn replace_ignore_case(text: &mut String, value: &str, with: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let needle = value.to_ascii_lowercase();
    if needle.is_empty() || !lower.contains(&needle) {
        return false;
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, _) in lower.match_indices(&needle) {
        out.push_str(&text[last..at]);
        out.push_str(with);
        last = at + needle.len();
    }
    out.push_str(&text[last..]);
    *text = out;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::GeneratedFile;

    #[test]
    fn apply_replaces_every_value_and_reports_the_file() {
        let mut p = Parameter::new(
            "ECA_A_RUN_AS".into(),
            "new@x.example".into(),
            Some("A"),
            "u",
        );
        p.find = vec!["int@x.example".into()];
        let host = Parameter::new(
            "ECA_MY_DOMAIN".into(),
            "acme.my.salesforce.com".into(),
            None,
            "h",
        );
        let mut files = vec![GeneratedFile {
            path: "eca/a.xml".into(),
            contents: "<u>int@x.example</u><i>https://ACME.my.salesforce.com</i>".into(),
        }];
        let used = apply(&[&p, &host], &mut files);
        assert_eq!(
            files[0].contents,
            "<u>__ECA_A_RUN_AS__</u><i>https://__ECA_MY_DOMAIN__</i>"
        );
        assert_eq!(used.len(), 2);
        assert_eq!(used[0].variable, "ECA_A_RUN_AS");
    }
}
