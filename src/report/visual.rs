//! Geometry of the pictures of the HTML report (bar charts, the waves timeline with its date
//! axis, as-of marker and freeze windows, the dependency graph's drawings), computed once with
//! the view-model so templates only place ready-made numbers and whole labels.

mod drawing;
pub(crate) mod labels;

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

pub use drawing::Drawing;

use crate::config::Blackout;
use crate::graph::analysis::CoupledGroup;
use crate::graph::{Edge, Node, NodeKind};
use crate::plan::{Plan, Wave};
use crate::report::inventory::AppRow;
use crate::time::Day;

/// Height of one bar or one graph row, in SVG units.
const ROW: u32 = 24;
/// Width of the label area left of bars.
const LABEL_W: u32 = 190;
/// Longest bar of a chart.
const BAR_MAX: u32 = 320;
/// Width of the plotting area of the timeline, of its wave labels, and the characters of a
/// label line there.
const TIMELINE_W: u32 = 640;
const WAVE_LABEL_W: u32 = 270;
const WAVE_CHARS: usize = 36;
/// The timeline's month labels above the waves, its marker labels below them.
const AXIS_H: u32 = 34;
const MARKS_H: u32 = 40;

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
    /// `number · name`, whole, over lines.
    pub lines: Vec<String>,
    /// `start → end · N app(s)`, below the name.
    pub dates: String,
    /// Start date (as in the plan).
    pub start: String,
    /// End date (as in the plan).
    pub end: String,
    /// Apps in the wave.
    pub apps: usize,
    /// Left edge of the bar.
    pub x: u32,
    /// Width of the bar.
    pub width: u32,
    /// Top of the wave's row.
    pub y: u32,
    /// Height of the wave's row.
    pub h: u32,
    /// Top of the bar.
    pub bar_y: u32,
    /// Baseline of the label's first line.
    pub label_y: u32,
    /// Baseline of the dates line.
    pub dates_y: u32,
}

/// A month on the date axis: its first day's position, labelled when there is room.
#[derive(Debug, Clone, Serialize)]
pub struct Tick {
    /// Position.
    pub x: u32,
    /// `Jan 2027`, on every month or every few months.
    pub label: Option<String>,
}

/// The as-of marker.
#[derive(Debug, Clone, Serialize)]
pub struct Marker {
    /// Position.
    pub x: u32,
    /// `as of YYYY-MM-DD`.
    pub label: String,
    /// SVG text-anchor of the label (`end` near the right edge).
    pub anchor: &'static str,
}

/// A freeze window (`[[blackout]]`) shaded on the timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Freeze {
    /// 1-based number, its label on the drawing.
    pub n: usize,
    /// Left edge (clipped to the axis).
    pub x: u32,
    /// Width; 0 when the window is outside the axis (it is still listed).
    pub width: u32,
    /// First frozen day.
    pub from: String,
    /// Last frozen day.
    pub to: String,
    /// Why.
    pub reason: String,
}

/// The waves timeline: a date axis with month ticks, one bar per wave from its start to its
/// end date, the as-of marker and the freeze windows.
#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    /// Bars, in wave order.
    pub bars: Vec<TimelineBar>,
    /// Months of the axis.
    pub ticks: Vec<Tick>,
    /// The plan's as-of date (never the clock), when it has one.
    pub as_of: Option<Marker>,
    /// Freeze windows.
    pub freezes: Vec<Freeze>,
    /// Total width.
    pub width: u32,
    /// Total height.
    pub height: u32,
    /// Where the plotting area starts.
    pub plot_x: u32,
    /// Top of the waves' rows (below the axis labels).
    pub plot_top: u32,
    /// Bottom of the waves' rows (the markers' labels are below).
    pub plot_bottom: u32,
}

