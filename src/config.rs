//! `ecaplan.toml`: thresholds, the org's integration standard, app metadata (owner,
//! criticality), rule severity overrides and per-app rule exceptions. Unknown keys are rejected
//! with the key's name and line, so a typo never silently changes an assessment.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diag::Severity;
use crate::error::Error;

/// The whole configuration; every section has defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Numbers that turn facts into findings.
    pub thresholds: Thresholds,
    /// What a compliant integration looks like in this org.
    pub standard: Standard,
    /// Per-app metadata, keyed by API name.
    pub apps: BTreeMap<String, AppConfig>,
    /// Per-rule settings, keyed by rule id or name.
    pub rules: BTreeMap<String, RuleConfig>,
    /// Accepted findings: a rule that does not apply to an app, with the reason.
    pub exceptions: Vec<Exception>,
    /// Wave planning.
    pub plan: PlanConfig,
    /// Freeze windows (`[[blackout]]`): no wave may overlap one; waves move after it.
    pub blackout: Vec<Blackout>,
}

/// A freeze window. Without `apps` no wave (including its parallel run) may overlap it; with
/// `apps` it protects those apps only: their waves keep their dates and their runbooks say on
/// which days of the wave their cutover may happen.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Blackout {
    /// First frozen day (`YYYY-MM-DD`).
    pub from: String,
    /// Last frozen day (`YYYY-MM-DD`), inclusive.
    pub to: String,
    /// Why (mandatory), e.g. "month-end close".
    pub reason: String,
    /// The apps (API names) the window protects; empty: every wave.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub apps: Vec<String>,
    /// `monthly`: the window comes back every month on the same days of the month (a day past
    /// a month's end is its last day). Only with `apps`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<Repeat>,
}

/// How a freeze window repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Repeat {
    /// Every month, e.g. a month-end close.
    Monthly,
}

impl Blackout {
    /// The window's first and last day, when both dates parse.
    pub fn days(&self) -> Option<(crate::time::Day, crate::time::Day)> {
        let day = crate::time::Day::parse;
        Some((day(&self.from)?, day(&self.to)?))
    }

    /// Every occurrence (first and last day) that overlaps `start..=end`, in order; a window
    /// that repeats monthly comes back before its `from` date too.
    pub fn occurrences(
        &self,
        start: crate::time::Day,
        end: crate::time::Day,
    ) -> Vec<(crate::time::Day, crate::time::Day)> {
        let Some((from, to)) = self.days() else {
            return Vec::new();
        };
        let overlaps = |(f, t): &(crate::time::Day, crate::time::Day)| *f <= end && *t >= start;
        if self.repeat.is_none() {
            return [(from, to)].into_iter().filter(overlaps).collect();
        }
        // From the month before `start`'s (an occurrence may begin in it), to `end`.
        let first = start.months_since(from) - 1;
        (first..)
            .map(|k| (from.plus_months(k), to.plus_months(k)))
            .take_while(|(f, _)| *f <= end)
            .filter(overlaps)
            .collect()
    }

    /// Whether the window protects `app` (an app-scoped window), rather than every wave.
    pub fn protects(&self, app: &str) -> bool {
        self.apps.iter().any(|a| a == app)
    }
}

/// Wave planning settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlanConfig {
    /// First day of wave 0 (`YYYY-MM-DD`); default: the Monday after the as-of date.
    pub start: Option<String>,
    /// Length of one wave in days.
    pub wave_length_days: u32,
    /// Most apps in one migration wave (a coupled group counts as one unit).
    pub max_apps_per_wave: usize,
    /// Apps in the pilot wave.
    pub pilot_size: usize,
    /// Days a side-by-side app runs on both the old and the new app before the switch.
    pub parallel_run_days: u32,
}

impl Default for PlanConfig {
    fn default() -> Self {
        PlanConfig {
            start: None,
            wave_length_days: 14,
            max_apps_per_wave: 8,
            pilot_size: 3,
            parallel_run_days: 14,
        }
    }
}

