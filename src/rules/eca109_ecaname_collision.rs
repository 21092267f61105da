//! ECA109 ecaname-collision: the API name an ECA would take is already used.

use std::collections::BTreeMap;

use super::support::at;
use super::{Context, Evidence, Hit, Rule, Severity};
use crate::model::App;

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA109",
    name: "ecaname-collision",
    severity: Severity::Medium,
    summary: "An ECA (or another app) already uses the API name the migration would need",
    explain: "What: the automated migration keeps the connected app's API name, and a new \
side-by-side ECA is named <Name>_ECA. This rule reports when such a name is taken: an ECA with \
the app's name but a different consumer key, an existing app called <Name>_ECA, or two different \
connected apps with one API name among the inputs.\n\
Why it matters: API names are unique per type and org; a same-named connected app may also \
prevent an ECA from being restored (sfdx-hardis deletes such apps first). A collision makes the \
deploy fail or, worse, attaches policies to the wrong app.\n\
How to fix: choose a distinct ECA name in the plan (ecaplan makes names unique), or retire the \
stale ECA first.\n\
Evidence: the files that define both names.",
    check,
};

fn key_of(app: &App) -> Option<&str> {
    app.connected_app
        .as_ref()?
        .value
        .oauth_config
        .as_ref()?
        .consumer_key
        .as_deref()
}

fn eca_key_of(app: &App) -> Option<&str> {
    app.eca
        .as_ref()?
        .global_oauth
        .as_ref()?
        .value
        .consumer_key
        .as_deref()
}

fn first_file(app: &App) -> Evidence {
    match (
        &app.connected_app,
        app.eca.as_ref().and_then(|e| e.files.first()),
    ) {
        (Some(ca), _) => at(ca, "label"),
        (None, Some((_, file))) => Evidence::Metadata {
            file: file.clone(),
            line: None,
            element: String::new(),
            snippet: None,
        },
        _ => Evidence::Note {
            text: app.api_name.clone(),
        },
    }
}

fn check(cx: &Context) -> Vec<Hit> {
    let apps = &cx.org.inventory.apps;
    let by_name: BTreeMap<String, Vec<&App>> = apps.iter().fold(BTreeMap::new(), |mut m, a| {
        m.entry(a.api_name.to_ascii_lowercase())
            .or_insert_with(Vec::new)
            .push(a);
        m
    });
    let mut hits = Vec::new();
    for (name, same) in &by_name {
        if same.len() > 1 {
            let msg = format!("{} different apps share the API name {}: the inputs mix orgs or the org has a stale copy", same.len(), same[0].api_name);
            hits.push(Hit::app(
                &same[0].api_name,
                msg,
                same.iter().map(|a| first_file(a)).collect(),
            ));
        }
        for app in same.iter().filter(|a| a.connected_app.is_some()) {
            if let (Some(ca_key), Some(eca_key)) = (key_of(app), eca_key_of(app)) {
                if ca_key != eca_key {
                    let msg = format!("an ECA named {} exists with a different consumer key: it is another integration, so {} cannot keep its name", app.api_name, app.api_name);
                    let glbl = app
                        .eca
                        .as_ref()
                        .and_then(|e| e.global_oauth.as_ref())
                        .map(|g| at(g, "consumerKey"));
                    hits.push(Hit::app(
                        &app.api_name,
                        msg,
                        std::iter::once(first_file(app)).chain(glbl).collect(),
                    ));
                }
            }
            if app.eca.is_none() {
                if let Some(taken) = by_name.get(&format!("{name}_eca")) {
                    let msg = format!(
                        "the side-by-side name {}_ECA is already used by another app",
                        app.api_name
                    );
                    hits.push(Hit::app(
                        &app.api_name,
                        msg,
                        vec![first_file(app), first_file(taken[0])],
                    ));
                }
            }
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::Kind;
    use crate::rules::support::testing::*;

    const GLBL: &str = "<ExtlClntAppGlobalOauthSettings xmlns=\"http://soap.sforce.com/2006/04/metadata\"><consumerKey>OTHERKEY</consumerKey><externalClientApplication>A</externalClientApplication></ExtlClntAppGlobalOauthSettings>";

    #[test]
    fn eca_with_other_key_and_taken_side_by_side_name() {
        let inv = inventory(&[
            connected_app("A", "<oauthConfig><callbackUrl>https://x</callbackUrl><consumerKey>KEYA</consumerKey></oauthConfig>"),
            file("A_glbloauth", Kind::EcaGlobalOauth, GLBL),
            connected_app("B", ""),
            connected_app("B_ECA", ""),
        ]);
        let hits = run(&RULE, &inv);
        let apps: Vec<_> = hits.iter().filter_map(|h| h.app.as_deref()).collect();
        assert_eq!(apps, ["A", "B"], "{hits:?}");
    }

    #[test]
    fn migrated_app_with_same_key_is_quiet() {
        let inv = inventory(&[
            connected_app("A", "<oauthConfig><callbackUrl>https://x</callbackUrl><consumerKey>OTHERKEY</consumerKey></oauthConfig>"),
            file("A_glbloauth", Kind::EcaGlobalOauth, GLBL),
        ]);
        assert!(run(&RULE, &inv).is_empty());
    }
}
