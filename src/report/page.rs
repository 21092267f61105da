//! The built-in `report.html` written directly, without a template engine: byte for byte what
//! Tera makes of the built-in template (`templates/report.html`), which stays the reference
//! for `--templates` and which a test renders both ways and compares. A large org's page is
//! ten megabytes, and Tera spent five times as long on it looking up each value by its path.
//!
//! Escaping is Tera's HTML escaping (`& < > " ' /`) of every value, as autoescaping does.

use std::fmt::Display;

use unicode_segmentation::UnicodeSegmentation;

use super::html::TEMPLATE;
use super::model::{Report, ReportApp};
use super::visual::{Chart, GraphLayout, Timeline};
use crate::rules::{Evidence, Finding};

/// The page of a report.
pub fn render(r: &Report) -> String {
    let mut o = Out(String::with_capacity(8_192 + r.apps.len() * 6_000));
    head(&mut o, r);
    overview(&mut o, r);
    waves(&mut o, r);
    graph(&mut o, &r.visuals.graph);
    apps_table(&mut o, r);
    o.raw("\n<h2 id=\"details\">Per app</h2>\n");
    for (i, a) in r.apps.iter().enumerate() {
        app_section(&mut o, r, i + 1, a);
    }
    o.raw("\n");
    org_findings(&mut o, r);
    o.raw("\n<p class=\"muted\">Secrets (consumer keys, certificates) are masked in this report. Made offline by ecaplan ");
    o.text(r.tool_version);
    o.raw(".</p>\n</main>\n</body>\n</html>\n");
    o.0
}

/// The page being written.
struct Out(String);

impl Out {
    fn raw(&mut self, s: &str) {
        self.0.push_str(s);
    }

    /// Input-derived text, escaped, without control or bidi characters.
    fn text(&mut self, s: &str) {
        let s = &*crate::text::terminal(s);
        // Runs between special characters are copied whole (they are ASCII, so every cut is
        // on a character boundary).
        let mut rest = s;
        while let Some(i) = rest.bytes().position(special) {
            self.0.push_str(&rest[..i]);
            self.0.push_str(match rest.as_bytes()[i] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\'' => "&#x27;",
                _ => "&#x2F;",
            });
            rest = &rest[i + 1..];
        }
        self.0.push_str(rest);
    }

    fn num(&mut self, n: impl Display) {
        use std::fmt::Write;
        let _ = write!(self.0, "{n}");
    }

    /// Items escaped and joined by `sep` (escaped too, as Tera escapes the joined string).
    fn joined(&mut self, items: &[String], sep: &str) {
        for (i, s) in items.iter().enumerate() {
            if i > 0 {
                self.text(sep);
            }
            self.text(s);
        }
    }

    /// `<tag><li>…</li>…</tag>` of the items.
    fn list(&mut self, tag: &str, items: &[String]) {
        self.raw("<");
        self.raw(tag);
        self.raw(">");
        for s in items {
            self.raw("<li>");
            self.text(s);
            self.raw("</li>");
        }
        self.raw("</");
        self.raw(tag);
        self.raw(">");
    }
}

fn special(b: u8) -> bool {
    matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'' | b'/')
}

/// Tera's truthiness of an optional text: present and not empty.
fn some(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

/// The template's `<style>` element body, so the CSS lives in one place.
fn style() -> &'static str {
    TEMPLATE
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .map_or("", |(css, _)| css)
}

fn head(o: &mut Out, r: &Report) {
    o.raw("<!DOCTYPE html><html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n<title>ecaplan assessment");
    if let Some(d) = some(&r.as_of) {
        o.raw(" — ");
        o.text(d);
    }
    o.raw("</title>\n<style>");
    o.raw(style());
    o.raw("</style>\n</head>\n<body>\n<header>\n<h1>Connected Apps → External Client Apps: assessment</h1>\n<p class=\"muted\">ecaplan ");
    o.text(r.tool_version);
    if let Some(d) = some(&r.as_of) {
        o.raw(" · data as of ");
        o.text(d);
    }
    o.raw(" · ");
    o.num(r.summary.apps);
    o.raw(" app(s) · ");
    o.num(r.findings.len());
    o.raw(" finding(s) · ");
    o.num(r.waves.len());
    o.raw(" wave(s)</p>\n<nav><a href=\"#overview\">Overview</a><a href=\"#waves\">Waves</a><a href=\"#graph\">Dependencies</a><a href=\"#apps\">Apps</a><a href=\"#details\">Per app</a>");
    if !r.org_findings.is_empty() {
        o.raw("<a href=\"#org\">Org-wide findings</a>");
    }
    o.raw("</nav>\n</header>\n<main>\n");
}

