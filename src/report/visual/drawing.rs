//! Drawings of the dependency graph: a small focused one per coupled group and per app (the
//! apps, their users, permissions, certificates, packages) and the bounded whole-org overview.
//! Nodes sit in five lanes by kind, apps in the middle; labels are whole (wrapped over lines,
//! see [`super::labels`]) and every drawing comes with its details as text, so nothing depends
//! on hovering.

use std::collections::BTreeMap;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use super::labels::wrap;
use crate::graph::analysis::CoupledGroup;
use crate::graph::{Edge, Node, NodeKind};

/// Width of a node box, and the distance between lanes.
pub const NODE_W: u32 = 190;
const COL_W: u32 = 250;
/// Characters of a label line that fit a box (12 px text in 190 px less its padding).
const LABEL_CHARS: usize = 24;
/// Height of one label line, and the room above and below the lines of a box.
const LINE_H: u32 = 14;
const PAD: u32 = 6;
/// Space between boxes of a lane; the height of a lane's heading above its boxes; the left
/// margin, where edges between boxes of one column loop.
const GAP: u32 = 8;
const HEADING_H: u32 = 22;
const LEFT: u32 = 40;
/// Most boxes of a lane in a focused drawing (the apps' lane of a group's drawing: see
/// [`MAX_APPS`]); the rest are counted in the lane's heading and listed in the text.
pub const MAX_PER_LANE: usize = 12;
const MAX_APPS: usize = 30;
/// Most items of a lane listed in a drawing's text.
const MAX_LISTED: usize = 40;

/// The lane of a kind: who holds access on the left, apps in the middle, what apps use on
/// the right.
fn lane(kind: NodeKind) -> usize {
    match kind {
        NodeKind::User => 0,
        NodeKind::Profile | NodeKind::PermissionSet | NodeKind::PermissionSetGroup => 1,
        NodeKind::App => 2,
        NodeKind::Certificate => 3,
        NodeKind::Package | NodeKind::ApexClass | NodeKind::Network => 4,
    }
}

/// The lanes' headings.
const LANES: [&str; 5] = [
    "Users",
    "Permissions",
    "Apps",
    "Certificates",
    "Packages and code",
];

/// A placed box.
#[derive(Debug, Clone, Serialize)]
pub struct PlacedNode {
    /// Node key.
    pub key: String,
    /// Kind (CSS class).
    pub kind: NodeKind,
    /// The label over lines (whole).
    pub lines: Vec<String>,
    /// Left edge.
    pub x: u32,
    /// Top.
    pub y: u32,
    /// Height.
    pub h: u32,
    /// Reached by two or more of the drawing's apps (or, in an app's drawing, of the org's).
    pub shared: bool,
}

/// A drawn edge: an SVG path.
#[derive(Debug, Clone, Serialize)]
pub struct PlacedEdge {
    /// Edge kind (CSS class).
    pub kind: &'static str,
    /// SVG path data.
    pub d: String,
}

/// A lane's heading.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    /// Heading, with the count (and how many are drawn when not all are).
    pub title: String,
    /// Left edge.
    pub x: u32,
    /// Baseline.
    pub y: u32,
    /// Boxes drawn.
    pub count: usize,
}

/// What a drawing shows, lane by lane, as text.
#[derive(Debug, Clone, Serialize)]
pub struct Detail {
    /// Lane heading.
    pub lane: &'static str,
    /// Labels with how they are linked, e.g. `svc@x.com (runs-as)`.
    pub items: Vec<String>,
    /// Items not listed.
    pub more: usize,
}

/// One drawing of (part of) the graph.
#[derive(Debug, Clone, Serialize)]
pub struct Drawing {
    /// What it shows (caption and accessible name).
    pub title: String,
    /// Lane headings.
    pub columns: Vec<Column>,
    /// Boxes.
    pub nodes: Vec<PlacedNode>,
    /// Edges between boxes.
    pub edges: Vec<PlacedEdge>,
    /// Total width.
    pub width: u32,
    /// Total height.
    pub height: u32,
    /// Width of a box.
    pub node_w: u32,
    /// Nodes of what is drawn from (the whole graph for the overview).
    pub total_nodes: usize,
    /// Edges of what is drawn from.
    pub total_edges: usize,
    /// The drawing as text (focused drawings).
    pub details: Vec<Detail>,
}

