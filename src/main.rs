//! The `ecaplan` binary: parse arguments, run, print, map the outcome to an exit code
//! (0 success, 1 findings at or above `--fail-on`, 2 could not run). The command line's types
//! (`cli`) stop here: the library is called with its own plain options.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use ecaplan::app;
use ecaplan::cli::{self, Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (result, quiet) = match &cli.command {
        Command::Inventory(a) => (app::inventory(&list(&a.input, a.format)), a.input.quiet),
        Command::Usage(a) => (app::usage(&list(&a.input, a.format)), a.input.quiet),
        Command::Assess(a) => (app::assess(&assess(a)), a.input.quiet),
        Command::Plan(a) => (app::plan(&plan(a)), a.input.quiet),
        Command::Generate(a) => (app::generate(&generate(a)), a.input.quiet),
        Command::Verify(a) => (app::verify(&verify(a)), a.input.quiet),
        Command::Graph(a) => (app::graph(&graph(a)), a.input.quiet),
        Command::Rules(a) => (app::rules(rules_format(a.format)), false),
        Command::Explain(a) => (app::explain(&a.rule), false),
        Command::Init(a) => (app::init(&init(a)), false),
        Command::Completions(a) => (Ok(completions(a.shell)), false),
        Command::Man => (man(), false),
    };
    match result {
        Ok(outcome) => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = out.write_all(outcome.stdout.as_bytes());
            let _ = out.flush();
            if !quiet {
                let stderr = ecaplan::text::terminal(&outcome.stderr);
                let _ = std::io::stderr().write_all(stderr.as_bytes());
            }
            ExitCode::from(outcome.code)
        }
        Err(e) => {
            let message = e.to_string();
            let message = ecaplan::text::terminal(&message);
            let _ = writeln!(std::io::stderr(), "error: {message}");
            ExitCode::from(2)
        }
    }
}

/// The completion script of `shell`, from the clap definitions.
fn completions(shell: clap_complete::Shell) -> app::Outcome {
    let mut out = Vec::new();
    clap_complete::generate(
        shell,
        &mut <Cli as clap::CommandFactory>::command(),
        "ecaplan",
        &mut out,
    );
    app::Outcome {
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::new(),
        code: 0,
    }
}

/// The man page (roff), from the clap definitions.
fn man() -> Result<app::Outcome, ecaplan::error::Error> {
    let mut out = Vec::new();
    clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
        .render(&mut out)
        .map_err(|e| ecaplan::error::Error::Render {
            what: "the man page",
            message: e.to_string(),
        })?;
    Ok(app::Outcome {
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::new(),
        code: 0,
    })
}

fn input(a: &cli::InputArgs) -> app::InputOptions {
    app::InputOptions {
        inputs: a.inputs.clone(),
        strict: a.strict,
        quiet: a.quiet,
        config: a.config.clone(),
        as_of: a.as_of.clone(),
        decisions: a.decisions.clone(),
    }
}

fn list(a: &cli::InputArgs, format: cli::InventoryFormat) -> app::ListOptions {
    app::ListOptions {
        input: input(a),
        format: match format {
            cli::InventoryFormat::Table => app::ListFormat::Table,
            cli::InventoryFormat::Json => app::ListFormat::Json,
            cli::InventoryFormat::Csv => app::ListFormat::Csv,
        },
    }
}

fn report_format(f: cli::AssessFormat) -> app::AssessFormat {
    use cli::AssessFormat as F;
    match f {
        F::Human => app::AssessFormat::Human,
        F::Json => app::AssessFormat::Json,
        F::Sarif => app::AssessFormat::Sarif,
        F::Markdown => app::AssessFormat::Markdown,
        F::Html => app::AssessFormat::Html,
    }
}

fn verify(a: &cli::VerifyArgs) -> app::VerifyOptions {
    use app::VerifyStatus as S;
    use cli::VerifyFailOn as T;
    let fail_on = a
        .fail_on
        .iter()
        .filter_map(|f| match f {
            T::BothInUse => Some(app::VerifyFailOn::Status(S::BothInUse)),
            T::StillOnConnectedApp => Some(app::VerifyFailOn::Status(S::StillOnConnectedApp)),
            T::NotYetSeen => Some(app::VerifyFailOn::Status(S::NotYetSeen)),
            T::RetiredButUsed => Some(app::VerifyFailOn::Status(S::RetiredButUsed)),
            T::Overdue => Some(app::VerifyFailOn::Overdue),
            T::Never => None,
        })
        .collect();
    app::VerifyOptions {
        input: input(&a.input),
        plan: a.plan.clone(),
        format: report_format(a.format),
        fail_on,
        quiet_days: a.quiet_days,
        cutovers: a.cutover.clone(),
    }
}

fn assess(a: &cli::AssessArgs) -> app::AssessOptions {
    use cli::FailOn as T;
    app::AssessOptions {
        input: input(&a.input),
        format: report_format(a.format),
        fail_on: match a.fail_on {
            T::Blocker => app::FailOn::Blocker,
            T::High => app::FailOn::High,
            T::Medium => app::FailOn::Medium,
            T::Low => app::FailOn::Low,
            T::Never => app::FailOn::Never,
        },
    }
}

fn plan(a: &cli::PlanArgs) -> app::PlanOptions {
    app::PlanOptions {
        input: input(&a.input),
        output: a.output.clone(),
        force: a.force,
        api_version: a.api_version.clone(),
        templates: a.templates.clone(),
    }
}

fn generate(a: &cli::GenerateArgs) -> app::GenerateOptions {
    app::GenerateOptions {
        input: input(&a.input),
        apps: a.app.clone(),
        output: a.output.clone(),
        force: a.force,
        api_version: a.api_version.clone(),
    }
}

fn graph(a: &cli::GraphArgs) -> app::GraphOptions {
    app::GraphOptions {
        input: input(&a.input),
        format: match a.format {
            cli::GraphFormat::Dot => app::GraphFormat::Dot,
            cli::GraphFormat::Mermaid => app::GraphFormat::Mermaid,
            cli::GraphFormat::Json => app::GraphFormat::Json,
        },
    }
}

fn rules_format(format: cli::RulesFormat) -> app::RulesFormat {
    match format {
        cli::RulesFormat::Table => app::RulesFormat::Table,
        cli::RulesFormat::Json => app::RulesFormat::Json,
    }
}

fn init(a: &cli::InitArgs) -> app::InitOptions {
    app::InitOptions {
        path: a.path.clone(),
        force: a.force,
    }
}
