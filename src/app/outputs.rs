//! The files of a plan folder: each one an [`Output`] rendered from what it needs, listed
//! once: [`FROM_GRAPH`] (written while the rules and the plan are made), [`FROM_PLAN`]
//! (written while the ECA metadata and the report model are made) and [`FROM_REPORT`] (the
//! rest, from the whole [`Planned`] result). Adding an output is a type here and a line in a
//! list.

use std::path::Path;

use rayon::prelude::*;

use super::output::OutputDir;
use crate::error::Error;
use crate::generate::Generated;
use crate::graph::{export, Graph};
use crate::plan::Plan;
use crate::report::contents::{Completed, NotCarriedRow, Report};
use crate::report::{csv_out, html, markdown, sarif, sheets, xlsx};

/// What the outputs of [`FROM_REPORT`] are rendered from: the pipeline's result.
pub(super) struct Planned<'a> {
    /// The report model (the generator's results not yet in it).
    pub(super) report: &'a Report,
    /// The ECA metadata, what it does not carry over and its notes.
    pub(super) generated: &'a Generated,
    /// `--templates`: a folder whose files may replace the built-in report templates.
    pub(super) templates: Option<&'a Path>,
}

impl<'a> Planned<'a> {
    /// The report with the generator's results (`not_carried`: its rows, made by the caller).
    fn completed(&self, not_carried: &'a [NotCarriedRow]) -> Completed<'a> {
        Completed {
            report: self.report,
            not_carried,
            more_notes: &self.generated.notes,
            generated: true,
        }
    }
}

/// One file (or set of files) of the plan folder, rendered from `P`.
pub(super) trait Output<P: ?Sized>: Sync {
    /// What it writes, as the user sees it in the folder.
    fn name(&self) -> &'static str;
    /// Render it from what it needs and write it into `out`.
    fn write(&self, from: &P, out: &OutputDir) -> Result<(), Error>;
}

/// The outputs of the graph alone.
pub(super) const FROM_GRAPH: &[&dyn Output<Graph>] = &[&GraphMermaid, &GraphDot];

/// The outputs of the plan alone.
pub(super) const FROM_PLAN: &[&dyn Output<Plan>] = &[&PlanJson, &AccessLists];

/// The outputs of the report model and the ECA metadata. The ones rendered in one piece come
/// first, longest first, and the thousands of ECA metadata files, written in batches, last:
/// the batches fill the cores to the end.
pub(super) const FROM_REPORT: &[&dyn for<'a> Output<Planned<'a>>] = &[
    &WorkshopXlsx,
    &ReportJson,
    &ReportHtml,
    &FindingsSarif,
    &ReportMd,
    &FindingsCsv,
    &AppsCsv,
    &EcaMetadata,
];

/// Write `outputs` of `from` on all cores; the first failure in list order is returned.
/// `note` hears how long each output took.
pub(super) fn write_outputs<P: Sync + ?Sized>(
    outputs: &[&dyn Output<P>],
    from: &P,
    out: &OutputDir,
    note: &(dyn Fn(&str, std::time::Instant) + Sync),
) -> Result<(), Error> {
    in_parallel(outputs, |o| {
        let start = std::time::Instant::now();
        let result = o.write(from, out);
        note(o.name(), start);
        result
    })
}

/// Write generated files on all cores, in batches of neighbours (thousands of one-file jobs
/// would cost more than they share); the first failure in path order is returned.
pub(super) fn write_files(
    out: &OutputDir,
    files: &[crate::generate::GeneratedFile],
) -> Result<(), Error> {
    let batches: Vec<_> = files.chunks(256).collect();
    in_parallel(&batches, |batch| {
        out.write_files(
            batch
                .iter()
                .map(|f| (f.path.as_str(), f.contents.as_bytes())),
        )
    })
}

/// Run `job` on every item on all cores. Every job runs; of those that fail, the first in
/// `items`' order is returned, so the error a user sees does not depend on thread timing.
fn in_parallel<T: Sync>(
    items: &[T],
    job: impl Fn(&T) -> Result<(), Error> + Sync,
) -> Result<(), Error> {
    let results: Vec<Result<(), Error>> = items.par_iter().map(&job).collect();
    results.into_iter().collect()
}

/// `graph.dot`.
struct GraphDot;

impl Output<Graph> for GraphDot {
    fn name(&self) -> &'static str {
        "graph.dot"
    }
    fn write(&self, g: &Graph, out: &OutputDir) -> Result<(), Error> {
        write_text(out, self.name(), &export::to_dot(g))
    }
}

