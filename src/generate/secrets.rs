//! Last line of defence (reference §14.1 #1, #2): no consumer secret, consumer key or private
//! key from the inputs may appear in any generated file.

use rayon::prelude::*;

use super::{EcaTarget, GenerateError, GeneratedFile};

/// The consumer keys and secrets of the inputs, with one automaton to find any of them.
pub(super) struct Secrets<'a> {
    /// (secret, what it is).
    list: Vec<(&'a str, &'static str)>,
    /// One automaton over every secret: a large org has thousands of keys and files, and a
    /// search per (file, key) pair is quadratic (aho-corasick scans each file once).
    finder: Option<aho_corasick::AhoCorasick>,
}

impl<'a> Secrets<'a> {
    pub(super) fn of(targets: &[EcaTarget<'a>]) -> Secrets<'a> {
        let mut list: Vec<(&str, &'static str)> = Vec::new();
        for t in targets {
            let oauth = t
                .app
                .connected_app
                .as_ref()
                .and_then(|c| c.value.oauth_config.as_ref());
            if let Some(o) = oauth {
                let key = o.consumer_key.as_deref().map(|k| (k, "consumer key"));
                let secret = o.consumer_secret.as_deref().map(|s| (s, "consumer secret"));
                list.extend(
                    key.into_iter()
                        .chain(secret)
                        .filter(|(s, _)| s.trim().len() >= 8),
                );
            }
        }
        let patterns: Vec<&str> = list.iter().map(|(s, _)| s.trim()).collect();
        let finder = aho_corasick::AhoCorasick::new(&patterns).ok();
        Secrets { list, finder }
    }

    /// What kind of secret `text` contains, if any.
    fn find(&self, text: &str) -> Option<&'static str> {
        match &self.finder {
            Some(ac) => ac.find(text).map(|m| self.list[m.pattern().as_usize()].1),
            None => self
                .list
                .iter()
                .find(|(s, _)| text.contains(s.trim()))
                .map(|(_, w)| *w),
        }
    }
}

/// Last line of defence (reference §14.1 #1, #2): no consumer secret, consumer key or private
/// key from the inputs may appear in any generated file.
pub(super) fn check_no_secrets(
    secrets: &Secrets<'_>,
    files: &[GeneratedFile],
) -> Result<(), GenerateError> {
    // Files are scanned on all cores; the first offending file in path order is reported.
    let offence = files.par_iter().find_map_first(|f| {
        if crate::metadata::cert::contains_private_key(&f.contents) {
            return Some((f, "private key"));
        }
        secrets.find(&f.contents).map(|what| (f, what))
    });
    match offence {
        Some((f, what)) => Err(GenerateError::SecretInOutput {
            path: f.path.clone(),
            what,
        }),
        None => Ok(()),
    }
}
