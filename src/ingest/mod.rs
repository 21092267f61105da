//! Ingest: find every input file (folders, single files, zipped mdapi retrieves), read the
//! metadata files into typed documents and account for every file.
//!
//! Nothing here prints. A file that cannot be read becomes an `Unreadable` record with its
//! position; it never stops the run.

pub mod decisions;
pub(crate) mod discover;
pub mod usage;

use serde::Serialize;

use crate::diag::{Level, Note};
use crate::metadata::{self, cert, Detected, Document, Kind};
pub use discover::{discover, InputFile, NotLoaded, Source};

/// What happened to one input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum FileStatus {
    /// Read into the model as this metadata type.
    Parsed {
        /// Metadata type name.
        kind: &'static str,
    },
    /// Looked at and deliberately not read.
    Ignored {
        /// Why.
        reason: String,
    },
    /// Could not be read.
    Unreadable {
        /// 1-based line of the problem, when known.
        #[serde(skip_serializing_if = "Option::is_none")]
        line: Option<u32>,
        /// 1-based column of the problem, when known.
        #[serde(skip_serializing_if = "Option::is_none")]
        column: Option<u32>,
        /// What is wrong.
        message: String,
    },
}

/// The accounting line of one input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileRecord {
    /// File as shown to users (`archive.zip!entry` inside archives).
    pub path: String,
    /// What happened to it.
    #[serde(flatten)]
    pub status: FileStatus,
}

/// A place where a secret or private key was seen (the value itself is never kept).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SecretSighting {
    /// File.
    pub file: String,
    /// Line, when known.
    pub line: Option<u32>,
    /// `consumer-secret`, `private-key`, `push-credential`.
    pub kind: &'static str,
}

/// Everything ingest produced.
#[derive(Debug, Default)]
pub struct Ingested {
    /// Documents read, in input order.
    pub documents: Vec<Document>,
    /// One record per input file.
    pub files: Vec<FileRecord>,
    /// Notes from discovery and reading.
    pub notes: Vec<Note>,
    /// Secrets and private keys seen in the inputs.
    pub secrets: Vec<SecretSighting>,
    /// Usage export candidates (CSV/JSON), read by the usage stage.
    pub usage_files: Vec<InputFile>,
    /// `ecaplan.toml` files found among the inputs.
    pub config_files: Vec<InputFile>,
    /// The text of each metadata file read, by the name users see: the source lines findings
    /// quote come from here rather than from a second read of the inputs.
    pub texts: std::collections::HashMap<String, String>,
}

impl Ingested {
    /// Add what another [`read_all`] produced (of other files of the same inputs).
    pub fn absorb(&mut self, other: Ingested) {
        self.documents.extend(other.documents);
        self.files.extend(other.files);
        self.notes.extend(other.notes);
        self.secrets.extend(other.secrets);
        self.usage_files.extend(other.usage_files);
        self.config_files.extend(other.config_files);
        self.texts.extend(other.texts);
    }
}

/// Read every discovered file. `sources` come from [`discover`].
pub fn read_all(sources: Vec<Source>) -> Ingested {
    let mut out = Ingested::default();
    for source in sources {
        match source {
            Source::File(file) => read_one(file, &mut out),
            Source::Skipped { path, reason } => out.files.push(FileRecord {
                path,
                status: FileStatus::Ignored { reason },
            }),
            Source::Failed { path, message } => out.files.push(FileRecord {
                path,
                status: FileStatus::Unreadable {
                    line: None,
                    column: None,
                    message,
                },
            }),
        }
    }
    out
}

fn read_one(mut file: InputFile, out: &mut Ingested) {
    let name = file.file_name().to_string();
    match Kind::detect(&name) {
        Some(Detected::Metadata { kind, full_name }) => {
            if load(&mut file, discover::METADATA_LIMIT, out) {
                read_metadata(file, kind, &full_name, out);
            }
        }
        // Decided by the name: the content is never read.
        Some(Detected::Ignored(reason)) => ignore(out, &file, reason),
        None => classify_other(file, out),
    }
}

/// Read the bytes of `file` within `limit`; when they cannot be, account for the file as
/// unreadable (a size limit included, so `--strict` counts it) and say false.
fn load(file: &mut InputFile, limit: discover::Limit, out: &mut Ingested) -> bool {
    match file.load(limit) {
        Ok(()) => true,
        Err(NotLoaded::TooLarge(message) | NotLoaded::Failed(message)) => {
            out.files.push(FileRecord {
                path: file.display.clone(),
                status: FileStatus::Unreadable {
                    line: None,
                    column: None,
                    message,
                },
            });
            false
        }
    }
}

fn read_metadata(file: InputFile, kind: Kind, full_name: &str, out: &mut Ingested) {
    let text = match crate::metadata::xml::decode_utf8(&file.bytes) {
        Ok(t) => t,
        Err(e) => return unreadable(out, &file, Some(e.pos), e.message),
    };
    match metadata::read_document(&file.display, full_name, kind, text) {
        Ok(doc) => {
            spot_secrets(&doc, text, out);
            out.files.push(FileRecord {
                path: file.display.clone(),
                status: FileStatus::Parsed {
                    kind: kind.type_name(),
                },
            });
            out.notes.extend(doc.notes.iter().cloned());
            out.documents.push(doc);
            out.texts.insert(file.display.clone(), text.to_string());
        }
        Err(e) => unreadable(out, &file, Some(e.pos), e.message),
    }
}

