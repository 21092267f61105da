//! Waves (DESIGN §6): wave 0 prepares the org, a pilot of low-risk automated moves, migration
//! waves sized by `max_apps_per_wave` with coupled groups kept together (or untangled in wave
//! 0 when too large to move at once), parallel runs for side-by-side apps, and a final wave
//! that retires and decommissions. Unused apps with a dangerous setting (Full scope,
//! self-authorization, relaxed IP restrictions) are blocked in wave 0 instead of waiting for
//! the last wave. No wave overlaps a freeze window (`[[blackout]]`): it moves after it. Every
//! app is in exactly one wave.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::strategy::Strategy;
use crate::config::{Blackout, PlanConfig};
use crate::graph::analysis::CoupledGroup;
use crate::time::Day;

/// What a wave is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WaveKind {
    /// Wave 0: prepare the org; vendor, unknown and dangerous unused apps are handled here.
    Prepare,
    /// Low-risk automated migrations that prove the process.
    Pilot,
    /// Migration waves.
    Migrate,
    /// The final wave: retire and decommission.
    Decommission,
}

impl WaveKind {
    /// The lower-case name (`plan.json`).
    pub fn as_str(self) -> &'static str {
        match self {
            WaveKind::Prepare => "prepare",
            WaveKind::Pilot => "pilot",
            WaveKind::Migrate => "migrate",
            WaveKind::Decommission => "decommission",
        }
    }
}

impl From<WaveKind> for String {
    fn from(k: WaveKind) -> String {
        k.as_str().to_string()
    }
}

/// One wave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wave {
    /// 0-based number.
    pub number: usize,
    /// What the wave is for.
    pub kind: WaveKind,
    /// Human name.
    pub name: String,
    /// First day (`YYYY-MM-DD`).
    pub start: String,
    /// Last day, including parallel runs of its side-by-side apps.
    pub end: String,
    /// Apps in this wave (API names).
    pub apps: Vec<String>,
    /// Org-level tasks of the wave (wave 0 and the final wave).
    pub tasks: Vec<String>,
}

/// How a wave's task says it was moved past a freeze window (reports list these tasks).
pub const FROZEN_TASK: &str = "moved after the freeze window";

/// What the wave planner needs to know about an app.
#[derive(Debug, Clone)]
pub struct Unit {
    /// API name.
    pub app: String,
    /// Strategy.
    pub strategy: Strategy,
    /// Critical per config.
    pub critical: bool,
    /// Open findings of severity high or worse.
    pub risky: bool,
    /// A retired app with a dangerous setting (see `runbook::blocks_early`): blocked in wave 0.
    pub block_early: bool,
    /// Something signs in through it (OAuth or SAML), so a pilot can prove the migration.
    pub signs_in: bool,
}

/// Plan the waves. `groups` are the coupled groups of the graph.
pub fn plan_waves(
    units: &[Unit],
    groups: &[CoupledGroup],
    cfg: &PlanConfig,
    start_day: Day,
    org_tasks: Vec<String>,
    blackouts: &[Blackout],
) -> Vec<Wave> {
    let (wave0_apps, final_apps) = fixed_apps(units);
    let mut tasks0 = org_tasks;
    tasks0.extend(block_early_task(units));
    let (movable, untangle) = movable(units, groups, cfg);
    tasks0.extend(untangle);
    let (pilot, movable) = pilot(movable, cfg);
    let mut cal = Calendar::new(cfg, start_day, blackouts);
    cal.push(
        WaveKind::Prepare,
        "Wave 0 — prepare the org".into(),
        sorted(wave0_apps),
        tasks0,
        0,
    );
    if !pilot.is_empty() {
        cal.push(
            WaveKind::Pilot,
            "Pilot — low-risk automated migrations".into(),
            sorted(pilot),
            Vec::new(),
            0,
        );
    }
    let parallel = i64::from(cfg.parallel_run_days);
    for batch in batches(movable, cfg.max_apps_per_wave.max(1)) {
        let extra = if batch.iter().any(|u| u.strategy == Strategy::SideBySide) {
            parallel
        } else {
            0
        };
        let name = format!("Wave {} — migrate", cal.waves.len());
        let apps = sorted(batch.iter().map(|u| u.app.clone()).collect());
        cal.push(WaveKind::Migrate, name, apps, Vec::new(), extra);
    }
    let final_tasks = vec![
        "block the connected apps of the side-by-side and big-bang apps whose ECA passed its decommission criteria (never the read-only connected apps the button migrated: they need no action) (Setup → Connected Apps OAuth Usage → Block), then revoke their tokens; never delete one: since Spring '26 a connected app cannot be created again without Salesforce Support, so a deleted one has no way back".to_string(),
        "block the retired apps, then revoke their refresh tokens (block first, so nobody re-authorizes in between)".to_string(),
        "block the username-password and user-agent flows org-wide once no app uses them (OauthOidc settings)".to_string(),
    ];
    cal.push(
        WaveKind::Decommission,
        "Final wave — retire and decommission".into(),
        sorted(final_apps),
        final_tasks,
        0,
    );
    cal.waves
}