/// The graph indexed once for all drawings.
struct Cx<'a> {
    edges: &'a [Edge],
    node: FxHashMap<&'a str, &'a Node>,
    /// Each node's edges, both ways: (the other end, the edge).
    adj: FxHashMap<&'a str, Vec<(&'a str, &'a Edge)>>,
    labels: FxHashMap<&'a str, String>,
    /// Apps each node is linked to.
    apps_of: FxHashMap<&'a str, usize>,
    /// For each node with more than [`BIG`] edges, its edges to other such nodes.
    big_links: FxHashMap<&'a str, Vec<(&'a str, &'a Edge)>>,
}

/// Edges beyond which a node is not walked for each drawing (see [`edges_between`]).
const BIG: usize = 64;

impl<'a> Cx<'a> {
    fn new(nodes: &'a [Node], edges: &'a [Edge], labels: FxHashMap<&'a str, String>) -> Self {
        let node: FxHashMap<&str, &Node> = nodes.iter().map(|n| (n.key.as_str(), n)).collect();
        let mut adj: FxHashMap<&str, Vec<(&str, &Edge)>> = FxHashMap::default();
        for e in edges {
            adj.entry(&e.from).or_default().push((&e.to, e));
            adj.entry(&e.to).or_default().push((&e.from, e));
        }
        let is_app = |k: &str| node.get(k).is_some_and(|n| n.kind == NodeKind::App);
        let apps_of = adj
            .iter()
            .map(|(k, v)| {
                let mut apps: Vec<&str> = v.iter().map(|x| x.0).filter(|o| is_app(o)).collect();
                apps.sort_unstable();
                apps.dedup();
                (*k, apps.len())
            })
            .collect();
        let big_links = adj
            .iter()
            .filter(|(_, v)| v.len() > BIG)
            .map(|(k, v)| {
                let big = |o: &str| adj.get(o).is_some_and(|w| w.len() > BIG);
                (*k, v.iter().filter(|(o, _)| big(o)).copied().collect())
            })
            .collect();
        Cx {
            edges,
            node,
            adj,
            labels,
            apps_of,
            big_links,
        }
    }

    fn label<'s>(&'s self, n: &'s Node) -> &'s str {
        self.labels
            .get(n.key.as_str())
            .map_or(&n.label, String::as_str)
    }
}

/// The overview, one drawing per coupled group (in the groups' order) and one per app (by
/// API name). `labels` holds every node's label (see [`super::labels::distinct_labels`]).
pub fn drawings(
    nodes: &[Node],
    edges: &[Edge],
    labels: FxHashMap<&str, String>,
    groups: &[CoupledGroup],
) -> (Drawing, Vec<Drawing>, BTreeMap<String, Drawing>) {
    let cx = Cx::new(nodes, edges, labels);
    let overview = overview(&cx, nodes);
    let groups = groups
        .iter()
        .zip(1..)
        .map(|(g, i)| {
            let apps: Vec<String> = g.apps.iter().map(|a| format!("app:{a}")).collect();
            let title = group_title(i, &g.apps);
            focused(&cx, &apps, title, true)
        })
        .collect();
    let apps = nodes
        .par_iter()
        .filter(|n| n.kind == NodeKind::App)
        .map(|n| {
            let name = n.key.strip_prefix("app:").unwrap_or(&n.key).to_string();
            let title = format!("{name} and what it depends on");
            (
                name,
                focused(&cx, std::slice::from_ref(&n.key), title, false),
            )
        })
        .collect();
    (overview, groups, apps)
}

/// `Coupled group N: A, B, C`, naming at most [`MAX_APPS`] apps (the text lists them).
fn group_title(n: usize, apps: &[String]) -> String {
    let named: Vec<&str> = apps.iter().take(MAX_APPS).map(String::as_str).collect();
    match apps.len().saturating_sub(MAX_APPS) {
        0 => format!("Coupled group {n}: {}", named.join(", ")),
        more => format!("Coupled group {n}: {} and {more} more", named.join(", ")),
    }
}

