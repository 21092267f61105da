//! HTML assessment (`report.html`): one self-contained page rendered with Tera from the
//! templates of [`super::templates`] (`report.html`, the page, and `report-app.html`, one app's
//! section), each replaceable from the `--templates` folder. Autoescaping is on for both, so
//! input-derived text can never become markup.
//!
//! The templates see flat views built once ([`super::html_view`]): the page sees `page` and
//! `visuals` (charts, timeline, the coupled groups' drawings and the overview with the whole
//! graph's totals), a section sees the fields of its app's view and `drawing`, its own drawing. A large org's page is tens of megabytes, almost all of
//! it sections: they are rendered in parallel and joined in order where the page places
//! `{{ app_sections | safe }}`.
//!
//! A `report.html` from the folder also sees `report`, the model of `report.json` without its
//! raw `graph` (tens of thousands of edges in a large org), as templates did before the views.

use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use super::contents::{Completed, Report};
use super::html_view::{AppView, PageView};
use super::templates::{self, Engine, HTML_APP, HTML_MACROS, HTML_PAGE};
use crate::error::Error;

/// What the errors of this output say they were rendering.
const WHAT: &str = "report.html";

/// Apps rendered by one task: enough text to amortise a task, few enough to share the cores.
const APPS_PER_TASK: usize = 32;

/// Render the report; `templates` is a folder whose `report.html` and `report-app.html`, when
/// present, replace the built-in templates.
pub fn render(report: &Report, templates: Option<&Path>) -> Result<String, Error> {
    let rendered = render_parts(report, templates)?;
    let mut out = Vec::with_capacity(rendered.len());
    rendered.write_to(&mut out).map_err(|e| Error::Render {
        what: WHAT,
        message: e.to_string(),
    })?;
    templates::into_text(WHAT, out)
}

/// The report rendered in its pieces: the page, and the apps' sections where the page places
/// them. Written straight to a file, tens of megabytes are not copied into one string first.
#[derive(Debug)]
pub struct Rendered {
    page: Vec<u8>,
    /// Where the page has [`SECTIONS_MARKER`].
    at: Vec<usize>,
    sections: Vec<Vec<u8>>,
}

impl Rendered {
    /// Bytes in all.
    fn len(&self) -> usize {
        let sections: usize = self.sections.iter().map(Vec::len).sum();
        self.page.len() - self.at.len() * SECTIONS_MARKER.len() + self.at.len() * sections
    }

    /// Write the page, with the sections in place of each marker.
    pub fn write_to(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        let mut from = 0;
        for &i in &self.at {
            w.write_all(self.page.get(from..i).unwrap_or_default())?;
            for s in &self.sections {
                w.write_all(s)?;
            }
            from = i + SECTIONS_MARKER.len();
        }
        w.write_all(self.page.get(from..).unwrap_or_default())
    }
}

/// Render the report in its pieces (see [`render`]). Tera writes valid UTF-8, and the pieces
/// are cut at the (ASCII) marker: written in order they are the page's text.
pub fn render_parts(report: &Report, templates: Option<&Path>) -> Result<Rendered, Error> {
    render_completed_parts(&Completed::of(report), templates)
}

/// Render a report and the generator's results (elements not carried over, notes) in its
/// pieces (see [`render`]).
pub fn render_completed_parts(
    report: &Completed<'_>,
    templates: Option<&Path>,
) -> Result<Rendered, Error> {
    let engine = Engine::load(
        WHAT,
        &[HTML_MACROS, HTML_PAGE, HTML_APP],
        templates,
        ".html",
        templates::escape_html,
    )?;
    // The page is rendered around a marker where the sections go, and they are put in its
    // place: tens of megabytes copied once rather than through Tera's context and output. The
    // built-in page has the marker, so its sections are rendered meanwhile; a replaced page
    // may not, so they wait to be needed.
    let (page, early) = if engine.is_replaced(HTML_PAGE) {
        (page(&engine, report)?, None)
    } else {
        let (p, s) = rayon::join(|| page(&engine, report), || sections(&engine, report));
        (p?, Some(s?))
    };
    let at: Vec<usize> = memchr::memmem::find_iter(&page, SECTIONS_MARKER).collect();
    let sections = match early {
        Some(s) if !at.is_empty() => s,
        _ if at.is_empty() => Vec::new(),
        _ => sections(&engine, report)?,
    };
    Ok(Rendered { page, at, sections })
}

