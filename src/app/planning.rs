//! The commands that plan and write folders: `plan` and `generate`, with the report model
//! they share with `assess --format sarif|markdown|html`, and the concurrent writers.

use std::path::{Path, PathBuf};

use super::output::OutputDir;
use super::{load, unreadable_lines, Outcome};
use crate::cli::*;
use crate::error::Error;
use crate::graph::{self, analysis, export};
use crate::report::csv_out;
use crate::report::inventory::Accounting;

use super::commands::{analyse, build_graph, findings_of, note_no_as_of, Analysis};

/// The full report model (plan included, no metadata generated) for `assess --format
/// sarif|markdown|html`.
pub(super) fn full_report(
    loaded: &super::Loaded,
    findings: &[crate::rules::Finding],
    g: &graph::Graph,
) -> Result<crate::report::contents::Report, Error> {
    let plan = plan_of(loaded, findings, &analysis::coupled_groups(g));
    let rows = crate::report::inventory::app_rows(&loaded.inventory, &loaded.join);
    Ok(model_of(
        loaded,
        rows,
        &plan,
        findings.to_vec(),
        g,
        Vec::new(),
    ))
}

/// The report model of loaded inputs, their plan and findings.
fn model_of(
    loaded: &super::Loaded,
    rows: Vec<crate::report::inventory::AppRow>,
    plan: &crate::plan::Plan,
    findings: Vec<crate::rules::Finding>,
    g: &graph::Graph,
    not_carried: Vec<crate::report::contents::NotCarriedRow>,
) -> crate::report::contents::Report {
    crate::report::contents::build(
        rows,
        plan,
        findings,
        g,
        not_carried,
        Accounting::new(loaded.files.clone()),
        loaded.notes.clone(),
    )
}

/// Phase timings on stderr when `ECAPLAN_TIMINGS=1` (for benchmarking; never in outputs).
struct Timer(Option<std::time::Instant>);

impl Timer {
    fn from_env() -> Timer {
        Timer(
            std::env::var("ECAPLAN_TIMINGS")
                .is_ok_and(|v| v == "1")
                .then(std::time::Instant::now),
        )
    }

    /// How long one step took (from `since`), and when it started.
    fn note(&self, what: &str, since: std::time::Instant) {
        if let Some(start) = self.0 {
            #[allow(clippy::print_stderr)]
            {
                eprintln!(
                    "timing:   {what}: {:.3}s from {:.2}s",
                    since.elapsed().as_secs_f64(),
                    since.duration_since(start).as_secs_f64()
                );
            }
        }
    }

    fn lap(&self, what: &str) {
        if let Some(start) = self.0 {
            #[allow(clippy::print_stderr)]
            {
                eprintln!(
                    "timing: {what}: {:.2}s since start",
                    start.elapsed().as_secs_f64()
                );
            }
        }
    }
}

/// The plan of loaded inputs with their findings and the graph's coupled groups.
fn plan_of(
    loaded: &super::Loaded,
    findings: &[crate::rules::Finding],
    groups: &[analysis::CoupledGroup],
) -> crate::plan::Plan {
    crate::plan::plan(&crate::plan::PlanInput {
        inventory: &loaded.inventory,
        join: &loaded.join,
        tables: &loaded.usage.tables,
        findings,
        groups,
        config: &loaded.config,
        as_of_day: loaded.as_of_day,
    })
}

