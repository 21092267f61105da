//! Geometry of the pictures of the HTML report (bar charts, the waves timeline, the dependency
//! graph), computed once with the view-model so templates only place ready-made numbers.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::graph::{Edge, Node, NodeKind};
use crate::plan::Wave;
use crate::time::Day;

/// Height of one bar or one graph row, in SVG units.
const ROW: u32 = 24;
/// Width of the label area left of bars.
const LABEL_W: u32 = 190;
/// Longest bar of a chart.
const BAR_MAX: u32 = 320;
/// Width of the plotting area of the timeline.
const TIMELINE_W: u32 = 640;
/// Horizontal distance between graph columns and the width of a node box.
const COL_W: u32 = 260;
const NODE_W: u32 = 200;
const NODE_H: u32 = 18;
/// Characters of a node label drawn in its box (the full label is in its tooltip).
const NODE_CHARS: usize = 30;

/// One bar of a horizontal bar chart.
#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    /// Category.
    pub label: String,
    /// Count.
    pub value: usize,
    /// Top of the bar.
    pub y: u32,
    /// Length of the bar (at least 1 for a non-zero value so it stays visible).
    pub width: u32,
}

/// A horizontal bar chart.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    /// Title.
    pub title: &'static str,
    /// Bars in the model's order.
    pub bars: Vec<Bar>,
    /// Total height of the drawing.
    pub height: u32,
    /// Total width of the drawing.
    pub width: u32,
    /// Where bars start.
    pub bar_x: u32,
}

/// One wave on the timeline.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineBar {
    /// Wave number.
    pub number: usize,
    /// Wave name.
    pub name: String,
    /// Start date (as in the plan).
    pub start: String,
    /// End date (as in the plan).
    pub end: String,
    /// Apps in the wave.
    pub apps: usize,
    /// Left edge.
    pub x: u32,
    /// Width.
    pub width: u32,
    /// Top.
    pub y: u32,
}

/// The waves timeline: one bar per wave from its start to its end date.
#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    /// Bars, in wave order.
    pub bars: Vec<TimelineBar>,
    /// Total width.
    pub width: u32,
    /// Total height.
    pub height: u32,
    /// Where the plotting area starts.
    pub plot_x: u32,
}

/// A placed node of the dependency graph.
#[derive(Debug, Clone, Serialize)]
pub struct PlacedNode {
    /// Node key (tooltip).
    pub key: String,
    /// Kind (CSS class).
    pub kind: NodeKind,
    /// Label, shortened to fit the box.
    pub short: String,
    /// Full label.
    pub label: String,
    /// Left edge.
    pub x: u32,
    /// Top.
    pub y: u32,
}

/// A drawn edge: an SVG path.
#[derive(Debug, Clone, Serialize)]
pub struct PlacedEdge {
    /// Edge kind (CSS class and tooltip).
    pub kind: &'static str,
    /// SVG path data.
    pub d: String,
}

/// A column heading of the graph.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    /// Kind of the nodes of the column.
    pub kind: NodeKind,
    /// Number of nodes.
    pub count: usize,
    /// Left edge.
    pub x: u32,
}

/// The dependency graph laid out in columns by node kind, apps in the middle.
#[derive(Debug, Clone, Serialize)]
pub struct GraphLayout {
    /// Columns.
    pub columns: Vec<Column>,
    /// Nodes.
    pub nodes: Vec<PlacedNode>,
    /// Edges.
    pub edges: Vec<PlacedEdge>,
    /// Total width.
    pub width: u32,
    /// Total height.
    pub height: u32,
    /// Width and height of a node box.
    pub node_w: u32,
    /// Height of a node box.
    pub node_h: u32,
    /// Nodes of the whole graph (`nodes` may be fewer: see [`MAX_DRAWN_NODES`]).
    pub total_nodes: usize,
    /// Edges of the whole graph.
    pub total_edges: usize,
}

/// All pictures of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Visuals {
    /// Overview charts: by strategy, by distribution state, by severity.
    pub charts: Vec<Chart>,
    /// Waves timeline.
    pub timeline: Timeline,
    /// Dependency graph.
    pub graph: GraphLayout,
}

/// A bar chart of counts; bars are scaled to the largest count.
pub fn chart<'a>(title: &'static str, counts: impl IntoIterator<Item = (&'a str, usize)>) -> Chart {
    let counts: Vec<(&str, usize)> = counts.into_iter().collect();
    let max = counts.iter().map(|c| c.1).max().unwrap_or(0).max(1);
    let bars: Vec<Bar> = counts
        .iter()
        .zip(0u32..)
        .map(|(&(label, value), i)| Bar {
            label: label.to_string(),
            value,
            y: i * ROW,
            width: scale(value, max, BAR_MAX),
        })
        .collect();
    Chart {
        title,
        height: (bars.len() as u32).max(1) * ROW,
        width: LABEL_W + BAR_MAX + 50,
        bar_x: LABEL_W,
        bars,
    }
}

