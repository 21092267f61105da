//! Fatal errors: the run cannot go on. Everything recoverable is a [`crate::diag::Note`].

use std::path::PathBuf;

/// A problem that stops the run (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input named on the command line cannot be used.
    #[error("cannot read input {}: {message}", path.display())]
    Input {
        /// The input.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The output folder cannot be used (it is, holds or lies in an input; it holds files
    /// ecaplan did not write; ...).
    #[error("cannot use output folder {}: {message}", path.display())]
    Output {
        /// The output folder, as given.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A value given on the command line is not usable: a rule or an app that does not exist, a
    /// date that does not parse. The message names the value, says why, and what would do.
    #[error("{0}")]
    Argument(String),
    /// The workshop workbook given with `--decisions` cannot be used: the message names the
    /// sheet and cell.
    #[error("cannot use the decisions in {}: {message}", path.display())]
    Decisions {
        /// The workbook.
        path: PathBuf,
        /// What is wrong, and where.
        message: String,
    },
    /// `--strict` and some files were unreadable.
    #[error("{count} input file(s) could not be read whole (--strict){list}")]
    Strict {
        /// How many.
        count: usize,
        /// The first of them, one `\n  path: message` line each.
        list: String,
    },
    /// Writing output failed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// Where.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// `ecaplan.toml` is invalid.
    #[error("invalid configuration {file}: {message}")]
    Config {
        /// The file.
        file: String,
        /// What is wrong (the parser names key, line and column).
        message: String,
    },
    /// Rendering output failed.
    #[error("cannot render {what}: {message}")]
    Render {
        /// Which output.
        what: &'static str,
        /// Why.
        message: String,
    },
}
