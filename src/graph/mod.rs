//! The dependency graph (DESIGN §5): apps, users, profiles, permission sets and groups,
//! certificates, packages, Apex classes and networks, with typed edges. petgraph stays inside
//! this module; callers see node keys (`app:ERP_Sync`, `user:int@x.com`), never indexes.

pub(crate) mod analysis;
pub(crate) mod build;
pub(crate) mod export;

use petgraph::stable_graph::{NodeIndex, StableGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use petgraph::Direction;
use serde::Serialize;

pub use build::{build, of};

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    /// An app (connected app and/or ECA).
    App,
    /// A user (by username).
    User,
    /// A profile.
    Profile,
    /// A permission set.
    PermissionSet,
    /// A permission set group.
    PermissionSetGroup,
    /// An X.509 certificate.
    Certificate,
    /// A managed package (namespace).
    Package,
    /// An Apex class (OAuth handler, canvas lifecycle).
    ApexClass,
    /// A source network (CIDR) seen in usage.
    Network,
}

impl NodeKind {
    /// Kebab-case name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::App => "app",
            NodeKind::User => "user",
            NodeKind::Profile => "profile",
            NodeKind::PermissionSet => "permission-set",
            NodeKind::PermissionSetGroup => "permission-set-group",
            NodeKind::Certificate => "certificate",
            NodeKind::Package => "package",
            NodeKind::ApexClass => "apex-class",
            NodeKind::Network => "network",
        }
    }

    /// Key prefix and display name.
    pub fn prefix(self) -> &'static str {
        match self {
            NodeKind::App => "app",
            NodeKind::User => "user",
            NodeKind::Profile => "profile",
            NodeKind::PermissionSet => "permset",
            NodeKind::PermissionSetGroup => "permsetgroup",
            NodeKind::Certificate => "cert",
            NodeKind::Package => "package",
            NodeKind::ApexClass => "apex",
            NodeKind::Network => "network",
        }
    }
}

/// Edge kinds (DESIGN §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    /// app → user: client-credentials or handler run-as user.
    RunsAs,
    /// user → app: holds a token (usage).
    Authorized,
    /// user → app: logged in through the app (usage).
    LoggedIn,
    /// app → profile / permission set: grants access.
    GrantsAccess,
    /// user → profile.
    HasProfile,
    /// user → permission set / group.
    Assigned,
    /// group → permission set.
    Contains,
    /// app → certificate.
    SignedBy,
    /// app → package.
    FromPackage,
    /// app → Apex class.
    Handler,
    /// app → network: calls come from this network (usage).
    CallsFrom,
}

impl EdgeKind {
    /// Kebab-case label.
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::RunsAs => "runs-as",
            EdgeKind::Authorized => "authorized",
            EdgeKind::LoggedIn => "logged-in",
            EdgeKind::GrantsAccess => "grants-access",
            EdgeKind::HasProfile => "has-profile",
            EdgeKind::Assigned => "assigned",
            EdgeKind::Contains => "contains",
            EdgeKind::SignedBy => "signed-by",
            EdgeKind::FromPackage => "from-package",
            EdgeKind::Handler => "handler",
            EdgeKind::CallsFrom => "calls-from",
        }
    }
}

/// A node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// Unique key: `<prefix>:<name>` (names of users, apps... as written; users lower-cased).
    pub key: String,
    /// Kind.
    pub kind: NodeKind,
    /// Display label.
    pub label: String,
}

/// An edge between two node keys.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Edge {
    /// Source key.
    pub from: String,
    /// Target key.
    pub to: String,
    /// Kind.
    pub kind: EdgeKind,
}

/// The typed dependency graph.
#[derive(Debug, Default)]
pub struct Graph {
    g: StableGraph<Node, EdgeKind>,
    /// Key → node. Hashed: building a large org's graph looks keys up some 250,000 times.
    index: rustc_hash::FxHashMap<String, NodeIndex>,
    /// The edges present, so that each is added once without walking a node's edges (a
    /// shared integration user of a large org has thousands).
    edge_set: rustc_hash::FxHashSet<(NodeIndex, NodeIndex, EdgeKind)>,
    /// Where keys are spelled out for lookups (most name a node already there).
    scratch: String,
}

