//! Orchestration: runs the stages for each command, reads files, fills display details, and
//! returns what to print. Stages stay pure; the binary prints.

mod analysis;
mod commands;
mod decisions;
mod options;
pub(crate) mod output;
mod outputs;
mod planning;
mod progress;
pub(crate) mod snippets;
mod verify;

/// The statuses `verify` gives (what `--fail-on` names).
pub use crate::verify::Status as VerifyStatus;
pub use commands::{assess, explain, graph, init, inventory, rules, usage};
pub use options::*;
pub use planning::{generate, plan};
pub use verify::verify;

use crate::config::Config;
use crate::diag::{Level, Note};
use crate::error::Error;
use crate::ingest::{self, FileRecord, FileStatus, Ingested};
use crate::model::{self, Org};

/// What a command produced: text for stdout, a summary for stderr, and the exit code.
#[derive(Debug)]
pub struct Outcome {
    /// For stdout.
    pub stdout: String,
    /// For stderr (unless `--quiet`).
    pub stderr: String,
    /// Process exit code.
    pub code: u8,
}

/// Everything read from the inputs.
pub struct Loaded {
    /// The org: inventory, usage, file accounting, secrets seen, as-of day.
    pub org: Org,
    /// Diagnostics.
    pub notes: Vec<Note>,
    /// Configuration (from `--config`, an `ecaplan.toml` among the inputs, or defaults).
    pub config: Config,
    /// The text of each metadata file read, by the name users see: findings quote their
    /// source lines from here.
    pub texts: std::collections::HashMap<String, String>,
}

/// Discover, read and build the inventory; load the configuration.
pub fn load(input: &InputOptions) -> Result<Loaded, Error> {
    let sources = ingest::discover(&input.inputs)?;
    // The usage exports (gigabytes, in a large org) are read while the metadata is parsed.
    let (usage_sources, others): (Vec<_>, Vec<_>) =
        sources.into_iter().partition(ingest::is_usage_source);
    let mut usage_ingested = ingest::read_all(usage_sources);
    let usage_files = std::mem::take(&mut usage_ingested.usage_files);
    let (usage, (mut ingested, (inventory, build_notes))) = rayon::join(
        || progress::read_usage(&usage_files, input.quiet),
        || {
            let mut ingested = ingest::read_all(others);
            let built = model::assemble(std::mem::take(&mut ingested.documents));
            (ingested, built)
        },
    );
    ingested.absorb(usage_ingested);
    let mut notes = std::mem::take(&mut ingested.notes);
    notes.extend(build_notes);
    notes.extend(usage.notes.iter().cloned());
    let config = load_config(input, &ingested, &mut notes)?;
    check_strategies(&config)?;
    for key in crate::rules::unknown_rule_keys(&config) {
        let msg = format!("ecaplan.toml names an unknown rule {key:?}; it has no effect");
        notes.push(Note::file(
            Level::Warning,
            "unknown-rule",
            "ecaplan.toml",
            msg,
        ));
    }
    let as_of_day = match &input.as_of {
        Some(d) => Some(crate::time::Day::parse(d).ok_or_else(|| {
            Error::Argument(format!(
                "--as-of {d:?} is not a date: write the day the exports were taken as \
                 YYYY-MM-DD, e.g. 2026-11-30"
            ))
        })?),
        None => None,
    };
    let files = std::mem::take(&mut ingested.files);
    let secrets = std::mem::take(&mut ingested.secrets);
    let org = Org::new(inventory, usage, files, secrets, as_of_day);
    let mut config = config;
    if let Some(path) = &input.decisions {
        let n = decisions::apply(path, &mut config, &org)?;
        let msg = format!(
            "{n} app(s) take the workshop's decisions from this workbook (over ecaplan.toml)"
        );
        notes.push(Note::file(
            Level::Info,
            "workshop-decisions",
            &path.display().to_string(),
            msg,
        ));
    }
    note_unknown_apps(&config, &org, &mut notes);
    if input.strict {
        strict_check(&org.files, &org.usage.accounts)?;
    }
    Ok(Loaded {
        org,
        notes,
        config,
        texts: std::mem::take(&mut ingested.texts),
    })
}

/// Most unreadable files named in the `--strict` error (all are in the file accounting).
/// `[apps.X]` strategies are matched by name: a misspelling would silently change nothing, so
/// a strategy that does not exist stops the run, with the closest name.
fn check_strategies(config: &Config) -> Result<(), Error> {
    use crate::plan::Strategy;
    for (app, c) in &config.apps {
        if let Some(Err(why)) = c.strategy.as_deref().map(Strategy::parse_or_explain) {
            return Err(Error::Config {
                file: "ecaplan.toml".into(),
                message: format!("[apps.{app}] strategy = {why}"),
            });
        }
    }
    Ok(())
}