/// `value / max` of `len`, rounded down, but at least 1 when `value` is not zero.
fn scale(value: usize, max: usize, len: u32) -> u32 {
    let w = (value as u64 * u64::from(len) / max.max(1) as u64) as u32;
    if value > 0 {
        w.max(1)
    } else {
        0
    }
}

/// The timeline of the waves; waves with unreadable dates get a zero-width bar at the start.
pub fn timeline(waves: &[Wave]) -> Timeline {
    let days: Vec<(Option<Day>, Option<Day>)> = waves
        .iter()
        .map(|w| (Day::parse(&w.start), Day::parse(&w.end)))
        .collect();
    let first = days.iter().filter_map(|d| d.0).min().unwrap_or_default();
    let last = days.iter().filter_map(|d| d.1).max().unwrap_or(first);
    // The end date is inclusive: a wave ending on its start day still lasts one day.
    let span = (last.days_since(first) + 1).max(1) as u64;
    let x_of =
        |day: Day| (day.days_since(first).max(0) as u64 * u64::from(TIMELINE_W) / span) as u32;
    let bars = waves
        .iter()
        .zip(&days)
        .zip(0u32..)
        .map(|((w, &(s, e)), i)| {
            let x0 = s.map_or(0, x_of);
            let x1 = e.map_or(x0, |e| x_of(e.plus(1)));
            TimelineBar {
                number: w.number,
                name: w.name.clone(),
                start: w.start.clone(),
                end: w.end.clone(),
                apps: w.apps.len(),
                x: LABEL_W + 60 + x0,
                width: x1.saturating_sub(x0).max(2),
                y: i * (ROW + 6),
            }
        })
        .collect();
    Timeline {
        bars,
        width: LABEL_W + 60 + TIMELINE_W + 10,
        height: (waves.len() as u32).max(1) * (ROW + 6),
        plot_x: LABEL_W + 60,
    }
}

/// Column order: who holds access on the left, apps in the middle, what apps use on the right.
fn column_rank(kind: NodeKind) -> u8 {
    match kind {
        NodeKind::User => 0,
        NodeKind::Profile => 1,
        NodeKind::PermissionSet => 2,
        NodeKind::PermissionSetGroup => 3,
        NodeKind::App => 4,
        NodeKind::Package => 5,
        NodeKind::Certificate => 6,
        NodeKind::ApexClass => 7,
        NodeKind::Network => 8,
    }
}

/// Most nodes drawn. A picture of thousands of boxes helps nobody and weighs megabytes: a
/// larger graph is drawn from its most shared nodes (those touching the most apps: the
/// couplings a workshop has to discuss) with the apps they touch, and the report says so; the
/// whole graph is in graph.dot, graph.mmd and report.json.
pub const MAX_DRAWN_NODES: usize = 300;

/// The nodes to draw: all of them when they fit, else the most shared non-app nodes (by
/// number of apps touched, then key) with their apps, while they fit, then apps by label.
fn drawn<'a>(nodes: &'a [Node], edges: &[Edge]) -> Vec<&'a Node> {
    if nodes.len() <= MAX_DRAWN_NODES {
        return nodes.iter().collect();
    }
    let is_app: FxHashMap<&str, bool> = nodes
        .iter()
        .map(|n| (n.key.as_str(), n.kind == NodeKind::App))
        .collect();
    let mut apps_of: FxHashMap<&str, FxHashSet<&str>> = FxHashMap::default();
    for e in edges {
        for (a, b) in [(&e.from, &e.to), (&e.to, &e.from)] {
            if is_app.get(a.as_str()) == Some(&true) && is_app.get(b.as_str()) == Some(&false) {
                apps_of.entry(b).or_default().insert(a);
            }
        }
    }
    let mut shared: Vec<(&str, &FxHashSet<&str>)> = apps_of
        .iter()
        .filter(|(_, apps)| apps.len() >= 2)
        .map(|(k, apps)| (*k, apps))
        .collect();
    shared.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    let mut keep: FxHashSet<&str> = FxHashSet::default();
    for (node, apps) in shared {
        let new = 1 + apps.iter().filter(|a| !keep.contains(*a)).count();
        if keep.len() + new <= MAX_DRAWN_NODES {
            keep.insert(node);
            keep.extend(apps.iter().copied());
        }
    }
    let mut apps: Vec<&Node> = nodes.iter().filter(|n| n.kind == NodeKind::App).collect();
    apps.sort_by(|a, b| a.label.cmp(&b.label).then(a.key.cmp(&b.key)));
    for a in apps {
        if keep.len() >= MAX_DRAWN_NODES {
            break;
        }
        keep.insert(&a.key);
    }
    nodes
        .iter()
        .filter(|n| keep.contains(n.key.as_str()))
        .collect()
}

