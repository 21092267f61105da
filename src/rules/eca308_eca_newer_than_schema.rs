//! ECA308 eca-newer-than-schema: existing ECA files use elements newer than API 66.0.

use super::{Context, Evidence, Hit, Rule, Severity};
use crate::metadata::Kind;

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA308",
    name: "eca-newer-than-schema",
    severity: Severity::Info,
    summary: "Existing ECA files use elements or types newer than API 66.0",
    explain: "What: an ECA file contains an element that is not in the API 66.0 schema (e.g. \
isEnforceRefreshTokenTTL) or is of a type introduced later (ExtlClntAppOauthSecuritySettings).\n\
Why it matters: deploying with an API version below the element's makes the deploy fail; the \
package.xml version of any project holding these files must be high enough.\n\
How to fix: deploy with API 67.0 or later, or drop the newer elements.\n\
Evidence: the file and line of the element.",
    check,
};

const NEWER: &[&str] = &[
    "isEnforceRefreshTokenTTL",
    "isDPopEnabled",
    "isMtlsEnabled",
    "isAttestPluginEnabled",
    "isNamedUserJwtEnabled",
];

fn check(cx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for app in &cx.org.inventory.apps {
        let Some(eca) = &app.eca else { continue };
        let mut evidence = Vec::new();
        let global = eca
            .global_oauth
            .iter()
            .map(|s| (&s.file, &s.lines, Kind::EcaGlobalOauth));
        let policies = eca
            .oauth_policies
            .iter()
            .map(|s| (&s.file, &s.lines, Kind::EcaOauthPolicies));
        let plcy = eca
            .policies
            .iter()
            .map(|s| (&s.file, &s.lines, Kind::EcaPolicies));
        for (file, lines, kind) in global.chain(policies).chain(plcy) {
            for el in NEWER {
                // isNamedUserJwtEnabled is valid in GlobalOauth (61+) but not in OauthPolicies.
                if *el == "isNamedUserJwtEnabled" && kind != Kind::EcaOauthPolicies {
                    continue;
                }
                if let Some(&line) = lines.get(*el) {
                    evidence.push(Evidence::Metadata {
                        file: file.clone(),
                        line: Some(line),
                        element: el.to_string(),
                        snippet: None,
                    });
                }
            }
        }
        if let Some(sec) = &eca.oauth_security {
            evidence.push(Evidence::Metadata {
                file: sec.file.clone(),
                line: None,
                element: "ExtlClntAppOauthSecuritySettings".into(),
                snippet: None,
            });
        }
        if !evidence.is_empty() {
            let msg = format!(
                "{}: ECA files use elements newer than API 66.0; deploy with API 67.0 or later",
                app.api_name
            );
            hits.push(Hit::app(&app.api_name, msg, evidence));
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::*;

    #[test]
    fn v67_element_triggers() {
        let newer = file("A_glbloauth", Kind::EcaGlobalOauth, "<ExtlClntAppGlobalOauthSettings><externalClientApplication>A</externalClientApplication><isEnforceRefreshTokenTTL>false</isEnforceRefreshTokenTTL></ExtlClntAppGlobalOauthSettings>");
        let plain = file("B_glbloauth", Kind::EcaGlobalOauth, "<ExtlClntAppGlobalOauthSettings><externalClientApplication>B</externalClientApplication><isPkceRequired>true</isPkceRequired></ExtlClntAppGlobalOauthSettings>");
        let apps: Vec<_> = run(&RULE, &inventory(&[newer, plain]))
            .into_iter()
            .filter_map(|h| h.app)
            .collect();
        assert_eq!(apps, ["A"]);
    }
}
