//! Diagnostics: recoverable problems and information collected with their source location.
//!
//! Stages never print; they return notes, and the orchestration decides how to show them.

use serde::{Deserialize, Serialize};

/// A position in a text file, both 1-based; columns count characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column (characters).
    pub col: u32,
}

/// How serious a note is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The file (or part of it) could not be used.
    Error,
    /// Something was used with a caveat.
    Warning,
    /// Worth knowing; nothing was lost.
    Info,
}

impl Level {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
        }
    }
}

/// One diagnostic with its location.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Note {
    /// File as shown to users (a path, or `archive.zip!entry`).
    pub file: String,
    /// 1-based line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// Severity.
    pub level: Level,
    /// Stable kebab-case code, e.g. `unknown-element`.
    pub code: &'static str,
    /// Human message.
    pub message: String,
}

impl Note {
    /// A note at a position in a file.
    pub fn at(level: Level, code: &'static str, file: &str, pos: Pos, message: String) -> Self {
        Note {
            file: file.to_string(),
            line: Some(pos.line),
            column: Some(pos.col),
            level,
            code,
            message,
        }
    }

    /// A note about a whole file.
    pub fn file(level: Level, code: &'static str, file: &str, message: String) -> Self {
        Note {
            file: file.to_string(),
            line: None,
            column: None,
            level,
            code,
            message,
        }
    }

    /// `file:line:col` (or as much of it as is known).
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", self.file),
            (Some(l), None) => format!("{}:{l}", self.file),
            _ => self.file.clone(),
        }
    }
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}[{}]: {}",
            self.location(),
            self.level.as_str(),
            self.code,
            self.message
        )
    }
}

/// How serious a finding is; ordered from most to least severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Stops the migration until resolved.
    Blocker,
    /// Fix before or during the migration.
    High,
    /// Fix as part of hardening.
    Medium,
    /// Worth doing.
    Low,
    /// For the record.
    Info,
}

impl Severity {
    /// Every severity, most severe first.
    pub const ALL: [Severity; 5] = [
        Severity::Blocker,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Blocker => "blocker",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }
}