/// An `[apps.X]` section that names no app (apps seen only in usage included) is a warning
/// with the closest names: its owner, criticality or strategy would silently go nowhere.
fn note_unknown_apps(config: &Config, org: &Org, notes: &mut Vec<Note>) {
    let names = || org.inventory.apps.iter().map(|a| a.api_name.as_str());
    for app in config.apps.keys() {
        if !names().any(|n| n == app) {
            let close = crate::text::similar(app, names());
            let msg = format!(
                "[apps.{app}] names no app among the inputs{}: its settings have no effect",
                crate::text::did_you_mean(&close)
            );
            notes.push(Note::file(
                Level::Warning,
                "unknown-app",
                "ecaplan.toml",
                msg,
            ));
        }
    }
}

const STRICT_LISTED: usize = 20;

/// `--strict`: fail when any file (or usage row block) was not read. "Not read" is every
/// `Unreadable` record: parse errors, I/O errors, and files over a size limit or an archive
/// budget (the message names the limit). Files left out on purpose are `Ignored` and do not
/// count: symbolic links, tool folders (`node_modules`, `.git`…), FIFOs, devices and sockets,
/// folders an earlier run wrote, and files that are not a metadata type ecaplan reads: a user
/// asking for strictness wants to know that the org's data was read whole, not that the
/// folder holds other things.
fn strict_check(
    files: &[FileRecord],
    usage: &[crate::model::usage::FileAccount],
) -> Result<(), Error> {
    let mut lines: Vec<String> = files
        .iter()
        .filter_map(|f| match &f.status {
            FileStatus::Unreadable {
                line,
                column,
                message,
            } => Some(match (line, column) {
                (Some(l), Some(c)) => format!("{}:{l}:{c}: {message}", f.path),
                _ => format!("{}: {message}", f.path),
            }),
            _ => None,
        })
        .collect();
    // Usage files read only in part (rows lost to broken quoting or over-long records).
    lines.extend(usage.iter().filter(|a| a.rows_not_read > 0).map(|a| {
        format!(
            "{}: {} row(s) could not be read (see the error notes for their lines)",
            a.file, a.rows_not_read
        )
    }));
    if lines.is_empty() {
        return Ok(());
    }
    let mut list = String::new();
    for l in lines.iter().take(STRICT_LISTED) {
        list.push_str(&format!("\n  {l}"));
    }
    if lines.len() > STRICT_LISTED {
        let more = lines.len() - STRICT_LISTED;
        list.push_str(&format!("\n  and {more} more"));
    }
    Err(Error::Strict {
        count: lines.len(),
        list,
    })
}

fn load_config(
    input: &InputOptions,
    ingested: &Ingested,
    notes: &mut Vec<Note>,
) -> Result<Config, Error> {
    if let Some(path) = &input.config {
        return Config::load(path);
    }
    let Some(first) = ingested.config_files.first() else {
        return Ok(Config::default());
    };
    for other in &ingested.config_files[1..] {
        let msg = format!("another ecaplan.toml is used: {}", first.display);
        notes.push(Note::file(
            Level::Warning,
            "ignored-config",
            &other.display,
            msg,
        ));
    }
    let text = String::from_utf8_lossy(&first.bytes);
    Config::parse(&text, &first.display)
}

/// Render a serde value as pretty JSON with a trailing newline.
pub fn json<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    let mut s = crate::report::json::to_string(value).map_err(|e| Error::Render {
        what: "json",
        message: e.to_string(),
    })?;
    s.push('\n');
    Ok(s)
}

/// `error: path:line:col: message` lines for unreadable files.
pub fn unreadable_lines(files: &[FileRecord]) -> String {
    let mut out = String::new();
    for f in files {
        if let FileStatus::Unreadable {
            line,
            column,
            message,
        } = &f.status
        {
            let loc = match (line, column) {
                (Some(l), Some(c)) => format!("{}:{l}:{c}", f.path),
                _ => f.path.clone(),
            };
            out.push_str(&format!("error: {loc}: {message}\n"));
        }
    }
    out
}

/// Write a file atomically: a temporary file beside it, then a rename.
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> Result<(), Error> {
    let err = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.ecaplan-tmp"));
    std::fs::write(&tmp, bytes).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}
