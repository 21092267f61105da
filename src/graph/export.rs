//! DOT, Mermaid and JSON exports of the graph. Deterministic: nodes and edges sorted by key.

use std::fmt::Write;

use serde::Serialize;

use super::{Edge, Graph, Node, NodeKind};

fn shape(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::App => "box",
        NodeKind::User => "ellipse",
        NodeKind::Profile | NodeKind::PermissionSet | NodeKind::PermissionSetGroup => "folder",
        NodeKind::Certificate => "note",
        NodeKind::Package => "component",
        NodeKind::ApexClass => "cds",
        NodeKind::Network => "hexagon",
    }
}

fn dot_escape(s: &str) -> std::borrow::Cow<'_, str> {
    // No control or bidi character of an input name reaches the graph; line breaks become spaces.
    let s = crate::text::sanitize(s, false);
    if !s.contains(['\\', '"']) {
        return s;
    }
    s.replace('\\', "\\\\").replace('"', "\\\"").into()
}

/// Graphviz DOT.
pub fn to_dot(g: &Graph) -> String {
    let mut out = String::from(
        "digraph ecaplan {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n",
    );
    for n in g.nodes() {
        let _ = writeln!(
            out,
            "  \"{}\" [label=\"{}\\n({})\", shape={}];",
            dot_escape(&n.key),
            dot_escape(&n.label),
            n.kind.prefix(),
            shape(n.kind)
        );
    }
    for (from, to, kind) in g.edge_refs() {
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [label=\"{}\"];",
            dot_escape(from),
            dot_escape(to),
            kind.as_str()
        );
    }
    out.push_str("}\n");
    out
}

/// Mermaid node ids must be simple: use the position in the sorted node list.
fn mermaid_label(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '"' => '\'',
            '\n' | '\r' => ' ',
            '<' | '>' | '[' | ']' | '{' | '}' | '|' => '_',
            c => c,
        })
        .collect()
}

/// Mermaid flowchart.
pub fn to_mermaid(g: &Graph) -> String {
    let nodes = g.nodes();
    // Key → position, looked up once per edge end (a large org has tens of thousands).
    let index: std::collections::HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.key.as_str(), i))
        .collect();
    // `n` and the position; an unknown key (never, edges join known nodes) is a bare `n`.
    let id = |key: &str| Id(index.get(key).copied());
    let mut out = String::from("flowchart LR\n");
    for (i, n) in nodes.iter().enumerate() {
        let label = mermaid_label(&format!("{} ({})", n.label, n.kind.prefix()));
        let (open, close) = match n.kind {
            NodeKind::App => ("[\"", "\"]"),
            NodeKind::User => ("([\"", "\"])"),
            NodeKind::Certificate => ("[/\"", "\"/]"),
            _ => ("{{\"", "\"}}"),
        };
        let _ = writeln!(out, "  n{i}{open}{label}{close}");
    }
    for (from, to, kind) in g.edge_refs() {
        let _ = writeln!(out, "  {} -->|{}| {}", id(from), kind.as_str(), id(to));
    }
    out
}

/// A Mermaid node id.
struct Id(Option<usize>);

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(i) => write!(f, "n{i}"),
            None => f.write_str("n"),
        }
    }
}

/// The JSON export.
#[derive(Debug, Serialize)]
pub struct GraphJson<'a> {
    /// Nodes sorted by key.
    pub nodes: Vec<&'a Node>,
    /// Edges sorted.
    pub edges: Vec<Edge>,
    /// Apps that move together or must be untangled first.
    pub coupled_groups: Vec<super::analysis::CoupledGroup>,
    /// For every user, profile, permission set, certificate and package: the apps affected
    /// if it changes (only nodes that touch at least one app).
    pub blast_radius: std::collections::BTreeMap<String, Vec<String>>,
}

/// JSON view of the graph, with its analyses.
pub fn to_json(g: &Graph) -> GraphJson<'_> {
    let blast_radius = g
        .nodes()
        .into_iter()
        .filter(|n| !matches!(n.kind, NodeKind::App | NodeKind::Network))
        .map(|n| (n.key.clone(), super::analysis::blast_radius(g, &n.key)))
        .filter(|(_, apps)| !apps.is_empty())
        .collect();
    GraphJson {
        nodes: g.nodes(),
        edges: g.edges(),
        coupled_groups: super::analysis::coupled_groups(g),
        blast_radius,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::EdgeKind;

    fn small() -> Graph {
        let mut g = Graph::default();
        let a = g.node(NodeKind::App, "ERP_Sync", "ERP \"Sync\"");
        let u = g.node(NodeKind::User, "int@x.com", "int@x.com");
        g.edge(&a, &u, EdgeKind::RunsAs);
        g
    }

    #[test]
    fn dot_is_escaped_and_sorted() {
        let dot = to_dot(&small());
        assert!(dot.starts_with("digraph ecaplan {"));
        assert!(dot.contains("\"app:ERP_Sync\" [label=\"ERP \\\"Sync\\\"\\n(app)\", shape=box];"));
        assert!(dot.contains("\"app:ERP_Sync\" -> \"user:int@x.com\" [label=\"runs-as\"];"));
    }

    #[test]
    fn mermaid_ids_and_labels() {
        let m = to_mermaid(&small());
        assert_eq!(
            m,
            "flowchart LR\n  n0[\"ERP 'Sync' (app)\"]\n  n1([\"int@x.com (user)\"])\n  n0 -->|runs-as| n1\n"
        );
    }

    #[test]
    fn json_shape() {
        let g = small();
        let v = serde_json::to_value(to_json(&g)).expect("json");
        assert_eq!(v["nodes"][0]["key"], "app:ERP_Sync");
        assert_eq!(v["edges"][0]["kind"], "runs-as");
    }
}