/// The apps whose wave their strategy fixes: wave 0 (vendor, unknown, first-party and
/// dangerous unused apps) and the final wave (retired and already migrated apps).
fn fixed_apps(units: &[Unit]) -> (Vec<String>, Vec<String>) {
    let mut wave0_apps = Vec::new();
    let mut final_apps = Vec::new();
    for u in units {
        match u.strategy {
            // Unknown apps are blocked at once, in wave 0.
            Strategy::SalesforceManaged
            | Strategy::InstallAndHarden
            | Strategy::InvestigateAndBlock => wave0_apps.push(u.app.clone()),
            // Leaving a dangerous unused app open until the last wave keeps the risk for the
            // whole migration; blocking it costs nothing since nobody uses it.
            Strategy::Retire if u.block_early => wave0_apps.push(u.app.clone()),
            Strategy::Retire | Strategy::AlreadyMigrated => final_apps.push(u.app.clone()),
            Strategy::Automated | Strategy::SideBySide | Strategy::BigBang => {}
        }
    }
    (wave0_apps, final_apps)
}

/// Wave 0's task that blocks the unused apps with dangerous settings, if there are any.
fn block_early_task(units: &[Unit]) -> Option<String> {
    let early: Vec<String> = sorted(
        units
            .iter()
            .filter(|u| u.strategy == Strategy::Retire && u.block_early)
            .map(|u| u.app.clone())
            .collect(),
    );
    (!early.is_empty()).then(|| format!(
        "block the unused apps with dangerous settings now, then revoke their tokens (block first, so nobody re-authorizes in between): {}",
        early.join(", ")
    ))
}

/// The migrating apps in the units that move together: a coupled group's migrating members
/// as one, the rest alone; a group too big for one wave is untangled in wave 0 (the task)
/// and its apps move alone.
fn movable<'a>(
    units: &'a [Unit],
    groups: &[CoupledGroup],
    cfg: &PlanConfig,
) -> (Vec<Vec<&'a Unit>>, Vec<String>) {
    let by_app: BTreeMap<&str, &Unit> = units.iter().map(|u| (u.app.as_str(), u)).collect();
    let mut in_group = BTreeSet::new();
    let mut untangle = Vec::new();
    let mut movable: Vec<Vec<&Unit>> = Vec::new();
    for g in groups {
        let members: Vec<&Unit> = g
            .apps
            .iter()
            .filter_map(|a| by_app.get(a.as_str()).copied())
            .filter(|u| u.strategy.generates())
            .collect();
        if members.len() < 2 {
            continue;
        }
        in_group.extend(members.iter().map(|u| u.app.clone()));
        if members.len() > cfg.max_apps_per_wave.max(1) {
            untangle.push(format!(
                "untangle the coupled group {} (shared: {}): a dedicated integration user, certificate and permission set per app",
                g.apps.join(", "),
                g.shared.join(", ")
            ));
            movable.extend(members.into_iter().map(|u| vec![u]));
        } else {
            movable.push(members);
        }
    }
    movable.extend(
        units
            .iter()
            .filter(|u| u.strategy.generates() && !in_group.contains(&u.app))
            .map(|u| vec![u]),
    );
    movable.sort_by_key(|m| sort_key(m));
    (movable, untangle)
}

