//! The cutover plan (DESIGN §6): a strategy per app from the decision table, waves with dates,
//! and a runbook per app. Pure: the orchestration writes `plan.json` and the ECA metadata.

pub(crate) mod access;
pub(crate) mod deploy;
pub mod eca;
pub(crate) mod freeze;
pub(crate) mod params;
pub(crate) mod runbook;
pub(crate) mod strategy;
pub(crate) mod waivers;
pub(crate) mod waves;

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::graph::analysis::CoupledGroup;
use crate::model::usage::UsageJoin;
use crate::model::{Inventory, Org};
use crate::rules::{ids, Finding, Severity};
use crate::time::Day;
pub use eca::{EcaScope, TargetFlow, ECA_LABEL_SUFFIX};
pub use runbook::Runbook;
pub use strategy::{Decision, Strategy};
pub use waves::Wave;

/// Version of the `plan.json` schema (see the book / README): bumped on breaking changes.
pub const SCHEMA_VERSION: u32 = 1;

/// The plan of one app.
#[derive(Debug, Clone, Serialize)]
pub struct AppPlan {
    /// API name.
    pub api_name: String,
    /// Label.
    pub label: Option<String>,
    /// Distribution state.
    pub distribution: &'static str,
    /// Strategy, reason, evidence, target flow.
    #[serde(flatten)]
    pub decision: Decision,
    /// The ECA API name metadata is generated for (when any is).
    pub eca_name: Option<String>,
    /// The label of that ECA: the connected app's, with " (ECA)" for a new ECA that runs beside
    /// it. Usage exports name apps by label, so `verify` tells the two paths apart by it.
    pub eca_label: Option<String>,
    /// Wave number.
    pub wave: usize,
    /// Owner from the config.
    pub owner: Option<String>,
    /// `[apps.X] notes` from the config (the workshop's constraints, e.g. "no downtime during
    /// month-end close"): shown in the runbook and every report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Open findings by severity.
    pub findings: Vec<String>,
    /// Who can use the app today and who needs its new access (before the policies change).
    pub access: access::AccessPlan,
    /// The generated policies keep today's IP relaxation although the integration standard
    /// enforces IP restrictions: the app's logins came from more networks than anyone can
    /// confirm against IP ranges (see `runbook::ip_networks`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ip_relaxation_kept: bool,
    /// The policy names the migration button gave (ecaplan.toml), for apps it migrates.
    #[serde(skip_serializing_if = "eca::PolicyNames::none")]
    pub policy_names: eca::PolicyNames,
    /// Hardening that accepted exceptions waive: the generated ECA keeps today's settings.
    #[serde(skip_serializing_if = "waivers::Waived::none")]
    pub waived: waivers::Waived,
    /// The runbook.
    pub runbook: Runbook,
}

/// The whole plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// `plan.json` schema version.
    pub schema_version: u32,
    /// As-of date of the analysis.
    pub as_of: Option<String>,
    /// Apps, sorted by API name. Shared: the report model holds the same plans (a large org's
    /// are tens of megabytes, which copying cost as much as rendering a report).
    pub apps: Vec<Arc<AppPlan>>,
    /// Waves in order.
    pub waves: Vec<Wave>,
    /// Coupled groups the waves respect.
    pub coupled_groups: Vec<CoupledGroup>,
    /// Target-org values the generated files hold as placeholders, replaced at deploy time
    /// from these environment variables (default: the production value).
    pub parameters: Vec<params::Parameter>,
    /// The freeze windows the waves avoid (`[[blackout]]`), for the reports' timeline; not in
    /// `plan.json`, which says where the waves are.
    #[serde(skip)]
    pub blackouts: Vec<crate::config::Blackout>,
}

/// Everything the planner reads.
pub struct PlanInput<'a> {
    /// The org: the classified inventory, usage and its join (with the installation tables:
    /// today's grants and their holders), the as-of day.
    pub org: &'a Org,
    /// Findings (with accepted ones marked).
    pub findings: &'a [Finding],
    /// Coupled groups.
    pub groups: &'a [CoupledGroup],
    /// Configuration.
    pub config: &'a Config,
}

