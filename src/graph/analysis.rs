//! Analyses the plan and the rules use: coupled groups, shared integration users, blast radius
//! and the path that explains a graph finding.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{EdgeKind, Graph, NodeKind};

/// Apps that must move together (or be untangled first), and what ties them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoupledGroup {
    /// App API names, sorted.
    pub apps: Vec<String>,
    /// Node keys shared by two or more apps of the group (users, certificates, permission sets).
    pub shared: Vec<String>,
}

/// Edges through which apps are coupled: sharing the node means moving together.
fn couples(kind: EdgeKind, other: NodeKind) -> bool {
    matches!(
        (kind, other),
        (EdgeKind::RunsAs, NodeKind::User)
            | (EdgeKind::SignedBy, NodeKind::Certificate)
            | (EdgeKind::GrantsAccess, NodeKind::PermissionSet)
    )
}

fn app_name(key: &str) -> &str {
    key.strip_prefix("app:").unwrap_or(key)
}

/// For each coupling node, the apps that reach it.
fn sharing(g: &Graph) -> BTreeMap<String, BTreeSet<String>> {
    let mut by_node: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for node in g.nodes().into_iter().filter(|n| n.kind == NodeKind::App) {
        for (o, kind) in g.edges_of(&node.key, true) {
            if couples(kind, o.kind) {
                by_node
                    .entry(o.key.clone())
                    .or_default()
                    .insert(app_name(&node.key).to_string());
            }
        }
    }
    by_node.retain(|_, apps| apps.len() > 1);
    by_node
}

/// Groups of two or more apps tied by a shared run-as user, certificate or permission set.
pub fn coupled_groups(g: &Graph) -> Vec<CoupledGroup> {
    let shared = sharing(g);
    // Union-find over app names.
    let mut parent: BTreeMap<String, String> = BTreeMap::new();
    fn find(parent: &mut BTreeMap<String, String>, x: &str) -> String {
        let p = parent.get(x).cloned().unwrap_or_else(|| x.to_string());
        if p == x {
            return p;
        }
        let root = find(parent, &p);
        parent.insert(x.to_string(), root.clone());
        root
    }
    for apps in shared.values() {
        let mut it = apps.iter();
        let Some(first) = it.next() else { continue };
        for other in it {
            let (a, b) = (find(&mut parent, first), find(&mut parent, other));
            if a != b {
                let (lo, hi) = if a < b { (a, b) } else { (b, a) };
                parent.insert(hi, lo);
            }
        }
    }
    let mut groups: BTreeMap<String, CoupledGroup> = BTreeMap::new();
    for (node, apps) in &shared {
        let root = find(&mut parent, apps.iter().next().map_or("", |s| s.as_str()));
        let group = groups.entry(root).or_insert_with(|| CoupledGroup {
            apps: Vec::new(),
            shared: Vec::new(),
        });
        group.apps.extend(apps.iter().cloned());
        group.shared.push(node.clone());
    }
    let mut out: Vec<CoupledGroup> = groups
        .into_values()
        .map(|mut g| {
            g.apps.sort();
            g.apps.dedup();
            g.shared.sort();
            g
        })
        .collect();
    out.sort_by(|a, b| a.apps.cmp(&b.apps));
    out
}

/// A user that two or more apps run as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SharedUser {
    /// Node key (`user:<username>`).
    pub key: String,
    /// Username (as the node label).
    pub username: String,
    /// Apps running as this user, sorted.
    pub apps: Vec<String>,
}

impl SharedUser {
    /// The path that explains why `app` shares this user, naming at most `peers` of the other
    /// apps (the first in sorted order): `app:A -runs-as-> user:u <-runs-as- app:B ...`.
    /// Bounded so that a finding per app stays small when thousands of apps share one user;
    /// the full list is in the graph exports.
    pub fn path_for(&self, app: &str, peers: usize) -> Vec<String> {
        let mut path = vec![
            format!("app:{app}"),
            "-runs-as->".to_string(),
            self.key.clone(),
        ];
        for peer in self.apps.iter().filter(|a| *a != app).take(peers) {
            path.push("<-runs-as-".to_string());
            path.push(format!("app:{peer}"));
        }
        path
    }
}

