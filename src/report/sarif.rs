//! SARIF 2.1.0 (`findings.sarif`) for code-scanning dashboards: one run, the rule registry as
//! the driver's rules, one result per finding located at its metadata evidence, accepted
//! findings as external suppressions. Built from serde structs, never by string pasting.

use serde::Serialize;

use super::contents::Report;
use crate::rules::{Evidence, Severity};

/// Schema of the log.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where the tool is described.
pub const INFORMATION_URI: &str = "https://github.com/ecaplan/ecaplan";
/// Base id of the relative evidence paths (the folder ecaplan ran in).
pub const SRCROOT: &str = "%SRCROOT%";

/// The log.
#[derive(Debug, Serialize)]
pub struct Log {
    /// Schema URI.
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    /// "2.1.0".
    pub version: &'static str,
    /// One run.
    pub runs: Vec<Run>,
}

/// A run of the tool.
#[derive(Debug, Serialize)]
pub struct Run {
    /// The tool.
    pub tool: Tool,
    /// Results.
    pub results: Vec<SarifResult>,
}

/// The tool.
#[derive(Debug, Serialize)]
pub struct Tool {
    /// The driver.
    pub driver: Driver,
}

/// The tool component that ran.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    /// "ecaplan".
    pub name: &'static str,
    /// Version.
    pub version: &'static str,
    /// Documentation.
    pub information_uri: &'static str,
    /// Rules.
    pub rules: Vec<Rule>,
}

/// Text.
#[derive(Debug, Serialize)]
pub struct Message {
    /// The text.
    pub text: String,
}

/// A rule (reportingDescriptor).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// Id.
    pub id: &'static str,
    /// Name.
    pub name: &'static str,
    /// One line.
    pub short_description: Message,
    /// Long explanation.
    pub full_description: Message,
    /// Help (same as the explanation).
    pub help: Message,
    /// Default level.
    pub default_configuration: Configuration,
}

/// A rule's default configuration.
#[derive(Debug, Serialize)]
pub struct Configuration {
    /// Level.
    pub level: &'static str,
}

/// A result.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    /// Rule id.
    pub rule_id: &'static str,
    /// Index of the rule in the driver's rules.
    pub rule_index: usize,
    /// Level.
    pub level: &'static str,
    /// Message.
    pub message: Message,
    /// Where.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    /// Exceptions that accept the finding.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<Suppression>,
}

/// A location: a file region, or the app as a logical location.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// File and line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_location: Option<PhysicalLocation>,
    /// The app.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logical_locations: Vec<LogicalLocation>,
}

/// A file and a region.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    /// The file.
    pub artifact_location: ArtifactLocation,
    /// The line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

/// A file.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    /// URI (relative to `uri_base_id` when that is set).
    pub uri: String,
    /// Base.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<&'static str>,
}

/// A region.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// 1-based line.
    pub start_line: u32,
}

/// A logical location.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogicalLocation {
    /// The app's API name.
    pub name: String,
    /// Same.
    pub fully_qualified_name: String,
    /// "resource".
    pub kind: &'static str,
}

/// A suppression.
#[derive(Debug, Serialize)]
pub struct Suppression {
    /// "external": the exception lives in `ecaplan.toml`.
    pub kind: &'static str,
    /// The exception's reason.
    pub justification: String,
}

/// SARIF level of a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Blocker | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// Build the log.
pub fn build(r: &Report) -> Log {
    let rules = r.rules.iter().map(rule).collect();
    let results = r.findings.iter().map(|f| result(r, f)).collect();
    log("ecaplan", r.tool_version, rules, results)
}

/// A SARIF log of one run of the tool `name`.
pub fn log(
    name: &'static str,
    version: &'static str,
    rules: Vec<Rule>,
    results: Vec<SarifResult>,
) -> Log {
    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name,
                    version,
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            results,
        }],
    }
}

