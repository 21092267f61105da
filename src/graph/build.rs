//! Build the graph from the inventory (and, when present, usage-derived relations).

use super::{EdgeKind, Graph, NodeKind};
use crate::model::Inventory;

/// A relation learned from usage data: `user` used `app` (token or login), from a network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsageLink {
    /// The user holds a token for the app.
    Authorized {
        /// App API name.
        app: String,
        /// Username.
        user: String,
    },
    /// The user logged in through the app.
    LoggedIn {
        /// App API name.
        app: String,
        /// Username.
        user: String,
    },
    /// Calls to the app came from this network.
    Network {
        /// App API name.
        app: String,
        /// CIDR.
        cidr: String,
    },
    /// The user has this profile.
    Profile {
        /// Username.
        user: String,
        /// Profile name.
        profile: String,
    },
    /// The user is assigned this permission set (or group).
    Assigned {
        /// Username.
        user: String,
        /// Permission set API name.
        permission_set: String,
    },
}

/// Build the graph from metadata and usage links.
pub fn build(inv: &Inventory, links: &[UsageLink]) -> Graph {
    let mut g = Graph::default();
    for app in &inv.apps {
        let a = g.node(
            NodeKind::App,
            &app.api_name,
            app.label.as_deref().unwrap_or(&app.api_name),
        );
        let Some(f) = app.facts() else { continue };
        for user in f.run_as_user.iter().chain(f.handler_user.iter()) {
            let u = g.node(NodeKind::User, user, user);
            g.edge(&a, &u, EdgeKind::RunsAs);
        }
        for p in &f.profiles {
            let n = g.node(NodeKind::Profile, p, p);
            g.edge(&a, &n, EdgeKind::GrantsAccess);
        }
        for p in &f.permission_sets {
            let n = g.node(NodeKind::PermissionSet, p, p);
            g.edge(&a, &n, EdgeKind::GrantsAccess);
        }
        if let Some(c) = &app.certificate {
            let label = format!("{} (serial {})", c.subject, c.serial);
            let n = g.node(NodeKind::Certificate, &c.serial, &label);
            g.edge(&a, &n, EdgeKind::SignedBy);
        }
        if let Some(ns) = &app.namespace {
            let n = g.node(NodeKind::Package, ns, ns);
            g.edge(&a, &n, EdgeKind::FromPackage);
        }
        let lifecycle = app
            .connected_app
            .as_ref()
            .and_then(|c| c.value.canvas_config.as_ref())
            .and_then(|c| c.lifecycle_class.clone());
        for class in f.handler.iter().chain(lifecycle.iter()) {
            let n = g.node(NodeKind::ApexClass, class, class);
            g.edge(&a, &n, EdgeKind::Handler);
        }
    }
    for psg in &inv.permission_set_groups {
        let group = g.node(
            NodeKind::PermissionSetGroup,
            &psg.name,
            psg.label.as_deref().unwrap_or(&psg.name),
        );
        for ps in &psg.permission_sets {
            let n = g.node(NodeKind::PermissionSet, ps, ps);
            g.edge(&group, &n, EdgeKind::Contains);
        }
    }
    for r in &inv.references {
        if let Some(user) = &r.detail {
            let a = Graph::app_key(&r.app);
            if g.get(&a).is_some() {
                let u = g.node(NodeKind::User, user, user);
                g.edge(&a, &u, EdgeKind::RunsAs);
            }
        }
    }
    for link in links {
        add_link(&mut g, link);
    }
    g
}

fn add_link(g: &mut Graph, link: &UsageLink) {
    match link {
        UsageLink::Authorized { app, user } | UsageLink::LoggedIn { app, user } => {
            let a = g.node(NodeKind::App, app, app);
            let u = g.node(NodeKind::User, user, user);
            let kind = if matches!(link, UsageLink::Authorized { .. }) {
                EdgeKind::Authorized
            } else {
                EdgeKind::LoggedIn
            };
            g.edge(&u, &a, kind);
        }
        UsageLink::Network { app, cidr } => {
            let a = g.node(NodeKind::App, app, app);
            let n = g.node(NodeKind::Network, cidr, cidr);
            g.edge(&a, &n, EdgeKind::CallsFrom);
        }
        UsageLink::Profile { user, profile } => {
            let u = g.node(NodeKind::User, user, user);
            let p = g.node(NodeKind::Profile, profile, profile);
            g.edge(&u, &p, EdgeKind::HasProfile);
        }
        UsageLink::Assigned {
            user,
            permission_set,
        } => {
            let u = g.node(NodeKind::User, user, user);
            let p = g.node(NodeKind::PermissionSet, permission_set, permission_set);
            g.edge(&u, &p, EdgeKind::Assigned);
        }
    }
}

/// Most login users linked per app: beyond this the picture stops being readable and the
/// counts are in the usage summary anyway.
const MAX_LOGIN_USERS_PER_APP: usize = 25;
/// Most source networks linked per app.
const MAX_NETWORKS_PER_APP: usize = 5;

/// Relations usage data shows: token holders, login users, source networks, user profiles.
pub fn usage_links(
    inv: &Inventory,
    usage: &crate::usage::UsageData,
    join: &crate::usage::UsageJoin,
) -> Vec<UsageLink> {
    let mut links = Vec::new();
    let mut users = std::collections::BTreeSet::new();
    for app in &inv.apps {
        let Some(u) = join.for_app(app).and_then(|v| v.usage) else {
            continue;
        };
        for user in u.tokens.keys() {
            users.insert(user.clone());
            links.push(UsageLink::Authorized {
                app: app.api_name.clone(),
                user: user.clone(),
            });
        }
        for user in u.logins.users.iter().take(MAX_LOGIN_USERS_PER_APP) {
            users.insert(user.clone());
            links.push(UsageLink::LoggedIn {
                app: app.api_name.clone(),
                user: user.clone(),
            });
        }
        let mut nets: Vec<(&String, &u64)> = u.logins.networks.iter().collect();
        nets.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (cidr, _) in nets.into_iter().take(MAX_NETWORKS_PER_APP) {
            links.push(UsageLink::Network {
                app: app.api_name.clone(),
                cidr: cidr.clone(),
            });
        }
    }
    // Once, not per user row: a User export of a large org has tens of thousands of rows.
    let run_as: std::collections::HashSet<String> = inv
        .apps
        .iter()
        .filter_map(|a| a.facts())
        .flat_map(|f| f.run_as_user.iter().chain(f.handler_user.iter()))
        .map(|u| u.to_ascii_lowercase())
        .collect();
    for row in &usage.tables.users {
        let Some(profile) = &row.profile else {
            continue;
        };
        let name = row
            .username
            .as_deref()
            .map(str::to_ascii_lowercase)
            .unwrap_or_else(|| row.id.clone());
        if users.contains(&name) || run_as.contains(&name.to_ascii_lowercase()) {
            links.push(UsageLink::Profile {
                user: name,
                profile: profile.clone(),
            });
        }
    }
    links
}
