//! The commands that plan and write folders: `plan` and `generate`, with the report model
//! they share with `assess --format sarif|markdown|html`, and the concurrent writers.

use super::output::OutputDir;
use super::{json, load, unreadable_lines, Outcome};
use crate::cli::*;
use crate::error::Error;
use crate::graph::{self, analysis, export};
use crate::report::csv_out;
use crate::report::inventory::{Accounting, InventoryReport};

use super::commands::{analyse, Analysis};

/// The full report model (plan included, no metadata generated) for `assess --format
/// sarif|markdown|html`.
pub(super) fn full_report(
    loaded: &super::Loaded,
    findings: &[crate::rules::Finding],
    g: &graph::Graph,
) -> Result<crate::report::model::Report, Error> {
    let plan = plan_of(loaded, findings, g);
    Ok(model_of(loaded, &plan, findings.to_vec(), g, Vec::new()))
}

/// The report model of loaded inputs, their plan and findings.
fn model_of(
    loaded: &super::Loaded,
    plan: &crate::plan::Plan,
    findings: Vec<crate::rules::Finding>,
    g: &graph::Graph,
    not_carried: Vec<crate::report::model::NotCarriedRow>,
) -> crate::report::model::Report {
    let view = InventoryReport::new(
        &loaded.inventory,
        &loaded.join,
        loaded.files.clone(),
        Vec::new(),
        loaded.ingested.secrets.clone(),
    );
    crate::report::model::build(
        view.apps,
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

    /// How long one step took (from `since`).
    fn note(&self, what: &str, since: std::time::Instant) {
        if self.0.is_some() {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("timing:   {what}: {:.3}s", since.elapsed().as_secs_f64());
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

/// The plan of loaded inputs with their findings and graph.
fn plan_of(
    loaded: &super::Loaded,
    findings: &[crate::rules::Finding],
    g: &graph::Graph,
) -> crate::plan::Plan {
    let groups = analysis::coupled_groups(g);
    crate::plan::plan(&crate::plan::PlanInput {
        inventory: &loaded.inventory,
        join: &loaded.join,
        findings,
        groups: &groups,
        config: &loaded.config,
        as_of_day: loaded.as_of_day,
    })
}

/// `ecaplan plan`.
pub fn plan(args: &PlanArgs) -> Result<Outcome, Error> {
    let timer = Timer::from_env();
    let mut loaded = load(&args.input)?;
    timer.lap("load (metadata + usage)");
    let Analysis { graph: g, findings } = analyse(&mut loaded);
    timer.lap("graph + rules");
    let plan = plan_of(&loaded, &findings, &g);
    let generated = generate_for(&plan, &loaded, &args.api_version, None)?;
    timer.lap("plan + generate");
    let out = OutputDir::prepare(&args.output, args.force)?;
    // The generated files (file-system bound) are written while the report model is built
    // and rendered (CPU bound).
    std::thread::scope(|s| {
        let files = s.spawn(|| {
            let t = std::time::Instant::now();
            let r = out
                .write("plan.json", json(&plan)?.as_bytes())
                .and_then(|_| write_all(&out, &generated.files));
            timer.note("plan.json and ECA metadata files", t);
            r
        });
        let report = report_of(&mut loaded, &plan, findings, &g, &generated);
        timer.lap("report model");
        let reports = write_reports(&out, &report, &g, args.templates.as_deref());
        let files = files.join().unwrap_or_else(|_| {
            Err(Error::Render {
                what: "ECA metadata",
                message: "a writer panicked".into(),
            })
        });
        reports.and(files)
    })?;
    timer.lap("render + write");
    let out_root = out.commit()?;
    let mut stderr = format!(
        "{} app(s) in {} wave(s); wrote {}\n",
        plan.apps.len(),
        plan.waves.len(),
        out_root.join("plan.json").display()
    );
    stderr.push_str(&unreadable_lines(&loaded.files));
    Ok(Outcome {
        stdout: String::new(),
        stderr,
        code: 0,
    })
}

/// The report model of a plan, with what the generator did not carry over.
fn report_of(
    loaded: &mut super::Loaded,
    plan: &crate::plan::Plan,
    findings: Vec<crate::rules::Finding>,
    g: &graph::Graph,
    generated: &crate::generate::Generated,
) -> crate::report::model::Report {
    let not_carried = generated
        .not_carried
        .iter()
        .map(|n| crate::report::model::NotCarriedRow {
            app: n.app.clone(),
            element: n.element.clone(),
            reason: n.reason.clone(),
        })
        .collect();
    loaded.notes.extend(generated.notes.iter().cloned());
    model_of(loaded, plan, findings, g, not_carried)
}

/// ECA metadata for the planned apps whose strategy needs it (`only`: just these apps).
fn generate_for(
    plan: &crate::plan::Plan,
    loaded: &super::Loaded,
    api_version: &str,
    only: Option<&[String]>,
) -> Result<crate::generate::Generated, Error> {
    use crate::generate::{EcaTarget, GenerateScope};
    let targets: Vec<EcaTarget<'_>> = plan
        .apps
        .iter()
        .filter(|p| crate::plan::generates(p.decision.strategy))
        .filter(|p| only.is_none_or(|o| o.iter().any(|a| a.eq_ignore_ascii_case(&p.api_name))))
        .filter_map(|p| {
            let app = loaded.inventory.app(&p.api_name)?;
            let scope = if p.decision.strategy == crate::plan::Strategy::Automated {
                GenerateScope::HardeningOnly
            } else {
                GenerateScope::Full
            };
            Some(EcaTarget {
                app,
                eca_name: p.eca_name.clone().unwrap_or_else(|| p.api_name.clone()),
                scope,
                target_flow: p.decision.target_flow.clone(),
            })
        })
        .collect();
    crate::generate::generate(&targets, &loaded.config.standard, api_version).map_err(|e| {
        Error::Render {
            what: "ECA metadata",
            message: e.to_string(),
        }
    })
}

/// `ecaplan generate`: only the ECA metadata of the named apps.
pub fn generate(args: &GenerateArgs) -> Result<Outcome, Error> {
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
    let plan = plan_of(&loaded, &findings, &g);
    let generated = generate_for(&plan, &loaded, &args.api_version, Some(&args.app))?;
    let out = OutputDir::prepare(&args.output, args.force)?;
    write_all(&out, &generated.files)?;
    let mut stderr = String::new();
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

/// Every report format of the plan folder, each rendered from the one `Report` model;
/// `templates` may replace the built-in HTML template.
fn write_reports(
    out: &OutputDir,
    report: &crate::report::model::Report,
    g: &graph::Graph,
    templates: Option<&std::path::Path>,
) -> Result<(), Error> {
    use crate::report::{html, markdown, sarif, sheets, xlsx};
    type Job<'a> = (
        &'static str,
        Box<dyn Fn() -> Result<Vec<u8>, Error> + Sync + 'a>,
    );
    let jobs: Vec<Job<'_>> = vec![
        (
            "report.html",
            Box::new(|| Ok(html::render(report, templates)?.into_bytes())),
        ),
        ("workshop.xlsx", Box::new(|| xlsx::render(report))),
        ("report.json", Box::new(|| Ok(json(report)?.into_bytes()))),
        (
            "findings.sarif",
            Box::new(|| Ok(json(&sarif::build(report))?.into_bytes())),
        ),
        (
            "report.md",
            Box::new(|| Ok(markdown::render(report).into_bytes())),
        ),
        ("graph.dot", Box::new(|| Ok(export::to_dot(g).into_bytes()))),
        (
            "graph.mmd",
            Box::new(|| Ok(export::to_mermaid(g).into_bytes())),
        ),
        (
            "apps.csv",
            Box::new(|| Ok(csv_out::render_sheet(&sheets::apps(report))?.into_bytes())),
        ),
        (
            "findings.csv",
            Box::new(|| Ok(csv_out::render_sheet(&sheets::findings(report))?.into_bytes())),
        ),
    ];
    let timings = Timer::from_env();
    // The formats are independent: two threads take them in turn, largest first.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || -> Result<(), Error> {
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some((name, render)) = jobs.get(i) else {
                return Ok(());
            };
            let t = std::time::Instant::now();
            out.write(name, &render()?)?;
            timings.note(name, t);
        }
    };
    std::thread::scope(|s| {
        let other = s.spawn(work);
        let mine = work();
        let theirs = other.join().unwrap_or_else(|_| {
            Err(Error::Render {
                what: "report",
                message: "a renderer panicked".into(),
            })
        });
        mine.and(theirs)
    })
}

/// Write generated files, split over two threads: creating thousands of small files is
/// dominated by the file system, which serves two writers at once.
fn write_all(out: &OutputDir, files: &[crate::generate::GeneratedFile]) -> Result<(), Error> {
    let (a, b) = files.split_at(files.len() / 2);
    std::thread::scope(|s| {
        let other = s.spawn(|| {
            a.iter()
                .try_for_each(|f| out.write(&f.path, f.contents.as_bytes()).map(|_| ()))
        });
        let mine = b
            .iter()
            .try_for_each(|f| out.write(&f.path, f.contents.as_bytes()).map(|_| ()));
        let theirs = other.join().unwrap_or_else(|_| {
            Err(Error::Render {
                what: "ECA metadata",
                message: "a writer panicked".into(),
            })
        });
        mine.and(theirs)
    })
}
