//! The part of an earlier run's `plan.json` that verification reads: each app's strategy, ECA
//! name and label, and its wave's dates. Parsed from text; reading the file is the caller's.

use serde::Deserialize;

use crate::plan::Strategy;
use crate::time::Day;

/// A plan as `plan` wrote it (only the fields verification needs).
#[derive(Debug, Clone, Deserialize)]
pub struct PlanFile {
    /// `plan.json` schema version.
    pub schema_version: u32,
    /// The day the plan's data described.
    pub as_of: Option<String>,
    /// Apps, as planned.
    pub apps: Vec<PlannedApp>,
    /// Waves with their dates.
    pub waves: Vec<PlannedWave>,
}

/// One app of the plan.
#[derive(Debug, Clone, Deserialize)]
pub struct PlannedApp {
    /// The connected app's API name.
    pub api_name: String,
    /// Its label (usage exports name apps by it).
    pub label: Option<String>,
    /// How it is cut over.
    pub strategy: Strategy,
    /// The ECA that replaces it, when any.
    pub eca_name: Option<String>,
    /// That ECA's label (absent in plans written before verification existed).
    #[serde(default)]
    pub eca_label: Option<String>,
    /// Its wave.
    pub wave: usize,
}

/// One wave of the plan.
#[derive(Debug, Clone, Deserialize)]
pub struct PlannedWave {
    /// Wave number.
    pub number: usize,
    /// First day (YYYY-MM-DD).
    pub start: String,
    /// Last day (YYYY-MM-DD).
    pub end: String,
}

/// Why a `plan.json` could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFileError {
    /// 1-based line, when the JSON itself is broken.
    pub line: Option<usize>,
    /// 1-based column, with the line.
    pub column: Option<usize>,
    /// What is wrong, in the user's terms.
    pub message: String,
}

impl PlanFile {
    /// Parse a `plan.json` text and check that its schema version and wave dates are usable.
    pub fn parse(text: &str) -> Result<PlanFile, PlanFileError> {
        let mut plan: PlanFile = serde_json::from_str(text).map_err(|e| PlanFileError {
            line: Some(e.line()),
            column: Some(e.column()),
            message: format!("not a plan.json of ecaplan: {e}"),
        })?;
        let error = |message: String| PlanFileError {
            line: None,
            column: None,
            message,
        };
        if plan.schema_version != crate::plan::SCHEMA_VERSION {
            return Err(error(format!(
                "schema_version {} is not the {} this ecaplan reads: run `plan` again with this version",
                plan.schema_version,
                crate::plan::SCHEMA_VERSION
            )));
        }
        for w in &plan.waves {
            for d in [&w.start, &w.end] {
                if Day::parse(d).is_none() {
                    return Err(error(format!("wave {} has no date {d:?}", w.number)));
                }
            }
        }
        if let Some(a) = plan.apps.iter().find(|a| plan.wave(a.wave).is_none()) {
            return Err(error(format!(
                "app {} is in wave {}, which the plan does not list",
                a.api_name, a.wave
            )));
        }
        plan.fill_eca_labels();
        Ok(plan)
    }

    /// A plan written before `eca_label` existed: the label the generator gives (the
    /// connected app's for a button migration, with " (ECA)" for a new ECA beside it).
    fn fill_eca_labels(&mut self) {
        for a in &mut self.apps {
            if a.eca_label.is_some() || a.eca_name.is_none() {
                continue;
            }
            let label = a.label.clone().unwrap_or_else(|| a.api_name.clone());
            a.eca_label = match a.strategy.eca_scope() {
                Some(crate::plan::EcaScope::Full) => {
                    Some(format!("{label}{}", crate::plan::ECA_LABEL_SUFFIX))
                }
                Some(crate::plan::EcaScope::HardeningOnly) => Some(label),
                None => None,
            };
        }
    }

    /// The wave of that number.
    pub fn wave(&self, number: usize) -> Option<&PlannedWave> {
        self.waves.iter().find(|w| w.number == number)
    }

    /// The day the plan's data ends on, when it states one.
    pub fn as_of_day(&self) -> Option<Day> {
        self.as_of.as_deref().and_then(Day::parse)
    }
}

impl PlannedWave {
    /// The first day.
    pub fn start_day(&self) -> Day {
        Day::parse(&self.start).unwrap_or_default()
    }

    /// The last day.
    pub fn end_day(&self) -> Day {
        Day::parse(&self.end).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = r#"{"schema_version":1,"as_of":"2026-11-20","apps":[{"api_name":"A","label":"A","strategy":"automated","eca_name":"A","eca_label":"A","wave":1}],"waves":[{"number":1,"start":"2026-12-21","end":"2027-01-03"}]}"#;

    #[test]
    fn reads_a_minimal_plan() {
        let p = PlanFile::parse(MINI).expect("plan");
        assert_eq!(p.apps[0].strategy, Strategy::Automated);
        assert_eq!(
            p.wave(1).map(|w| w.start_day().to_string()).as_deref(),
            Some("2026-12-21")
        );
    }

    #[test]
    fn broken_json_names_line_and_column() {
        let e = PlanFile::parse("{\n  \"schema_version\": 1,\n  oops").expect_err("broken");
        assert_eq!(e.line, Some(3));
        assert!(e.column.is_some());
    }

    #[test]
    fn another_schema_version_is_refused() {
        let e = PlanFile::parse(&MINI.replace("\"schema_version\":1", "\"schema_version\":2"))
            .expect_err("v2");
        assert!(e.message.contains("schema_version 2"), "{}", e.message);
    }

    #[test]
    fn an_unknown_strategy_is_refused() {
        let e = PlanFile::parse(&MINI.replace("\"automated\"", "\"teleport\"")).expect_err("bad");
        assert!(e.message.contains("teleport"), "{}", e.message);
    }
}