/// Make the plan.
pub fn plan(input: &PlanInput<'_>) -> Plan {
    let by_app = findings_by_app(input.findings);
    let no_findings = Vec::new();
    let findings_of =
        |app: &crate::model::App| by_app.get(app.api_name.as_str()).unwrap_or(&no_findings);
    // Decisions and runbooks are per app and run on all cores; the ECA names are handed out
    // in between, in inventory order, so that they do not depend on scheduling.
    let mut decisions: Vec<Decision> = input
        .org
        .inventory
        .apps
        .par_iter()
        .map(|app| {
            strategy::decide(
                app,
                findings_of(app),
                input.org.join.for_app(app),
                input.config,
            )
        })
        .collect();
    let eca_names = eca::name_ecas(&input.org.inventory, &mut decisions);
    // Indexed once for every app's access (DESIGN §7 "Safe to execute").
    let coverage = &input.org.usage.coverage;
    let index = access::TableIndex::new(&input.org.usage.tables)
        .covered_by(coverage.has_logins, coverage.has_tokens);
    let shared = shared_usage(&input.org.join);
    let access_cx = AccessCx {
        index: &index,
        shared: &shared,
    };
    let mut apps: Vec<AppPlan> = input
        .org
        .inventory
        .apps
        .par_iter()
        .zip(decisions)
        .zip(eca_names)
        .map(|((app, decision), eca_name)| {
            app_plan(app, decision, eca_name, findings_of(app), input, &access_cx)
        })
        .collect();
    let mut waves = waves::plan_waves(
        &units(&apps, &input.org.inventory, &by_app),
        input.groups,
        &input.config.plan,
        start_day(input),
        org_tasks(input, &apps),
        &input.config.blackout,
    );
    long_plan_task(&mut waves, &input.config.plan);
    place_in_waves(&mut apps, &waves, &input.org.inventory);
    freeze::protect_apps(&mut apps, &mut waves, &input.config.blackout);
    let parameters = params::parameters(input, &apps, &by_app);
    params::dedicated_user_tasks(&mut waves, &parameters);
    params::dedicated_users_in_steps(&mut apps, &parameters);
    Plan {
        schema_version: SCHEMA_VERSION,
        as_of: input.org.as_of_day.map(|d| d.to_string()),
        apps: apps.into_iter().map(Arc::new).collect(),
        waves,
        coupled_groups: input.groups.to_vec(),
        parameters,
        blackouts: input.config.blackout.clone(),
    }
}

/// Findings by app, grouped once (a large org has thousands of apps and findings).
fn findings_by_app(findings: &[Finding]) -> HashMap<&str, Vec<&Finding>> {
    let mut by_app: HashMap<&str, Vec<&Finding>> = HashMap::new();
    for f in findings {
        if let Some(a) = f.app.as_deref() {
            by_app.entry(a).or_default().push(f);
        }
    }
    by_app
}

/// Usage that may belong to several apps (look-alike labels), by candidate API name.
fn shared_usage(join: &UsageJoin) -> HashMap<&str, Vec<&crate::model::usage::AppUsage>> {
    let mut shared: HashMap<&str, Vec<&crate::model::usage::AppUsage>> = HashMap::new();
    for a in &join.ambiguous {
        for c in &a.candidates {
            shared.entry(c.as_str()).or_default().push(&a.usage);
        }
    }
    shared
}

/// What the wave planner needs of each app; `apps` is in inventory order (one plan per
/// inventory app).
fn units(
    apps: &[AppPlan],
    inventory: &Inventory,
    by_app: &HashMap<&str, Vec<&Finding>>,
) -> Vec<waves::Unit> {
    apps.iter()
        .zip(&inventory.apps)
        .map(|(a, app)| {
            let findings = by_app.get(a.api_name.as_str());
            waves::Unit {
                app: a.api_name.clone(),
                strategy: a.decision.strategy,
                critical: a.decision.critical,
                risky: findings.is_some_and(|fs| {
                    fs.iter()
                        .any(|f| f.accepted.is_none() && f.severity <= Severity::High)
                }),
                block_early: a.decision.strategy == Strategy::Retire
                    && findings.is_some_and(|fs| runbook::blocks_early(fs)),
                signs_in: strategy::has_sign_in(app),
            }
        })
        .collect()
}

/// Each app's wave, and the manifests and commands its runbook names (they exist once the
/// wave is known). Each app's on its own, on all cores.
fn place_in_waves(apps: &mut [AppPlan], waves: &[Wave], inventory: &Inventory) {
    let wave_of: HashMap<&str, usize> = waves
        .iter()
        .flat_map(|w| w.apps.iter().map(move |a| (a.as_str(), w.number)))
        .collect();
    apps.par_iter_mut().for_each(|a| {
        if let Some(&n) = wave_of.get(a.api_name.as_str()) {
            a.wave = n;
        }
        if let Some(eca) = a
            .eca_name
            .as_deref()
            .filter(|_| a.decision.strategy.generates())
        {
            let oauth = inventory
                .app(&a.api_name)
                .and_then(|app| app.connected_app.as_deref())
                .is_some_and(|ca| ca.value.oauth_config.is_some());
            runbook::name_manifests(&mut a.runbook, a.decision.strategy, eca, a.wave, oauth);
        }
    });
}

