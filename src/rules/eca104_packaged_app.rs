//! ECA104 packaged-app: an app that comes from a namespace or package.

use super::support::{app_evidence, EcaPart};
use super::{Context, Hit, Rule, Severity};
use crate::model::Distribution;

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA104",
    name: "packaged-app",
    severity: Severity::Info,
    summary: "A packaged (vendor) app: it cannot be migrated by you — install and harden it",
    explain: "What: the app's API name carries a namespace prefix (ns__Name) or it comes from \
an installed package.\n\
Why it matters: the migration button only handles local apps, and a vendor's connected app \
belongs to the vendor's packaging org. You cannot convert it; the vendor must ship an ECA.\n\
How to fix: make sure the app is installed, restrict it to admin-approved users, enforce IP \
restrictions, and ask the vendor for their ECA timeline.\n\
Evidence: the namespace in the file name.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    cx.org.inventory
        .apps
        .iter()
        .filter(|a| a.distribution == Distribution::Packaged)
        .map(|app| {
            let ns = app.namespace.clone().unwrap_or_default();
            let msg = format!("{} comes from the package namespace {ns}: install and harden, wait for the vendor's ECA", app.api_name);
            Hit::app(&app.api_name, msg, vec![app_evidence(app, "label", EcaPart::Header, "label")])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::*;

    #[test]
    fn namespaced_app_triggers() {
        let inv = inventory(&[
            connected_app("acme__Sync", ""),
            connected_app("Local_App", ""),
        ]);
        let hits = run(&RULE, &inv);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].app.as_deref(), Some("acme__Sync"));
    }

    #[test]
    fn local_app_is_quiet() {
        assert!(run(&RULE, &inventory(&[connected_app("Local_App", "")])).is_empty());
    }
}
