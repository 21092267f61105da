//! Command-line types (clap derive). No logic here.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Plan the migration of Salesforce Connected Apps to External Client Apps — offline.
#[derive(Debug, Parser)]
#[command(name = "ecaplan", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every connected app and ECA found in retrieved metadata, with the file accounting.
    Inventory(InventoryArgs),
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
    /// No summary on stderr.
    #[arg(long, short)]
    pub quiet: bool,
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
