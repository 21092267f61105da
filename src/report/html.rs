//! HTML assessment (`report.html`): one self-contained page rendered with Tera from a template
//! embedded in the binary, which `--templates DIR` may replace. The built-in template itself
//! is rendered by [`super::page`], which writes the same bytes five times faster. Autoescaping is on for the
//! template (its name ends in `.html`), so input-derived text can never become markup.
//!
//! A template sees `report`, the model of `report.json` without its raw `graph` (tens of
//! thousands of edges in a large org, which Tera would copy into its own values for nothing),
//! and `visuals`: charts, timeline and the drawn graph with the whole graph's totals.

use std::path::Path;

use tera::{Context, Tera};

use serde::Serialize;

use super::model::Report;
use crate::error::Error;

/// File name of the template, in the embedded set and in a `--templates` folder.
pub const TEMPLATE_NAME: &str = "report.html";

/// The built-in template.
pub const TEMPLATE: &str = include_str!("../../templates/report.html");

/// Render the report; `templates` is a folder whose `report.html`, when present, replaces the
/// built-in template.
pub fn render(report: &Report, templates: Option<&Path>) -> Result<String, Error> {
    let source = match templates.map(|d| d.join(TEMPLATE_NAME)) {
        Some(path) if path.is_file() => {
            std::fs::read_to_string(&path).map_err(|e| Error::Input {
                message: format!("cannot read template: {e}"),
                path,
            })?
        }
        // The built-in template is written directly (`page`), with the same bytes.
        _ => return Ok(super::page::render(report)),
    };
    render_with(report, &source)
}

/// Render the report with a template source.
pub fn render_with(report: &Report, source: &str) -> Result<String, Error> {
    let err = |e: tera::Error| Error::Render {
        what: "report.html",
        message: chain(&e),
    };
    let mut tera = Tera::default();
    // Explicit, so that escaping never depends on Tera's defaults.
    tera.autoescape_on(vec![".html"]);
    tera.set_escape_fn(escape);
    tera.add_raw_template(TEMPLATE_NAME, source).map_err(err)?;
    let mut cx = Context::new();
    cx.insert("report", &Page::of(report));
    cx.insert("visuals", &report.visuals);
    tera.render(TEMPLATE_NAME, &cx).map_err(err)
}

/// Tera's HTML escaping, after the control and bidi characters of input text are removed (as
/// the built-in page does).
fn escape(s: &str) -> String {
    tera::escape_html(&crate::text::terminal(s))
}

/// What a template sees of the report: every field but the raw graph.
#[derive(Serialize)]
struct Page<'a> {
    schema_version: u32,
    tool_version: &'a str,
    as_of: &'a Option<String>,
    summary: &'a super::model::Summary,
    apps: &'a [super::model::ReportApp],
    findings: &'a [crate::rules::Finding],
    org_findings: &'a [usize],
    rules: &'a [super::model::RuleInfo],
    waves: &'a [crate::plan::Wave],
    coupled_groups: &'a [crate::graph::analysis::CoupledGroup],
    not_carried: &'a [super::model::NotCarriedRow],
    accounting: &'a super::inventory::Accounting,
    notes: &'a [crate::diag::Note],
}

impl<'a> Page<'a> {
    fn of(r: &'a Report) -> Self {
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
            not_carried: &r.not_carried,
            accounting: &r.accounting,
            notes: &r.notes,
        }
    }
}

/// Tera's error with its causes (the first line alone rarely says what went wrong).
fn chain(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testkit::sample_report;

    #[test]
    fn labels_are_escaped_and_every_app_has_a_row() {
        let r = sample_report("<script>alert(1)</script>", "=1+1");
        let html = render(&r, None).expect("render");
        assert!(!html.contains("<script>alert(1)"), "label is not escaped");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;"));
        assert_eq!(html.matches("data-app=").count(), r.apps.len());
        // Self-contained: nothing is fetched.
        for needle in ["<script", "src=\"http", "href=\"http", "@import", "url("] {
            assert!(!html.contains(needle), "{needle}");
        }
    }

    #[test]
    fn a_templates_folder_replaces_the_builtin_template() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join(TEMPLATE_NAME),
            "apps: {{ report.summary.apps }}",
        )
        .expect("write");
        let r = sample_report("x", "y");
        let html = render(&r, Some(dir.path())).expect("render");
        assert_eq!(html, format!("apps: {}", r.summary.apps));
        // A folder without the template falls back to the built-in one.
        let empty = tempfile::tempdir().expect("tempdir");
        assert!(render(&r, Some(empty.path()))
            .expect("render")
            .starts_with("<!DOCTYPE html>"));
    }
}