/// `ecaplan plan`.
pub fn plan(args: &PlanArgs) -> Result<Outcome, Error> {
    let timer = Timer::from_env();
    // The output folder is checked (and locked) before anything is read: a refused folder
    // costs the user no wait.
    let out = OutputDir::prepare(
        &args.output,
        args.force,
        &read_paths(&args.input, args.templates.as_deref()),
    )?;
    let mut loaded = load(&args.input)?;
    timer.lap("load (metadata + usage)");
    // The apps' report rows need only the inputs: they are made while the graph is built.
    let (g, rows) = rayon::join(
        || build_graph(&loaded),
        || crate::report::inventory::app_rows(&loaded.inventory, &loaded.join),
    );
    note_no_as_of(&mut loaded);
    timer.lap("graph");
    // From here every step runs on all cores: the graph exports and the coupled groups need
    // only the graph and are made while the rules run; the metadata and the report model need
    // only the plan.
    let ((exports, groups), findings) = rayon::join(
        || {
            rayon::join(
                || write_jobs(&out, graph_jobs(&g), &timer),
                || analysis::coupled_groups(&g),
            )
        },
        || findings_of(&loaded, &g),
    );
    timer.lap("rules (graph exports and coupled groups beside them)");
    let plan = plan_of(&loaded, &findings, &groups);
    exports?;
    timer.lap("plan");
    let analysed = Analysed {
        graph: &g,
        findings,
        rows,
    };
    write_outputs(&out, &loaded, analysed, &plan, args, &timer)?;
    timer.lap("render + write");
    let mut stderr = notices(&out);
    let out_root = out.commit()?;
    stderr.push_str(&format!(
        "{} app(s) in {} wave(s); wrote {}\n",
        plan.apps.len(),
        plan.waves.len(),
        out_root.join("plan.json").display()
    ));
    stderr.push_str(&unreadable_lines(&loaded.files));
    // The process ends with this command: freeing a large org's inputs, graph and plan one
    // allocation at a time would only delay the exit (by tens of milliseconds).
    std::mem::forget((loaded, g, plan));
    Ok(Outcome {
        stdout: String::new(),
        stderr,
        code: 0,
    })
}

/// Generate the metadata and write every output that follows from the plan, each as soon as
/// what it needs is ready: plan.json at once; the ECA files when generated; the reports from
/// the model, built meanwhile; and report.json (which lists what the generator did not carry
/// over) when both are done. The first failure (generation first, then in job order) is
/// returned.
fn write_outputs(
    out: &OutputDir,
    loaded: &super::Loaded,
    analysed: Analysed<'_>,
    plan: &crate::plan::Plan,
    args: &PlanArgs,
    timer: &Timer,
) -> Result<(), Error> {
    let state = Outputs {
        out,
        timer,
        templates: args.templates.as_deref(),
        generated: std::sync::OnceLock::new(),
        report: std::sync::OnceLock::new(),
        waiting: std::sync::atomic::AtomicUsize::new(2),
        failures: std::sync::Mutex::default(),
    };
    let st = &state;
    rayon::scope_fifo(|s| {
        s.spawn_fifo(move |_| st.run(1, "plan.json", &|out| stream_json(out, "plan.json", plan)));
        s.spawn_fifo(move |_| st.run(2, "access lists", &|out| write_access_lists(out, plan)));
        s.spawn_fifo(move |s| {
            let made = st
                .generated
                .get_or_init(|| generate_for(plan, loaded, &args.api_version, None));
            // report.json (one long job) is queued before the many short file batches, which
            // fill the cores after it.
            st.one_done(s);
            if let Ok(made) = made {
                // In batches: thousands of tiny jobs would cost more than they share.
                for (i, batch) in made.files.chunks(256).enumerate() {
                    s.spawn_fifo(move |_| {
                        st.run(100 + i, "ECA metadata files", &|out| {
                            out.write_files(
                                batch
                                    .iter()
                                    .map(|f| (f.path.as_str(), f.contents.as_bytes())),
                            )
                        })
                    });
                }
            }
        });
        let model = st.report.get_or_init(|| {
            let Analysed {
                graph,
                findings,
                rows,
            } = analysed;
            model_of(loaded, rows, plan, findings, graph, Vec::new())
        });
        st.timer.lap("report model");
        for (i, (name, job)) in report_jobs(model, st.templates).into_iter().enumerate() {
            s.spawn_fifo(move |_| st.run(10 + i, name, &*job));
        }
        st.one_done(s);
    });
    // Not freed: see the end of [`plan`].
    std::mem::forget(state.report.into_inner());
    match state.generated.into_inner() {
        Some(Err(e)) => return Err(e),
        // The scope always runs the generation task; this only guards against a silent gap.
        None => {
            return Err(Error::Render {
                what: "ECA metadata",
                message: "generation did not run".into(),
            })
        }
        Some(Ok(generated)) => std::mem::forget(generated),
    }
    let mut failures = state
        .failures
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    failures.sort_by_key(|(rank, _)| *rank);
    failures.into_iter().next().map_or(Ok(()), |(_, e)| Err(e))
}