/// Run-as users shared by several apps (the standard is one integration user per app).
pub fn shared_integration_users(g: &Graph) -> Vec<SharedUser> {
    let mut out = Vec::new();
    for node in g.nodes().into_iter().filter(|n| n.kind == NodeKind::User) {
        let mut runs_as: Vec<&str> = g
            .edges_of(&node.key, false)
            .into_iter()
            .filter(|(_, kind)| *kind == EdgeKind::RunsAs)
            .map(|(other, _)| other.key.as_str())
            .collect();
        if runs_as.len() > 1 {
            runs_as.sort_unstable();
            out.push(SharedUser {
                key: node.key.clone(),
                username: node.label.clone(),
                apps: runs_as.iter().map(|k| app_name(k).to_string()).collect(),
            });
        }
    }
    out
}

/// Every app affected if this node (a user, profile, permission set, certificate...) changes:
/// apps linked to it directly or through a permission set group.
pub fn blast_radius(g: &Graph, key: &str) -> Vec<String> {
    let mut apps = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut stack = vec![key.to_string()];
    while let Some(k) = stack.pop() {
        if !seen.insert(k.clone()) {
            continue;
        }
        for (other, kind, _) in g.neighbours(&k) {
            match g.get(&other).map(|n| n.kind) {
                Some(NodeKind::App) => {
                    apps.insert(app_name(&other).to_string());
                }
                Some(NodeKind::PermissionSet | NodeKind::PermissionSetGroup)
                    if matches!(kind, EdgeKind::Contains | EdgeKind::Assigned) =>
                {
                    stack.push(other)
                }
                _ => {}
            }
        }
    }
    apps.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Graph {
        let mut g = Graph::default();
        let a = g.node(NodeKind::App, "A", "A");
        let b = g.node(NodeKind::App, "B", "B");
        let c = g.node(NodeKind::App, "C", "C");
        let d = g.node(NodeKind::App, "D", "D");
        let u = g.node(NodeKind::User, "Int@X.com", "int@x.com");
        let ps = g.node(NodeKind::PermissionSet, "PS", "PS");
        let admin = g.node(
            NodeKind::Profile,
            "System Administrator",
            "System Administrator",
        );
        g.edge(&a, &u, EdgeKind::RunsAs);
        g.edge(&b, &u, EdgeKind::RunsAs);
        g.edge(&b, &ps, EdgeKind::GrantsAccess);
        g.edge(&c, &ps, EdgeKind::GrantsAccess);
        g.edge(&c, &admin, EdgeKind::GrantsAccess);
        g.edge(&d, &admin, EdgeKind::GrantsAccess);
        g
    }

    #[test]
    fn groups_follow_users_and_permission_sets_not_profiles() {
        let groups = coupled_groups(&sample());
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].apps, ["A", "B", "C"]);
        assert_eq!(groups[0].shared, ["permset:PS", "user:int@x.com"]);
    }

    #[test]
    fn shared_users_with_path() {
        let shared = shared_integration_users(&sample());
        assert_eq!(shared.len(), 1);
        assert_eq!(shared[0].apps, ["A", "B"]);
        assert_eq!(
            shared[0].path_for("B", 10),
            [
                "app:B",
                "-runs-as->",
                "user:int@x.com",
                "<-runs-as-",
                "app:A"
            ]
        );
        assert_eq!(shared[0].path_for("A", 0).len(), 3);
    }

    #[test]
    fn blast_radius_of_a_profile() {
        assert_eq!(
            blast_radius(&sample(), "profile:System Administrator"),
            ["C", "D"]
        );
        assert_eq!(blast_radius(&sample(), "user:int@x.com"), ["A", "B"]);
    }
}