/// The runbook's checks that the app's usage decides: its source networks against IP
/// enforcement (`true`: today's relaxation is kept), logins that say no flow, refresh tokens a
/// hardened policy ends.
fn usage_checks(
    runbook: &mut runbook::Runbook,
    app: &crate::model::App,
    (strategy, waived): (Strategy, waivers::Waived),
    usage: Option<&crate::model::usage::AppUsage>,
    input: &PlanInput<'_>,
) -> bool {
    let logins = usage.map(|u| &u.logins);
    let ip_relaxation_kept = waived.ip_relaxation || runbook::ip_networks(runbook, app, logins);
    runbook::unknown_flows(runbook, app, strategy, logins);
    let days = input.config.standard.refresh_token_inactivity_days;
    let tokens = usage.map(|u| &u.tokens);
    if !waived.refresh_policy {
        runbook::idle_refresh_tokens(runbook, app, strategy, tokens, input.org.as_of_day, days);
    }
    ip_relaxation_kept
}

/// What every app's access is worked out from, built once per plan.
struct AccessCx<'a> {
    index: &'a access::TableIndex<'a>,
    /// Usage that may belong to several apps, by candidate API name.
    shared: &'a HashMap<&'a str, Vec<&'a crate::model::usage::AppUsage>>,
}

/// The plan of one app once its strategy and ECA name are known (its wave comes later).
fn app_plan(
    app: &crate::model::App,
    decision: Decision,
    eca_name: Option<String>,
    findings: &[&Finding],
    input: &PlanInput<'_>,
    access_cx: &AccessCx<'_>,
) -> AppPlan {
    let config = input.config;
    let usage = input.org.join.for_app(app).and_then(|v| v.usage);
    let mut runbook = runbook::runbook(app, &decision, eca_name.as_deref(), findings, config);
    let waived = waivers::Waived::of(findings);
    let checks = (decision.strategy, waived);
    let ip_relaxation_kept = usage_checks(&mut runbook, app, checks, usage, input);
    let access = access_of(app, &decision, eca_name.as_deref(), usage, input, access_cx);
    access::into_runbook(&mut runbook, &access);
    let policy_names = config
        .apps
        .get(&app.api_name)
        .filter(|_| decision.strategy == Strategy::Automated)
        .map(|c| eca::PolicyNames {
            oauth: c.oauth_policy_name.clone(),
            app: c.policy_name.clone(),
        })
        .unwrap_or_default();
    let open: Vec<String> = findings
        .iter()
        .filter(|f| f.accepted.is_none() && f.severity <= Severity::Medium)
        .map(|f| format!("{} {} ({})", f.rule, f.name, f.severity.as_str()))
        .collect();
    AppPlan {
        api_name: app.api_name.clone(),
        label: app.label.clone(),
        distribution: app.distribution.as_str(),
        eca_label: eca_name
            .as_ref()
            .and(decision.strategy.eca_scope())
            .map(|scope| eca::eca_label(app, scope)),
        decision,
        eca_name,
        wave: 0,
        owner: config.apps.get(&app.api_name).and_then(|a| a.owner.clone()),
        notes: config.notes(&app.api_name).map(String::from),
        findings: open,
        access,
        ip_relaxation_kept,
        policy_names,
        waived,
        runbook,
    }
}