/// Thresholds.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// No use in this many days (of the covered period) makes an app unused.
    pub unused_after_days: u32,
    /// Logins per 30 days (over the period the login sources cover) that make an app
    /// high-volume; lifetime token use counts are not a rate and do not count.
    pub high_volume_per_30_days: u64,
    /// Distinct users that make an app high-volume.
    pub high_volume_users: u64,
    /// Certificates expiring within this many days are reported.
    pub certificate_warning_days: u32,
    /// Refresh tokens unused this many days are dormant.
    pub dormant_token_days: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            unused_after_days: 90,
            high_volume_per_30_days: 1000,
            high_volume_users: 10,
            certificate_warning_days: 60,
            dormant_token_days: 90,
        }
    }
}

/// The integration standard (used by rules and by the generator's hardened policies).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Standard {
    /// Scopes an integration may have; others are reported. Empty = no scope allow-list.
    pub allowed_scopes: Vec<String>,
    /// Apps must be admin-approved (pre-authorized), never self-authorized.
    pub admin_approved_required: bool,
    /// IP restrictions must be enforced.
    pub ip_enforcement: bool,
    /// Refresh tokens must expire after this many days without use.
    pub refresh_token_inactivity_days: u32,
    /// Licences that count as integration licences.
    pub integration_licenses: Vec<String>,
    /// Profiles that count as integration (API-only) profiles.
    pub integration_profiles: Vec<String>,
}

impl Default for Standard {
    fn default() -> Self {
        Standard {
            allowed_scopes: ["Api", "RefreshToken", "OpenID", "Web", "Basic", "Chatter"]
                .map(String::from)
                .to_vec(),
            admin_approved_required: true,
            ip_enforcement: true,
            refresh_token_inactivity_days: 90,
            integration_licenses: vec!["Salesforce Integration".into()],
            integration_profiles: vec!["Minimum Access - API Only Integrations".into()],
        }
    }
}

/// How critical an app is to the business (drives strategy and wave order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Criticality {
    /// Outage stops the business.
    Critical,
    /// Important.
    High,
    /// Normal.
    Medium,
    /// Nice to have.
    Low,
}

/// Per-app metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AppConfig {
    /// Business or technical owner.
    pub owner: Option<String>,
    /// Criticality.
    pub criticality: Option<Criticality>,
    /// Free notes for the workshop.
    pub notes: Option<String>,
    /// Strategy instead of the decision table's (`automated`, `side-by-side`, `big-bang`,
    /// `install-and-harden`, `retire`, ...); needs `strategy_reason`.
    pub strategy: Option<String>,
    /// Why the strategy is overridden (mandatory with `strategy`).
    pub strategy_reason: Option<String>,
    /// The name App Manager's migration gave the app's OAuth policies
    /// (`ExtlClntAppOauthConfigurablePolicies`), when it is not `<ECA>_oauthPlcy`: the
    /// hardening files of an app the button migrates are written under it.
    pub oauth_policy_name: Option<String>,
    /// The name it gave the app's policies (`ExtlClntAppConfigurablePolicies`), when it is not
    /// `<ECA>_plcy`.
    pub policy_name: Option<String>,
}

/// Per-rule settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RuleConfig {
    /// Severity instead of the rule's default.
    pub severity: Option<Severity>,
}

/// An accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// Rule id or name.
    pub rule: String,
    /// App API name.
    pub app: String,
    /// Why it is accepted (mandatory).
    pub reason: String,
}

