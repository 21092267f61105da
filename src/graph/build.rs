//! Build the graph from the inventory (and, when present, usage-derived relations).

use super::{EdgeKind, Graph, NodeKind};
use crate::model::Inventory;

/// A relation learned from usage data: `user` used `app` (token or login), from a network.
/// Names are borrowed from the usage data (a large org has tens of thousands of links).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsageLink<'a> {
    /// The user holds a token for the app.
    Authorized {
        /// App API name.
        app: &'a str,
        /// Username.
        user: &'a str,
    },
    /// The user logged in through the app.
    LoggedIn {
        /// App API name.
        app: &'a str,
        /// Username.
        user: &'a str,
    },
    /// Calls to the app came from this network.
    Network {
        /// App API name.
        app: &'a str,
        /// CIDR.
        cidr: &'a str,
    },
    /// The user has this profile.
    Profile {
        /// Username (lower case) or user id.
        user: String,
        /// Profile name.
        profile: &'a str,
    },
    /// The user is assigned this permission set (or group).
    Assigned {
        /// Username.
        user: &'a str,
        /// Permission set API name.
        permission_set: &'a str,
    },
}

/// The graph of an org: its inventory and what its usage shows.
pub fn of(org: &crate::model::Org) -> Graph {
    build(
        &org.inventory,
        &usage_links(&org.inventory, &org.usage, &org.join),
    )
}