fn overview(o: &mut Out, r: &Report) {
    o.raw("<h2 id=\"overview\">Overview</h2>\n<div class=\"cards\">\n<div class=\"card\"><b>");
    o.num(r.summary.apps);
    o.raw("</b>apps</div>\n");
    for b in r.visuals.charts.get(2).map_or(&[][..], |c| &c.bars) {
        o.raw("<div class=\"card\"><b>");
        o.num(b.value);
        o.raw("</b>");
        o.text(&b.label);
        o.raw(" finding(s)</div>\n");
    }
    o.raw("<div class=\"card\"><b>");
    o.num(r.summary.rules_triggered);
    o.raw("</b>rules triggered</div>\n</div>\n<div class=\"charts\">\n");
    for c in &r.visuals.charts {
        chart(o, c);
    }
    o.raw("</div>\n");
}

fn chart(o: &mut Out, c: &Chart) {
    o.raw("<figure>\n<figcaption>");
    o.text(c.title);
    o.raw("</figcaption>\n<svg role=\"img\" aria-label=\"");
    o.text(c.title);
    svg_size(o, c.width, c.height);
    let x = i64::from(c.bar_x);
    for b in &c.bars {
        o.raw("<text x=\"");
        o.num(x - 8);
        o.raw("\" y=\"");
        o.num(i64::from(b.y) + 16);
        o.raw("\" text-anchor=\"end\">");
        o.text(&b.label);
        o.raw("</text>\n<rect class=\"bar ");
        o.text(&b.label);
        o.raw("\" x=\"");
        o.num(x);
        o.raw("\" y=\"");
        o.num(i64::from(b.y) + 4);
        o.raw("\" width=\"");
        o.num(b.width);
        o.raw("\" height=\"16\"></rect>\n<text x=\"");
        o.num(x + i64::from(b.width) + 6);
        o.raw("\" y=\"");
        o.num(i64::from(b.y) + 16);
        o.raw("\">");
        o.num(b.value);
        o.raw("</text>\n");
    }
    o.raw("</svg>\n</figure>\n");
}

/// `" width=".." height=".." viewBox="0 0 .. ..">` and a newline, closing an open `<svg`.
fn svg_size(o: &mut Out, w: u32, h: u32) {
    o.raw("\" width=\"");
    o.num(w);
    o.raw("\" height=\"");
    o.num(h);
    o.raw("\" viewBox=\"0 0 ");
    o.num(w);
    o.raw(" ");
    o.num(h);
    o.raw("\">\n");
}

fn waves(o: &mut Out, r: &Report) {
    o.raw("\n<h2 id=\"waves\">Waves</h2>\n<svg role=\"img\" aria-label=\"Waves timeline");
    timeline(o, &r.visuals.timeline);
    o.raw("</svg>\n<table>\n<thead><tr><th>#</th><th>Wave</th><th>Start</th><th>End</th><th>Apps</th><th>Tasks</th></tr></thead>\n<tbody>\n");
    for w in &r.waves {
        o.raw("<tr><td>");
        o.num(w.number);
        o.raw("</td><td>");
        o.text(&w.name);
        o.raw("</td><td>");
        o.text(&w.start);
        o.raw("</td><td>");
        o.text(&w.end);
        o.raw("</td><td>");
        o.joined(&w.apps, ", ");
        o.raw("</td><td>");
        if !w.tasks.is_empty() {
            o.list("ul", &w.tasks);
        }
        o.raw("</td></tr>\n");
    }
    o.raw("</tbody>\n</table>\n");
}

fn timeline(o: &mut Out, t: &Timeline) {
    svg_size(o, t.width, t.height);
    for b in &t.bars {
        o.raw("<text x=\"");
        o.num(i64::from(t.plot_x) - 8);
        o.raw("\" y=\"");
        o.num(i64::from(b.y) + 17);
        o.raw("\" text-anchor=\"end\">");
        o.text(&truncate(&b.name, 34));
        o.raw("</text>\n<rect class=\"wave");
        if b.number == 0 {
            o.raw(" prepare");
        }
        o.raw("\" x=\"");
        o.num(b.x);
        o.raw("\" y=\"");
        o.num(i64::from(b.y) + 4);
        o.raw("\" width=\"");
        o.num(b.width);
        o.raw("\" height=\"18\"><title>");
        o.text(&b.name);
        o.raw(": ");
        o.text(&b.start);
        o.raw(" → ");
        o.text(&b.end);
        o.raw(", ");
        o.num(b.apps);
        o.raw(" app(s)</title></rect>\n");
    }
}