impl Config {
    /// Parse a configuration text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Config, Error> {
        let config: Config = toml::from_str(text).map_err(|e| Error::Config {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        for (i, ex) in config.exceptions.iter().enumerate() {
            if ex.reason.trim().is_empty() {
                let message = format!(
                    "exception #{} ({} for {}) has an empty reason: every exception must say why",
                    i + 1,
                    ex.rule,
                    ex.app
                );
                return Err(Error::Config {
                    file: file.to_string(),
                    message,
                });
            }
        }
        check_apps(&config.apps, file)?;
        for (i, b) in config.blackout.iter().enumerate() {
            let problem = match b.days() {
                None => Some("from and to must be YYYY-MM-DD dates"),
                Some((from, to)) if from > to => Some("from is after to"),
                _ if b.reason.trim().is_empty() => {
                    Some("the reason is empty: every freeze window must say why")
                }
                _ if b.repeat.is_some() && b.apps.is_empty() => Some("repeat needs apps: a window that comes back every month for every wave would leave no room for the waves; list the apps it protects"),
                Some((from, to)) if b.repeat.is_some() && to.days_since(from) >= 27 => {
                    Some("a monthly window must be shorter than 28 days")
                }
                _ => None,
            };
            if let Some(problem) = problem {
                let message = format!(
                    "[[blackout]] #{} (from = {:?}, to = {:?}): {problem}",
                    i + 1,
                    b.from,
                    b.to
                );
                return Err(Error::Config {
                    file: file.to_string(),
                    message,
                });
            }
        }
        if let Some(start) = &config.plan.start {
            if crate::time::Day::parse(start).is_none() {
                let message = format!("[plan] start = {start:?} is not a YYYY-MM-DD date");
                return Err(Error::Config {
                    file: file.to_string(),
                    message,
                });
            }
        }
        Ok(config)
    }

    /// Read `path`: a regular file of at most [`MAX_CONFIG_BYTES`] (`--config /dev/zero` or a
    /// FIFO is refused before it is opened, a huge file before it is read whole).
    pub fn load(path: &Path) -> Result<Config, Error> {
        let file = path.display().to_string();
        let fail = |message: String| Error::Config {
            file: file.clone(),
            message,
        };
        let meta = std::fs::metadata(path).map_err(|e| fail(e.to_string()))?;
        if !meta.is_file() {
            return Err(fail(
                "not a regular file: a configuration must be a file".into(),
            ));
        }
        let limit = format!(
            "larger than the {} limit for a configuration file",
            crate::text::human_bytes(MAX_CONFIG_BYTES)
        );
        if meta.len() > MAX_CONFIG_BYTES {
            return Err(fail(format!("{} bytes: {limit}", meta.len())));
        }
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| {
                std::io::Read::read_to_end(
                    &mut std::io::Read::take(f, MAX_CONFIG_BYTES + 1),
                    &mut bytes,
                )
            })
            .map_err(|e| fail(e.to_string()))?;
        if bytes.len() as u64 > MAX_CONFIG_BYTES {
            return Err(fail(limit));
        }
        let text = String::from_utf8(bytes).map_err(|e| fail(format!("not UTF-8 text: {e}")))?;
        Config::parse(&text, &file)
    }

    /// The non-empty `[apps.X] notes` of an app.
    pub fn notes(&self, api_name: &str) -> Option<&str> {
        self.apps
            .get(api_name)
            .and_then(|a| a.notes.as_deref())
            .map(str::trim)
            .filter(|n| !n.is_empty())
    }

    /// Configured criticality of an app.
    pub fn criticality(&self, api_name: &str) -> Option<Criticality> {
        self.apps.get(api_name).and_then(|a| a.criticality)
    }
}

/// Largest configuration file read (a real one is a few kilobytes); the same limit applies to
/// an `ecaplan.toml` found among the inputs.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// The commented default file written by `ecaplan init`.
pub const DEFAULT_TOML: &str = include_str!("../templates/ecaplan.toml");