/// Who uses the app today and what its cutover must give them (its plan's `access`).
fn access_of(
    app: &crate::model::App,
    decision: &Decision,
    eca_name: Option<&str>,
    usage: Option<&crate::model::usage::AppUsage>,
    input: &PlanInput<'_>,
    access_cx: &AccessCx<'_>,
) -> access::AccessPlan {
    let config = input.config;
    let run_as = match &decision.target_flow {
        Some(TargetFlow::ClientCredentials { run_as }) => Some(run_as.as_str()),
        _ => None,
    };
    access::access(
        app,
        &access::AccessInput {
            usage,
            look_alike: input
                .org
                .join
                .apps
                .get(&app.api_name)
                .is_some_and(|j| j.look_alike),
            harden_in_place: decision.strategy == Strategy::InstallAndHarden,
            sets_permitted_users: !(decision.strategy == Strategy::Automated
                && app
                    .connected_app
                    .as_deref()
                    .is_some_and(|c| c.value.oauth_config.is_none())),
            index: access_cx.index,
            standard: &config.standard,
            // Only strategies that generate metadata get policies (and their access steps).
            // (and only those whose policies can name the access set).
            eca_name: eca_name.filter(|_| {
                decision.strategy.eca_scope().is_some_and(|scope| {
                    app.connected_app
                        .as_deref()
                        .is_some_and(|c| eca::has_access_set(&c.value, scope))
                })
            }),
            run_as,
            // Every app the button migrates keeps its run-as user and what that user holds
            // (its licence, its profile): a group given to it mid-migration would change its
            // access, and its licence may not even allow the group's base permission set.
            run_as_kept: decision.strategy == Strategy::Automated,
            shared: access_cx
                .shared
                .get(app.api_name.as_str())
                .cloned()
                .unwrap_or_default(),
        },
    )
}

/// `[plan] start`, else the Monday after the as-of date, else 2027-01-04 (a fixed date keeps
/// outputs reproducible when nothing dates the inputs).
fn start_day(input: &PlanInput<'_>) -> Day {
    if let Some(d) = input.config.plan.start.as_deref().and_then(Day::parse) {
        return d;
    }
    match input.org.as_of_day {
        Some(d) => d.next_monday(),
        None => Day::from_ymd(2027, 1, 4),
    }
}

/// Days after which a plan's usage lists are too old to trust without new exports.
const LONG_PLAN_DAYS: i64 = 365;

/// A plan that runs over a year acts on usage lists that age by the time its last waves run:
/// wave 0 says so, with the settings that shorten it.
fn long_plan_task(waves: &mut [Wave], plan: &crate::config::PlanConfig) {
    let (Some(first), Some(last)) = (waves.first(), waves.last()) else {
        return;
    };
    let (Some(start), Some(end)) = (Day::parse(&first.start), Day::parse(&last.end)) else {
        return;
    };
    let days = end.days_since(start);
    if days <= LONG_PLAN_DAYS {
        return;
    }
    let task = format!(
        "the plan runs {} waves over {} months, until {}: the users each wave assigns come from today's exports, so export LoginHistory, OauthToken and User again and re-run ecaplan before each wave; to shorten it, raise [plan] max_apps_per_wave ({}) or shorten wave_length_days ({}) in ecaplan.toml, or retire unused apps first",
        waves.len(),
        days / 30,
        last.end,
        plan.max_apps_per_wave,
        plan.wave_length_days
    );
    waves[0].tasks.push(task);
}

fn org_tasks(input: &PlanInput<'_>, apps: &[AppPlan]) -> Vec<String> {
    let mut t = vec![
        "enable 'Opt in to External Client Apps' and give the migration team 'Create, edit, and delete External Client Apps' (new ECAs, the Migrate button), 'View all External Client Apps, view their settings, and edit their policies' (the policy deploys) and 'Modify Metadata Through Metadata API Functions' or 'Modify All Data' (any deploy)".to_string(),
        "for each window that deploys or retrieves ECA OAuth settings (the 2-create and 3-global manifests, their rollback snapshots and their rollback deletes, which remove those settings), switch on the org setting 'Allow Access to OAuth Consumer Secrets via Metadata API' and give the deploying user 'View External Client Apps Consumer Secrets in Metadata' (without both, those deploys and retrieves fail), then switch the setting off again: Salesforce recommends keeping it off".to_string(),
        "agree the integration standard in ecaplan.toml (owners, criticality, allowed scopes)".to_string(),
    ];
    for f in input
        .findings
        .iter()
        .filter(|f| f.rule == ids::SHARED_INTEGRATION_USER && f.accepted.is_none())
        // An app the Migrate button migrates keeps its run-as user (params::run_as_kept): its
        // dedicated user is a later change, not a task before the first deploy.
        .filter(|f| {
            let plan = apps
                .iter()
                .find(|a| f.app.as_deref() == Some(a.api_name.as_str()));
            plan.is_none_or(|a| a.decision.strategy != Strategy::Automated)
        })
    {
        if let Some(crate::rules::Evidence::Graph { path }) = f.evidence.first() {
            let task = format!(
                "create dedicated integration users for the apps sharing {}",
                path.get(2).map_or("a run-as user", |s| s.as_str())
            );
            if !t.contains(&task) {
                t.push(task);
            }
        }
    }
    if input
        .findings
        .iter()
        .any(|f| f.rule == ids::UNINSTALLED_APP_IN_USE)
    {
        t.push("apps used without being installed: install the known vendor apps (install-and-harden); investigate and block the unknown ones (investigate-and-block) — never install an app nobody can name".into());
    }
    t
}

