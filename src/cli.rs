//! Command-line types (clap derive). No logic here.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Plan the migration of Salesforce Connected Apps to External Client Apps — offline.
#[derive(Debug, Parser)]
#[command(
    name = "ecaplan",
    version,
    about,
    long_about = None,
    after_help = "Start with: ecaplan plan samples/northwind -o out\n\nExit codes: 0 done, 1 findings at or above --fail-on (assess) or an app status named by --fail-on (verify), 2 could not run (the message says why)."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every connected app and ECA found in retrieved metadata, with the file accounting.
    #[command(
        after_help = "Example: ecaplan inventory samples/northwind --format csv > apps.csv\n\nExit codes: 0 done, 2 could not run."
    )]
    Inventory(InventoryArgs),
    /// Per-app usage from the exports (LoginHistory, OauthToken, event logs) and the accounting.
    #[command(
        after_help = "Example: ecaplan usage samples/northwind/usage\n\nExit codes: 0 done, 2 could not run."
    )]
    Usage(UsageArgs),
    /// Findings: what blocks the migration and what is risky, each with its evidence.
    #[command(
        after_help = "Example: ecaplan assess samples/northwind --fail-on high\n\nExit codes: 0 done, 1 findings at or above --fail-on, 2 could not run."
    )]
    Assess(AssessArgs),
    /// Everything: strategy per app, waves, runbooks, generated ECA metadata, into a folder.
    #[command(
        after_help = "Example: ecaplan plan samples/northwind -o out\n\nExit codes: 0 done, 2 could not run."
    )]
    Plan(PlanArgs),
    /// Only the ECA metadata of some apps (as the plan decides it), into a folder.
    #[command(
        after_help = "Example: ecaplan generate samples/northwind --app ERP_Sync -o eca-erp\n\nExit codes: 0 done, 2 could not run."
    )]
    Generate(GenerateArgs),
    /// Check an earlier plan against exports taken after (part of) the cutover: which apps
    /// moved to their ECA, who still uses the old connected app, what can be decommissioned.
    #[command(
        after_help = "Example: ecaplan verify --plan out/plan.json samples/northwind --fail-on both-in-use,retired-but-used\n(after `ecaplan plan samples/northwind -o out`; give it the exports taken after the cutover)\n\nExit codes: 0 done, 1 an app has a status named by --fail-on (or is overdue, with --fail-on overdue), 2 could not run."
    )]
    Verify(VerifyArgs),
    /// The dependency graph (apps, users, permission sets, certificates...).
    #[command(
        after_help = "Example: ecaplan graph samples/northwind --format mermaid\n\nExit codes: 0 done, 2 could not run."
    )]
    Graph(GraphArgs),
    /// List the rules.
    Rules(RulesArgs),
    /// Explain a rule (by id or name).
    #[command(
        after_help = "Example: ecaplan explain ECA101\n\nExit codes: 0 done, 2 could not run."
    )]
    Explain(ExplainArgs),
    /// Write a commented default `ecaplan.toml`.
    Init(InitArgs),
    /// Print the shell completion script (bash, zsh, fish, elvish, powershell) on stdout.
    #[command(after_help = "Example: ecaplan completions bash > /etc/bash_completion.d/ecaplan")]
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout.
    #[command(after_help = "Example: ecaplan man > ecaplan.1 && man ./ecaplan.1")]
    Man,
}

/// `ecaplan completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

/// Output formats of `inventory`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InventoryFormat {
    /// Aligned columns for a terminal.
    Table,
    /// JSON for scripts (versioned schema).
    Json,
    /// One row per app.
    Csv,
}

/// Options shared by the commands that read inputs.
#[derive(Debug, clap::Args)]
pub struct InputArgs {
    /// Folders (scanned recursively), metadata files or zipped mdapi retrieves.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Fail (exit 2) when any input file is unreadable.
    #[arg(long)]
    pub strict: bool,
    /// No summary or progress on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// Configuration file (default: an `ecaplan.toml` found among the inputs).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// As-of date (YYYY-MM-DD) instead of the newest usage timestamp.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// A workshop workbook (workshop.xlsx, edited): its Decisions sheet's strategies, owners,
    /// criticality and notes apply over ecaplan.toml.
    #[arg(long, value_name = "XLSX")]
    pub decisions: Option<PathBuf>,
}