/// All pictures of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Visuals {
    /// Overview charts: by strategy, by distribution state, by severity.
    pub charts: Vec<Chart>,
    /// Waves timeline.
    pub timeline: Timeline,
    /// The whole-org overview of the dependency graph.
    pub graph: Drawing,
    /// One drawing per coupled group, in the groups' order.
    pub groups: Vec<Drawing>,
    /// One drawing per app, by API name: each app's section places its own (the page does not
    /// see them all).
    #[serde(skip)]
    pub apps: BTreeMap<String, Drawing>,
}

impl Visuals {
    /// The pictures of a plan: `charts` of its counts and `drawings` of its graph.
    pub fn new(charts: Vec<Chart>, plan: &Plan, drawings: Drawings) -> Visuals {
        Visuals {
            charts,
            timeline: timeline(&plan.waves, plan.as_of.as_deref(), &plan.blackouts),
            graph: drawings.overview,
            groups: drawings.groups,
            apps: drawings.apps,
        }
    }
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

/// Month names of the axis labels.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Year and month of a day.
fn year_month(day: Day) -> (i64, u32) {
    let (y, m, _) = crate::time::civil_from_days(day.days_since(Day::default()));
    (y, m)
}

/// The first day of the month after (`y`, `m`).
fn next_month((y, m): (i64, u32)) -> (i64, u32) {
    if m == 12 {
        (y + 1, 1)
    } else {
        (y, m + 1)
    }
}

/// The axis: whole months around the waves and the as-of day; the first day and the day
/// after the last.
fn axis(days: &[(Option<Day>, Option<Day>)], as_of: Option<Day>) -> (Day, Day) {
    let starts = days.iter().filter_map(|d| d.0).chain(as_of);
    let lo = starts.min().unwrap_or_default();
    let ends = days.iter().filter_map(|d| d.1.or(d.0)).chain(as_of);
    let hi = ends.max().unwrap_or(lo).max(lo);
    let (y, m) = year_month(lo);
    let (ny, nm) = next_month(year_month(hi));
    (Day::from_ymd(y, m, 1), Day::from_ymd(ny, nm, 1))
}

/// The timeline of the waves, with the plan's as-of date and freeze windows; waves with
/// unreadable dates get a thin bar at the start.
pub fn timeline(waves: &[Wave], as_of: Option<&str>, blackouts: &[Blackout]) -> Timeline {
    let days: Vec<(Option<Day>, Option<Day>)> = waves
        .iter()
        .map(|w| (Day::parse(&w.start), Day::parse(&w.end)))
        .collect();
    let as_of_day = as_of.and_then(Day::parse);
    let (first, end) = axis(&days, as_of_day);
    let span = end.days_since(first).max(1) as u64;
    let plot_x = WAVE_LABEL_W + 10;
    let x_of = |day: Day| {
        let d = day.days_since(first).clamp(0, span as i64) as u64;
        plot_x + (d * u64::from(TIMELINE_W) / span) as u32
    };
    let mut y = AXIS_H;
    let mut bars = Vec::with_capacity(waves.len());
    for (w, &(s, e)) in waves.iter().zip(&days) {
        let bar = wave_bar(w, s.map(x_of), e.map(|e| x_of(e.plus(1))), y);
        y += bar.h;
        bars.push(bar);
    }
    let ticks = ticks(first, end, x_of);
    let width = plot_x + TIMELINE_W + 20;
    let as_of = as_of_day.map(|d| {
        let x = x_of(d);
        Marker {
            x,
            label: format!("as of {d}"),
            anchor: if x + 120 < width { "start" } else { "end" },
        }
    });
    // Only windows that hold back every wave are shaded: an app's window is in its runbook.
    let freezes = blackouts
        .iter()
        .filter(|b| b.apps.is_empty())
        .zip(1..)
        .filter_map(|(b, n)| {
            let (from, to) = b.days()?;
            let (x0, x1) = (x_of(from), x_of(to.plus(1)));
            Some(Freeze {
                n,
                x: x0,
                width: x1 - x0,
                from: b.from.clone(),
                to: b.to.clone(),
                reason: b.reason.clone(),
            })
        })
        .collect();
    Timeline {
        bars,
        ticks,
        as_of,
        freezes,
        width,
        height: y + MARKS_H,
        plot_x,
        plot_top: AXIS_H - 8,
        plot_bottom: y,
    }
}

/// One wave's row from `y`: its label whole over lines, its bar from `x0` to `x1`.
fn wave_bar(w: &Wave, x0: Option<u32>, x1: Option<u32>, y: u32) -> TimelineBar {
    let lines = labels::wrap(&format!("{} · {}", w.number, w.name), WAVE_CHARS);
    let h = (lines.len() as u32 + 1) * 15 + 10;
    let x = x0.unwrap_or(WAVE_LABEL_W + 10);
    let apps = w.apps.len();
    TimelineBar {
        number: w.number,
        name: w.name.clone(),
        dates: format!("{} → {} · {apps} app(s)", w.start, w.end),
        start: w.start.clone(),
        end: w.end.clone(),
        apps,
        x,
        width: x1.unwrap_or(x).saturating_sub(x).max(2),
        y,
        h,
        bar_y: y + (h - 18) / 2,
        label_y: y + 16,
        dates_y: y + 16 + lines.len() as u32 * 15,
        lines,
    }
}

/// A tick on the first day of each month from `first` to `end`; labelled every few months
/// so that labels (about 60 units wide) never overlap. The last tick (`end`) has no label.
fn ticks(first: Day, end: Day, x_of: impl Fn(Day) -> u32) -> Vec<Tick> {
    let mut months = Vec::new();
    let mut ym = year_month(first);
    loop {
        let day = Day::from_ymd(ym.0, ym.1, 1);
        if day > end {
            break;
        }
        months.push((day, ym));
        ym = next_month(ym);
    }
    let every = (months.len() as u32 * 64).div_ceil(TIMELINE_W).max(1) as usize;
    months
        .iter()
        .enumerate()
        .map(|(i, &(day, (y, m)))| Tick {
            x: x_of(day),
            label: (i % every == 0 && day < end)
                .then(|| format!("{} {y}", MONTHS[(m as usize + 11) % 12])),
        })
        .collect()
}

/// Most nodes drawn. A picture of thousands of boxes helps nobody and weighs megabytes: a
/// larger graph is drawn from its most shared nodes (those touching the most apps: the
/// couplings a workshop has to discuss) with the apps they touch, and the report says so; the
/// whole graph is in graph.dot, graph.mmd and report.json.
pub const MAX_DRAWN_NODES: usize = 300;

/// The nodes to draw: all of them when they fit, else the most shared non-app nodes (by
/// number of apps touched, then key) with their apps, while they fit, then apps by label.
pub(super) fn drawn<'a>(nodes: &'a [Node], edges: &[Edge]) -> Vec<&'a Node> {
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