#[cfg(test)]
mod props {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::rules::support::testing::{connected_app, inventory};

    /// A random org: apps with random flows and run-as users drawn from a small pool (so
    /// some share one and are coupled), the whole pipeline from metadata to waves.
    fn org(specs: &[(u8, u8, bool)]) -> Inventory {
        let files: Vec<_> = specs
            .iter()
            .enumerate()
            .map(|(i, (user, scope, pkce))| {
                let run_as = if *user < 4 {
                    format!("<isClientCredentialEnabled>true</isClientCredentialEnabled><oauthClientCredentialUser>int{user}@x.com</oauthClientCredentialUser>")
                } else {
                    String::new()
                };
                let scope = ["Api", "Full", "RefreshToken", "Web"][*scope as usize % 4];
                connected_app(
                    &format!("App_{i:02}"),
                    &format!("<oauthConfig><callbackUrl>https://x/{i}</callbackUrl>{run_as}<isPkceRequired>{pkce}</isPkceRequired><scopes>{scope}</scopes></oauthConfig>"),
                )
            })
            .collect();
        inventory(&files)
    }

    proptest::proptest! {
        #[test]
        fn generated_orgs_plan_every_app_once_and_never_split_coupled_apps(
            specs in proptest::collection::vec((0u8..8, 0u8..4, proptest::bool::ANY), 1..25),
            max in 1usize..6,
        ) {
            let org = Org::of_inventory(org(&specs));
            let inv = &org.inventory;
            let g = crate::graph::build(inv, &[]);
            let mut config = Config::default();
            config.plan.max_apps_per_wave = max;
            let cx = crate::rules::Context { org: &org, graph: &g, config: &config };
            let findings = crate::rules::run(&cx);
            let groups = crate::graph::analysis::coupled_groups(&g);
            let plan = plan(&PlanInput { org: &org, findings: &findings, groups: &groups, config: &config });
            proptest::prop_assert_eq!(plan.apps.len(), inv.apps.len());
            let mut count: BTreeMap<&str, usize> = BTreeMap::new();
            for w in &plan.waves {
                for a in &w.apps {
                    *count.entry(a.as_str()).or_default() += 1;
                }
            }
            proptest::prop_assert_eq!(count.len(), inv.apps.len());
            proptest::prop_assert!(count.values().all(|&n| n == 1));
            for g in &groups {
                let waves: BTreeSet<usize> = plan.apps.iter().filter(|a| g.apps.contains(&a.api_name)).map(|a| a.wave).collect();
                let untangled = plan.waves[0].tasks.iter().any(|t| t.contains("untangle") && g.apps.iter().all(|a| t.contains(a.as_str())));
                proptest::prop_assert!(waves.len() == 1 || untangled, "group {:?} split over {:?}", g.apps, waves);
            }
        }
    }
}

#[cfg(test)]
mod long_plan {
    use super::*;
    use crate::plan::waves::WaveKind;

    fn wave(number: usize, start: &str, end: &str) -> Wave {
        Wave {
            number,
            kind: WaveKind::Migrate,
            name: String::new(),
            start: start.into(),
            end: end.into(),
            apps: Vec::new(),
            tasks: Vec::new(),
        }
    }

    #[test]
    fn a_plan_over_a_year_tells_wave_0_to_refresh_the_exports() {
        let config = crate::config::PlanConfig::default();
        let mut short = vec![
            wave(0, "2026-12-07", "2026-12-20"),
            wave(1, "2026-12-21", "2027-11-30"),
        ];
        long_plan_task(&mut short, &config);
        assert!(short[0].tasks.is_empty());
        let mut long = vec![
            wave(0, "2026-12-07", "2026-12-20"),
            wave(1, "2026-12-21", "2028-01-10"),
        ];
        long_plan_task(&mut long, &config);
        assert_eq!(long[0].tasks.len(), 1);
        assert!(
            long[0].tasks[0].contains("until 2028-01-10"),
            "{:?}",
            long[0].tasks
        );
        assert!(long[0].tasks[0].contains("re-run ecaplan before each wave"));
    }
}