/// The graph from metadata and these usage links.
pub fn build(inv: &Inventory, links: &[UsageLink<'_>]) -> Graph {
    let mut g = Graph::default();
    for app in &inv.apps {
        let a = g.add_node(
            NodeKind::App,
            &app.api_name,
            app.label.as_deref().unwrap_or(&app.api_name),
        );
        let Some(f) = app.facts() else { continue };
        for user in f.run_as_user.iter().chain(f.handler_user.iter()) {
            let u = g.add_node(NodeKind::User, user, user);
            g.add_edge(a, u, EdgeKind::RunsAs);
        }
        for p in &f.profiles {
            let n = g.add_node(NodeKind::Profile, p, p);
            g.add_edge(a, n, EdgeKind::GrantsAccess);
        }
        for p in &f.permission_sets {
            let n = g.add_node(NodeKind::PermissionSet, p, p);
            g.add_edge(a, n, EdgeKind::GrantsAccess);
        }
        if let Some(c) = &app.certificate {
            let label = format!("{} (serial {})", c.subject, c.serial);
            let n = g.add_node(NodeKind::Certificate, &c.serial, &label);
            g.add_edge(a, n, EdgeKind::SignedBy);
        }
        if let Some(ns) = &app.namespace {
            let n = g.add_node(NodeKind::Package, ns, ns);
            g.add_edge(a, n, EdgeKind::FromPackage);
        }
        let lifecycle = app
            .connected_app
            .as_ref()
            .and_then(|c| c.value.canvas_config.as_ref())
            .and_then(|c| c.lifecycle_class.clone());
        for class in f.handler.iter().chain(lifecycle.iter()) {
            let n = g.add_node(NodeKind::ApexClass, class, class);
            g.add_edge(a, n, EdgeKind::Handler);
        }
    }
    for psg in &inv.permission_set_groups {
        let group = g.add_node(
            NodeKind::PermissionSetGroup,
            &psg.name,
            psg.label.as_deref().unwrap_or(&psg.name),
        );
        for ps in &psg.permission_sets {
            let n = g.add_node(NodeKind::PermissionSet, ps, ps);
            g.add_edge(group, n, EdgeKind::Contains);
        }
    }
    for r in &inv.references {
        if let Some(user) = &r.detail {
            if let Some(&a) = g.index.get(&Graph::app_key(&r.app)) {
                let u = g.add_node(NodeKind::User, user, user);
                g.add_edge(a, u, EdgeKind::RunsAs);
            }
        }
    }
    for link in links {
        add_link(&mut g, link);
    }
    g
}

fn add_link(g: &mut Graph, link: &UsageLink<'_>) {
    match link {
        UsageLink::Authorized { app, user } | UsageLink::LoggedIn { app, user } => {
            let a = g.add_node(NodeKind::App, app, app);
            let u = g.add_node(NodeKind::User, user, user);
            let kind = if matches!(link, UsageLink::Authorized { .. }) {
                EdgeKind::Authorized
            } else {
                EdgeKind::LoggedIn
            };
            g.add_edge(u, a, kind);
        }
        UsageLink::Network { app, cidr } => {
            let a = g.add_node(NodeKind::App, app, app);
            let n = g.add_node(NodeKind::Network, cidr, cidr);
            g.add_edge(a, n, EdgeKind::CallsFrom);
        }
        UsageLink::Profile { user, profile } => {
            let u = g.add_node(NodeKind::User, user, user);
            let p = g.add_node(NodeKind::Profile, profile, profile);
            g.add_edge(u, p, EdgeKind::HasProfile);
        }
        UsageLink::Assigned {
            user,
            permission_set,
        } => {
            let u = g.add_node(NodeKind::User, user, user);
            let p = g.add_node(NodeKind::PermissionSet, permission_set, permission_set);
            g.add_edge(u, p, EdgeKind::Assigned);
        }
    }
}

/// Most login users linked per app: beyond this the picture stops being readable and the
/// counts are in the usage summary anyway.
const MAX_LOGIN_USERS_PER_APP: usize = 25;
/// Most source networks linked per app.
const MAX_NETWORKS_PER_APP: usize = 5;

/// Relations usage data shows: token holders, login users, source networks, user profiles.
pub fn usage_links<'a>(
    inv: &'a Inventory,
    usage: &'a crate::model::usage::UsageData,
    join: &'a crate::model::usage::UsageJoin,
) -> Vec<UsageLink<'a>> {
    use rayon::prelude::*;
    // Per app on all cores (a large org has thousands of apps and tens of thousands of links).
    let per_app: Vec<Vec<UsageLink<'a>>> = inv
        .apps
        .par_iter()
        .map(|app| app_links(app, join))
        .collect();
    let mut links: Vec<UsageLink<'a>> = per_app.into_iter().flatten().collect();
    let users: std::collections::HashSet<&str> = links
        .iter()
        .filter_map(|l| match l {
            UsageLink::Authorized { user, .. } | UsageLink::LoggedIn { user, .. } => Some(*user),
            _ => None,
        })
        .collect();
    // Once, not per user row: a User export of a large org has tens of thousands of rows.
    let run_as: std::collections::HashSet<String> = inv
        .apps
        .iter()
        .filter_map(|a| a.facts())
        .flat_map(|f| f.run_as_user.iter().chain(f.handler_user.iter()))
        .map(|u| u.to_ascii_lowercase())
        .collect();
    let mut profiles = Vec::new();
    for row in &usage.tables.users {
        let Some(profile) = &row.profile else {
            continue;
        };
        let name = row
            .username
            .as_deref()
            .map(str::to_ascii_lowercase)
            .unwrap_or_else(|| row.id.clone());
        if users.contains(name.as_str()) || run_as.contains(&name.to_ascii_lowercase()) {
            profiles.push(UsageLink::Profile {
                user: name,
                profile,
            });
        }
    }
    links.extend(profiles);
    links
}

/// The usage links of one app: token holders, login users, its busiest source networks.
fn app_links<'a>(
    app: &'a crate::model::App,
    join: &'a crate::model::usage::UsageJoin,
) -> Vec<UsageLink<'a>> {
    let mut links = Vec::new();
    let Some(u) = join.for_app(app).and_then(|v| v.usage) else {
        return links;
    };
    for user in u.tokens.keys() {
        links.push(UsageLink::Authorized {
            app: &app.api_name,
            user,
        });
    }
    for user in u.logins.users.iter().take(MAX_LOGIN_USERS_PER_APP) {
        links.push(UsageLink::LoggedIn {
            app: &app.api_name,
            user,
        });
    }
    let mut nets: Vec<(&String, &u64)> = u.logins.networks.iter().collect();
    nets.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (cidr, _) in nets.into_iter().take(MAX_NETWORKS_PER_APP) {
        links.push(UsageLink::Network {
            app: &app.api_name,
            cidr,
        });
    }
    links
}