/// `ecaplan inventory`.
#[derive(Debug, clap::Args)]
pub struct InventoryArgs {
    /// Inputs and common options.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InventoryFormat::Table)]
    pub format: InventoryFormat,
}

/// Output formats of `assess`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AssessFormat {
    /// Findings with source snippets, like a compiler.
    Human,
    /// JSON for scripts.
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// The Markdown summary (wiki, pull request).
    Markdown,
    /// The self-contained HTML report.
    Html,
}

/// The lowest severity that makes the exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Blockers only.
    Blocker,
    /// High or worse.
    High,
    /// Medium or worse.
    Medium,
    /// Low or worse.
    Low,
    /// Never fail because of findings.
    Never,
}

/// `ecaplan assess`.
#[derive(Debug, clap::Args)]
pub struct AssessArgs {
    /// Inputs and common options.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AssessFormat::Human)]
    pub format: AssessFormat,
    /// Exit 1 when an open finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Never)]
    pub fail_on: FailOn,
}

/// Output formats of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
    /// JSON nodes and edges.
    Json,
}

/// `ecaplan graph`.
#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// Inputs and common options.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
}

/// Output formats of `rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// Aligned columns.
    Table,
    /// JSON.
    Json,
}

/// `ecaplan rules`.
#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
}

/// `ecaplan explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// Rule id (ECA201) or name (full-scope).
    pub rule: String,
}

/// `ecaplan init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Where to write.
    #[arg(default_value = "ecaplan.toml")]
    pub path: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// `ecaplan usage`.
#[derive(Debug, clap::Args)]
pub struct UsageArgs {
    /// Inputs and common options.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InventoryFormat::Table)]
    pub format: InventoryFormat,
}

/// `ecaplan plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Inputs and common options.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output folder.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// Replace an output folder an earlier ecaplan run wrote (any other folder is refused).
    #[arg(long)]
    pub force: bool,
    /// Metadata API version of the generated files.
    #[arg(long, default_value = "66.0")]
    pub api_version: String,
    /// Folder whose `report.html`, `report-app.html` or `report.md` replaces the built-in
    /// Tera template of that name.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

/// `ecaplan generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Inputs and common options.
    #[command(flatten)]
    pub input: InputArgs,
    /// App API name (repeat for several).
    #[arg(long, required = true, value_name = "NAME")]
    pub app: Vec<String>,
    /// Output folder.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// Replace an output folder an earlier ecaplan run wrote (any other folder is refused).
    #[arg(long)]
    pub force: bool,
    /// Metadata API version of the generated files.
    #[arg(long, default_value = "66.0")]
    pub api_version: String,
}

/// What makes `verify` exit with 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFailOn {
    /// Some users still use the connected app beside its ECA.
    BothInUse,
    /// Still used through the connected app since the cutover date.
    StillOnConnectedApp,
    /// No use through either path since the cutover date.
    NotYetSeen,
    /// An app to retire or block is still used.
    RetiredButUsed,
    /// An app whose wave has ended has not moved (or a retired app is still used).
    Overdue,
    /// Never (the default).
    Never,
}

/// `ecaplan verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Inputs: metadata and usage exported after (part of) the cutover.
    #[command(flatten)]
    pub input: InputArgs,
    /// The plan.json an earlier `ecaplan plan` wrote.
    #[arg(long, value_name = "FILE")]
    pub plan: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AssessFormat::Human)]
    pub format: AssessFormat,
    /// Statuses that make the exit code 1 (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "never")]
    pub fail_on: Vec<VerifyFailOn>,
    /// Days without use of a connected app before it may be decommissioned.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub quiet_days: u32,
    /// The day an app was actually cut over, where it is not its wave's first day
    /// (repeatable).
    #[arg(long, value_name = "APP=YYYY-MM-DD")]
    pub cutover: Vec<String>,
}