/// The overview: the nodes [`super::drawn`] keeps, every edge between them.
fn overview(cx: &Cx<'_>, nodes: &[Node]) -> Drawing {
    let drawn = super::drawn(nodes, cx.edges);
    let kept: FxHashSet<&str> = drawn.iter().map(|n| n.key.as_str()).collect();
    let edges: Vec<&Edge> = cx
        .edges
        .iter()
        .filter(|e| kept.contains(e.from.as_str()) && kept.contains(e.to.as_str()))
        .collect();
    let shared: FxHashSet<&str> = drawn
        .iter()
        .filter(|n| n.kind != NodeKind::App && cx.apps_of.get(n.key.as_str()) > Some(&1))
        .map(|n| n.key.as_str())
        .collect();
    let mut d = layout(cx, drawn, &edges, &shared, &[0; 5]);
    d.title = "Dependency graph: overview".into();
    d.total_nodes = nodes.len();
    d.total_edges = cx.edges.len();
    d
}

/// The drawing of `apps` (node keys) and their neighbours; `group`: shared means shared by
/// two of these apps (else: by two apps of the org).
fn focused(cx: &Cx<'_>, apps: &[String], title: String, group: bool) -> Drawing {
    let mine: FxHashSet<&str> = apps.iter().map(String::as_str).collect();
    let near = neighbours(cx, apps);
    let touches = |k: &str| near.get(k).map_or(0, |n| n.0.len());
    let shared: FxHashSet<&str> = near
        .keys()
        .copied()
        .filter(|k| {
            if group {
                touches(k) > 1
            } else {
                cx.apps_of.get(k) > Some(&1)
            }
        })
        .collect();
    // Per lane: the most shared first, then by key; the first ones are drawn.
    let mut lanes: [Vec<&Node>; 5] = Default::default();
    for k in mine.iter().chain(near.keys()) {
        if let Some(&n) = cx.node.get(k) {
            lanes[lane(n.kind)].push(n);
        }
    }
    for l in &mut lanes {
        l.sort_by(|a, b| {
            let rank =
                |n: &Node| std::cmp::Reverse((touches(&n.key), cx.apps_of.get(n.key.as_str())));
            rank(a).cmp(&rank(b)).then(a.key.cmp(&b.key))
        });
    }
    let details = details(cx, &lanes, &near);
    let mut hidden = [0; 5];
    let mut drawn = Vec::new();
    for (i, l) in lanes.iter().enumerate() {
        let cap = if i == lane(NodeKind::App) {
            MAX_APPS
        } else {
            MAX_PER_LANE
        };
        hidden[i] = l.len().saturating_sub(cap);
        drawn.extend(l.iter().take(cap).copied());
    }
    let edges = edges_between(cx, &drawn);
    let mut d = layout(cx, drawn, &edges, &shared, &hidden);
    d.title = title;
    d.total_nodes = mine.len() + near.len();
    d.total_edges = edges.len();
    d.details = details;
    d
}

/// The edges between `drawn` nodes. A node with many edges (an integration user of
/// thousands of apps) is not walked for every drawing: its edges to small nodes are found
/// from their end, those to other large nodes were gathered once ([`Cx::big_links`]).
fn edges_between<'a>(cx: &Cx<'a>, drawn: &[&Node]) -> Vec<&'a Edge> {
    let kept: FxHashSet<&str> = drawn.iter().map(|n| n.key.as_str()).collect();
    let mut edges: Vec<&Edge> = Vec::new();
    for k in &kept {
        let adj = cx.adj.get(k).map_or(&[][..], Vec::as_slice);
        let walk = if adj.len() <= BIG { adj } else { &[][..] };
        let big = cx.big_links.get(k).map_or(&[][..], Vec::as_slice);
        edges.extend(
            walk.iter()
                .chain(big)
                .filter(|(other, _)| kept.contains(other))
                .map(|(_, e)| *e),
        );
    }
    edges.sort();
    edges.dedup();
    edges
}

