//! Helpers rules share: evidence from metadata lines, iterating apps with their facts, and a
//! small inventory builder for rule tests.

use std::collections::HashMap;

use super::Evidence;
use crate::model::{App, AppFacts, Sourced};

/// Most peers a finding names when many apps share something (a run-as user, a look-alike
/// label). Each app of such a group has its own finding, so naming every peer in each grows
/// with the square of the group (10,000 apps sharing one user made gigabytes of output). A
/// finding names the count and the first peers in sorted order; the graph exports list all.
pub const PEERS_SHOWN: usize = 10;

/// `A, B, C` for at most [`PEERS_SHOWN`] items.
pub fn first_peers<'a>(peers: impl Iterator<Item = &'a str>) -> String {
    let mut named = String::new();
    for (i, peer) in peers.take(PEERS_SHOWN).enumerate() {
        if i > 0 {
            named.push_str(", ");
        }
        named.push_str(peer);
    }
    named
}

/// Evidence pointing at an element of a sourced record (line when the element exists).
pub fn at<T>(src: &Sourced<T>, element: &str) -> Evidence {
    Evidence::Metadata {
        file: src.file.clone(),
        line: src.lines.get(element).copied(),
        element: element.to_string(),
        snippet: None,
    }
}

/// Evidence at the `n`-th (0-based) occurrence of a repeated element.
pub fn at_nth<T>(src: &Sourced<T>, element: &str, n: usize) -> Evidence {
    let key = if n == 0 {
        element.to_string()
    } else {
        format!("{element}#{n}")
    };
    Evidence::Metadata {
        file: src.file.clone(),
        line: src
            .lines
            .get(&key)
            .or_else(|| src.lines.get(element))
            .copied(),
        element: element.to_string(),
        snippet: None,
    }
}

/// Evidence for a fact of an app: the connected app element, or the ECA file that holds it.
pub fn app_evidence(app: &App, ca_element: &str, eca: EcaPart, eca_element: &str) -> Evidence {
    if let Some(ca) = &app.connected_app {
        return at(ca, ca_element);
    }
    let e = app.eca.as_ref();
    let found = match eca {
        EcaPart::Header => e
            .and_then(|e| e.header.as_ref())
            .map(|s| at(s, eca_element)),
        EcaPart::OauthSettings => e
            .and_then(|e| e.oauth_settings.as_ref())
            .map(|s| at(s, eca_element)),
        EcaPart::GlobalOauth => e
            .and_then(|e| e.global_oauth.as_ref())
            .map(|s| at(s, eca_element)),
        EcaPart::OauthPolicies => e
            .and_then(|e| e.oauth_policies.as_ref())
            .map(|s| at(s, eca_element)),
        EcaPart::Saml => e
            .and_then(|e| e.saml_policies.as_ref())
            .map(|s| at(s, eca_element)),
    };
    found.unwrap_or_else(|| Evidence::Note {
        text: format!("{}: {eca_element}", app.api_name),
    })
}

/// Which ECA file holds a fact.
#[derive(Debug, Clone, Copy)]
pub enum EcaPart {
    /// `.eca`
    Header,
    /// `.ecaOauth`
    OauthSettings,
    /// `.ecaGlblOauth`
    GlobalOauth,
    /// `.ecaOauthPlcy`
    OauthPolicies,
    /// `.ecaSamlPlcy`
    Saml,
}

/// Apps with facts, in inventory order.
pub fn apps_with_facts(inv: &crate::model::Inventory) -> impl Iterator<Item = (&App, &AppFacts)> {
    inv.apps.iter().filter_map(|a| a.facts().map(|f| (a, f)))
}

/// Whether the app's settings come from a connected app still to be migrated (not only an ECA).
pub fn is_connected_app(app: &App) -> bool {
    app.connected_app.is_some()
}

/// Apps with what usage says about them (apps without any usage match are skipped).
pub fn apps_with_usage<'a>(
    cx: &'a super::Context,
) -> impl Iterator<Item = (&'a App, crate::model::usage::view::AppUsageView<'a>)> {
    cx.org
        .inventory
        .apps
        .iter()
        .filter_map(|a| cx.org.join.for_app(a).map(|v| (a, v)))
}

