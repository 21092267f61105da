//! The commands that plan and write folders: `plan` and `generate`, with the report model
//! they share with `assess --format sarif|markdown|html`. The pipeline is a chain of stages,
//! side by side where they need only what is ready; the files come from [`super::outputs`].

use std::path::{Path, PathBuf};

use super::options::{GenerateOptions, InputOptions, PlanOptions};
use super::output::OutputDir;
use super::outputs::{self, Planned};
use super::{load, unreadable_lines, Outcome};
use crate::error::Error;
use crate::graph::analysis;

use super::analysis::{
    analyse, build_graph, findings_of, model_of, note_no_as_of, plan_of, Analysis,
};

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

/// `ecaplan plan`.
pub fn plan(opts: &PlanOptions) -> Result<Outcome, Error> {
    let timer = Timer::from_env();
    // The output folder is checked (and locked) before anything is read: a refused folder
    // costs the user no wait.
    let out = OutputDir::prepare(
        &opts.output,
        opts.force,
        &read_paths(&opts.input, opts.templates.as_deref()),
    )?;
    let mut loaded = load(&opts.input)?;
    timer.lap("load (metadata + usage)");
    let note = |name: &str, t| timer.note(name, t);
    // The apps' report rows need only the inputs: they are made while the graph is built.
    let (g, rows) = rayon::join(
        || build_graph(&loaded),
        || crate::report::inventory::app_rows(&loaded.org),
    );
    note_no_as_of(&mut loaded);
    timer.lap("graph");
    // Each output is written as soon as what it needs is ready, beside the stages still
    // running: the graph's while the rules and the plan are made, the plan's while the ECA
    // metadata and the report model are.
    let ((findings, plan), graph_written) = rayon::join(
        || {
            let (findings, groups) =
                rayon::join(|| findings_of(&loaded, &g), || analysis::coupled_groups(&g));
            timer.lap("rules");
            let plan = plan_of(&loaded, &findings, &groups);
            timer.lap("plan");
            (findings, plan)
        },
        || outputs::write_outputs(outputs::FROM_GRAPH, &g, &out, &note),
    );
    let ((generated, report), plan_written) = rayon::join(
        || {
            rayon::join(
                || generate_for(&plan, &loaded, &opts.api_version, None),
                || model_of(&loaded, rows, &plan, findings, &g, Vec::new()),
            )
        },
        || outputs::write_outputs(outputs::FROM_PLAN, &plan, &out, &note),
    );
    graph_written?;
    plan_written?;
    let generated = generated?;
    timer.lap("generate + report model");
    let planned = Planned {
        report: &report,
        generated: &generated,
        templates: opts.templates.as_deref(),
    };
    outputs::write_outputs(outputs::FROM_REPORT, &planned, &out, &note)?;
    timer.lap("render + write");
    let mut stderr = notices(&out);
    let waves = plan.waves.len();
    let unreadable = unreadable_lines(&loaded.org.files);
    // A large org's inputs, plan and report take tens of milliseconds to free, one allocation
    // at a time: they are freed on a thread of their own, which the command does not wait for
    // (a process that ends with it hands the memory back at once).
    let out_root = out.commit()?;
    timer.lap("commit");
    let not_carried = outputs::not_carried_rows(&generated);
    let completed = crate::report::contents::Completed {
        report: &report,
        not_carried: &not_carried,
        more_notes: &generated.notes,
        generated: true,
    };
    stderr.push_str(&crate::report::human::plan_summary(
        &completed, waves, &out_root,
    ));
    free_in_background((loaded, g, plan, report, generated));
    stderr.push_str(&unreadable);
    Ok(Outcome {
        stdout: String::new(),
        stderr,
        code: 0,
    })
}

/// Drop `value` on a thread of its own.
fn free_in_background<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}

/// The ECA metadata of the plan (`only`: just these apps), its errors in the run's terms.
fn generate_for(
    plan: &crate::plan::Plan,
    loaded: &super::Loaded,
    api_version: &str,
    only: Option<&[String]>,
) -> Result<crate::generate::Generated, Error> {
    let standard = &loaded.config.standard;
    crate::generate::from_plan(plan, &loaded.org.inventory, standard, api_version, only).map_err(
        |e| Error::Render {
            what: "ECA metadata",
            message: e.to_string(),
        },
    )
}

/// Every path a run reads: the inputs, `--config`, `--decisions` and `--templates` (an output folder must
/// keep apart from all of them).
fn read_paths<'a>(input: &'a InputOptions, templates: Option<&'a Path>) -> Vec<&'a Path> {
    let mut paths: Vec<&Path> = input.inputs.iter().map(PathBuf::as_path).collect();
    paths.extend(input.config.as_deref());
    paths.extend(input.decisions.as_deref());
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
pub fn generate(args: &GenerateOptions) -> Result<Outcome, Error> {
    let out = OutputDir::prepare(&args.output, args.force, &read_paths(&args.input, None))?;
    let mut loaded = load(&args.input)?;
    for name in &args.apps {
        if loaded.org.inventory.app(name).is_none() {
            let apps = loaded
                .org
                .inventory
                .apps
                .iter()
                .map(|a| a.api_name.as_str());
            let close = crate::text::similar(name, apps);
            return Err(Error::Argument(format!(
                "--app {name:?}: no app of that API name among the inputs{}; `ecaplan inventory` \
                 lists them",
                crate::text::did_you_mean(&close)
            )));
        }
    }
    let Analysis { graph: g, findings } = analyse(&mut loaded);
    let plan = plan_of(&loaded, &findings, &analysis::coupled_groups(&g));
    let generated = generate_for(&plan, &loaded, &args.api_version, Some(&args.apps))?;
    outputs::write_files(&out, &generated.files)?;
    let mut stderr = notices(&out);
    for name in &args.apps {
        if let Some(p) = plan
            .apps
            .iter()
            .find(|p| p.api_name.eq_ignore_ascii_case(name))
        {
            if !p.decision.strategy.generates() {
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