/// The page, with [`SECTIONS_MARKER`] as `app_sections`.
fn page(engine: &Engine, c: &Completed<'_>) -> Result<Vec<u8>, Error> {
    let mut cx = Context::new();
    cx.insert("page", &PageView::of(c));
    cx.insert("visuals", &c.report.visuals);
    if engine.is_replaced(HTML_PAGE) {
        cx.insert("report", &Page::of(c));
    }
    cx.insert("app_sections", SECTIONS_MARKER);
    let mut page = Vec::with_capacity(256 * 1024);
    engine.render_to(HTML_PAGE, &cx, &mut page)?;
    Ok(page)
}

/// What the page sees as `app_sections` while it is rendered: no input-derived text can hold
/// a NUL (the escaping removes control characters).
const SECTIONS_MARKER: &str = "\u{0}ecaplan:app-sections\u{0}";

/// The apps' sections in the order of the apps, in pieces.
fn sections(engine: &Engine, report: &Completed<'_>) -> Result<Vec<Vec<u8>>, Error> {
    let by_file = super::html_view::notes_by_file(report);
    report
        .report
        .apps
        .par_chunks(APPS_PER_TASK)
        .enumerate()
        .map(|(chunk, apps)| {
            let mut out = Vec::with_capacity(apps.len() * 16 * 1024);
            for (i, a) in apps.iter().enumerate() {
                let n = chunk * APPS_PER_TASK + i + 1;
                // At the top level: Tera finds `name` in a map, `app.name` by parsing a path.
                let mut cx = Context::from_serialize(AppView::of(report, n, a, &by_file))
                    .map_err(|e| engine.error(&e))?;
                // The app's drawing (its own: the page does not carry every app's).
                cx.insert("drawing", &report.report.visuals.apps.get(&a.row.api_name));
                engine.render_to(HTML_APP, &cx, &mut out)?;
            }
            Ok(out)
        })
        .collect()
}

/// What a replaced page template sees of the report as `report`: every field but the raw graph.
#[derive(Serialize)]
struct Page<'a> {
    schema_version: u32,
    tool_version: &'a str,
    as_of: &'a Option<String>,
    summary: &'a super::contents::Summary,
    apps: &'a [super::contents::ReportApp],
    findings: &'a [crate::rules::Finding],
    org_findings: &'a [usize],
    rules: &'a [super::contents::RuleInfo],
    waves: &'a [crate::plan::Wave],
    coupled_groups: &'a [crate::graph::analysis::CoupledGroup],
    not_carried: &'a [super::contents::NotCarriedRow],
    accounting: &'a super::inventory::Accounting,
    /// The report's notes and the generator's.
    notes: Vec<&'a crate::diag::Note>,
}