/// Tera's `truncate`: at most `length` graphemes, then `…`.
fn truncate(s: &str, length: usize) -> std::borrow::Cow<'_, str> {
    match s.grapheme_indices(true).nth(length) {
        Some((end, _)) => format!("{}…", &s[..end]).into(),
        None => s.into(),
    }
}

fn graph(o: &mut Out, g: &GraphLayout) {
    o.raw("\n<h2 id=\"graph\">Dependencies</h2>\n<p class=\"muted\">");
    o.num(g.total_nodes);
    o.raw(" node(s), ");
    o.num(g.total_edges);
    o.raw(" edge(s). Columns by kind; hover a box or a line for details.");
    if g.nodes.len() < g.total_nodes {
        o.raw(" Drawn: the ");
        o.num(g.nodes.len());
        o.raw(" nodes around the most shared users, permissions and certificates, with ");
        o.num(g.edges.len());
        o.raw(" edge(s); the whole graph is in <code>graph.dot</code>, <code>graph.mmd</code> and <code>report.json</code>.");
    }
    o.raw("</p>\n<div class=\"scroll\">\n<svg role=\"img\" aria-label=\"Dependency graph");
    svg_size(o, g.width, g.height);
    for c in &g.columns {
        o.raw("<text x=\"");
        o.num(c.x);
        o.raw("\" y=\"16\" font-weight=\"bold\">");
        o.text(c.kind.as_str());
        o.raw(" (");
        o.num(c.count);
        o.raw(")</text>\n");
    }
    for e in &g.edges {
        o.raw("<path class=\"edge ");
        o.text(e.kind);
        o.raw("\" d=\"");
        o.text(&e.d);
        o.raw("\"><title>");
        o.text(e.kind);
        o.raw("</title></path>\n");
    }
    for n in &g.nodes {
        o.raw("<g class=\"node ");
        o.text(n.kind.as_str());
        o.raw("\"><title>");
        o.text(&n.key);
        o.raw("</title><rect x=\"");
        o.num(n.x);
        o.raw("\" y=\"");
        o.num(n.y);
        o.raw("\" width=\"");
        o.num(g.node_w);
        o.raw("\" height=\"");
        o.num(g.node_h);
        o.raw("\" rx=\"3\"></rect><text x=\"");
        o.num(i64::from(n.x) + 5);
        o.raw("\" y=\"");
        o.num(i64::from(n.y) + 13);
        o.raw("\">");
        o.text(&n.short);
        o.raw("</text></g>\n");
    }
    o.raw("</svg>\n</div>\n");
}

/// The label after the API name, when it says something else.
fn other_label(a: &ReportApp) -> Option<&str> {
    let label = a.row.label.as_str();
    (!label.is_empty() && label != a.row.api_name).then_some(label)
}

fn apps_table(o: &mut Out, r: &Report) {
    o.raw("\n<h2 id=\"apps\">Apps</h2>\n<table>\n<thead><tr><th>App</th><th>Distribution</th><th>Strategy</th><th>Wave</th><th>Owner</th><th>Findings</th><th>Last use</th></tr></thead>\n<tbody>\n");
    for (i, a) in r.apps.iter().enumerate() {
        o.raw("<tr data-app=\"");
        o.text(&a.row.api_name);
        o.raw("\" class=\"app-row\"><td><a href=\"#app-");
        o.num(i + 1);
        o.raw("\">");
        o.text(&a.row.api_name);
        o.raw("</a>");
        if let Some(label) = other_label(a) {
            o.raw("<br><span class=\"muted\">");
            o.text(label);
            o.raw("</span>");
        }
        o.raw("</td><td>");
        o.text(a.row.distribution);
        o.raw("</td><td>");
        o.text(a.plan.decision.strategy.as_str());
        o.raw("</td><td>");
        o.num(a.plan.wave);
        o.raw("</td><td>");
        o.text(some(&a.plan.owner).unwrap_or("—"));
        o.raw("</td><td>");
        o.num(a.findings.len());
        o.raw("</td><td>");
        o.text(some(&a.row.usage.last_use).unwrap_or("—"));
        o.raw("</td></tr>\n");
    }
    o.raw("</tbody>\n</table>\n");
}

