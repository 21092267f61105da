//! Rules: stable ids (`ECA` + 3 digits, never reused), one file per rule with its explain text
//! and tests, a registry, and the run that turns a [`Context`] into [`Finding`]s with evidence.
//! Severity overrides and per-app exceptions from `ecaplan.toml` are applied here.

mod registry;
pub(crate) mod support;

mod eca101_username_password_flow_in_use;
mod eca102_user_agent_flow_in_use;
mod eca103_custom_oauth_handler;
mod eca104_packaged_app;
mod eca105_uninstalled_app_in_use;
mod eca106_mobile_push_settings_unverifiable;
mod eca107_saml_triple_des;
mod eca108_device_flow_on_uninstalled_app;
mod eca109_ecaname_collision;
mod eca110_look_alike_label;
mod eca111_scope_needs_mapping;
mod eca112_not_carried_over;
mod eca201_full_scope;
mod eca202_self_authorization;
mod eca203_ip_restrictions_relaxed;
mod eca204_refresh_token_never_expires;
mod eca205_refresh_token_rotation_off;
mod eca206_pkce_not_required;
mod eca207_shared_integration_user;
mod eca208_integration_user_not_api_only;
mod eca209_no_login_ip_ranges;
mod eca210_admin_run_as_user;
mod eca211_insecure_callback;
mod eca212_certificate_expiring;
mod eca213_identity_model_mismatch;
mod eca214_scope_outside_standard;
mod eca215_admin_profile_access;
mod eca216_missing_contact_email;
mod eca217_certificate_unreadable;
mod eca301_unused_app;
mod eca302_dormant_tokens;
mod eca303_no_usage_evidence;
mod eca304_org_allows_username_password;
mod eca305_org_allows_user_agent;
mod eca306_secret_in_source;
mod eca307_eca_org_bound_values;
mod eca308_eca_newer_than_schema;

use serde::Serialize;

use crate::config::Config;
pub use crate::diag::Severity;
use crate::graph::Graph;
use crate::model::Org;
pub(crate) use registry::ids;
pub use registry::{find_rule, RETIRED, RULES};

/// Where a finding's evidence is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Evidence {
    /// An element of a metadata file.
    Metadata {
        /// File.
        file: String,
        /// Line of the element, when known.
        line: Option<u32>,
        /// Element path (`oauthConfig/scopes`).
        element: String,
        /// The source line, filled in by the orchestration for display.
        #[serde(skip_serializing_if = "Option::is_none")]
        snippet: Option<String>,
    },
    /// Usage data: an aggregate and the files (and rows) it came from.
    Usage {
        /// What was counted.
        summary: String,
        /// Files the aggregate came from.
        files: Vec<String>,
        /// Example rows: `file:row`.
        rows: Vec<String>,
    },
    /// A path in the dependency graph.
    Graph {
        /// Node keys and edge labels, in order.
        path: Vec<String>,
    },
    /// A fact without a file position (e.g. the absence of something).
    Note {
        /// What was observed.
        text: String,
    },
}

/// What a rule reports before severities and exceptions are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// App API name, when the finding is about one app.
    pub app: Option<String>,
    /// Human message.
    pub message: String,
    /// Evidence (at least one item).
    pub evidence: Vec<Evidence>,
    /// A severity other than the rule's default (rules with graded severity).
    pub severity: Option<Severity>,
}

impl Hit {
    /// A hit about an app with evidence.
    pub fn app(app: &str, message: String, evidence: Vec<Evidence>) -> Hit {
        Hit {
            app: Some(app.to_string()),
            message,
            evidence,
            severity: None,
        }
    }
}

/// Everything a rule may look at.
pub struct Context<'a> {
    /// The org: inventory, usage and its join, file accounting, secrets seen, as-of day.
    pub org: &'a Org,
    /// The dependency graph.
    pub graph: &'a Graph,
    /// Configuration.
    pub config: &'a Config,
}

/// A rule of the registry.
pub struct Rule {
    /// Stable id, e.g. `ECA201`.
    pub id: &'static str,
    /// Stable kebab-case name.
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One line.
    pub summary: &'static str,
    /// What, why it matters, how to fix, evidence used.
    pub explain: &'static str,
    /// The check.
    pub check: fn(&Context) -> Vec<Hit>,
}

/// A finding: a rule hit with its effective severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule id.
    pub rule: &'static str,
    /// Rule name.
    pub name: &'static str,
    /// Effective severity.
    pub severity: Severity,
    /// App, when about one app.
    pub app: Option<String>,
    /// Message.
    pub message: String,
    /// Evidence.
    pub evidence: Vec<Evidence>,
    /// When an `ecaplan.toml` exception accepts this finding: its reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<String>,
}

#[cfg(test)]
impl Finding {
    /// A medium finding of `rule` about `app` for unit tests, accepted with `accepted`.
    pub(crate) fn for_test(
        rule: &'static str,
        app: &str,
        message: &str,
        accepted: Option<&str>,
    ) -> Finding {
        Finding {
            rule,
            name: "",
            severity: Severity::Medium,
            app: Some(app.into()),
            message: message.into(),
            evidence: Vec::new(),
            accepted: accepted.map(String::from),
        }
    }
}

/// Run every rule; apply severity overrides and exceptions; sort by severity, rule, app.
pub fn run(cx: &Context) -> Vec<Finding> {
    use rayon::prelude::*;
    // Rules are independent: they run on every core, and their findings are kept in registry
    // order before the (stable) sort, so the output does not depend on scheduling.
    let per_rule: Vec<Vec<Finding>> = RULES.par_iter().map(|rule| findings_of(cx, rule)).collect();
    let mut out: Vec<Finding> = per_rule.into_iter().flatten().collect();
    out.sort_by(|a, b| {
        (a.severity, a.rule, &a.app, &a.message).cmp(&(b.severity, b.rule, &b.app, &b.message))
    });
    out
}

/// One rule's findings, with severity overrides and exceptions applied.
fn findings_of(cx: &Context, rule: &Rule) -> Vec<Finding> {
    let over = cx
        .config
        .rules
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(rule.id) || k.eq_ignore_ascii_case(rule.name))
        .and_then(|(_, r)| r.severity);
    (rule.check)(cx)
        .into_iter()
        .map(|hit| {
            let accepted = cx
                .config
                .exceptions
                .iter()
                .find(|e| {
                    (e.rule.eq_ignore_ascii_case(rule.id) || e.rule.eq_ignore_ascii_case(rule.name))
                        && hit
                            .app
                            .as_deref()
                            .is_some_and(|a| a.eq_ignore_ascii_case(&e.app))
                })
                .map(|e| e.reason.clone());
            Finding {
                rule: rule.id,
                name: rule.name,
                severity: over.or(hit.severity).unwrap_or(rule.severity),
                app: hit.app,
                message: hit.message,
                evidence: hit.evidence,
                accepted,
            }
        })
        .collect()
}

/// Unknown rule ids or names in `ecaplan.toml` (rules or exceptions): reported, not ignored.
pub fn unknown_rule_keys(config: &Config) -> Vec<String> {
    config
        .rules
        .keys()
        .chain(config.exceptions.iter().map(|e| &e.rule))
        .filter(|k| find_rule(k).is_none())
        .cloned()
        .collect()
}