impl<'a> Page<'a> {
    fn of(c: &Completed<'a>) -> Self {
        let r = c.report;
        Page {
            schema_version: r.schema_version,
            tool_version: r.tool_version,
            as_of: &r.as_of,
            summary: &r.summary,
            apps: &r.apps,
            findings: &r.findings,
            org_findings: &r.org_findings,
            rules: &r.rules,
            waves: &r.waves,
            coupled_groups: &r.coupled_groups,
            not_carried: c.not_carried,
            accounting: &r.accounting,
            notes: c.notes().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testkit::sample_report;
    use crate::rules::{Evidence, Finding};

    #[test]
    fn labels_are_escaped_and_every_app_has_a_row() {
        let r = sample_report("<script>alert(1)</script>", "=1+1");
        let html = render(&r, None).expect("render");
        assert!(!html.contains("<script>alert(1)"), "label is not escaped");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;"));
        assert_eq!(html.matches("data-app=").count(), r.apps.len());
        assert_eq!(html.matches("<section class=\"app\"").count(), r.apps.len());
        // Self-contained: nothing is fetched.
        for needle in ["<script", "src=\"http", "href=\"http", "@import", "url("] {
            assert!(!html.contains(needle), "{needle}");
        }
    }

    #[test]
    fn sections_are_in_the_order_of_the_apps() {
        let r = sample_report("x", "y");
        let html = render(&r, None).expect("render");
        let at = |n: usize| html.find(&format!("<section class=\"app\" id=\"app-{n}\">"));
        let found: Vec<usize> = (1..=r.apps.len()).filter_map(at).collect();
        assert_eq!(found.len(), r.apps.len());
        assert!(found.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn a_templates_folder_replaces_the_builtin_template() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join(HTML_PAGE),
            "apps: {{ report.summary.apps }} {{ page.apps }}",
        )
        .expect("write");
        let r = sample_report("x", "y");
        let html = render(&r, Some(dir.path())).expect("render");
        assert_eq!(html, format!("apps: {0} {0}", r.summary.apps));
        // A folder without the template falls back to the built-in one.
        let empty = tempfile::tempdir().expect("tempdir");
        assert!(render(&r, Some(empty.path()))
            .expect("render")
            .starts_with("<!DOCTYPE html>"));
    }

    #[test]
    fn a_templates_folder_replaces_one_apps_section_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(HTML_APP), "[{{ n }} {{ api_name }}]").expect("write");
        let r = sample_report("x", "<y>");
        let html = render(&r, Some(dir.path())).expect("render");
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains(&format!("[1 {}][2 ", r.apps[0].row.api_name)));
        assert!(!html.contains("<section"));
    }

    #[test]
    fn an_unreadable_template_and_a_broken_one_are_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("x")).expect("mkdir");
        std::fs::write(dir.path().join(HTML_APP), "{{ n").expect("write");
        let r = sample_report("x", "y");
        let err = render(&r, Some(dir.path())).expect_err("broken");
        assert!(
            matches!(
                err,
                Error::Render {
                    what: "report.html",
                    ..
                }
            ),
            "{err}"
        );
        std::fs::write(dir.path().join(HTML_APP), "{{ missing.field }}").expect("write");
        let err = render(&r, Some(dir.path())).expect_err("unknown variable");
        assert!(matches!(err, Error::Render { .. }), "{err}");
    }

    #[test]
    fn edge_cases_render_as_the_template_says() {
        let mut r = sample_report("", "");
        r.as_of = None;
        let a = &mut r.apps[0];
        std::sync::Arc::make_mut(&mut a.plan).owner = Some("Ops <team>".into());
        a.row.label = a.row.api_name.clone();
        let long = "a wave whose name is far longer than thirty-four graphemes é́";
        if let Some(w) = r.visuals.timeline.bars.first_mut() {
            w.lines = crate::report::visual::labels::wrap(long, 36);
        }
        r.findings.push(Finding {
            rule: "ECA999",
            name: "org-wide",
            severity: crate::rules::Severity::Low,
            app: None,
            message: "org & all".into(),
            evidence: vec![
                Evidence::Graph {
                    path: vec!["app:a".into(), "user:b".into()],
                },
                Evidence::Metadata {
                    file: "f.xml".into(),
                    line: Some(0),
                    element: "e".into(),
                    snippet: Some(String::new()),
                },
            ],
            accepted: Some("risk accepted by <CISO>".into()),
        });
        r.org_findings = vec![r.findings.len() - 1];
        r.apps[1].findings.push(r.findings.len() - 1);
        let html = render(&r, None).expect("render");
        assert!(html.contains("<title>ecaplan assessment</title>"));
        assert!(html.contains(", owner Ops &lt;team&gt;)"));
        // A long wave name is whole, over lines.
        assert!(html.contains("<tspan x=\"6\">a wave whose name is far longer than</tspan><tspan x=\"6\" dy=\"15\">thirty-four graphemes é́</tspan>"));
        assert!(html.contains("<div class=\"muted\">path: app:a → user:b</div>"));
        assert!(html.contains("<div><code>f.xml</code> <span class=\"muted\">e</span></div>"));
        assert!(html.contains("<tr class=\"accepted\"><td><span class=\"sev low\">low</span></td><td>ECA999 <span class=\"muted\">org-wide</span></td><td>org &amp; all<br><i>Accepted: risk accepted by &lt;CISO&gt;</i></td></tr>"));
        assert!(html.contains("<a href=\"#org\">Org-wide findings</a>"));
    }

    #[test]
    fn not_carried_rows_go_to_their_apps_section_escaped() {
        let r = sample_report("x", "y");
        let row = |app: &str, element: &str| crate::report::contents::NotCarriedRow {
            app: app.into(),
            element: element.into(),
            reason: "<b>why</b> & what".into(),
        };
        let (first, second) = (&r.apps[0].row.api_name, &r.apps[1].row.api_name);
        let mut rows = vec![row(first, "a"), row(first, "b"), row(second, "c")];
        rows.sort_by(|x, y| x.app.cmp(&y.app));
        let c = Completed {
            report: &r,
            not_carried: &rows,
            more_notes: &[],
            generated: true,
        };
        let mut out = Vec::new();
        render_completed_parts(&c, None)
            .expect("render")
            .write_to(&mut out)
            .expect("write");
        let html = String::from_utf8(out).expect("utf-8");
        assert!(!html.contains("<b>why"));
        assert_eq!(html.matches("<tr class=\"not-carried\">").count(), 3);
        let section = |n: usize| {
            let at = format!("<section class=\"app\" id=\"app-{n}\">");
            let s = html.split(&at).nth(1).expect("section");
            s.split("</section>").next().expect("end").to_string()
        };
        let cells = |s: &str| s.matches("&lt;b&gt;why&lt;&#x2F;b&gt; &amp; what").count();
        assert_eq!(cells(&section(1)), 2);
        assert_eq!(cells(&section(2)), 1);
        assert_eq!(cells(&section(3)), 0);
    }

    #[test]
    fn drawn_labels_and_their_text_are_escaped() {
        let mut r = sample_report("x", "y");
        let hostile = "<img src=x onerror=alert(1)>";
        let n = r.visuals.graph.nodes.first_mut().expect("a node");
        n.lines = vec![hostile.into()];
        let name = r.apps[0].row.api_name.clone();
        let d = r.visuals.apps.get_mut(&name).expect("the app's drawing");
        d.title = hostile.into();
        d.details[0].items = vec![hostile.into()];
        let app = d
            .nodes
            .iter()
            .position(|n| n.kind == crate::graph::NodeKind::App);
        assert!(
            app.is_some() && d.nodes.len() > 1,
            "the sample app has neighbours"
        );
        r.visuals.timeline.bars[0].lines = vec![hostile.into()];
        let html = render(&r, None).expect("render");
        assert!(!html.contains("<img"), "a drawn label is not escaped");
        assert!(html.matches("&lt;img src=x onerror=alert(1)&gt;").count() >= 5);
    }

    #[test]
    fn hostile_text_loses_its_controls_and_bidi() {
        let r = sample_report(
            "Pay\u{202E}llor\u{1b}[2J\u{0}",
            "<b>\u{2066}x\u{2069}\u{9b}",
        );
        let page = render(&r, None).expect("render");
        assert!(!page.contains(['\u{202E}', '\u{1b}', '\u{0}', '\u{2066}', '\u{9b}']));
        assert!(page.contains("Payllor[2J"));
    }
}