/// The users to assign each app's access permission set before its policies change
/// (`access/<ECA>-permset-assignments.csv`, outside the deployed `eca/` project), formula-safe.
fn write_access_lists(out: &OutputDir, plan: &crate::plan::Plan) -> Result<(), Error> {
    let mut files = Vec::new();
    for a in &plan.apps {
        let Some(path) = a.access.assignment_file.as_deref() else {
            continue;
        };
        let (header, rows) = crate::plan::access::assignment_rows(&a.access);
        let csv =
            crate::report::csv_out::render_sheet(&crate::report::sheets::Sheet { header, rows })?;
        files.push((path.to_string(), csv));
    }
    if !files.is_empty() {
        let readme = format!("{}/README.md", crate::plan::access::ASSIGNMENT_DIR);
        files.push((readme, crate::plan::access::README.to_string()));
    }
    out.write_files(files.iter().map(|(p, c)| (p.as_str(), c.as_bytes())))
}

/// What the report model is made of besides the inputs and the plan.
struct Analysed<'a> {
    graph: &'a graph::Graph,
    findings: Vec<crate::rules::Finding>,
    rows: Vec<crate::report::inventory::AppRow>,
}

/// What the output jobs of [`write_outputs`] share.
struct Outputs<'a> {
    out: &'a OutputDir,
    timer: &'a Timer,
    templates: Option<&'a std::path::Path>,
    generated: std::sync::OnceLock<Result<crate::generate::Generated, Error>>,
    report: std::sync::OnceLock<crate::report::contents::Report>,
    /// Generation and model still running.
    waiting: std::sync::atomic::AtomicUsize,
    /// Failed jobs with their rank (lowest reported).
    failures: std::sync::Mutex<Vec<(usize, Error)>>,
}

impl<'a> Outputs<'a> {
    /// Run one job, keeping its failure with its rank.
    fn run(&self, rank: usize, name: &str, job: &dyn Fn(&OutputDir) -> Result<(), Error>) {
        let t = std::time::Instant::now();
        if let Err(e) = job(self.out) {
            self.failures
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((rank, e));
        }
        self.timer.note(name, t);
    }

    /// Generation or the model is done; the last of the two starts the outputs that need both.
    fn one_done<'s>(&'s self, s: &rayon::ScopeFifo<'s>)
    where
        'a: 's,
    {
        use std::sync::atomic::Ordering;
        if self.waiting.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        let (Some(Ok(generated)), Some(report)) = (self.generated.get(), self.report.get()) else {
            return;
        };
        for (name, job) in completed_jobs(report, generated, self.templates) {
            s.spawn_fifo(move |_| self.run(1_000, name, &*job));
        }
    }
}

/// The outputs that show what the generator did: report.json, and report.html when a
/// `--templates` template may show the elements not carried over.
fn completed_jobs<'a>(
    report: &'a crate::report::contents::Report,
    generated: &'a crate::generate::Generated,
    templates: Option<&'a std::path::Path>,
) -> Vec<Job<'a>> {
    let mut jobs: Vec<Job<'a>> = vec![(
        "report.json",
        Box::new(move |out: &OutputDir| {
            let not_carried = not_carried_rows(generated);
            let view = crate::report::contents::Completed {
                report,
                not_carried: &not_carried,
                more_notes: &generated.notes,
            };
            stream_json(out, "report.json", &view)
        }),
    )];
    if templates.is_some() {
        jobs.push((
            "report.html",
            Box::new(move |out: &OutputDir| {
                let mut complete = report.clone();
                complete.not_carried = not_carried_rows(generated);
                complete.notes.extend(generated.notes.iter().cloned());
                let html = crate::report::html::render(&complete, templates)?;
                write_text(out, "report.html", &html)
            }),
        ));
    }
    jobs
}

