//! One function per subcommand.

use super::output::OutputDir;
use super::{json, load, snippets, unreadable_lines, Outcome};
use crate::cli::*;
use crate::config::DEFAULT_TOML;
use crate::diag::{Level, Note};
use crate::error::Error;
use crate::graph::{self, analysis, export};
use crate::metadata::cert::date_of;
use crate::report::assess::AssessReport;
use crate::report::inventory::{Accounting, InventoryReport};
use crate::report::usage::UsageReport;
use crate::report::{csv_out, human, table};
use crate::rules::{self, Context, Severity};

/// `ecaplan inventory`.
pub fn inventory(args: &InventoryArgs) -> Result<Outcome, Error> {
    let loaded = load(&args.input)?;
    let secrets = loaded.ingested.secrets.clone();
    let report = InventoryReport::new(
        &loaded.inventory,
        &loaded.join,
        loaded.files,
        loaded.notes,
        secrets,
    );
    let stdout = match args.format {
        InventoryFormat::Table => table::render_inventory(&report),
        InventoryFormat::Json => json(&report)?,
        InventoryFormat::Csv => csv_out::render_inventory(&report)?,
    };
    let a = &report.accounting;
    let mut stderr = String::new();
    if args.format != InventoryFormat::Table {
        stderr = format!(
            "{} app(s); files: {} total, {} parsed, {} ignored, {} unreadable\n",
            report.apps.len(),
            a.total,
            a.parsed,
            a.ignored,
            a.unreadable
        );
    }
    stderr.push_str(&unreadable_lines(&a.files));
    Ok(Outcome {
        stdout,
        stderr,
        code: 0,
    })
}

/// `ecaplan usage`.
pub fn usage(args: &UsageArgs) -> Result<Outcome, Error> {
    let loaded = load(&args.input)?;
    let report = UsageReport::new(&loaded.inventory, &loaded.usage, &loaded.join, loaded.notes);
    let stdout = match args.format {
        InventoryFormat::Table => table::render_usage(&report),
        InventoryFormat::Json => json(&report)?,
        InventoryFormat::Csv => csv_out::render_usage(&report)?,
    };
    let read: u64 = report.files.iter().map(|f| f.rows_read).sum();
    let used: u64 = report.files.iter().map(|f| f.rows_used).sum();
    let mut stderr = format!(
        "{} usage file(s): {read} rows read, {used} used, {} skipped\n",
        report.files.len(),
        read - used
    );
    stderr.push_str(&unreadable_lines(&loaded.files));
    Ok(Outcome {
        stdout,
        stderr,
        code: 0,
    })
}

/// The graph and the findings of loaded inputs.
struct Analysis {
    graph: graph::Graph,
    findings: Vec<crate::rules::Finding>,
}

fn analyse(loaded: &mut super::Loaded) -> Analysis {
    let links = graph::build::usage_links(&loaded.inventory, &loaded.usage, &loaded.join);
    let g = graph::build(&loaded.inventory, &links);
    if loaded.as_of_day.is_none() {
        let msg = "no as-of date (no usage data and no --as-of): certificate expiry is not judged"
            .to_string();
        loaded
            .notes
            .push(Note::file(Level::Info, "no-as-of-date", "", msg));
    }
    let cx = Context {
        inventory: &loaded.inventory,
        graph: &g,
        config: &loaded.config,
        secrets: &loaded.ingested.secrets,
        as_of_day: loaded.as_of_day,
        usage: &loaded.usage,
        join: &loaded.join,
    };
    let mut findings = rules::run(&cx);
    snippets::fill(&mut findings);
    Analysis { graph: g, findings }
}

/// `ecaplan assess`.
pub fn assess(args: &AssessArgs) -> Result<Outcome, Error> {
    let mut loaded = load(&args.input)?;
    let Analysis { graph: g, findings } = analyse(&mut loaded);
    let loaded_for_report = &loaded;
    let accounting = Accounting::new(loaded.files.clone());
    let notes: Vec<Note> = loaded
        .notes
        .clone()
        .into_iter()
        .filter(|n| n.level != Level::Info || n.code == "no-as-of-date")
        .collect();
    let report = AssessReport::new(
        loaded.as_of_day.map(|d| date_of(d * 86_400)),
        loaded.inventory.apps.len(),
        findings,
        analysis::coupled_groups(&g),
        &accounting,
        notes,
    );
    let stdout = match args.format {
        AssessFormat::Human => human::render_assess(&report),
        AssessFormat::Json => json(&report)?,
        AssessFormat::Sarif | AssessFormat::Markdown | AssessFormat::Html => {
            let full = full_report(loaded_for_report, &report.findings, &g)?;
            match args.format {
                AssessFormat::Sarif => json(&crate::report::sarif::build(&full))?,
                AssessFormat::Markdown => crate::report::markdown::render(&full),
                _ => crate::report::html::render(&full, None)?,
            }
        }
    };
    let threshold = match args.fail_on {
        FailOn::Blocker => Some(Severity::Blocker),
        FailOn::High => Some(Severity::High),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::Low => Some(Severity::Low),
        FailOn::Never => None,
    };
    let code = u8::from(threshold.is_some_and(|t| report.has_at_least(t)));
    Ok(Outcome {
        stdout,
        stderr: unreadable_lines(&accounting.files),
        code,
    })
}

