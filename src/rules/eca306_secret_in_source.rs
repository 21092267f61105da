//! ECA306 secret-in-source: a consumer secret, push credential or private key in the inputs.

use super::{Context, Evidence, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA306",
    name: "secret-in-source",
    severity: Severity::High,
    summary: "A consumer secret, push credential or private key is stored in the inputs",
    explain: "What: an input file holds a <consumerSecret>, push-notification key material, or \
a PEM private key.\n\
Why it matters: retrieved metadata usually ends up in source control; a secret there is a \
credential anyone with read access can use. Salesforce never returns consumer secrets on \
retrieve, so one in a file was put there by hand or by a tool. ecaplan never prints the value.\n\
How to fix: remove the secret from the files and from version-control history, rotate it \
(staged credentials for ECAs), and keep global OAuth settings out of the repository.\n\
Evidence: the file and line where the secret starts (never the value).",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    cx.org
        .secrets
        .iter()
        .map(|s| {
            let ev = Evidence::Metadata {
                file: s.file.clone(),
                line: s.line,
                element: s.kind.to_string(),
                snippet: None,
            };
            let msg = format!("{} found in {} (value not shown)", s.kind, s.file);
            Hit {
                app: None,
                message: msg,
                evidence: vec![ev],
                severity: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SecretSighting;
    use crate::rules::support::testing::run_with;

    #[test]
    fn sightings_become_findings() {
        let inv = crate::model::Inventory::default();
        let s = [SecretSighting {
            file: "k.key".into(),
            line: Some(1),
            kind: "private-key",
        }];
        let hits = run_with(&RULE, &inv, &Default::default(), &s, None);
        assert_eq!(hits.len(), 1);
        assert!(run_with(&RULE, &inv, &Default::default(), &[], None).is_empty());
    }
}