fn app_section(o: &mut Out, r: &Report, n: usize, a: &ReportApp) {
    o.raw("<section class=\"app\" id=\"app-");
    o.num(n);
    o.raw("\">\n<h3>");
    o.text(&a.row.api_name);
    if let Some(label) = other_label(a) {
        o.raw(" <span class=\"muted\">— ");
        o.text(label);
        o.raw("</span>");
    }
    o.raw("</h3>\n<p><b>Strategy:</b> ");
    o.text(a.plan.decision.strategy.as_str());
    o.raw(" (wave ");
    o.num(a.plan.wave);
    if let Some(owner) = some(&a.plan.owner) {
        o.raw(", owner ");
        o.text(owner);
    }
    o.raw("). ");
    o.text(&a.plan.decision.reason);
    o.raw("</p>");
    if let Some(notes) = some(&a.plan.notes) {
        o.raw("\n<p><b>Note (ecaplan.toml):</b> ");
        o.text(notes);
        o.raw("</p>");
    }
    o.raw("\n");
    if !a.plan.decision.evidence.is_empty() {
        o.list("ul", &a.plan.decision.evidence);
    }
    o.raw("\n<p class=\"muted\">Distribution: ");
    o.text(a.row.distribution);
    if !a.row.distribution_reason.is_empty() {
        o.raw(" (");
        o.text(&a.row.distribution_reason);
        o.raw(")");
    }
    if let Some(key) = some(&a.row.consumer_key) {
        o.raw(" · consumer key ");
        o.text(key);
    }
    if let Some(file) = some(&a.row.connected_app_file) {
        o.raw(" · <code>");
        o.text(file);
        o.raw("</code>");
    }
    o.raw("</p>\n<h4>Findings</h4>\n");
    app_findings(o, r, a);
    o.raw("\n<h4>Runbook</h4>\n");
    runbook(o, &a.plan.runbook);
    o.raw("</section>\n");
}

fn app_findings(o: &mut Out, r: &Report, a: &ReportApp) {
    if a.findings.is_empty() {
        o.raw("<p class=\"muted\">No findings.</p>");
        return;
    }
    o.raw("<table>\n<thead><tr><th>Severity</th><th>Rule</th><th>Message and evidence</th></tr></thead>\n<tbody>\n");
    for f in a.findings.iter().filter_map(|&i| r.findings.get(i)) {
        finding_row(o, f, "<br>");
        o.raw("\n");
        for e in &f.evidence {
            evidence(o, e);
        }
        o.raw("</td></tr>\n");
    }
    o.raw("</tbody>\n</table>");
}

/// `<tr…><td>severity</td><td>rule{between}name</td><td>message` and the acceptance, open.
fn finding_row(o: &mut Out, f: &Finding, between: &str) {
    o.raw("<tr");
    if some(&f.accepted).is_some() {
        o.raw(" class=\"accepted\"");
    }
    o.raw("><td><span class=\"sev ");
    o.text(f.severity.as_str());
    o.raw("\">");
    o.text(f.severity.as_str());
    o.raw("</span></td><td>");
    o.text(f.rule);
    o.raw(between);
    o.raw("<span class=\"muted\">");
    o.text(f.name);
    o.raw("</span></td><td>");
    o.text(&f.message);
    if let Some(why) = some(&f.accepted) {
        o.raw("<br><i>Accepted: ");
        o.text(why);
        o.raw("</i>");
    }
}

fn evidence(o: &mut Out, e: &Evidence) {
    match e {
        Evidence::Metadata {
            file,
            line,
            element,
            snippet,
        } => {
            o.raw("<div><code>");
            o.text(file);
            if let Some(l) = line.filter(|l| *l != 0) {
                o.raw(":");
                o.num(l);
            }
            o.raw("</code> <span class=\"muted\">");
            o.text(element);
            o.raw("</span>");
            if let Some(s) = some(snippet) {
                o.raw("<pre>");
                o.text(s);
                o.raw("</pre>");
            }
            o.raw("</div>\n");
        }
        Evidence::Usage {
            summary,
            files,
            rows,
        } => {
            o.raw("<div>");
            o.text(summary);
            if !files.is_empty() {
                o.raw("<br><span class=\"muted\">");
                for (i, p) in files.iter().enumerate() {
                    if i > 0 {
                        o.raw(", ");
                    }
                    o.raw("<code>");
                    o.text(p);
                    o.raw("</code>");
                }
                o.raw("</span>");
            }
            if !rows.is_empty() {
                o.raw("<br><span class=\"muted\">rows: ");
                o.joined(rows, ", ");
                o.raw("</span>");
            }
            o.raw("</div>\n");
        }
        Evidence::Graph { path } => {
            o.raw("<div class=\"muted\">path: ");
            o.joined(path, " → ");
            o.raw("</div>\n");
        }
        Evidence::Note { text } => {
            o.raw("<div class=\"muted\">");
            o.text(text);
            o.raw("</div>\n");
        }
    }
}