/// A rule's SARIF metadata.
fn rule(rule: &super::contents::RuleInfo) -> Rule {
    Rule {
        id: rule.id,
        name: rule.name,
        short_description: Message {
            text: rule.summary.into(),
        },
        full_description: Message {
            text: rule.explain.into(),
        },
        help: Message {
            text: rule.explain.into(),
        },
        default_configuration: Configuration {
            level: level(rule.severity),
        },
    }
}

/// A finding as a result; an accepted finding is suppressed with its reason.
fn result(r: &Report, f: &crate::rules::Finding) -> SarifResult {
    SarifResult {
        rule_id: f.rule,
        rule_index: r.rules.iter().position(|x| x.id == f.rule).unwrap_or(0),
        level: level(f.severity),
        message: Message {
            text: f.message.clone(),
        },
        locations: locations(f),
        suppressions: f
            .accepted
            .iter()
            .map(|reason| Suppression {
                kind: "external",
                justification: reason.clone(),
            })
            .collect(),
    }
}

/// Where a finding is: the files of its metadata evidence, else its app as a logical location.
fn locations(f: &crate::rules::Finding) -> Vec<Location> {
    let mut locations: Vec<Location> = f
        .evidence
        .iter()
        .filter_map(|e| match e {
            Evidence::Metadata { file, line, .. } => Some(Location {
                physical_location: Some(PhysicalLocation {
                    artifact_location: artifact(file),
                    region: line.map(|l| Region { start_line: l }),
                }),
                logical_locations: Vec::new(),
            }),
            _ => None,
        })
        .collect();
    if locations.is_empty() {
        if let Some(app) = &f.app {
            locations.push(Location {
                physical_location: None,
                logical_locations: vec![LogicalLocation {
                    name: app.clone(),
                    fully_qualified_name: app.clone(),
                    kind: "resource",
                }],
            });
        }
    }
    locations
}

/// A file of the evidence as an artifact location: relative paths against `%SRCROOT%`,
/// absolute ones as `file://` URIs; characters outside the URI's unreserved set are
/// percent-encoded.
fn artifact(path: &str) -> ArtifactLocation {
    let path = path.replace('\\', "/");
    let encoded = encode(&path);
    if path.starts_with('/') {
        ArtifactLocation {
            uri: format!("file://{encoded}"),
            uri_base_id: None,
        }
    } else {
        ArtifactLocation {
            uri: encoded,
            uri_base_id: Some(SRCROOT),
        }
    }
}

fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_locations_and_suppressions() {
        let r = crate::report::testkit::sample_report("x", "y");
        let log = build(&r);
        let json = serde_json::to_value(&log).expect("json");
        assert_eq!(json["version"], "2.1.0");
        assert_eq!(json["$schema"], SCHEMA);
        let run = &json["runs"][0];
        assert_eq!(
            run["tool"]["driver"]["rules"].as_array().map(Vec::len),
            Some(r.rules.len())
        );
        let results = run["results"].as_array().expect("results");
        assert_eq!(results.len(), r.findings.len());
        let located = results
            .iter()
            .find(|x| x["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64())
            .expect("a located result");
        // The test loads the samples by absolute path: file URIs without a base.
        let artifact = &located["locations"][0]["physicalLocation"]["artifactLocation"];
        assert!(artifact["uri"]
            .as_str()
            .is_some_and(|u| u.starts_with("file:///")));
        assert!(artifact["uriBaseId"].is_null());
        let suppressed: Vec<_> = results
            .iter()
            .filter(|x| x["suppressions"][0]["kind"] == "external")
            .collect();
        assert_eq!(
            suppressed.len(),
            r.findings.iter().filter(|f| f.accepted.is_some()).count()
        );
        assert!(!suppressed.is_empty());
        for x in results {
            let i = x["ruleIndex"].as_u64().expect("index") as usize;
            assert_eq!(run["tool"]["driver"]["rules"][i]["id"], x["ruleId"]);
        }
    }

    #[test]
    fn paths_become_uris() {
        assert_eq!(artifact("a b/c#d.xml").uri, "a%20b/c%23d.xml");
        assert_eq!(artifact("/abs/x.xml").uri, "file:///abs/x.xml");
        assert_eq!(artifact("/abs/x.xml").uri_base_id, None);
    }
}