/// The generator's not-carried-over elements as report rows.
fn not_carried_rows(
    generated: &crate::generate::Generated,
) -> Vec<crate::report::contents::NotCarriedRow> {
    generated
        .not_carried
        .iter()
        .map(|n| crate::report::contents::NotCarriedRow {
            app: n.app.clone(),
            element: n.element.clone(),
            reason: n.reason.clone(),
        })
        .collect()
}

/// ECA metadata for the planned apps whose strategy needs it (`only`: just these apps).
fn generate_for(
    plan: &crate::plan::Plan,
    loaded: &super::Loaded,
    api_version: &str,
    only: Option<&[String]>,
) -> Result<crate::generate::Generated, Error> {
    use crate::generate::{EcaTarget, GenerateScope};
    // The plan names its apps as the inventory does: looked up by name once, not by a scan
    // of the inventory per app.
    // The first definition of an API name (the plan gives a second one no ECA name).
    let mut by_name: std::collections::HashMap<&str, &crate::model::App> = Default::default();
    for a in &loaded.inventory.apps {
        by_name.entry(a.api_name.as_str()).or_insert(a);
    }
    let targets: Vec<EcaTarget<'_>> = plan
        .apps
        .iter()
        .filter(|p| crate::plan::generates(p.decision.strategy))
        .filter(|p| only.is_none_or(|o| o.iter().any(|a| a.eq_ignore_ascii_case(&p.api_name))))
        .filter_map(|p| {
            let app = by_name
                .get(p.api_name.as_str())
                .copied()
                .or_else(|| loaded.inventory.app(&p.api_name))?;
            let scope = if p.decision.strategy == crate::plan::Strategy::Automated {
                GenerateScope::HardeningOnly
            } else {
                GenerateScope::Full
            };
            Some(EcaTarget {
                app,
                eca_name: p.eca_name.clone()?,
                scope,
                target_flow: p.decision.target_flow.clone(),
                kept: crate::generate::KeptGrants {
                    profiles: p.access.profiles.iter().map(|g| g.name.clone()).collect(),
                    permission_sets: p
                        .access
                        .permission_sets
                        .iter()
                        .map(|g| g.name.clone())
                        .collect(),
                },
            })
        })
        .collect();
    let deploy = crate::generate::DeployPlan {
        waves: plan
            .apps
            .iter()
            .map(|p| (p.api_name.clone(), p.wave))
            .collect(),
        parameters: plan.parameters.clone(),
    };
    crate::generate::generate_with(&targets, &loaded.config.standard, api_version, &deploy).map_err(
        |e| Error::Render {
            what: "ECA metadata",
            message: e.to_string(),
        },
    )
}

/// Every path a run reads: the inputs, `--config` and `--templates` (an output folder must
/// keep apart from all of them).
fn read_paths<'a>(input: &'a crate::cli::InputArgs, templates: Option<&'a Path>) -> Vec<&'a Path> {
    let mut paths: Vec<&Path> = input.inputs.iter().map(PathBuf::as_path).collect();
    paths.extend(input.config.as_deref());
    paths.extend(templates);
    paths
}

/// `note: ...` lines for what the output folder's preparation found.
fn notices(out: &OutputDir) -> String {
    out.notices()
        .iter()
        .map(|n| format!("note: {n}\n"))
        .collect()
}

