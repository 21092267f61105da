//! The status of one planned app from the usage placed on its paths, whether its connected app
//! can be decommissioned, and the tokens left to revoke.

use std::collections::{BTreeMap, BTreeSet};

use super::attribute::{How, Tracks};
use super::plan_file::PlannedApp;
use super::{AppCheck, Decommission, LeftToken, PathUse, Status, VerifyInput};
use crate::model::usage::AppUsage;
use crate::plan::Strategy;
use crate::time::{Day, Ts};

/// How a shared label's use after the cutover date is attributed (to the ECA).
const SHARED_AFTER: &str = "shared label, from the cutover date (the ECA is among the inputs)";

/// How many users the evidence names before "and N more".
const USERS_LISTED: usize = 10;

/// Use of one path, summed over its usage entries.
#[derive(Debug, Default)]
struct Agg {
    /// User → last seen.
    users: BTreeMap<String, Ts>,
    first: Option<Ts>,
    last: Option<Ts>,
    logins: u64,
    api: u64,
    how: BTreeSet<&'static str>,
}

impl Agg {
    /// Add an entry; with `since`, only what it shows on or after that instant (a label both
    /// paths carry, counted for the ECA from its cutover on).
    fn add(&mut self, u: &AppUsage, how: &'static str, since: Option<Ts>) {
        let after = |t: Ts| since.is_none_or(|s| t >= s);
        let tokens = u.tokens.iter().filter_map(|(n, t)| Some((n, t.last_used?)));
        for (user, at) in u
            .logins
            .users
            .last_seen()
            .chain(u.api.users.last_seen())
            .chain(tokens)
        {
            if after(at) {
                let e = self.users.entry(user.clone()).or_insert(at);
                *e = (*e).max(at);
            }
        }
        let last = [u.logins.last_seen, u.api.last_seen]
            .into_iter()
            .chain(u.tokens.values().map(|t| t.last_used))
            .flatten()
            .max();
        let Some(last) = last.filter(|l| after(*l)) else {
            return;
        };
        let first = [u.logins.first_seen, u.api.first_seen]
            .into_iter()
            .chain(u.tokens.values().map(|t| t.first_granted.or(t.last_used)))
            .flatten()
            .min()
            .map(|f| since.map_or(f, |s| f.max(s)));
        self.last = self.last.max(Some(last));
        self.first = match (self.first, first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.logins += u.logins.logins;
        self.api += u.api.calls;
        self.how.insert(how);
    }

    fn users_since(&self, from: Ts) -> Vec<String> {
        self.users
            .iter()
            .filter(|(_, at)| **at >= from)
            .map(|(u, _)| u.clone())
            .collect()
    }

    fn used_since(&self, from: Ts) -> bool {
        self.last.is_some_and(|l| l >= from)
    }

    fn summary(&self, cut: Ts) -> PathUse {
        PathUse {
            last_use: self.last.map(|t| Day::of(t).to_string()),
            logins: self.logins,
            api_calls: self.api,
            users_since_cutover: self.users_since(cut).len(),
            attributed_by: self.how.iter().map(|s| s.to_string()).collect(),
        }
    }
}

fn how(h: How) -> &'static str {
    h.as_str()
}

/// The day an app's check counts from, and where it comes from.
fn cutover(input: &VerifyInput<'_>, app: &PlannedApp) -> (Day, String) {
    if let Some(d) = input.cutovers.get(&app.api_name) {
        return (*d, "--cutover".into());
    }
    if app.strategy == Strategy::AlreadyMigrated {
        if let Some(d) = input.plan.as_of_day() {
            return (d, "the plan's as-of date (the ECA was live already)".into());
        }
    }
    let wave = input.plan.wave(app.wave);
    let day = wave.map(|w| w.start_day()).unwrap_or_default();
    (day, format!("wave {} start", app.wave))
}

fn eca_in_inputs(input: &VerifyInput<'_>, app: &PlannedApp) -> bool {
    let name = app.eca_name.as_deref().unwrap_or(&app.api_name);
    input
        .org
        .inventory
        .apps
        .iter()
        .any(|a| a.api_name.eq_ignore_ascii_case(name) && a.eca.is_some())
}

