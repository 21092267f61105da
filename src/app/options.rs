//! What each command is asked to do, as plain values: the binary builds them from its command
//! line (`cli`), tests and other callers build them directly. No parsing here.

use std::path::PathBuf;

/// Where the inputs are and how to read them (shared by the commands that read inputs).
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    /// Folders (scanned recursively), metadata files or zipped mdapi retrieves.
    pub inputs: Vec<PathBuf>,
    /// Fail when any input file is unreadable.
    pub strict: bool,
    /// No progress on stderr.
    pub quiet: bool,
    /// Configuration file (default: an `ecaplan.toml` found among the inputs).
    pub config: Option<PathBuf>,
    /// As-of date (YYYY-MM-DD) instead of the newest usage timestamp.
    pub as_of: Option<String>,
    /// A workshop workbook whose Decisions sheet applies over ecaplan.toml.
    pub decisions: Option<PathBuf>,
}

/// How `inventory` and `usage` print their lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    /// Aligned columns for a terminal.
    Table,
    /// JSON for scripts.
    Json,
    /// One row per app.
    Csv,
}

/// `inventory` and `usage`.
#[derive(Debug, Clone)]
pub struct ListOptions {
    /// Inputs.
    pub input: InputOptions,
    /// Output format.
    pub format: ListFormat,
}

/// How `assess` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssessFormat {
    /// Findings with source snippets, like a compiler.
    Human,
    /// JSON for scripts.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// The Markdown summary.
    Markdown,
    /// The self-contained HTML report.
    Html,
}

/// The lowest severity of an open finding that makes `assess` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Blockers only.
    Blocker,
    /// High or worse.
    High,
    /// Medium or worse.
    Medium,
    /// Low or worse.
    Low,
    /// Never because of findings.
    Never,
}

/// `assess`.
#[derive(Debug, Clone)]
pub struct AssessOptions {
    /// Inputs.
    pub input: InputOptions,
    /// Output format.
    pub format: AssessFormat,
    /// Exit-code threshold.
    pub fail_on: FailOn,
}

/// How `graph` prints the dependency graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
    /// JSON nodes and edges.
    Json,
}

/// `graph`.
#[derive(Debug, Clone)]
pub struct GraphOptions {
    /// Inputs.
    pub input: InputOptions,
    /// Output format.
    pub format: GraphFormat,
}

/// How `rules` prints the rule list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RulesFormat {
    /// Aligned columns.
    Table,
    /// JSON.
    Json,
}

/// `plan`: everything, into a folder.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Inputs.
    pub input: InputOptions,
    /// Output folder.
    pub output: PathBuf,
    /// Replace an earlier ecaplan output folder.
    pub force: bool,
    /// Metadata API version of the generated files.
    pub api_version: String,
    /// Folder whose `report.html` replaces the built-in HTML template.
    pub templates: Option<PathBuf>,
}

/// `generate`: the ECA metadata of some apps, into a folder.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Inputs.
    pub input: InputOptions,
    /// The apps (API names).
    pub apps: Vec<String>,
    /// Output folder.
    pub output: PathBuf,
    /// Replace an earlier ecaplan output folder.
    pub force: bool,
    /// Metadata API version of the generated files.
    pub api_version: String,
}

/// `init`: write a commented default `ecaplan.toml`.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// Where to write.
    pub path: PathBuf,
    /// Overwrite an existing file.
    pub force: bool,
}

/// What makes `verify` exit with 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyFailOn {
    /// An app with this status.
    Status(crate::verify::Status),
    /// An app whose wave has ended and that has not moved (or is a retired app still used).
    Overdue,
}

/// `ecaplan verify`.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The post-cutover exports.
    pub input: InputOptions,
    /// The plan.json of an earlier run.
    pub plan: PathBuf,
    /// Output format.
    pub format: AssessFormat,
    /// What makes the exit code 1.
    pub fail_on: Vec<VerifyFailOn>,
    /// Quiet days before decommissioning.
    pub quiet_days: u32,
    /// `APP=YYYY-MM-DD` actual cutover days.
    pub cutovers: Vec<String>,
}