fn runbook(o: &mut Out, r: &crate::plan::runbook::Runbook) {
    let steps = r.step_texts();
    let parts: [(&str, &str, &[String]); 5] = [
        ("Pre-checks", "ol", &r.pre_checks),
        ("Steps", "ol", &steps),
        ("Validation", "ul", &r.validation),
        ("Rollback", "ul", &r.rollback),
        ("Decommission", "ul", &r.decommission),
    ];
    for (title, tag, items) in parts {
        if !items.is_empty() {
            o.raw("<p><b>");
            o.raw(title);
            o.raw("</b></p>");
            o.list(tag, items);
        }
        o.raw("\n");
    }
    if !r.credentials.is_empty() {
        o.raw("<p><b>Credentials:</b> ");
        o.text(&r.credentials);
        o.raw("</p>");
    }
    o.raw("\n");
    if !r.open_questions.is_empty() {
        o.raw("<p><b>Open questions</b></p>");
        o.list("ul", &r.open_questions);
    }
    o.raw("\n");
}

fn org_findings(o: &mut Out, r: &Report) {
    if r.org_findings.is_empty() {
        return;
    }
    o.raw("<h2 id=\"org\">Org-wide findings</h2>\n<table>\n<thead><tr><th>Severity</th><th>Rule</th><th>Message</th></tr></thead>\n<tbody>\n");
    for f in r.org_findings.iter().filter_map(|&i| r.findings.get(i)) {
        finding_row(o, f, " ");
        o.raw("</td></tr>\n");
    }
    o.raw("</tbody>\n</table>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testkit::sample_report;

    /// The built-in template through Tera, the reference this page must equal.
    fn with_tera(r: &Report) -> String {
        crate::report::html::render_with(r, TEMPLATE).expect("tera renders the template")
    }

    #[test]
    fn equals_the_template_rendered_by_tera_on_the_samples() {
        let r = sample_report("Northwind <Sales> & \"Ops\" / 'x'", "=1+1");
        assert_eq!(render(&r), with_tera(&r));
    }

    #[test]
    fn equals_the_template_on_edge_cases() {
        let mut r = sample_report("", "");
        r.as_of = None;
        let a = &mut r.apps[0];
        a.plan.owner = Some("Ops <team>".into());
        a.row.label = a.row.api_name.clone();
        a.row.distribution_reason.clear();
        a.plan.runbook.credentials.clear();
        a.plan.runbook.open_questions.clear();
        if let Some(f) = r.findings.first_mut() {
            f.accepted = Some("risk accepted by <CISO>".into());
        }
        if let Some(w) = r.visuals.timeline.bars.first_mut() {
            w.name = "a wave whose name is far longer than thirty-four graphemes é́".into();
        }
        r.findings.push(Finding {
            rule: "ECA999",
            name: "org-wide",
            severity: crate::rules::Severity::Low,
            app: None,
            message: "org & all".into(),
            evidence: vec![
                Evidence::Note { text: "n".into() },
                Evidence::Graph {
                    path: vec!["app:a".into(), "user:b".into()],
                },
                Evidence::Usage {
                    summary: "s".into(),
                    files: vec!["a.csv".into(), "b.csv".into()],
                    rows: vec!["a.csv:2".into()],
                },
                Evidence::Metadata {
                    file: "f.xml".into(),
                    line: Some(0),
                    element: "e".into(),
                    snippet: Some(String::new()),
                },
            ],
            accepted: None,
        });
        r.visuals.graph.total_nodes += 5;
        r.org_findings = vec![r.findings.len() - 1];
        r.apps[1].findings.push(r.findings.len() - 1);
        assert_eq!(render(&r), with_tera(&r));
        r.org_findings.clear();
        for a in &mut r.apps {
            a.findings.clear();
        }
        assert_eq!(render(&r), with_tera(&r));
    }

    #[test]
    fn hostile_text_renders_like_tera_without_controls_or_bidi() {
        let r = crate::report::testkit::sample_report(
            "Pay\u{202E}llor\u{1b}[2J\u{0}",
            "<b>\u{2066}x\u{2069}\u{9b}",
        );
        let page = render(&r);
        assert_eq!(page, with_tera(&r));
        assert!(!page.contains(['\u{202E}', '\u{1b}', '\u{0}', '\u{2066}', '\u{9b}']));
        assert!(page.contains("Payllor[2J"));
    }

    #[test]
    fn truncates_like_tera() {
        assert_eq!(truncate("short", 34), "short");
        assert_eq!(truncate("abcdef", 3), "abc…");
        assert_eq!(truncate("e\u{301}e\u{301}e", 2), "e\u{301}e\u{301}…");
    }
}
