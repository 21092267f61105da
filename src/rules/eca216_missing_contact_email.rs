//! ECA216 missing-contact-email: ECAs need a contact email in practice.

use super::support::at;
use super::{Context, Evidence, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA216",
    name: "missing-contact-email",
    severity: Severity::Low,
    summary: "The app has no contact email, which ECA creation requires",
    explain: "What: the connected app has no (or an empty) contactEmail.\n\
Why it matters: the ECA schema marks contactEmail optional, but Salesforce Help says the field \
is required when creating a local ECA; the deploy or the migration fails without it. It is also \
the only owner information metadata carries.\n\
How to fix: find the owner (ecaplan.toml [apps] owner) and set a team mailbox as contact email.\n\
Evidence: the connected app file (the element is absent or empty).",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    cx.org
        .inventory
        .apps
        .iter()
        .filter_map(|app| {
            let ca = app.connected_app.as_ref()?;
            if ca
                .value
                .contact_email
                .as_deref()
                .is_some_and(|e| !e.trim().is_empty())
            {
                return None;
            }
            let ev = if ca.lines.contains_key("contactEmail") {
                at(ca, "contactEmail")
            } else {
                Evidence::Metadata {
                    file: ca.file.clone(),
                    line: None,
                    element: "contactEmail".into(),
                    snippet: None,
                }
            };
            Some(Hit::app(
                &app.api_name,
                format!("{} has no contact email", app.api_name),
                vec![ev],
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::Kind;
    use crate::rules::support::testing::*;

    #[test]
    fn missing_email_triggers() {
        let xml = "<ConnectedApp><label>N</label></ConnectedApp>";
        let inv = inventory(&[file("N", Kind::ConnectedApp, xml), connected_app("Y", "")]);
        let apps: Vec<_> = run(&RULE, &inv).into_iter().filter_map(|h| h.app).collect();
        assert_eq!(apps, ["N"]);
    }
}
