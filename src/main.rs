//! The `ecaplan` binary: parse arguments, run, print, map the outcome to an exit code
//! (0 success, 1 findings at or above `--fail-on`, 2 could not run).

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use ecaplan::app;
use ecaplan::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (result, quiet) = match &cli.command {
        Command::Inventory(a) => (app::inventory(a), a.input.quiet),
        Command::Usage(a) => (app::usage(a), a.input.quiet),
        Command::Assess(a) => (app::assess(a), a.input.quiet),
        Command::Plan(a) => (app::plan(a), a.input.quiet),
        Command::Generate(a) => (app::generate(a), a.input.quiet),
        Command::Graph(a) => (app::graph(a), a.input.quiet),
        Command::Rules(a) => (app::rules(a), false),
        Command::Explain(a) => (app::explain(a), false),
        Command::Init(a) => (app::init(a), false),
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