/// Each neighbour of a drawing's apps: the apps it touches and the kinds of its edges to them.
type Near<'a> = BTreeMap<&'a str, (FxHashSet<&'a str>, Vec<&'static str>)>;

/// The neighbours of `apps` (node keys) that are not apps.
fn neighbours<'a>(cx: &Cx<'a>, apps: &'a [String]) -> Near<'a> {
    let mut near: Near<'a> = BTreeMap::new();
    for app in apps.iter().map(String::as_str) {
        for &(other, e) in cx.adj.get(app).map_or(&[][..], Vec::as_slice) {
            if cx.node.get(other).is_some_and(|n| n.kind != NodeKind::App) {
                let entry = near.entry(other).or_default();
                entry.0.insert(app);
                if !entry.1.contains(&e.kind.as_str()) {
                    entry.1.push(e.kind.as_str());
                }
            }
        }
    }
    near
}

/// The drawing as text: each lane's labels with how they are linked (an app's own lane of
/// one app is left out: the caption names it).
fn details(cx: &Cx<'_>, lanes: &[Vec<&Node>; 5], near: &Near<'_>) -> Vec<Detail> {
    lanes
        .iter()
        .zip(LANES)
        .filter(|(l, name)| !l.is_empty() && (*name != "Apps" || l.len() > 1))
        .map(|(l, lane)| Detail {
            lane,
            items: l
                .iter()
                .take(MAX_LISTED)
                .map(|n| match near.get(n.key.as_str()) {
                    Some((_, kinds)) => format!("{} ({})", cx.label(n), kinds.join(", ")),
                    None => cx.label(n).to_string(),
                })
                .collect(),
            more: l.len().saturating_sub(MAX_LISTED),
        })
        .collect()
}

/// Place `nodes` in three columns: users above permissions on the left, apps in the middle,
/// certificates above packages and code on the right, so that every edge of an app joins
/// neighbouring columns and never passes behind a box. Apps are sorted by label, every other
/// node sits near the mean row of the apps it touches (which keeps edges short); each column
/// is centred on the tallest. `hidden`: nodes of each lane left out, said in its heading.
fn layout(
    cx: &Cx<'_>,
    nodes: Vec<&Node>,
    edges: &[&Edge],
    shared: &FxHashSet<&str>,
    hidden: &[usize; 5],
) -> Drawing {
    let mut lanes: BTreeMap<usize, Vec<&Node>> = BTreeMap::new();
    for n in nodes {
        lanes.entry(lane(n.kind)).or_default().push(n);
    }
    order_lanes(cx, &mut lanes, edges);
    // The columns in use, left to right.
    let mut used: Vec<usize> = lanes.keys().map(|&l| column_of(l)).collect();
    used.dedup();
    let mut columns = Vec::new();
    let mut boxes: Vec<PlacedNode> = Vec::new();
    let mut bottom: FxHashMap<u32, u32> = FxHashMap::default();
    for (&l, lane_nodes) in &lanes {
        let c = used.iter().position(|&u| u == column_of(l)).unwrap_or(0);
        let x = LEFT + c as u32 * COL_W;
        let y = bottom.entry(x).or_insert(0);
        *y += if *y == 0 { 0 } else { GAP * 2 };
        columns.push(Column {
            title: lane_title(l, lane_nodes.len(), hidden[l]),
            x,
            y: *y + 14,
            count: lane_nodes.len(),
        });
        *y += HEADING_H;
        for n in lane_nodes {
            let lines = wrap(cx.label(n), LABEL_CHARS);
            let h = lines.len() as u32 * LINE_H + PAD;
            boxes.push(PlacedNode {
                key: n.key.clone(),
                kind: n.kind,
                lines,
                x,
                y: *y,
                h,
                shared: shared.contains(n.key.as_str()),
            });
            *y += h + GAP;
        }
    }
    let height = centre_columns(&mut columns, &mut boxes, &bottom);
    let pos: FxHashMap<&str, (u32, u32, u32)> = boxes
        .iter()
        .map(|b| (b.key.as_str(), (b.x, b.y, b.h)))
        .collect();
    let edges = edges
        .iter()
        .filter_map(|e| {
            let (&a, &b) = (pos.get(e.from.as_str())?, pos.get(e.to.as_str())?);
            Some(PlacedEdge {
                kind: e.kind.as_str(),
                d: path(a, b),
            })
        })
        .collect();
    Drawing {
        title: String::new(),
        width: LEFT + used.len().max(1) as u32 * COL_W - (COL_W - NODE_W) + 10,
        height,
        node_w: NODE_W,
        total_nodes: boxes.len(),
        total_edges: 0,
        columns,
        nodes: boxes,
        edges,
        details: Vec::new(),
    }
}