/// `graph.mmd`.
struct GraphMermaid;

impl Output<Graph> for GraphMermaid {
    fn name(&self) -> &'static str {
        "graph.mmd"
    }
    fn write(&self, g: &Graph, out: &OutputDir) -> Result<(), Error> {
        write_text(out, self.name(), &export::to_mermaid(g))
    }
}

/// `plan.json`.
struct PlanJson;

impl Output<Plan> for PlanJson {
    fn name(&self) -> &'static str {
        "plan.json"
    }
    fn write(&self, plan: &Plan, out: &OutputDir) -> Result<(), Error> {
        stream_json(out, self.name(), plan)
    }
}

/// The users to assign each app's access permission set before its policies change
/// (`access/<ECA>-permset-assignments.csv`, outside the deployed `eca/` project), formula-safe.
struct AccessLists;

impl Output<Plan> for AccessLists {
    fn name(&self) -> &'static str {
        crate::plan::access::ASSIGNMENT_DIR
    }
    fn write(&self, plan: &Plan, out: &OutputDir) -> Result<(), Error> {
        let mut files = Vec::new();
        for a in &plan.apps {
            let Some(path) = a.access.assignment_file.as_deref() else {
                continue;
            };
            let (header, rows) = crate::plan::access::assignment_rows(&a.access);
            let csv = csv_out::render_sheet(&sheets::Sheet { header, rows })?;
            files.push((path.to_string(), csv));
        }
        if !files.is_empty() {
            let readme = format!("{}/README.md", crate::plan::access::ASSIGNMENT_DIR);
            files.push((readme, crate::plan::access::README.to_string()));
        }
        out.write_files(files.iter().map(|(p, c)| (p.as_str(), c.as_bytes())))
    }
}

/// `workshop.xlsx`.
struct WorkshopXlsx;

impl Output<Planned<'_>> for WorkshopXlsx {
    fn name(&self) -> &'static str {
        "workshop.xlsx"
    }
    fn write(&self, p: &Planned<'_>, out: &OutputDir) -> Result<(), Error> {
        // The lists the other reports show besides apps, findings and waves, as sheets.
        let not_carried = not_carried_rows(p.generated);
        let completed = p.completed(&not_carried);
        let extra = crate::report::contents::Shown::of(&completed).tables();
        out.write(self.name(), &xlsx::render_with(p.report, extra)?)
            .map(drop)
    }
}

/// `report.html`. The built-in template does not show what the generator did; a `--templates`
/// template may, so it gets the complete model.
struct ReportHtml;

impl Output<Planned<'_>> for ReportHtml {
    fn name(&self) -> &'static str {
        "report.html"
    }
    fn write(&self, p: &Planned<'_>, out: &OutputDir) -> Result<(), Error> {
        let not_carried = not_carried_rows(p.generated);
        let html = html::render_completed_parts(&p.completed(&not_carried), p.templates)?;
        let name = self.name();
        out.write_with(name, |w| {
            html.write_to(w).map_err(|source| Error::Write {
                path: name.into(),
                source,
            })
        })
        .map(drop)
    }
}

/// `findings.sarif`.
struct FindingsSarif;

impl Output<Planned<'_>> for FindingsSarif {
    fn name(&self) -> &'static str {
        "findings.sarif"
    }
    fn write(&self, p: &Planned<'_>, out: &OutputDir) -> Result<(), Error> {
        stream_json(out, self.name(), &sarif::build(p.report))
    }
}

/// `report.md`.
struct ReportMd;