/// Lay the graph out in columns by kind. Apps are sorted by label; every other node sits near
/// the mean position of the apps it touches, which keeps edges short and crossings few even
/// with hundreds of apps.
pub fn graph(all_nodes: &[Node], all_edges: &[Edge]) -> GraphLayout {
    let nodes = drawn(all_nodes, all_edges);
    let kept: FxHashSet<&str> = nodes.iter().map(|n| n.key.as_str()).collect();
    let edges: Vec<&Edge> = all_edges
        .iter()
        .filter(|e| kept.contains(e.from.as_str()) && kept.contains(e.to.as_str()))
        .collect();
    let mut by_kind: BTreeMap<u8, Vec<&Node>> = BTreeMap::new();
    for n in nodes {
        by_kind.entry(column_rank(n.kind)).or_default().push(n);
    }
    let neighbours = app_rows(&mut by_kind, &edges);
    // Mean app row ×1000 (integers keep the order deterministic); unlinked nodes go last.
    let weight = |n: &Node| {
        neighbours.get(n.key.as_str()).map_or(u64::MAX, |rows| {
            rows.iter().map(|&r| r as u64 * 1000).sum::<u64>() / rows.len() as u64
        })
    };
    let mut columns = Vec::new();
    let mut placed = Vec::new();
    let mut pos: FxHashMap<&str, (u32, u32)> = FxHashMap::default();
    for (c, (rank, column)) in by_kind.iter_mut().enumerate() {
        if *rank != column_rank(NodeKind::App) {
            column.sort_by(|a, b| weight(a).cmp(&weight(b)).then(a.key.cmp(&b.key)));
        }
        let x = 10 + c as u32 * COL_W;
        columns.push(Column {
            kind: column[0].kind,
            count: column.len(),
            x,
        });
        for (n, i) in column.iter().zip(0u32..) {
            let y = 30 + i * ROW;
            pos.insert(&n.key, (x, y));
            placed.push(PlacedNode {
                key: n.key.clone(),
                kind: n.kind,
                short: shorten(&n.label),
                label: n.label.clone(),
                x,
                y,
            });
        }
    }
    let edges = place_edges(&edges, &pos);
    let rows = columns.iter().map(|c| c.count).max().unwrap_or(0) as u32;
    GraphLayout {
        width: 20 + columns.len() as u32 * COL_W,
        height: 40 + rows * ROW,
        columns,
        nodes: placed,
        edges,
        node_w: NODE_W,
        node_h: NODE_H,
        total_nodes: all_nodes.len(),
        total_edges: all_edges.len(),
    }
}

/// Sort the apps' column by label; for every node linked to an app, the rows of its apps.
fn app_rows<'a>(
    by_kind: &mut BTreeMap<u8, Vec<&'a Node>>,
    edges: &[&'a Edge],
) -> FxHashMap<&'a str, Vec<usize>> {
    let mut row_of: FxHashMap<&str, usize> = FxHashMap::default();
    if let Some(apps) = by_kind.get_mut(&column_rank(NodeKind::App)) {
        apps.sort_by(|a, b| a.label.cmp(&b.label).then(a.key.cmp(&b.key)));
        for (i, &n) in apps.iter().enumerate() {
            row_of.insert(n.key.as_str(), i);
        }
    }
    let mut neighbours: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for &e in edges {
        if let Some(&r) = row_of.get(e.from.as_str()) {
            neighbours.entry(e.to.as_str()).or_default().push(r);
        }
        if let Some(&r) = row_of.get(e.to.as_str()) {
            neighbours.entry(e.from.as_str()).or_default().push(r);
        }
    }
    neighbours
}

/// The drawn edges between placed nodes (`pos`: each node's box).
fn place_edges(edges: &[&Edge], pos: &FxHashMap<&str, (u32, u32)>) -> Vec<PlacedEdge> {
    edges
        .iter()
        .filter_map(|e| {
            let (&(x1, y1), &(x2, y2)) = (pos.get(e.from.as_str())?, pos.get(e.to.as_str())?);
            Some(PlacedEdge {
                kind: e.kind.as_str(),
                d: path(x1, y1, x2, y2),
            })
        })
        .collect()
}