/// A lane's heading: its name and count, and how many of them are drawn when some are not.
fn lane_title(lane: usize, drawn: usize, hidden: usize) -> String {
    match hidden {
        0 => format!("{} ({drawn})", LANES[lane]),
        h => format!("{} ({}, {drawn} drawn)", LANES[lane], drawn + h),
    }
}

/// The column of a lane: 0 left, 1 the apps, 2 right.
fn column_of(lane: usize) -> usize {
    match lane {
        0 | 1 => 0,
        2 => 1,
        _ => 2,
    }
}

/// Sort the apps' lane by label, every other lane by the mean row of the apps each node
/// touches (×1000: integers keep the order deterministic), unlinked nodes last, then by key.
fn order_lanes(cx: &Cx<'_>, lanes: &mut BTreeMap<usize, Vec<&Node>>, edges: &[&Edge]) {
    let mut row_of: FxHashMap<&str, u64> = FxHashMap::default();
    if let Some(apps) = lanes.get_mut(&lane(NodeKind::App)) {
        apps.sort_by(|a, b| cx.label(a).cmp(cx.label(b)).then(a.key.cmp(&b.key)));
        for (i, n) in apps.iter().enumerate() {
            row_of.insert(n.key.as_str(), i as u64 * 1000);
        }
    }
    let mut rows: FxHashMap<&str, Vec<u64>> = FxHashMap::default();
    for e in edges {
        if let Some(&r) = row_of.get(e.from.as_str()) {
            rows.entry(&e.to).or_default().push(r);
        }
        if let Some(&r) = row_of.get(e.to.as_str()) {
            rows.entry(&e.from).or_default().push(r);
        }
    }
    let weight = |n: &Node| {
        rows.get(n.key.as_str())
            .map_or(u64::MAX, |r| r.iter().sum::<u64>() / r.len() as u64)
    };
    for (&l, column) in lanes.iter_mut() {
        if l != lane(NodeKind::App) {
            column.sort_by(|a, b| weight(a).cmp(&weight(b)).then(a.key.cmp(&b.key)));
        }
    }
}

/// Move each column down so that it is centred on the tallest (`bottom`: each column's
/// bottom, by its left edge); the drawing's height.
fn centre_columns(
    columns: &mut [Column],
    boxes: &mut [PlacedNode],
    bottom: &FxHashMap<u32, u32>,
) -> u32 {
    let tallest = bottom.values().copied().max().unwrap_or(0);
    let shift = |x: u32| (tallest - bottom.get(&x).copied().unwrap_or(tallest)) / 2;
    for c in columns.iter_mut() {
        c.y += shift(c.x);
    }
    for b in boxes.iter_mut() {
        b.y += shift(b.x);
    }
    tallest + 4
}

/// A curve from the side of one box to the facing side of the other (a loop in the left
/// margin for boxes of the same column); each box is (x, y, height).
fn path((x1, y1, h1): (u32, u32, u32), (x2, y2, h2): (u32, u32, u32)) -> String {
    let (ya, yb) = (y1 + h1 / 2, y2 + h2 / 2);
    if x1 == x2 {
        let c = x1.saturating_sub(LEFT - 4);
        return format!("M{x1} {ya} C{c} {ya} {c} {yb} {x1} {yb}");
    }
    let (xa, xb) = if x1 < x2 {
        (x1 + NODE_W, x2)
    } else {
        (x1, x2 + NODE_W)
    };
    let mid = (xa + xb) / 2;
    format!("M{xa} {ya} C{mid} {ya} {mid} {yb} {xb} {yb}")
}