impl Graph {
    /// Add a node (or return the existing one with this key).
    pub fn node(&mut self, kind: NodeKind, name: &str, label: &str) -> String {
        let i = self.add_node(kind, name, label);
        self.g[i].key.clone()
    }

    /// Add an edge once.
    pub fn edge(&mut self, from: &str, to: &str, kind: EdgeKind) {
        if let (Some(&a), Some(&b)) = (self.index.get(from), self.index.get(to)) {
            self.add_edge(a, b, kind);
        }
    }

    /// [`Graph::node`] by index, for the builder.
    fn add_node(&mut self, kind: NodeKind, name: &str, label: &str) -> NodeIndex {
        let mut key = std::mem::take(&mut self.scratch);
        key.clear();
        key.push_str(kind.prefix());
        key.push(':');
        if kind == NodeKind::User {
            key.extend(name.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            key.push_str(name);
        }
        let found = self.index.get(key.as_str()).copied();
        let i = found.unwrap_or_else(|| {
            let i = self.g.add_node(Node {
                key: key.clone(),
                kind,
                label: label.to_string(),
            });
            self.index.insert(key.clone(), i);
            i
        });
        self.scratch = key;
        i
    }

    /// [`Graph::edge`] by index, for the builder.
    fn add_edge(&mut self, a: NodeIndex, b: NodeIndex, kind: EdgeKind) {
        if self.edge_set.insert((a, b, kind)) {
            self.g.add_edge(a, b, kind);
        }
    }

    /// A node by key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.index.get(key).map(|&i| &self.g[i])
    }

    /// All nodes, sorted by key.
    pub fn nodes(&self) -> Vec<&Node> {
        let mut nodes: Vec<&Node> = self.index.values().map(|&i| &self.g[i]).collect();
        nodes.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        nodes
    }

    /// All edges, sorted.
    pub fn edges(&self) -> Vec<Edge> {
        self.edge_refs()
            .into_iter()
            .map(|(from, to, kind)| Edge {
                from: from.to_string(),
                to: to.to_string(),
                kind,
            })
            .collect()
    }

    /// The edges in the order of [`Graph::edges`], borrowing the node keys (the exports of a
    /// large org walk tens of thousands of edges and need no copies).
    pub fn edge_refs(&self) -> Vec<(&str, &str, EdgeKind)> {
        let mut edges: Vec<(&str, &str, EdgeKind)> = self
            .g
            .edge_references()
            .map(|e| {
                (
                    self.g[e.source()].key.as_str(),
                    self.g[e.target()].key.as_str(),
                    *e.weight(),
                )
            })
            .collect();
        edges.sort_unstable();
        edges
    }

    /// Edges touching a node, as (other node key, kind, outgoing?), sorted.
    pub fn neighbours(&self, key: &str) -> Vec<(String, EdgeKind, bool)> {
        let Some(&i) = self.index.get(key) else {
            return Vec::new();
        };
        let mut out: Vec<(String, EdgeKind, bool)> = self
            .g
            .edges_directed(i, Direction::Outgoing)
            .map(|e| (self.g[e.target()].key.clone(), *e.weight(), true))
            .chain(
                self.g
                    .edges_directed(i, Direction::Incoming)
                    .map(|e| (self.g[e.source()].key.clone(), *e.weight(), false)),
            )
            .collect();
        out.sort();
        out
    }

    /// The edges of a node in one direction, as (node at the other end, kind), unordered: for
    /// analyses that look at every node, where [`Graph::neighbours`] would copy and sort.
    pub fn edges_of(&self, key: &str, outgoing: bool) -> Vec<(&Node, EdgeKind)> {
        let Some(&i) = self.index.get(key) else {
            return Vec::new();
        };
        let dir = if outgoing {
            Direction::Outgoing
        } else {
            Direction::Incoming
        };
        self.g
            .edges_directed(i, dir)
            .map(|e| {
                let other = if outgoing { e.target() } else { e.source() };
                (&self.g[other], *e.weight())
            })
            .collect()
    }

    /// Key of an app node.
    pub fn app_key(api_name: &str) -> String {
        format!("app:{api_name}")
    }

    /// Key of a user node.
    pub fn user_key(username: &str) -> String {
        format!("user:{}", username.to_ascii_lowercase())
    }
}