/// `[apps.X]`: a strategy override says why; policy names are developer names.
fn check_apps(apps: &BTreeMap<String, AppConfig>, file: &str) -> Result<(), Error> {
    for (app, c) in apps {
        if c.strategy.is_some()
            && c.strategy_reason
                .as_deref()
                .is_none_or(|r| r.trim().is_empty())
        {
            let message = format!("[apps.{app}] overrides the strategy without strategy_reason: every override must say why");
            return Err(Error::Config {
                file: file.to_string(),
                message,
            });
        }
        for (key, name) in [
            ("oauth_policy_name", &c.oauth_policy_name),
            ("policy_name", &c.policy_name),
        ] {
            if let Some(Err(why)) = name.as_deref().map(|n| crate::text::developer_name(n, 80)) {
                return Err(Error::Config {
                    file: file.to_string(),
                    message: format!("[apps.{app}] {key}: {why}"),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_file_parses_to_defaults() {
        let c = Config::parse(DEFAULT_TOML, "ecaplan.toml").expect("parses");
        assert_eq!(c.thresholds, Thresholds::default());
        assert_eq!(c.standard, Standard::default());
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let e = Config::parse(
            "[thresholds]\nunused_after_days = 30\nunused_days = 5\n",
            "x.toml",
        )
        .expect_err("unknown key");
        let msg = e.to_string();
        assert!(
            msg.contains("unused_days") && msg.contains("line 3"),
            "{msg}"
        );
    }

    #[test]
    fn exception_needs_a_reason() {
        let missing = "[[exceptions]]\nrule = \"ECA201\"\napp = \"X\"\n";
        assert!(Config::parse(missing, "x")
            .expect_err("no reason")
            .to_string()
            .contains("reason"));
        let empty = "[[exceptions]]\nrule = \"ECA201\"\napp = \"X\"\nreason = \" \"\n";
        assert!(Config::parse(empty, "x")
            .expect_err("empty")
            .to_string()
            .contains("reason"));
        let ok = "[[exceptions]]\nrule = \"ECA201\"\napp = \"X\"\nreason = \"vendor needs it\"\n";
        assert_eq!(Config::parse(ok, "x").expect("ok").exceptions.len(), 1);
    }

    #[test]
    fn default_file_documents_blackouts_and_notes_in_a_form_that_parses() {
        // Uncommenting the documented examples gives a valid file.
        let lines: Vec<&str> = DEFAULT_TOML.lines().collect();
        let at = lines
            .iter()
            .position(|l| *l == "# [[blackout]]")
            .expect("documented");
        let uncommented: String = lines
            .iter()
            .enumerate()
            .map(|(i, l)| match l.strip_prefix("# ") {
                Some(rest) if (at..at + 4).contains(&i) => rest,
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let c = Config::parse(&uncommented, "init").expect("parses");
        assert_eq!(c.blackout.len(), 1);
        assert!(DEFAULT_TOML.contains("# notes = "));
    }

    #[test]
    fn blackouts_and_notes_parse_and_bad_ones_are_named() {
        let c = Config::parse(
            "[[blackout]]\nfrom = \"2027-01-25\"\nto = \"2027-02-05\"\nreason = \"month-end close\"\n[apps.X]\nnotes = \"  Sundays only \"\n[apps.Y]\nnotes = \" \"\n",
            "x",
        )
        .expect("ok");
        assert_eq!(c.blackout.len(), 1);
        assert!(c.blackout[0]
            .days()
            .is_some_and(|(a, b)| b.days_since(a) == 11));
        assert_eq!(c.notes("X"), Some("Sundays only"));
        assert_eq!(c.notes("Y"), None);
        for bad in [
            "[[blackout]]\nfrom = \"2027-02-05\"\nto = \"2027-01-25\"\nreason = \"r\"\n",
            "[[blackout]]\nfrom = \"soon\"\nto = \"2027-01-25\"\nreason = \"r\"\n",
            "[[blackout]]\nfrom = \"2027-01-25\"\nto = \"2027-01-25\"\nreason = \"\"\n",
            "[[blackout]]\nfrom = \"2027-01-25\"\nto = \"2027-01-25\"\n",
            "[[blackout]]\nfrom = \"2027-01-25\"\nto = \"2027-01-25\"\nreason = \"r\"\nuntil = \"x\"\n",
        ] {
            let e = Config::parse(bad, "x").expect_err(bad).to_string();
            assert!(e.contains("blackout") || e.contains("reason") || e.contains("until"), "{e}");
        }
    }

    #[test]
    fn severity_override_and_criticality() {
        let c = Config::parse(
            "[rules.ECA201]\nseverity = \"low\"\n[apps.ERP_Sync]\ncriticality = \"critical\"\nowner = \"Finance IT\"\n",
            "x",
        )
        .expect("ok");
        assert_eq!(c.rules["ECA201"].severity, Some(Severity::Low));
        assert_eq!(c.criticality("ERP_Sync"), Some(Criticality::Critical));
    }
}