/// A curve from the side of one box to the facing side of the other (a loop on the right for
/// nodes of the same column).
fn path(x1: u32, y1: u32, x2: u32, y2: u32) -> String {
    let (ya, yb) = (y1 + NODE_H / 2, y2 + NODE_H / 2);
    if x1 == x2 {
        let x = x1 + NODE_W;
        return format!("M{x} {ya} C{} {ya} {} {yb} {x} {yb}", x + 40, x + 40);
    }
    let (xa, xb) = if x1 < x2 {
        (x1 + NODE_W, x2)
    } else {
        (x1, x2 + NODE_W)
    };
    let mid = (xa + xb) / 2;
    format!("M{xa} {ya} C{mid} {ya} {mid} {yb} {xb} {yb}")
}

/// The label cut to fit a node box, with an ellipsis when cut.
fn shorten(label: &str) -> String {
    if label.chars().count() <= NODE_CHARS {
        return label.to_string();
    }
    let mut s: String = label.chars().take(NODE_CHARS - 1).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::EdgeKind;
    use std::collections::BTreeSet;

    fn node(key: impl Into<String>, kind: NodeKind, label: impl Into<String>) -> Node {
        Node {
            key: key.into(),
            kind,
            label: label.into(),
        }
    }

    fn edge(from: impl Into<String>, to: impl Into<String>, kind: EdgeKind) -> Edge {
        Edge {
            from: from.into(),
            to: to.into(),
            kind,
        }
    }

    #[test]
    fn bars_scale_to_the_largest_count() {
        let c = chart("t", [("a", 10), ("b", 5), ("c", 0), ("d", 1)]);
        let w: Vec<u32> = c.bars.iter().map(|b| b.width).collect();
        assert_eq!(w, vec![BAR_MAX, BAR_MAX / 2, 0, BAR_MAX / 10]);
        assert_eq!(c.height, 4 * ROW);
    }

    #[test]
    fn graph_of_two_hundred_apps_stays_in_columns() {
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        for i in 0..200 {
            nodes.push(node(
                format!("app:A{i:03}"),
                NodeKind::App,
                format!("App number {i} with a rather long label indeed"),
            ));
            edges.push(edge(
                format!("app:A{i:03}"),
                format!("profile:P{}", i % 7),
                EdgeKind::GrantsAccess,
            ));
        }
        for p in 0..7 {
            nodes.push(node(
                format!("profile:P{p}"),
                NodeKind::Profile,
                format!("P{p}"),
            ));
        }
        let g = graph(&nodes, &edges);
        assert_eq!(g.columns.len(), 2);
        assert_eq!(g.edges.len(), 200);
        assert_eq!(g.height, 40 + 200 * ROW);
        assert!(g
            .nodes
            .iter()
            .all(|n| n.short.chars().count() <= NODE_CHARS));
        // Profiles sit left of apps.
        let x_of = |k: &str| g.nodes.iter().find(|n| n.key == k).map(|n| n.x);
        assert!(x_of("profile:P0") < x_of("app:A000"));
    }

    #[test]
    fn a_large_graph_is_drawn_from_its_most_shared_nodes() {
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        let app = |i: usize| format!("app:A{i:04}");
        // 1,000 apps, each with its own user; user U0 is shared by 40 apps, U1 by 3.
        for i in 0..1000 {
            nodes.push(node(app(i), NodeKind::App, format!("A{i:04}")));
            nodes.push(node(
                format!("user:own{i}"),
                NodeKind::User,
                format!("own{i}"),
            ));
            edges.push(edge(format!("user:own{i}"), app(i), EdgeKind::LoggedIn));
        }
        for (user, apps) in [("user:u0", 500..540), ("user:u1", 900..903)] {
            nodes.push(node(user, NodeKind::User, user));
            for i in apps {
                edges.push(edge(user, app(i), EdgeKind::LoggedIn));
            }
        }
        let g = graph(&nodes, &edges);
        assert_eq!((g.total_nodes, g.total_edges), (2002, 1043));
        assert_eq!(g.nodes.len(), MAX_DRAWN_NODES);
        let drawn: BTreeSet<&str> = g.nodes.iter().map(|n| n.key.as_str()).collect();
        // The shared users come first, with every app they touch.
        assert!(drawn.contains("user:u0") && drawn.contains("user:u1"));
        assert!((500..540)
            .chain(900..903)
            .all(|i| drawn.contains(app(i).as_str())));
        // Unshared users are not drawn; edges only join drawn nodes.
        assert!(!drawn.contains("user:own0"));
        assert_eq!(g.edges.len(), 43);
    }
}
