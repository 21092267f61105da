//! Orchestration: runs the stages for each command and returns what to print. The binary does
//! the printing; stages stay pure.

use crate::cli::{InputArgs, InventoryArgs, InventoryFormat};
use crate::diag::Note;
use crate::error::Error;
use crate::ingest::{self, FileRecord, FileStatus, Ingested};
use crate::model::{self, Inventory};
use crate::report::inventory::InventoryReport;
use crate::report::{csv_out, table};

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
    /// The inventory.
    pub inventory: Inventory,
    /// File accounting.
    pub files: Vec<FileRecord>,
    /// Diagnostics.
    pub notes: Vec<Note>,
    /// Ingest results still needed by later stages (usage files, secrets).
    pub ingested: Ingested,
}

/// Discover, read and build the inventory.
pub fn load(input: &InputArgs) -> Result<Loaded, Error> {
    let sources = ingest::discover(&input.inputs)?;
    let mut ingested = ingest::read_all(sources);
    let documents = std::mem::take(&mut ingested.documents);
    let (inventory, build_notes) = model::build(documents);
    let mut files = std::mem::take(&mut ingested.files);
    for f in &ingested.usage_files {
        files.push(FileRecord {
            path: f.display.clone(),
            status: FileStatus::Ignored {
                reason: "usage export candidate: not read by the inventory".into(),
            },
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut notes = std::mem::take(&mut ingested.notes);
    notes.extend(build_notes);
    Ok(Loaded {
        inventory,
        files,
        notes,
        ingested,
    })
}

/// `ecaplan inventory`.
pub fn inventory(args: &InventoryArgs) -> Result<Outcome, Error> {
    let loaded = load(&args.input)?;
    let secrets = loaded.ingested.secrets.clone();
    let report = InventoryReport::new(&loaded.inventory, loaded.files, loaded.notes, secrets);
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
    for f in &a.files {
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
            stderr.push_str(&format!("error: {loc}: {message}\n"));
        }
    }
    if args.input.strict && report.unreadable() > 0 {
        return Err(Error::Strict {
            count: report.unreadable(),
        });
    }
    Ok(Outcome {
        stdout,
        stderr,
        code: 0,
    })
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    let mut s = serde_json::to_string_pretty(value).map_err(|e| Error::Render {
        what: "json",
        message: e.to_string(),
    })?;
    s.push('\n');
    Ok(s)
}