/// Whether a discovered file is a usage export candidate, which [`read_all`] hands on to the
/// usage stage unread (so the caller may start reading those while the metadata is parsed).
pub fn is_usage_source(source: &Source) -> bool {
    match source {
        Source::File(f) => {
            Kind::detect(f.file_name()).is_none() && usage_name(&f.file_name().to_ascii_lowercase())
        }
        _ => false,
    }
}

/// A lower-case file name a usage export may have (`.gz` compressed too: the usage reader
/// inflates a gzip file by its content).
fn usage_name(lower: &str) -> bool {
    let lower = lower.strip_suffix(".gz").unwrap_or(lower);
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    matches!(ext, "csv" | "tsv" | "txt" | "json")
        && lower != "sfdx-project.json"
        && lower != "package.json"
}

/// Files that are not metadata by name: usage exports, keys, and everything else. Only what
/// is needed is read: usage CSVs stream (from disk or inflated from an archive as they are
/// read), and files ignored by name are never opened.
fn classify_other(mut file: InputFile, out: &mut Ingested) {
    let lower = file.file_name().to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        _ if usage_name(&lower) => {
            // A `.gz` export streams like a CSV (`discover` does not load it).
            if ext == "txt" || ext == "json" {
                if file.in_archive() {
                    // Small ones are kept to look for a key; larger ones stream like a CSV.
                    if file.load(discover::KEEP_LIMIT).is_ok() {
                        spot_private_key(&file, out);
                    }
                } else if load(&mut file, discover::USAGE_LIMIT, out) {
                    spot_private_key(&file, out);
                } else {
                    return;
                }
            }
            out.usage_files.push(file);
        }
        "key" | "pem" => {
            if load(&mut file, discover::KEY_LIMIT, out) {
                spot_private_key(&file, out);
                ignore(out, &file, "key or PEM file: not metadata".into());
            }
        }
        "toml" if lower == "ecaplan.toml" => {
            if load(&mut file, discover::CONFIG_LIMIT, out) {
                out.files.push(FileRecord {
                    path: file.display.clone(),
                    status: FileStatus::Parsed {
                        kind: "ecaplan configuration",
                    },
                });
                out.config_files.push(file);
            }
        }
        "xml" if lower == "package.xml" => ignore(
            out,
            &file,
            "manifest: members are discovered from the files themselves".into(),
        ),
        _ => {
            let what = if ext.is_empty() {
                "no file type".to_string()
            } else {
                format!(".{ext}")
            };
            ignore(
                out,
                &file,
                format!("not a metadata type ecaplan reads ({what})"),
            )
        }
    }
}

fn spot_private_key(file: &InputFile, out: &mut Ingested) {
    if let Ok(text) = std::str::from_utf8(&file.bytes) {
        spot_key_in(&file.display, text, out);
    }
}

/// Record a PEM private key in `text`, at the line where it starts.
fn spot_key_in(file: &str, text: &str, out: &mut Ingested) {
    if cert::contains_private_key(text) {
        let line = text
            .lines()
            .position(|l| l.contains("PRIVATE KEY-----"))
            .map(|i| i as u32 + 1);
        out.secrets.push(SecretSighting {
            file: file.to_string(),
            line,
            kind: "private-key",
        });
    }
}

fn spot_secrets(doc: &Document, text: &str, out: &mut Ingested) {
    for (path, kind) in [
        ("oauthConfig/consumerSecret", "consumer-secret"),
        ("consumerSecret", "consumer-secret"),
        ("applePushConfig/password", "push-credential"),
        ("applePushConfig/signingKey", "push-credential"),
        ("androidPushConfig/serviceAccount", "push-credential"),
    ] {
        if let Some(&line) = doc.lines.get(path) {
            out.secrets.push(SecretSighting {
                file: doc.file.clone(),
                line: Some(line),
                kind,
            });
        }
    }
    spot_key_in(&doc.file, text, out);
}

fn ignore(out: &mut Ingested, file: &InputFile, reason: String) {
    out.files.push(FileRecord {
        path: file.display.clone(),
        status: FileStatus::Ignored { reason },
    });
}

fn unreadable(
    out: &mut Ingested,
    file: &InputFile,
    pos: Option<crate::metadata::xml::Pos>,
    message: String,
) {
    out.notes.push(Note {
        file: file.display.clone(),
        line: pos.map(|p| p.line),
        column: pos.map(|p| p.col),
        level: Level::Error,
        code: "unreadable-file",
        message: message.clone(),
    });
    out.files.push(FileRecord {
        path: file.display.clone(),
        status: FileStatus::Unreadable {
            line: pos.map(|p| p.line),
            column: pos.map(|p| p.col),
            message,
        },
    });
}
