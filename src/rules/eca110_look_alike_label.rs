//! ECA110 look-alike-label: two apps whose labels are the same or differ only in case, spaces,
//! punctuation or look-alike characters.

use std::collections::BTreeMap;

use super::support::EcaPart;
use super::support::{app_evidence, first_peers, PEERS_SHOWN};
use super::{Context, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA110",
    name: "look-alike-label",
    severity: Severity::High,
    summary: "Two apps share a label (or labels that only look different)",
    explain: "What: two or more apps have labels that are equal once case, spaces, punctuation \
and look-alike characters (0/O, 1/l/I) are ignored.\n\
Why it matters: usage exports identify apps by label (LoginHistory.Application, \
OauthToken.AppName), so usage cannot be attributed with certainty; and look-alike apps were an \
attack vector in 2025 (users tricked into authorizing a malicious app named like a trusted one).\n\
How to fix: rename one of them, confirm which one is legitimate, and revoke tokens of the other \
if it should not exist. A new ECA that runs beside its connected app must not reuse the \
connected app's label: ecaplan labels it \"<label> (ECA)\", so LoginHistory.Application and \
OauthToken.AppName tell the old app from the new one during the parallel run.\n\
Evidence: the label elements of each app.",
    check,
};

/// Fold a label so that look-alikes compare equal.
pub fn fold(label: &str) -> String {
    label
        .chars()
        .filter(|c| c.is_alphanumeric())
        .map(|c| match c.to_ascii_lowercase() {
            '0' => 'o',
            '1' | 'i' => 'l',
            '5' => 's',
            c => c,
        })
        .collect()
}

fn check(cx: &Context) -> Vec<Hit> {
    let mut by_label: BTreeMap<String, Vec<&crate::model::App>> = BTreeMap::new();
    for app in &cx.org.inventory.apps {
        if let Some(label) = app.label.as_deref().filter(|l| !fold(l).is_empty()) {
            by_label.entry(fold(label)).or_default().push(app);
        }
    }
    let mut hits = Vec::new();
    for apps in by_label.values().filter(|v| v.len() > 1) {
        let name = |a: &crate::model::App| {
            format!("{} ({:?})", a.api_name, a.label.as_deref().unwrap_or(""))
        };
        if apps.len() <= PEERS_SHOWN + 1 {
            let names: Vec<String> = apps.iter().map(|a| name(a)).collect();
            for app in apps {
                let msg = format!(
                    "label clashes with another app: {}; usage by label cannot be attributed",
                    names.join(", ")
                );
                let evidence = apps
                    .iter()
                    .map(|a| app_evidence(a, "label", EcaPart::Header, "label"))
                    .collect();
                hits.push(Hit::app(&app.api_name, msg, evidence));
            }
            continue;
        }
        // A large group: each finding names the count and the first peers, and quotes its own
        // label and theirs (listing all in each finding is quadratic in the group).
        let others = apps.len() - 1;
        let names: Vec<String> = apps.iter().take(PEERS_SHOWN + 1).map(|a| name(a)).collect();
        for app in apps {
            let peers: Vec<&crate::model::App> = apps
                .iter()
                .filter(|a| a.api_name != app.api_name)
                .take(PEERS_SHOWN)
                .copied()
                .collect();
            let named = first_peers(
                apps.iter()
                    .zip(&names)
                    .filter(|(a, _)| a.api_name != app.api_name)
                    .map(|(_, n)| n.as_str()),
            );
            let msg = format!(
                "label {:?} clashes with {others} other apps: {named} and {} more; usage by label cannot be attributed",
                app.label.as_deref().unwrap_or(""),
                others - PEERS_SHOWN
            );
            let evidence = std::iter::once(*app)
                .chain(peers)
                .map(|a| app_evidence(a, "label", EcaPart::Header, "label"))
                .collect();
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
    fn same_and_look_alike_labels_trigger() {
        let a = connected_app("A", "")
            .2
            .replace("<label>A</label>", "<label>Reporting Dashboard</label>");
        let b = connected_app("B", "")
            .2
            .replace("<label>B</label>", "<label>Rep0rting  dashboard</label>");
        let inv = inventory(&[
            file("A", crate::metadata::Kind::ConnectedApp, &a),
            file("B", crate::metadata::Kind::ConnectedApp, &b),
        ]);
        assert_eq!(run(&RULE, &inv).len(), 2);
    }

    #[test]
    fn a_large_group_names_the_count_and_the_first_peers() {
        let files: Vec<_> = (0..30)
            .map(|i| {
                let name = format!("App{i:02}");
                let xml = connected_app(&name, "").2.replace(
                    &format!("<label>{name}</label>"),
                    "<label>Integration</label>",
                );
                file(&name, crate::metadata::Kind::ConnectedApp, &xml)
            })
            .collect();
        let hits = run(&RULE, &inventory(&files));
        assert_eq!(hits.len(), 30);
        let last = &hits[29];
        assert!(
            last.message.starts_with(
                "label \"Integration\" clashes with 29 other apps: App00 (\"Integration\"), App01"
            ),
            "{}",
            last.message
        );
        assert!(
            last.message
                .contains("App09 (\"Integration\") and 19 more;"),
            "{}",
            last.message
        );
        assert_eq!(last.evidence.len(), 1 + PEERS_SHOWN);
    }

    #[test]
    fn distinct_labels_are_quiet() {
        assert!(run(
            &RULE,
            &inventory(&[connected_app("A", ""), connected_app("B", "")])
        )
        .is_empty());
        assert_eq!(fold("Sales-Cloud 1"), "salescloudl");
    }
}