/// Evidence pointing at a profile file.
pub fn at_profile(p: &crate::model::ProfileInfo) -> Evidence {
    Evidence::Metadata {
        file: p.file.clone(),
        line: None,
        element: "Profile".into(),
        snippet: None,
    }
}

/// A run-as user of an app with what the User export and the profile metadata say about it.
pub struct RunAs<'a> {
    /// The app.
    pub app: &'a App,
    /// Username.
    pub user: String,
    /// `run-as` or `handler`.
    pub role: &'static str,
    /// The User export row.
    pub row: &'a crate::model::usage::UserRow,
    /// The user's profile name (from the export).
    pub profile_name: String,
    /// The profile's metadata, when among the inputs.
    pub profile: Option<&'a crate::model::ProfileInfo>,
}

impl RunAs<'_> {
    /// Evidence: the export row and the profile file.
    pub fn evidence(&self) -> Vec<Evidence> {
        let license = self.row.license.as_deref().unwrap_or("not exported");
        let text = format!(
            "User export: {} has profile {}, licence {license}",
            self.user, self.profile_name
        );
        std::iter::once(Evidence::Note { text })
            .chain(self.profile.map(at_profile))
            .collect()
    }
}

/// Every run-as user found in the User export, with its profile.
/// Is a user an integration user by the standard (ECA208's judgement, which the plan also uses
/// to decide whether an ECA may run as it): an integration licence, an integration profile, or
/// a profile whose metadata grants API Only User.
pub fn integration_user(
    std: &crate::config::Standard,
    license: Option<&str>,
    profile_name: Option<&str>,
    profile: Option<&crate::model::ProfileInfo>,
) -> bool {
    let listed = |list: &[String], v: Option<&str>| {
        v.is_some_and(|v| list.iter().any(|s| s.eq_ignore_ascii_case(v.trim())))
    };
    listed(&std.integration_licenses, license)
        || listed(&std.integration_profiles, profile_name)
        || profile.is_some_and(|p| p.permissions.iter().any(|x| x == "ApiUserOnly"))
}

pub fn run_as_with_profiles<'a>(cx: &'a super::Context) -> Vec<RunAs<'a>> {
    // Indexed once (first row / first profile of each name, as a search would find): looking
    // each app's user up by a scan of the export was apps × users, and thousands of apps
    // share one integration user in the orgs this rule is about.
    let mut rows: HashMap<String, &crate::model::usage::UserRow> = HashMap::new();
    for row in &cx.org.usage.tables.users {
        if let Some(name) = row.username.as_deref() {
            rows.entry(name.to_ascii_lowercase()).or_insert(row);
        }
    }
    let mut profiles: HashMap<String, &crate::model::ProfileInfo> = HashMap::new();
    for p in &cx.org.inventory.profiles {
        profiles.entry(p.name.to_ascii_lowercase()).or_insert(p);
    }
    let mut out = Vec::new();
    for app in &cx.org.inventory.apps {
        for (user, role) in run_as_users(app) {
            let Some(&row) = rows.get(&user.to_ascii_lowercase()) else {
                continue;
            };
            let Some(profile_name) = row.profile.clone() else {
                continue;
            };
            let profile = profiles.get(&profile_name.to_ascii_lowercase()).copied();
            out.push(RunAs {
                app,
                user,
                role,
                row,
                profile_name,
                profile,
            });
        }
    }
    out
}

/// The org-wide switch of an insecure flow, when OauthOidc settings state it as allowed.
pub fn org_allows(
    cx: &super::Context,
    blocked: fn(&crate::metadata::access::OauthOidcSettings) -> Option<bool>,
    element: &str,
    flow: &str,
) -> Vec<super::Hit> {
    let Some(s) = &cx.org.inventory.org.oauth_oidc else {
        return Vec::new();
    };
    if blocked(&s.value) != Some(false) {
        return Vec::new();
    }
    let message = format!("the org allows the OAuth {flow} flow ({element} is false)");
    vec![super::Hit {
        app: None,
        message,
        evidence: vec![at(s, element)],
        severity: None,
    }]
}