/// `ecaplan generate`: only the ECA metadata of the named apps.
pub fn generate(args: &GenerateArgs) -> Result<Outcome, Error> {
    let out = OutputDir::prepare(&args.output, args.force, &read_paths(&args.input, None))?;
    let mut loaded = load(&args.input)?;
    for name in &args.app {
        if loaded.inventory.app(name).is_none() {
            return Err(Error::Input {
                path: name.into(),
                message: "no such app among the inputs (see `ecaplan inventory`)".into(),
            });
        }
    }
    let Analysis { graph: g, findings } = analyse(&mut loaded);
    let plan = plan_of(&loaded, &findings, &analysis::coupled_groups(&g));
    let generated = generate_for(&plan, &loaded, &args.api_version, Some(&args.app))?;
    write_all(&out, &generated.files)?;
    let mut stderr = notices(&out);
    for name in &args.app {
        if let Some(p) = plan
            .apps
            .iter()
            .find(|p| p.api_name.eq_ignore_ascii_case(name))
        {
            if !crate::plan::generates(p.decision.strategy) {
                stderr.push_str(&format!(
                    "{name}: planned as {}, no ECA metadata to generate\n",
                    p.decision.strategy.as_str()
                ));
            }
        }
    }
    for n in &generated.not_carried {
        stderr.push_str(&format!(
            "{}: {} not carried over: {}\n",
            n.app, n.element, n.reason
        ));
    }
    let root = out.commit()?;
    stderr.push_str(&format!(
        "wrote {} file(s) to {}\n",
        generated.files.len(),
        root.display()
    ));
    Ok(Outcome {
        stdout: String::new(),
        stderr,
        code: 0,
    })
}

/// One output of the plan folder: a name for timings and what writes it.
type Job<'a> = (
    &'static str,
    Box<dyn Fn(&OutputDir) -> Result<(), Error> + Send + Sync + 'a>,
);

/// The graph exports.
fn graph_jobs(g: &graph::Graph) -> Vec<Job<'_>> {
    vec![
        (
            "graph.dot",
            Box::new(|out: &OutputDir| write_text(out, "graph.dot", &export::to_dot(g))),
        ),
        (
            "graph.mmd",
            Box::new(|out: &OutputDir| write_text(out, "graph.mmd", &export::to_mermaid(g))),
        ),
    ]
}

/// The report formats that need only the model, each rendered from the one `Report`; the
/// built-in report.html among them unless `--templates` may replace it (a template may show
/// what the generator did, so that one waits for it). Largest first.
fn report_jobs<'a>(
    report: &'a crate::report::contents::Report,
    templates: Option<&'a Path>,
) -> Vec<Job<'a>> {
    use crate::report::{html, markdown, sarif, sheets, xlsx};
    let mut jobs: Vec<Job<'a>> = vec![
        (
            "workshop.xlsx",
            Box::new(|out: &OutputDir| {
                out.write("workshop.xlsx", &xlsx::render(report)?).map(drop)
            }),
        ),
        (
            "findings.sarif",
            Box::new(|out: &OutputDir| stream_json(out, "findings.sarif", &sarif::build(report))),
        ),
        (
            "report.md",
            Box::new(move |out: &OutputDir| {
                write_text(out, "report.md", &markdown::render(report, templates)?)
            }),
        ),
        (
            "apps.csv",
            Box::new(|out: &OutputDir| {
                write_text(
                    out,
                    "apps.csv",
                    &csv_out::render_sheet(&sheets::apps(report))?,
                )
            }),
        ),
        (
            "findings.csv",
            Box::new(|out: &OutputDir| {
                write_text(
                    out,
                    "findings.csv",
                    &csv_out::render_sheet(&sheets::findings(report))?,
                )
            }),
        ),
    ];
    if templates.is_none() {
        jobs.insert(
            1,
            (
                "report.html",
                Box::new(|out: &OutputDir| {
                    write_text(out, "report.html", &html::render(report, None)?)
                }),
            ),
        );
    }
    jobs
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

/// Run independent output jobs on every core; the first failure (in job order) is returned.
fn write_jobs(out: &OutputDir, jobs: Vec<Job<'_>>, timer: &Timer) -> Result<(), Error> {
    use rayon::prelude::*;
    jobs.par_iter()
        .map(|(name, job)| {
            let t = std::time::Instant::now();
            let r = job(out);
            timer.note(name, t);
            r
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// Write generated files.
fn write_all(out: &OutputDir, files: &[crate::generate::GeneratedFile]) -> Result<(), Error> {
    out.write_files(
        files
            .iter()
            .map(|f| (f.path.as_str(), f.contents.as_bytes())),
    )
}