fn listed(users: &[String]) -> String {
    let mut s = users
        .iter()
        .take(USERS_LISTED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if users.len() > USERS_LISTED {
        s.push_str(&format!(" and {} more", users.len() - USERS_LISTED));
    }
    s
}

/// The check of one planned app.
pub(super) fn check(
    input: &VerifyInput<'_>,
    app: &PlannedApp,
    tracks: &Tracks<'_>,
    as_of: Option<Day>,
) -> AppCheck {
    let (cut, cut_source) = cutover(input, app);
    let eca_present = eca_in_inputs(input, app);
    let mut c = AppCheck {
        api_name: app.api_name.clone(),
        label: app.label.clone(),
        strategy: app.strategy,
        wave: app.wave,
        cutover: cut.to_string(),
        cutover_source: cut_source.clone(),
        eca_name: app.eca_name.clone(),
        eca_label: app.eca_label.clone(),
        eca_in_inputs: eca_present,
        status: Status::Kept,
        by_shared_label: false,
        overdue: false,
        old_path: PathUse::default(),
        new_path: PathUse::default(),
        still_on_old_path: Vec::new(),
        decommission: None,
        evidence: vec![format!("counted from {cut} ({cut_source})")],
    };
    for (u, others) in &tracks.unplaced {
        let last = [u.logins.last_seen, u.api.last_seen]
            .into_iter()
            .flatten()
            .max()
            .map_or_else(
                || "undated".to_string(),
                |t| format!("last on {}", Day::of(t)),
            );
        c.evidence.push(format!(
            "{} login(s) under the label {:?} ({last}) could be this app or {}: counted for neither",
            u.logins.logins,
            u.display(),
            others.join(", ")
        ));
    }
    let wave_end = input.plan.wave(app.wave).map(|w| w.end_day());
    let past_wave = as_of.zip(wave_end).is_some_and(|(a, e)| a > e);
    match app.strategy {
        Strategy::Automated
        | Strategy::SideBySide
        | Strategy::BigBang
        | Strategy::AlreadyMigrated => {
            migrating(input, tracks, cut, eca_present, as_of, &mut c);
            c.overdue = past_wave
                && matches!(
                    c.status,
                    Status::StillOnConnectedApp | Status::NotYetSeen | Status::BothInUse
                );
        }
        Strategy::Retire | Strategy::InvestigateAndBlock => {
            retiring(input, tracks, cut, as_of, &mut c);
            c.overdue = past_wave && c.status == Status::RetiredButUsed;
        }
        Strategy::InstallAndHarden | Strategy::SalesforceManaged => {
            let mut old = Agg::default();
            for (u, h) in tracks.old.iter().chain(&tracks.shared).chain(&tracks.new) {
                old.add(u, how(*h), None);
            }
            c.old_path = old.summary(cut.start());
            c.evidence.push(format!(
                "the plan keeps it as a connected app ({})",
                app.strategy.as_str()
            ));
        }
    }
    c
}

fn migrating(
    input: &VerifyInput<'_>,
    tracks: &Tracks<'_>,
    cut: Day,
    eca_present: bool,
    as_of: Option<Day>,
    c: &mut AppCheck,
) {
    let cut_ts = cut.start();
    let (mut old, mut new) = (Agg::default(), Agg::default());
    for (u, h) in &tracks.old {
        old.add(u, how(*h), None);
    }
    for (u, h) in &tracks.new {
        new.add(u, how(*h), None);
    }
    let mut shared_before = None;
    for (u, _) in &tracks.shared {
        // A button migration keeps label and consumer key: once the ECA exists, what the
        // label shows from the cutover date on is the ECA's; without it, all is the old app's.
        if eca_present {
            new.add(u, SHARED_AFTER, Some(cut_ts));
            let first = [u.logins.first_seen, u.api.first_seen]
                .into_iter()
                .flatten()
                .min();
            shared_before = shared_before.or(first.filter(|f| *f < cut_ts));
        } else {
            old.add(u, "shared label (the ECA is not among the inputs)", None);
        }
    }
    let new_seen = new.last.is_some();
    c.by_shared_label = new_seen && new.how.iter().all(|h| *h == SHARED_AFTER);
    // Nobody can have moved before the ECA's first use: old use until then is expected.
    let from = if new_seen {
        cut_ts.max(new.first.unwrap_or(cut_ts))
    } else {
        cut_ts
    };
    let still = old.users_since(from);
    let old_since = old.used_since(from);
    c.status = match (new_seen, old_since) {
        (true, true) => Status::BothInUse,
        (true, false) => Status::Moved,
        (false, true) => Status::StillOnConnectedApp,
        (false, false) => Status::NotYetSeen,
    };
    c.old_path = old.summary(cut_ts);
    c.new_path = new.summary(cut_ts);
    migrating_evidence(c, &new, &old, Day::of(from), eca_present, &still);
    if let Some(f) = shared_before {
        c.evidence.push(format!(
            "the shared label was used from {} to before {cut}: the connected app's use before the cutover",
            Day::of(f)
        ));
    }
    if c.by_shared_label {
        c.evidence.push(format!(
            "unconfirmed: the ECA and the connected app share the label, so its use is counted for the ECA only from {cut} ({}); give the day the button was pressed with --cutover, or export OauthToken with AppMenuItemId or Event Monitoring with CONNECTED_APP_ID to tell them apart",
            c.cutover_source
        ));
    }
    c.still_on_old_path = still;
    if c.strategy == Strategy::Automated {
        // The button leaves the connected app read-only; deleting the ECA reactivates it.
        c.evidence.push("nothing to decommission: the migration leaves the connected app read-only; never delete it (deleting the ECA would reactivate it)".into());
        return;
    }
    c.decommission = Some(match c.status {
        Status::Moved => quiet(input, &old, Day::of(from), as_of, KEEP_BLOCKED),
        Status::BothInUse => not_ready(format!(
            "{} user(s) still use the connected app since {}",
            c.still_on_old_path.len(),
            Day::of(from)
        )),
        Status::StillOnConnectedApp => not_ready("its use has not moved to the ECA".into()),
        _ => not_ready("no use through the ECA seen yet: confirm the move first".into()),
    });
}

fn migrating_evidence(
    c: &mut AppCheck,
    new: &Agg,
    old: &Agg,
    from: Day,
    eca: bool,
    still: &[String],
) {
    let eca_name = c.eca_name.clone().unwrap_or_else(|| c.api_name.clone());
    let label = c
        .eca_label
        .clone()
        .or_else(|| c.label.clone())
        .unwrap_or_else(|| c.api_name.clone());
    match new.last {
        Some(l) if c.by_shared_label => c.evidence.push(format!(
            "the label {label:?} was used on or after the cutover date, last on {}",
            Day::of(l)
        )),
        Some(l) => c.evidence.push(format!(
            "the ECA {eca_name} ({label:?}) was last used on {}; first seen {}",
            Day::of(l),
            new.first
                .map_or_else(|| "?".into(), |f| Day::of(f).to_string())
        )),
        None => c.evidence.push(format!(
            "no use through the ECA {eca_name} ({label:?}) in the exports"
        )),
    }
    if !eca {
        c.evidence.push(format!(
            "the ECA {eca_name} is not among the inputs (retrieve ExternalClientApplication to show it exists)"
        ));
    }
    match (old.last, still.is_empty()) {
        (None, _) => c
            .evidence
            .push("no use through the connected app in the exports".into()),
        (Some(l), true) => c.evidence.push(format!(
            "the connected app was last used on {} (before {from})",
            Day::of(l)
        )),
        (Some(l), false) => c.evidence.push(format!(
            "the connected app was used since {from} (last on {}) by {}",
            Day::of(l),
            listed(still)
        )),
    }
}

fn retiring(
    input: &VerifyInput<'_>,
    tracks: &Tracks<'_>,
    cut: Day,
    as_of: Option<Day>,
    c: &mut AppCheck,
) {
    let mut all = Agg::default();
    for (u, h) in tracks.old.iter().chain(&tracks.shared).chain(&tracks.new) {
        all.add(u, how(*h), None);
    }
    c.old_path = all.summary(cut.start());
    if as_of.is_none_or(|a| a < cut) {
        c.status = Status::Pending;
        c.evidence.push(format!(
            "the exports end on {}, before its date",
            as_of.map_or_else(|| "an unknown day".into(), |d| d.to_string())
        ));
        return;
    }
    let users = all.users_since(cut.start());
    if all.used_since(cut.start()) {
        c.status = Status::RetiredButUsed;
        let last = all.last.map(Day::of).unwrap_or(cut);
        c.evidence.push(format!(
            "used since {cut}: last on {last}, by {}",
            listed(&users)
        ));
        c.decommission = Some(not_ready(format!(
            "still used on {last}: find who before blocking"
        )));
        c.still_on_old_path = users;
    } else {
        c.status = Status::Retired;
        c.evidence.push(match all.last {
            Some(l) => format!("last used on {} (before {cut})", Day::of(l)),
            None => "no use in the exports".into(),
        });
        if c.strategy == Strategy::InvestigateAndBlock {
            // Used without being installed: there is no local app to delete.
            c.evidence.push("nothing to delete: an app used without being installed stays blocked (Connected Apps OAuth Usage → Block)".into());
            return;
        }
        let mut d = quiet(
            input,
            &all,
            cut,
            as_of,
            "block it and revoke its tokens if not done, then delete it (its runbook's last step)",
        );
        if d.ready {
            d.reason.push_str("; the runbook also asks that no support ticket named it during the block (not in the exports)");
        }
        c.decommission = Some(d);
    }
}

fn not_ready(reason: String) -> Decommission {
    Decommission {
        ready: false,
        reason,
    }
}

/// What a cutover's connected app gets once quiet: blocked, never deleted.
const KEEP_BLOCKED: &str = "block it (Connected Apps OAuth Usage → Block), then revoke its tokens; never delete it: a deleted connected app cannot be re-created without Salesforce Support";

/// Ready once the connected app has been unused for the quiet period the exports cover;
/// `then`: what to do with it.
fn quiet(
    input: &VerifyInput<'_>,
    old: &Agg,
    from: Day,
    as_of: Option<Day>,
    then: &str,
) -> Decommission {
    let Some((window_from, _)) = input.org.join.login_window else {
        // JWT bearer and client credentials leave no OauthToken row: without logins, quiet
        // proves nothing.
        return not_ready("cannot judge: no login export (LoginHistory, LoginEvent or ELF Login) among the inputs".into());
    };
    let mut since = from.max(old.last.map_or(from, |l| Day::of(l).plus(1)));
    let window_from = Some(Day::of(window_from));
    if let Some(w) = window_from.filter(|w| *w > since) {
        // The exports start later: the quiet days before them were not seen.
        since = w;
    }
    let days = i64::from(input.quiet_days);
    let ready_on = since.plus(days);
    match as_of {
        Some(a) if a >= ready_on => Decommission {
            ready: true,
            reason: format!(
                "no use of the connected app from {since} to {a} ({} days; the runbook asks {days}): {then}",
                a.days_since(since)
            ),
        },
        _ => not_ready(format!(
            "unused since {since}; the {days} quiet days end on {ready_on}: verify again with exports from then"
        )),
    }
}

/// Refresh tokens the connected apps of the plan still hold and should lose.
pub(super) fn tokens_to_revoke(
    input: &VerifyInput<'_>,
    tracks: &[Tracks<'_>],
    apps: &[AppCheck],
    as_of: Option<Day>,
) -> Vec<LeftToken> {
    let dormant = as_of.map(|a| a.plus(-i64::from(input.dormant_days)).start());
    let mut out = Vec::new();
    for (t, c) in tracks.iter().zip(apps) {
        let retiring = matches!(c.strategy, Strategy::Retire | Strategy::InvestigateAndBlock);
        let migrating = c.decommission.is_some() && !retiring;
        // A shared label's tokens may be the ECA's once it exists (the button keeps the key).
        let shared = if c.eca_in_inputs {
            &[][..]
        } else {
            &t.shared[..]
        };
        for (u, _) in t.old.iter().chain(shared) {
            for (user, tok) in &u.tokens {
                let last = tok.last_used.map(|l| Day::of(l).to_string());
                let reason = if retiring && c.status != Status::Pending {
                    "the app is retired or blocked".to_string()
                } else if migrating && c.status == Status::Moved {
                    "its use moved to the ECA: the connected app's token is left over".to_string()
                } else if dormant.is_some_and(|d| tok.last_used.is_none_or(|l| l < d)) {
                    format!("dormant: unused for more than {} days", input.dormant_days)
                } else {
                    continue;
                };
                out.push(LeftToken {
                    app: c.api_name.clone(),
                    user: user.clone(),
                    last_used: last,
                    reason,
                });
            }
        }
    }
    out
}

/// What limits the whole check: no login data, or data no newer than the plan's.
pub(super) fn coverage_notes(input: &VerifyInput<'_>, as_of: Option<Day>) -> Vec<String> {
    let mut notes = Vec::new();
    if input.org.join.login_window.is_none() {
        notes.push("no login export (LoginHistory, LoginEvent or ELF Login) among the inputs: statuses rest on tokens and API events only".into());
    }
    match (as_of, input.plan.as_of_day()) {
        (None, _) => notes.push("no as-of date (no usage data and no --as-of): nothing is dated after a cutover".into()),
        (Some(a), Some(p)) if a <= p => notes.push(format!(
            "the exports end on {a}, no later than the plan's data ({p}): export the usage again after the cutover"
        )),
        _ => {}
    }
    notes
}