/// Evidence from usage: the aggregate and the files of the kinds it came from.
pub fn usage_evidence(
    cx: &super::Context,
    usage: &crate::model::usage::AppUsage,
    summary: String,
) -> Evidence {
    let files = cx
        .org
        .usage
        .accounts
        .iter()
        .filter(|a| a.kind.is_some_and(|k| usage.sources.contains(&k)))
        .map(|a| a.file.clone())
        .collect();
    Evidence::Usage {
        summary,
        files,
        rows: Vec::new(),
    }
}

/// `YYYY-MM-DD` of a usage timestamp.
pub fn day(ts: crate::time::Ts) -> String {
    ts.iso().chars().take(10).collect()
}

/// Run-as users of an app with their role (`run-as`, `handler`).
pub fn run_as_users(app: &App) -> Vec<(String, &'static str)> {
    let Some(f) = app.facts() else {
        return Vec::new();
    };
    let mut out: Vec<(String, &'static str)> = f
        .run_as_user
        .iter()
        .cloned()
        .map(|u| (u, "run-as"))
        .collect();
    out.extend(f.handler_user.iter().cloned().map(|u| (u, "handler")));
    out
}

#[cfg(test)]
pub(crate) mod testing {
    //! Build inventories from XML snippets for rule tests.
    use crate::config::Config;
    use crate::metadata::{read_document, Kind};
    use crate::model::SecretSighting;
    use crate::model::{Inventory, Org};
    use crate::rules::{Context, Hit, Rule};

    /// A connected app file with `body` inside `<ConnectedApp>`.
    pub fn connected_app(name: &str, body: &str) -> (String, Kind, String) {
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ConnectedApp xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <contactEmail>a@b.example</contactEmail>\n    <label>{name}</label>\n{body}\n</ConnectedApp>\n"
        );
        (name.to_string(), Kind::ConnectedApp, xml)
    }

    /// Any metadata file.
    pub fn file(name: &str, kind: Kind, xml: &str) -> (String, Kind, String) {
        (name.to_string(), kind, xml.to_string())
    }

    /// Read the files into an inventory.
    pub fn inventory(files: &[(String, Kind, String)]) -> Inventory {
        let docs = files
            .iter()
            .map(|(name, kind, xml)| {
                read_document(&format!("{name}.{:?}", kind), name, *kind, xml)
                    .expect("fixture parses")
            })
            .collect();
        crate::model::assemble(docs).0
    }

    /// Run one rule over an inventory with the default config.
    pub fn run(rule: &Rule, inv: &Inventory) -> Vec<Hit> {
        run_with(rule, inv, &Config::default(), &[], None)
    }

    /// Run one rule with everything explicit.
    pub fn run_with(
        rule: &Rule,
        inv: &Inventory,
        config: &Config,
        secrets: &[SecretSighting],
        as_of_day: Option<crate::time::Day>,
    ) -> Vec<Hit> {
        // As given: not joined to usage, not classified.
        let org = Org {
            inventory: inv.clone(),
            secrets: secrets.to_vec(),
            as_of_day,
            ..Org::default()
        };
        let graph = crate::graph::build(inv, &[]);
        let cx = Context {
            org: &org,
            graph: &graph,
            config,
        };
        (rule.check)(&cx)
    }

    /// Read usage fixture files (CSV text by file name), join and classify, then run a rule.
    pub fn run_with_usage(
        rule: &Rule,
        files: &[(String, Kind, String)],
        csvs: &[(&str, &str)],
    ) -> Vec<Hit> {
        let inv = inventory(files);
        let usage = crate::model::usage::from_csv_texts(csvs);
        let org = Org::new(inv, usage, Vec::new(), Vec::new(), None);
        let graph = crate::graph::of(&org);
        let config = Config::default();
        let cx = Context {
            org: &org,
            graph: &graph,
            config: &config,
        };
        (rule.check)(&cx)
    }
}