/// The drawings of the dependency graph.
#[derive(Debug, Clone)]
pub struct Drawings {
    /// The whole-org overview.
    pub overview: Drawing,
    /// One per coupled group.
    pub groups: Vec<Drawing>,
    /// One per app, by API name.
    pub apps: BTreeMap<String, Drawing>,
}

/// Each app's certificate expiry, by API name, from its inventory row.
pub fn certificate_expiries(rows: &[AppRow]) -> FxHashMap<String, String> {
    rows.iter()
        .filter_map(|r| Some((r.api_name.clone(), r.certificate_expires.clone()?)))
        .collect()
}

/// Draw the graph: the overview, each coupled group and each app. `expiries`: each app's
/// certificate expiry by API name (see [`certificate_expiries`]), which tells certificates
/// apart in their labels.
pub fn graph(
    nodes: &[Node],
    edges: &[Edge],
    expiries: &FxHashMap<String, String>,
    groups: &[CoupledGroup],
) -> Drawings {
    let cert = labels::certificate_expiries(edges, expiries);
    let labels = labels::distinct_labels(nodes, &cert);
    let (overview, groups, apps) = drawing::drawings(nodes, edges, labels, groups);
    Drawings {
        overview,
        groups,
        apps,
    }
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

    fn draw(nodes: &[Node], edges: &[Edge]) -> Drawing {
        graph(nodes, edges, &FxHashMap::default(), &[]).overview
    }

    #[test]
    fn graph_of_two_hundred_apps_stays_in_lanes() {
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
        let g = draw(&nodes, &edges);
        assert_eq!(g.columns.len(), 2);
        assert_eq!(g.edges.len(), 200);
        // Labels are whole: wrapped, never cut.
        let app = g.nodes.iter().find(|n| n.key == "app:A000").expect("app");
        assert_eq!(
            app.lines.join(" "),
            "App number 0 with a rather long label indeed"
        );
        assert!(app.lines.len() > 1 && app.h > 20);
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
        edges.sort();
        let g = draw(&nodes, &edges);
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
        // A user shared by apps is marked so (the legend says what the mark means).
        assert!(g.nodes.iter().any(|n| n.key == "user:u0" && n.shared));
        // Each app also gets its own drawing, with the shared user marked.
        let d = graph(&nodes, &edges, &FxHashMap::default(), &[]);
        let mine = &d.apps["A0500"];
        let keys: Vec<&str> = mine.nodes.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(keys, ["user:own500", "user:u0", "app:A0500"]);
        assert!(!mine.nodes[0].shared && mine.nodes[1].shared);
        // The text lists the most shared first.
        assert_eq!(
            mine.details[0].items,
            ["user:u0 (logged-in)", "own500 (logged-in)"]
        );
    }

    #[test]
    fn a_coupled_group_gets_a_focused_drawing_with_its_shared_nodes_first() {
        let mut nodes = vec![
            node("app:A", NodeKind::App, "A"),
            node("app:B", NodeKind::App, "B"),
            node("app:C", NodeKind::App, "C"),
            node("user:svc", NodeKind::User, "svc@x.com"),
            node("cert:01", NodeKind::Certificate, "CN=x (serial 01)"),
            node("cert:02", NodeKind::Certificate, "CN=x (serial 02)"),
            node("package:ns", NodeKind::Package, "ns"),
        ];
        let mut edges = vec![
            edge("app:A", "user:svc", EdgeKind::RunsAs),
            edge("app:B", "user:svc", EdgeKind::RunsAs),
            edge("app:A", "cert:01", EdgeKind::SignedBy),
            edge("app:B", "cert:02", EdgeKind::SignedBy),
            edge("app:B", "package:ns", EdgeKind::FromPackage),
            edge("app:C", "cert:02", EdgeKind::SignedBy),
        ];
        // Many users of A: the lane is capped, the rest counted.
        for i in 0..20 {
            nodes.push(node(
                format!("user:u{i:02}"),
                NodeKind::User,
                format!("u{i:02}"),
            ));
            edges.push(edge(format!("user:u{i:02}"), "app:A", EdgeKind::LoggedIn));
        }
        edges.sort();
        let groups = [CoupledGroup {
            apps: vec!["A".into(), "B".into()],
            shared: vec!["user:svc".into()],
        }];
        let expiries: FxHashMap<String, String> = [("A", "2027-01-01"), ("B", "2027-01-01")]
            .map(|(a, d)| (a.to_string(), d.to_string()))
            .into_iter()
            .collect();
        let d = graph(&nodes, &edges, &expiries, &groups);
        assert_eq!(d.groups.len(), 1);
        let g = &d.groups[0];
        assert_eq!(g.title, "Coupled group 1: A, B");
        let titles: Vec<&str> = g.columns.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Users (21, 12 drawn)",
                "Apps (2)",
                "Certificates (2)",
                "Packages and code (1)"
            ]
        );
        // Users left of the apps, certificates and packages right, stacked in one column.
        let x_of = |k: &str| g.nodes.iter().find(|n| n.key == k).map(|n| n.x);
        assert!(x_of("user:svc") < x_of("app:A") && x_of("app:A") < x_of("cert:01"));
        assert_eq!(x_of("cert:01"), x_of("package:ns"));
        let svc = g
            .nodes
            .iter()
            .find(|n| n.key == "user:svc")
            .expect("shared user drawn");
        assert!(svc.shared);
        // Same subject, same expiry: the serial tells the two certificates apart.
        let certs: BTreeSet<String> = g
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Certificate)
            .map(|n| n.lines.join(" "))
            .collect();
        assert_eq!(certs.len(), 2, "{certs:?}");
        assert_eq!(g.details[0].lane, "Users");
        assert_eq!(g.details[0].items[0], "svc@x.com (runs-as)");
        // C is not in the group: its drawing is its own.
        assert!(!g.nodes.iter().any(|n| n.key == "app:C"));
        assert_eq!(d.apps.len(), 3);
    }

    fn wave(number: usize, name: &str, start: &str, end: &str) -> Wave {
        Wave {
            number,
            kind: crate::plan::waves::WaveKind::Migrate,
            name: name.into(),
            start: start.into(),
            end: end.into(),
            apps: vec!["A".into()],
            tasks: Vec::new(),
        }
    }

    #[test]
    fn the_timeline_has_a_month_axis_the_as_of_marker_and_freeze_windows() {
        let waves = [
            wave(0, "Prepare", "2026-12-07", "2026-12-20"),
            wave(
                1,
                "A wave whose name is far too long for one line of the label column",
                "2026-12-21",
                "2027-01-03",
            ),
            wave(2, "Last", "2027-02-08", "2027-03-14"),
        ];
        let freeze = Blackout {
            from: "2027-01-27".into(),
            to: "2027-02-03".into(),
            reason: "close".into(),
            apps: Vec::new(),
            repeat: None,
        };
        let t = timeline(&waves, Some("2026-11-30"), std::slice::from_ref(&freeze));
        let labels: Vec<&str> = t.ticks.iter().filter_map(|t| t.label.as_deref()).collect();
        assert_eq!(
            labels,
            ["Nov 2026", "Dec 2026", "Jan 2027", "Feb 2027", "Mar 2027"]
        );
        // Ticks from the first of November to the first of April, left to right.
        assert_eq!(t.ticks.len(), 6);
        assert!(t.ticks.windows(2).all(|w| w[0].x < w[1].x));
        assert_eq!(t.ticks[0].x, t.plot_x);
        let m = t.as_of.as_ref().expect("as-of marker");
        assert_eq!(m.label, "as of 2026-11-30");
        assert!(t.ticks[0].x < m.x && m.x < t.ticks[1].x);
        assert!(m.x < t.bars[0].x);
        // The freeze window lies between wave 1's end and wave 2's start.
        let f = &t.freezes[0];
        assert!(f.width > 0 && t.bars[1].x + t.bars[1].width <= f.x);
        assert!(f.x + f.width <= t.bars[2].x);
        // Labels are whole, over lines.
        assert!(t.bars[1].lines.len() > 1);
        assert_eq!(t.bars[1].lines.join(" "), format!("1 · {}", waves[1].name));
        assert_eq!(t.bars[1].dates, "2026-12-21 → 2027-01-03 · 1 app(s)");
        assert!(t.bars[2].y >= t.bars[1].y + t.bars[1].h);
        // No as-of date: no marker, and the axis still spans the waves.
        let t = timeline(&waves, None, &[]);
        assert!(t.as_of.is_none() && t.freezes.is_empty());
        assert_eq!(t.ticks.len(), 5);
    }
}