impl Output<Planned<'_>> for ReportMd {
    fn name(&self) -> &'static str {
        "report.md"
    }
    fn write(&self, p: &Planned<'_>, out: &OutputDir) -> Result<(), Error> {
        let not_carried = not_carried_rows(p.generated);
        let md = markdown::render_completed(&p.completed(&not_carried), p.templates)?;
        write_text(out, self.name(), &md)
    }
}

/// `apps.csv`.
struct AppsCsv;

impl Output<Planned<'_>> for AppsCsv {
    fn name(&self) -> &'static str {
        "apps.csv"
    }
    fn write(&self, p: &Planned<'_>, out: &OutputDir) -> Result<(), Error> {
        let csv = csv_out::render_for_excel(&sheets::apps(p.report))?;
        write_text(out, self.name(), &csv)
    }
}

/// `findings.csv`.
struct FindingsCsv;

impl Output<Planned<'_>> for FindingsCsv {
    fn name(&self) -> &'static str {
        "findings.csv"
    }
    fn write(&self, p: &Planned<'_>, out: &OutputDir) -> Result<(), Error> {
        let csv = csv_out::render_for_excel(&sheets::findings(p.report))?;
        write_text(out, self.name(), &csv)
    }
}

/// The generated ECA metadata (the `eca/` project and its manifests).
struct EcaMetadata;

impl Output<Planned<'_>> for EcaMetadata {
    fn name(&self) -> &'static str {
        "ECA metadata"
    }
    fn write(&self, p: &Planned<'_>, out: &OutputDir) -> Result<(), Error> {
        write_files(out, &p.generated.files)
    }
}

/// `report.json`: the model with what the generator did not carry over and its notes.
struct ReportJson;

impl Output<Planned<'_>> for ReportJson {
    fn name(&self) -> &'static str {
        "report.json"
    }
    fn write(&self, p: &Planned<'_>, out: &OutputDir) -> Result<(), Error> {
        let not_carried = not_carried_rows(p.generated);
        stream_json(out, self.name(), &p.completed(&not_carried))
    }
}

/// The generator's not-carried-over elements as report rows.
pub(super) fn not_carried_rows(generated: &Generated) -> Vec<NotCarriedRow> {
    generated
        .not_carried
        .iter()
        .map(|n| NotCarriedRow {
            app: n.app.clone(),
            element: n.element.clone(),
            reason: n.reason.clone(),
        })
        .collect()
}

fn write_text(out: &OutputDir, rel: &str, text: &str) -> Result<(), Error> {
    out.write(rel, text.as_bytes()).map(drop)
}

/// Pretty JSON with a trailing newline (as [`super::json`]), streamed to the file.
fn stream_json<T: serde::Serialize>(out: &OutputDir, rel: &str, value: &T) -> Result<(), Error> {
    out.write_with(rel, |w| {
        crate::report::json::to_writer(&mut *w, value)
            .and_then(|()| std::io::Write::write_all(w, b"\n").map_err(serde_json::Error::io))
            .map_err(|e| match e.io_error_kind() {
                Some(kind) => Error::Write {
                    path: rel.into(),
                    source: kind.into(),
                },
                None => Error::Render {
                    what: "json",
                    message: e.to_string(),
                },
            })
    })
    .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_failure_in_item_order_wins_whichever_ends_first() {
        // The first item fails last.
        let delays = [40_u64, 0, 20, 0];
        for _ in 0..3 {
            let err = in_parallel(&delays.iter().enumerate().collect::<Vec<_>>(), |(i, d)| {
                std::thread::sleep(std::time::Duration::from_millis(**d));
                if *i == 0 || *i == 3 {
                    return Err(Error::Render {
                        what: "test",
                        message: format!("item {i}"),
                    });
                }
                Ok(())
            })
            .expect_err("fails");
            assert!(err.to_string().contains("item 0"), "{err}");
        }
    }

    #[test]
    fn outputs_have_unique_names() {
        let mut names: Vec<&str> = FROM_GRAPH.iter().map(|o| o.name()).collect();
        names.extend(FROM_PLAN.iter().map(|o| o.name()));
        names.extend(FROM_REPORT.iter().map(|o| o.name()));
        let all = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all);
    }
}