/// The full report model (plan included, no metadata generated) for `assess --format
/// sarif|markdown|html`.
fn full_report(
    loaded: &super::Loaded,
    findings: &[crate::rules::Finding],
    g: &graph::Graph,
) -> Result<crate::report::model::Report, Error> {
    let plan = plan_of(loaded, findings, g);
    let view = InventoryReport::new(
        &loaded.inventory,
        &loaded.join,
        loaded.files.clone(),
        Vec::new(),
        loaded.ingested.secrets.clone(),
    );
    Ok(crate::report::model::build(
        view.apps,
        &plan,
        findings.to_vec(),
        g,
        Vec::new(),
        Accounting::new(loaded.files.clone()),
        loaded.notes.clone(),
    ))
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
    let secrets = loaded.ingested.secrets.clone();
    let inventory_view = InventoryReport::new(
        &loaded.inventory,
        &loaded.join,
        loaded.files.clone(),
        Vec::new(),
        secrets,
    );
    let report = crate::report::model::build(
        inventory_view.apps,
        &plan,
        findings,
        &g,
        not_carried,
        Accounting::new(loaded.files.clone()),
        loaded.notes.clone(),
    );
    timer.lap("report model");
    let out = OutputDir::prepare(&args.output, args.force)?;
    out.write("plan.json", json(&plan)?.as_bytes())?;
    // Generated files and reports are written at the same time: one is file-system bound,
    // the other CPU bound.
    std::thread::scope(|s| {
        let files = s.spawn(|| write_all(&out, &generated.files));
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
    type Rendered = Result<Vec<(&'static str, Vec<u8>)>, Error>;
    // The formats are independent: the two cores render them side by side (a large org's
    // HTML and workbook take as long as everything else together).
    let (first, second) = std::thread::scope(|s| {
        let html_and_xlsx = s.spawn(|| -> Rendered {
            Ok(vec![
                ("report.html", html::render(report, templates)?.into_bytes()),
                ("workshop.xlsx", xlsx::render(report)?),
            ])
        });
        let rest = || -> Rendered {
            Ok(vec![
                ("graph.dot", export::to_dot(g).into_bytes()),
                ("graph.mmd", export::to_mermaid(g).into_bytes()),
                ("report.json", json(report)?.into_bytes()),
                ("report.md", markdown::render(report).into_bytes()),
                (
                    "apps.csv",
                    csv_out::render_sheet(&sheets::apps(report))?.into_bytes(),
                ),
                (
                    "findings.csv",
                    csv_out::render_sheet(&sheets::findings(report))?.into_bytes(),
                ),
                ("findings.sarif", json(&sarif::build(report))?.into_bytes()),
            ])
        };
        let second = rest();
        let first = html_and_xlsx.join().unwrap_or_else(|_| {
            Err(Error::Render {
                what: "report",
                message: "a renderer panicked".into(),
            })
        });
        (first, second)
    });
    for (name, bytes) in first?.into_iter().chain(second?) {
        out.write(name, &bytes)?;
    }
    Ok(())
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

/// `ecaplan graph`.
pub fn graph(args: &GraphArgs) -> Result<Outcome, Error> {
    let loaded = load(&args.input)?;
    let links = graph::build::usage_links(&loaded.inventory, &loaded.usage, &loaded.join);
    let g = graph::build(&loaded.inventory, &links);
    let stdout = match args.format {
        GraphFormat::Dot => export::to_dot(&g),
        GraphFormat::Mermaid => export::to_mermaid(&g),
        GraphFormat::Json => json(&export::to_json(&g))?,
    };
    Ok(Outcome {
        stdout,
        stderr: unreadable_lines(&loaded.files),
        code: 0,
    })
}

/// `ecaplan rules`.
pub fn rules(args: &RulesArgs) -> Result<Outcome, Error> {
    #[derive(serde::Serialize)]
    struct RuleRow {
        id: &'static str,
        name: &'static str,
        severity: Severity,
        summary: &'static str,
        explain: &'static str,
    }
    let rows: Vec<RuleRow> = rules::RULES
        .iter()
        .map(|r| RuleRow {
            id: r.id,
            name: r.name,
            severity: r.severity,
            summary: r.summary,
            explain: r.explain,
        })
        .collect();
    let stdout = match args.format {
        RulesFormat::Json => json(&rows)?,
        RulesFormat::Table => {
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.id.into(),
                        r.name.into(),
                        r.severity.as_str().into(),
                        r.summary.into(),
                    ]
                })
                .collect();
            table::columns(&["ID", "NAME", "SEVERITY", "SUMMARY"], &cells)
        }
    };
    Ok(Outcome {
        stdout,
        stderr: String::new(),
        code: 0,
    })
}

/// `ecaplan explain`.
pub fn explain(args: &ExplainArgs) -> Result<Outcome, Error> {
    let rule = rules::find_rule(&args.rule).ok_or_else(|| Error::Input {
        path: args.rule.clone().into(),
        message: "no such rule (see `ecaplan rules`)".into(),
    })?;
    let stdout = format!(
        "{} {} (default severity: {})\n{}\n\n{}\n",
        rule.id,
        rule.name,
        rule.severity.as_str(),
        rule.summary,
        rule.explain
    );
    Ok(Outcome {
        stdout,
        stderr: String::new(),
        code: 0,
    })
}

/// `ecaplan init`.
pub fn init(args: &InitArgs) -> Result<Outcome, Error> {
    if args.path.exists() && !args.force {
        return Err(Error::Input {
            path: args.path.clone(),
            message: "already exists (use --force to overwrite)".into(),
        });
    }
    crate::app::write_atomic(&args.path, DEFAULT_TOML.as_bytes())?;
    Ok(Outcome {
        stdout: String::new(),
        stderr: format!("wrote {}\n", args.path.display()),
        code: 0,
    })
}