/// The pilot: up to `pilot_size` single, low-risk automated apps that sign in, taken from
/// the sorted movable units (the rest is returned).
fn pilot<'a>(
    mut movable: Vec<Vec<&'a Unit>>,
    cfg: &PlanConfig,
) -> (Vec<String>, Vec<Vec<&'a Unit>>) {
    let mut pilot = Vec::new();
    movable.retain(|m| {
        let ok = pilot.len() < cfg.pilot_size
            && m.len() == 1
            && m[0].strategy == Strategy::Automated
            && !m[0].critical
            && !m[0].risky
            && m[0].signs_in;
        if ok {
            pilot.push(m[0].app.clone());
        }
        !ok
    });
    (pilot, movable)
}

/// The movable units packed into migration waves of at most `max` apps, in order.
fn batches(movable: Vec<Vec<&Unit>>, max: usize) -> Vec<Vec<&Unit>> {
    let mut out = Vec::new();
    let mut current: Vec<&Unit> = Vec::new();
    for m in movable {
        if current.len() + m.len() > max && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        current.extend(m);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The waves with their dates, added one after another.
struct Calendar<'a> {
    waves: Vec<Wave>,
    start_day: Day,
    /// Days per wave.
    len: i64,
    /// Freeze windows (first day, last day, reason), sorted.
    freeze: Vec<(Day, Day, &'a str)>,
}

impl<'a> Calendar<'a> {
    fn new(cfg: &PlanConfig, start_day: Day, blackouts: &'a [Blackout]) -> Calendar<'a> {
        // Windows that protect some apps only do not move waves (plan/freeze.rs).
        let mut freeze: Vec<(Day, Day, &str)> = blackouts
            .iter()
            .filter(|b| b.apps.is_empty())
            .filter_map(|b| b.days().map(|(f, t)| (f, t, b.reason.as_str())))
            .collect();
        freeze.sort();
        Calendar {
            waves: Vec::new(),
            start_day,
            len: i64::from(cfg.wave_length_days.max(1)),
            freeze,
        }
    }

    /// Add the next wave, `extra` days longer than a wave (parallel runs).
    fn push(
        &mut self,
        kind: WaveKind,
        name: String,
        apps: Vec<String>,
        mut tasks: Vec<String>,
        extra: i64,
    ) {
        let len = self.len;
        // Back to back: a wave starts one wave length after the previous one started (a
        // blackout that moved the previous wave moves the following ones too).
        let day = self
            .waves
            .last()
            .and_then(|w| Day::parse(&w.start))
            .map_or(self.start_day, |d| d.plus(len));
        // Decommissioning starts only after the last parallel run has ended.
        let day = match kind {
            WaveKind::Decommission => self
                .waves
                .iter()
                .filter_map(|w| Day::parse(&w.end))
                .map(|e| e.plus(1))
                .fold(day, Day::max),
            WaveKind::Prepare | WaveKind::Pilot | WaveKind::Migrate => day,
        };
        let (day, moved) = after_blackouts(day, len + extra, &self.freeze);
        for (from, to, reason) in moved {
            tasks.push(format!("{FROZEN_TASK} {from} – {to} ({reason})"));
        }
        self.waves.push(Wave {
            number: self.waves.len(),
            kind,
            name,
            start: day.to_string(),
            end: day.plus(len + extra - 1).to_string(),
            apps,
            tasks,
        });
    }
}

/// The first day from `day` on where a span of `days` days overlaps no freeze window, and the
/// windows it had to move past. `freeze` is sorted by start.
fn after_blackouts<'a>(
    mut day: Day,
    days: i64,
    freeze: &[(Day, Day, &'a str)],
) -> (Day, Vec<(Day, Day, &'a str)>) {
    let mut moved = Vec::new();
    // Each move jumps past one window's end, so this ends after at most `freeze.len()` moves.
    while let Some(&w) = freeze
        .iter()
        .find(|(from, to, _)| day <= *to && *from < day.plus(days))
    {
        day = w.1.plus(1);
        moved.push(w);
    }
    (day, moved)
}

/// Simple, safe moves first; critical and side-by-side last.
fn sort_key(m: &[&Unit]) -> (u8, bool, String) {
    let rank = m
        .iter()
        .map(|u| match u.strategy {
            Strategy::Automated => 0,
            Strategy::BigBang => 1,
            _ => 2,
        })
        .max()
        .unwrap_or(0);
    (
        rank,
        m.iter().any(|u| u.critical),
        m.first()
            .map(|u| u.app.to_ascii_lowercase())
            .unwrap_or_default(),
    )
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort_by_key(|a| a.to_ascii_lowercase());
    v
}

#[cfg(test)]
mod tests;
