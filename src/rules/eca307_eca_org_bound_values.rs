//! ECA307 eca-org-bound-values: existing ECA files carry org ids.

use super::support::at;
use super::{Context, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA307",
    name: "eca-org-bound-values",
    severity: Severity::Info,
    summary: "Existing ECA files carry org-bound values (oauthLink, orgScopedExternalApp)",
    explain: "What: an ECA header has orgScopedExternalApp or an OAuth settings file has \
oauthLink; both embed the source org's id.\n\
Why it matters: deploying these files to another org (sandbox to production) fails or links \
the app to the wrong org; Salesforce generates both values on deploy when they are absent.\n\
How to fix: strip both elements from source control (ecaplan never writes them).\n\
Evidence: the elements.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for app in &cx.org.inventory.apps {
        let Some(eca) = &app.eca else { continue };
        let mut evidence = Vec::new();
        if let Some(h) = eca
            .header
            .as_ref()
            .filter(|h| h.value.org_scoped_external_app.is_some())
        {
            evidence.push(at(h, "orgScopedExternalApp"));
        }
        if let Some(s) = eca
            .oauth_settings
            .as_ref()
            .filter(|s| s.value.oauth_link.is_some())
        {
            evidence.push(at(s, "oauthLink"));
        }
        if !evidence.is_empty() {
            let msg = format!(
                "{}: ECA files carry org-bound ids; strip them before deploying elsewhere",
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
    use crate::metadata::Kind;
    use crate::rules::support::testing::*;

    #[test]
    fn org_scoped_name_triggers() {
        let with = file("A", Kind::EcaHeader, "<ExternalClientApplication><label>A</label><orgScopedExternalApp>00D000000000001:A</orgScopedExternalApp></ExternalClientApplication>");
        let without = file(
            "B",
            Kind::EcaHeader,
            "<ExternalClientApplication><label>B</label></ExternalClientApplication>",
        );
        let apps: Vec<_> = run(&RULE, &inventory(&[with, without]))
            .into_iter()
            .filter_map(|h| h.app)
            .collect();
        assert_eq!(apps, ["A"]);
    }
}
