//! Access continuity (DESIGN §7 "Safe to execute", issue 12): who can use each app today and
//! who needs the new access before its policies change.
//!
//! Today's grants come from the connected app's `profileName` / `permissionSetName` and from
//! the SetupEntityAccess export (a profile shows there through its profile-owned permission
//! set). Today's users come from PermissionSetAssignment (holders of a granting permission
//! set) and from usage (logins, API calls, refresh tokens). The generated policies keep every
//! grant; when they switch a self-authorized app to admin-approved, the users seen using it
//! are assigned the app's `<ECA>_ECA_Access` permission set first (reference §4, "What this
//! means" items 10 and 11). Pure: the orchestration writes the assignment lists.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::eca::ACCESS_SET_SUFFIX;
use crate::config::Standard;
use crate::metadata::connected_app::ConnectedApp;
use crate::model::usage::AppUsage;
use crate::model::App;

/// `permittedUsersPolicyType` of an admin-approved app.
pub const ADMIN_APPROVED: &str = "AdminApprovedPreAuthorized";
/// `permittedUsersPolicyType` of a self-authorized app.
pub const SELF_AUTHORIZED: &str = "AllSelfAuthorized";

/// Folder (in the output, beside `eca/`, never deployed) of the assignment lists.
pub const ASSIGNMENT_DIR: &str = "access";

/// Users per `sf org assign permset` command: one command per user would be thousands of
/// commands in a large org, one for all would make a partial failure (exit 68) hard to redo.
const USERS_PER_COMMAND: usize = 20;

/// Is the connected app admin-approved today (`oauthConfig/isAdminApproved`)?
pub fn admin_approved_before(ca: &ConnectedApp) -> bool {
    ca.oauth_config
        .as_ref()
        .and_then(|o| o.is_admin_approved)
        .unwrap_or(false)
}

/// Is the ECA admin-approved after the generated policies deploy? The generator and the plan
/// both ask this one function, so the runbook and the files cannot disagree.
pub fn admin_approved_after(ca: &ConnectedApp, standard: &Standard) -> bool {
    admin_approved_before(ca) || standard.admin_approved_required
}

/// One grant (a profile or a permission set) and where it is known from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// Profile name, or permission set API name.
    pub name: String,
    /// `metadata` (the connected app file) and/or `SetupEntityAccess` (the export).
    pub sources: Vec<&'static str>,
}

/// A user of the app as far as the inputs show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessUser {
    /// Username, else the 18-character user id.
    pub user: String,
    /// Why the user counts (logins, API calls, refresh token, permission set). Mostly the
    /// same few words: borrowed, not allocated, for each of an app's thousands of users.
    pub evidence: Vec<Cow<'static, str>>,
}

/// The access of one app: today, after the plan, and the assignments in between.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccessPlan {
    /// `permittedUsersPolicyType` today (`null` without a connected app file).
    pub permitted_users_before: Option<&'static str>,
    /// `permittedUsersPolicyType` of the generated policies (`null` when none are generated).
    pub permitted_users_after: Option<&'static str>,
    /// Profiles that grant the app today.
    pub profiles: Vec<Grant>,
    /// Permission sets that grant the app today (API names).
    pub permission_sets: Vec<Grant>,
    /// The app's new 1:1 permission set, named in the generated policies.
    pub access_permission_set: Option<String>,
    /// The generated policies name every grant above besides the new permission set.
    pub grants_kept: bool,
    /// Users who hold a granting profile or permission set (PermissionSetAssignment, User).
    pub users_with_grant: Vec<String>,
    /// Active users seen using the app (usage), with the evidence.
    pub active_users: Vec<AccessUser>,
    /// The generated policies change who may use the app (self-authorized → admin-approved).
    pub changes: bool,
    /// Users to assign the access permission set before the policies deploy (usernames).
    pub assign: Vec<String>,
    /// The assignment list (CSV) in the output folder, when the access model changes.
    pub assignment_file: Option<String>,
    /// The exact `sf org assign permset` commands, in order.
    pub commands: Vec<String>,
    /// Users to assign known only by their id (no User export names them): the command takes
    /// usernames, so the runbook stops until a User export names them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unnamed: Vec<String>,
    /// Admin-approved today, users seen using it, yet no profile or permission set that grants
    /// it is known (none in its file, none in a SetupEntityAccess export): the generated
    /// policies would admit only the new access set's holders, so the runbook stops until the
    /// grants are exported.
    #[serde(skip_serializing_if = "is_false")]
    pub grants_unknown: bool,
    /// The user-listing exports the run lacks (what a STOP for nobody known asks for).
    #[serde(skip)]
    pub missing_exports: Vec<&'static str>,
    /// Users seen using the app whose User row says inactive: they get no assignment.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inactive_users: Vec<String>,
    /// The integration (run-as) user, when the app runs as one: it gets the permission set
    /// group pattern (base + functional + ECA access).
    pub integration_user: Option<String>,
    /// The access permission set is not generated: the runbook creates it by hand (the app
    /// is hardened in place, without an ECA).
    pub in_place: bool,
    /// What the lists could not tell (missing exports, inactive or unnamed users).
    pub notes: Vec<String>,
}

/// What [`access`] reads besides the app.
pub struct AccessInput<'a> {
    /// The app's usage (absent when nothing joined), inventory or usage-only app.
    pub usage: Option<&'a AppUsage>,
    /// Another inventory app has the same label (its ConnectedApplication row is not its own).
    pub look_alike: bool,
    /// The plan hardens the app in place (install and harden): Permitted Users become
    /// admin-approved by hand, with a permission set created for it.
    pub harden_in_place: bool,
    /// The installation tables (SetupEntityAccess, PermissionSetAssignment, User, …),
    /// indexed once for all apps.
    pub index: &'a TableIndex<'a>,
    /// The integration standard.
    pub standard: &'a Standard,
    /// The ECA name when the plan generates policies for the app.
    pub eca_name: Option<&'a str>,
    /// The generated files set Permitted Users: an OAuth or SAML policy file is generated (not
    /// for an app without OAuth that App Manager migrates: its access stays as the migration
    /// carries it, and no assignment is asked for).
    pub sets_permitted_users: bool,
    /// The run-as user of the target flow (client credentials), when the plan chose one.
    pub run_as: Option<&'a str>,
    /// The migration keeps today's run-as user (the Migrate button changes no identity,
    /// whatever a finding says of the user): no permission set group is given to it here; a
    /// move to a dedicated user is a later change of its own.
    pub run_as_kept: bool,
    /// Usage that could be this app's or another's (look-alike labels): its users are
    /// assigned too, as losing access costs more than one permission set too many.
    pub shared: Vec<&'a crate::model::usage::AppUsage>,
}

/// Who can use `app` today and who needs its new access.
pub fn access(app: &App, input: &AccessInput<'_>) -> AccessPlan {
    let ca = app.connected_app.as_deref().map(|s| &s.value);
    let mut plan = AccessPlan::default();
    let (profiles, sets, parent_ids) = grants(app, ca, input);
    plan.profiles = profiles;
    plan.permission_sets = sets;
    let granted = granted_users(input.index, &parent_ids, &plan.profiles);
    plan.users_with_grant = granted.iter().cloned().collect();
    let (active, inactive) = active_users(input, &input.index.users);
    plan.active_users = active;
    if !inactive.is_empty() {
        plan.notes.push(format!(
            "{} inactive user(s) hold tokens or logged in earlier; they get no assignment: {}",
            inactive.len(),
            first_of(&inactive, " in plan.json access.inactive_users")
        ));
    }
    plan.inactive_users = inactive;
    let before = ca.map(admin_approved_before);
    plan.permitted_users_before = before.map(permitted_users);
    let Some((set, after)) = access_after(app, ca, input, before) else {
        if !input.sets_permitted_users {
            // App Manager migrates it without OAuth policies of ours: its access stays as is.
            plan.permitted_users_after = plan.permitted_users_before;
            plan.grants_kept = true;
        }
        return plan;
    };
    plan.permitted_users_after = Some(permitted_users(after));
    plan.in_place = input.eca_name.is_none();
    plan.access_permission_set = Some(set.clone());
    plan.integration_user = integration_user(ca, input).filter(|_| !input.run_as_kept);
    plan.grants_kept = true;
    plan.changes = after && before != Some(true);
    if plan.changes {
        assignments(&mut plan, &granted, input, &set);
        if !app.facts().is_some_and(|f| f.oauth) {
            // The user-listing exports see OAuth only: nothing would list a SAML app's users.
            plan.missing_exports = vec![SAML_ONLY];
        }
    } else if before == Some(true) && plan.profiles.is_empty() && plan.permission_sets.is_empty() {
        unknown_grants(&mut plan, &set);
    } else if before == Some(true) {
        uncovered_note(&mut plan, &granted, input.index, &set);
    }
    plan
}

/// Admin-approved today with users, but no grant known: the policies, which name only the
/// grants ecaplan knows, would refuse all of them.
fn unknown_grants(plan: &mut AccessPlan, set: &str) {
    if plan.active_users.is_empty() {
        return;
    }
    plan.grants_unknown = true;
    plan.notes.push(format!(
        "admin-approved, and {} user(s) use it, but no profile or permission set that grants it is known (none in its connected app file, no SetupEntityAccess export): the generated policies name only {set} and would refuse them; export SetupEntityAccess and PermissionSetAssignment (usage-exports §21) and plan again",
        plan.active_users.len()
    ));
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// `permittedUsersPolicyType` of an app admin-approved or not.
fn permitted_users(admin_approved: bool) -> &'static str {
    if admin_approved {
        ADMIN_APPROVED
    } else {
        SELF_AUTHORIZED
    }
}

/// Profiles and permission sets that grant the app today (the connected app file, then
/// SetupEntityAccess through the app's ids), and the ids of the granting permission sets.
fn grants<'a>(
    app: &App,
    ca: Option<&ConnectedApp>,
    input: &AccessInput<'a>,
) -> (Vec<Grant>, Vec<Grant>, BTreeSet<&'a str>) {
    let index = input.index;
    let mut profiles: BTreeMap<String, Grant> = BTreeMap::new();
    let mut sets: BTreeMap<String, Grant> = BTreeMap::new();
    if let Some(ca) = ca {
        for p in clean(&ca.profile_name) {
            add(&mut profiles, p, "metadata");
        }
        for s in clean(&ca.permission_set_name) {
            add(&mut sets, s, "metadata");
        }
    }
    let ids = index::app_ids(app, input);
    let mut parent_ids: BTreeSet<&str> = BTreeSet::new();
    for row in ids
        .iter()
        .flat_map(|id| index.sea_by_entity.get(id).into_iter().flatten())
    {
        if let Some(id) = row.parent_id.as_deref() {
            parent_ids.insert(id);
        }
        match (row.profile.as_deref(), row.parent_name.as_deref()) {
            (Some(p), _) if !p.trim().is_empty() => {
                add(&mut profiles, p.trim(), "SetupEntityAccess")
            }
            (_, Some(s)) if !s.trim().is_empty() => add(&mut sets, s.trim(), "SetupEntityAccess"),
            _ => {}
        }
    }
    (
        profiles.into_values().collect(),
        sets.into_values().collect(),
        parent_ids,
    )
}

/// Who holds a grant: assignments of a granting permission set (profile-owned ones
/// included), and users of a granting profile.
fn granted_users(
    index: &TableIndex<'_>,
    parent_ids: &BTreeSet<&str>,
    profiles: &[Grant],
) -> BTreeSet<String> {
    let users = &index.users;
    let mut granted: BTreeSet<String> = BTreeSet::new();
    for assignee in parent_ids
        .iter()
        .flat_map(|p| index.psa_by_set.get(p).into_iter().flatten())
    {
        granted.insert(users.name_of(assignee));
    }
    for id in profiles.iter().flat_map(|g| {
        index
            .users_by_profile
            .get(&g.name.to_lowercase())
            .into_iter()
            .flatten()
    }) {
        granted.insert(users.name_of(id));
    }
    granted
}

/// The access permission set and whether the app is admin-approved after the plan; `None`
/// when the plan changes nothing about its access.
fn access_after(
    app: &App,
    ca: Option<&ConnectedApp>,
    input: &AccessInput<'_>,
    before: Option<bool>,
) -> Option<(String, bool)> {
    match (input.eca_name, ca) {
        (Some(eca), Some(ca)) => Some((
            super::eca::access_set(eca),
            if input.sets_permitted_users {
                admin_approved_after(ca, input.standard)
            } else {
                admin_approved_before(ca)
            },
        )),
        // Hardened in place: the runbook switches Permitted Users to admin-approved and
        // grants a permission set created for the app (an app only usage knows may be
        // self-authorized: its users are assigned too).
        _ if input.harden_in_place && before != Some(true) => {
            Some((in_place_set(&app.api_name), true))
        }
        _ => None,
    }
}

/// The run-as user: the target flow's, else the connected app's client-credentials user.
fn integration_user(ca: Option<&ConnectedApp>, input: &AccessInput<'_>) -> Option<String> {
    input
        .run_as
        .map(str::to_string)
        .or_else(|| {
            ca?.oauth_config
                .as_ref()
                .filter(|o| o.is_client_credential_enabled == Some(true))
                .and_then(|o| o.oauth_client_credential_user.clone())
        })
        .filter(|u| !u.trim().is_empty())
}

/// An app admin-approved already: the users seen using it that no grant covers. Today
/// something admits them (a custom handler, the run-as user); the generated policies admit
/// only their grants, so the note gives the assignment that keeps them in.
fn uncovered_note(
    plan: &mut AccessPlan,
    granted: &BTreeSet<String>,
    index: &TableIndex<'_>,
    set: &str,
) {
    let uncovered: Vec<&str> = plan
        .active_users
        .iter()
        .map(|u| u.user.as_str())
        .filter(|u| !granted.contains(*u))
        .collect();
    if uncovered.is_empty() || !index.has_assignments {
        return;
    }
    let named: Vec<String> = uncovered
        .iter()
        .filter(|u| !index.users.is_id(u))
        .map(|u| u.to_string())
        .collect();
    let assign = match commands(set, &named).as_slice() {
        [] => String::new(),
        [one] => format!(": `{one}`"),
        _ => " (plan.json access.active_users)".to_string(),
    };
    plan.notes.push(format!(
        "seen using the app without a granting profile or permission set (a custom handler or the run-as user admits them today): {}; the generated policies admit only their grants, so unless the sandbox shows that they still get in, assign {set} to them once the wave's access manifest has created it and before the policy deploy{assign}",
        first_of(&uncovered, " in plan.json access.active_users")
    ));
}

/// The access model changes: the users to assign `set` before the policies change, their
/// list and commands.
fn assignments(
    plan: &mut AccessPlan,
    granted: &BTreeSet<String>,
    input: &AccessInput<'_>,
    set: &str,
) {
    let index = input.index;
    let file_stem = set.strip_suffix(ACCESS_SET_SUFFIX).unwrap_or(set);
    plan.assignment_file = Some(format!(
        "{ASSIGNMENT_DIR}/{file_stem}-permset-assignments.csv"
    ));
    let no_ps = !index.has_assignments;
    plan.missing_exports = index.missing_exports.clone();
    for u in &plan.active_users {
        if granted.contains(&u.user) && !no_ps {
            // A kept grant already admits this user once the app is admin-approved.
            continue;
        }
        if index.users.is_id(&u.user) {
            plan.unnamed.push(u.user.clone());
            continue;
        }
        plan.assign.push(u.user.clone());
    }
    if !plan.unnamed.is_empty() {
        // One note for all of them: an app with thousands of users must not get a line each.
        plan.notes.push(format!(
            "{} user(s) seen using the app are known only by id, which `sf org assign permset` does not take: {}; export User (usage-exports §21) and plan again to name them, then assign {set}",
            plan.unnamed.len(),
            first_of(&plan.unnamed, " in plan.json access.unnamed")
        ));
    }
    if input.usage.is_none() && input.shared.is_empty() {
        plan.notes.push("no usage data for this app: its users cannot be listed (what to export or confirm: the STOP before its policy deploy)".into());
    }
    plan.commands = commands(set, &plan.assign);
}

/// The permission set an app hardened in place is granted through: `<Name>_App_Access`, a
/// valid developer name (letters, digits, single underscores, at most 80 characters).
fn in_place_set(api_name: &str) -> String {
    let mut name = String::new();
    for c in api_name.chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '_' };
        if !(c == '_' && (name.is_empty() || name.ends_with('_'))) {
            name.push(c);
        }
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert_str(0, "App_");
    }
    let name: String = name.trim_end_matches('_').chars().take(69).collect();
    format!("{}_App_Access", name.trim_end_matches('_'))
}

/// The assignment list as a sheet: header and rows (the orchestration renders it with the
/// crate's formula-safe CSV writer).
pub fn assignment_rows(p: &AccessPlan) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let header = vec!["Username", "PermissionSet", "Evidence"];
    let set = p.access_permission_set.clone().unwrap_or_default();
    // Looked up by name, not searched: an app can have thousands of users.
    let evidence: BTreeMap<&str, &[Cow<'static, str>]> = p
        .active_users
        .iter()
        .map(|a| (a.user.as_str(), a.evidence.as_slice()))
        .collect();
    let rows = p
        .assign
        .iter()
        .map(|u| {
            let why = evidence.get(u.as_str()).map(|e| e.join("; "));
            vec![u.clone(), set.clone(), why.unwrap_or_default()]
        })
        .collect();
    (header, rows)
}

/// In [`AccessPlan::missing_exports`]: the app has no OAuth, which the exports would show.
const SAML_ONLY: &str = "no OAuth";

/// What to do when no user of an app is known to assign (`missing`: the user-listing exports
/// the run lacks), for the STOPs of the runbook and of eca/README.md.
pub fn nobody_known_action(missing: &[&str]) -> String {
    let owner = "get the owner's written confirmation that nobody uses it";
    match missing {
        [SAML_ONLY] => format!("LoginHistory and OauthToken do not list who signs in to an app without OAuth: get its users from the service provider or the owner and assign them by hand, or {owner}"),
        [] => format!("LoginHistory and OauthToken show nobody using it: {owner}"),
        ["OauthToken"] => format!("LoginHistory shows no login through it in the period it covers: export OauthToken (who holds its refresh tokens) and plan again, or {owner}"),
        ["LoginHistory"] => format!("OauthToken shows no token for it: export LoginHistory covering the app and plan again, or {owner}"),
        _ => format!("export LoginHistory and OauthToken covering the app and plan again, or {owner}"),
    }
}

/// How many names a note lists before "and N more": a note is read, not searched.
const NAMES_IN_A_NOTE: usize = 10;

/// The first [`NAMES_IN_A_NOTE`] of `names`, then how many more and where (`rest`, e.g.
/// " in plan.json access.unnamed") the whole list is.
fn first_of<S: AsRef<str>>(names: &[S], rest: &str) -> String {
    let shown: Vec<&str> = names
        .iter()
        .take(NAMES_IN_A_NOTE)
        .map(AsRef::as_ref)
        .collect();
    let mut text = shown.join(", ");
    if names.len() > NAMES_IN_A_NOTE {
        text.push_str(&format!(
            " and {} more{rest}",
            names.len() - NAMES_IN_A_NOTE
        ));
    }
    text
}

/// `sf org assign permset` commands, [`USERS_PER_COMMAND`] users each (reference §4).
/// Each writes its JSON result to `$ECA_RUN_DIR/deploy-results/assign-<set>-<n>.json` (outside
/// the output folder, like the deploys' results): after a partial failure, its
/// `result.failures` are the users to assign again.
fn commands(set: &str, users: &[String]) -> Vec<String> {
    users
        .chunks(USERS_PER_COMMAND)
        .enumerate()
        .map(|(i, chunk)| {
            let mut c = format!(
                "sf org assign permset --name {} --target-org \"$ECA_TARGET_ORG\"",
                sh_quote(set)
            );
            for u in chunk {
                c.push_str(" --on-behalf-of ");
                c.push_str(&sh_quote(u));
            }
            // An API name: letters, digits and underscores (anything else left out of the file
            // name, which is inside double quotes).
            let stem: String = set
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            c.push_str(&format!(
                " --json > \"$ECA_RUN_DIR/deploy-results/assign-{stem}-{}.json\"",
                i + 1
            ));
            c
        })
        .collect()
}

/// A shell word: plain when it is only safe characters, else single-quoted (usernames come
/// from the inputs and must not run anything when pasted).
pub fn sh_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "@._-+=:,/".contains(c));
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn clean(names: &[String]) -> impl Iterator<Item = &str> {
    names.iter().map(|n| n.trim()).filter(|n| !n.is_empty())
}

fn add(map: &mut BTreeMap<String, Grant>, name: &str, source: &'static str) {
    let g = map.entry(name.to_lowercase()).or_insert_with(|| Grant {
        name: name.to_string(),
        sources: Vec::new(),
    });
    if !g.sources.contains(&source) {
        g.sources.push(source);
    }
}

/// Users seen using the app (logins, API calls, tokens), then those of usage it may share
/// with a look-alike; inactive users (User.IsActive false) are listed apart.
fn active_users(
    input: &AccessInput<'_>,
    users: &index::Users<'_>,
) -> (Vec<AccessUser>, Vec<String>) {
    // (user, evidence) in the order seen, sorted by user once: an app can have thousands.
    let mut seen: Vec<(String, Cow<'static, str>)> = Vec::new();
    let sources = input
        .usage
        .map(|u| (u, None))
        .into_iter()
        .chain(input.shared.iter().map(|u| {
            (
                *u,
                Some(format!(" under the shared label '{}'", u.display())),
            )
        }));
    for (u, shared) in sources {
        let why = |what: &'static str| match &shared {
            None => Cow::Borrowed(what),
            Some(label) => Cow::Owned(format!("{what}{label}")),
        };
        let logins = u.logins.users.iter().map(|user| (user, why("logins")));
        let api = u.api.users.iter().map(|user| (user, why("API calls")));
        seen.extend(logins.chain(api).map(|(user, e)| (users.name_of(user), e)));
        for (user, t) in &u.tokens {
            let last = t
                .last_used
                .map(|ts| format!(" (last used {})", crate::time::Day::of(ts)))
                .unwrap_or_default();
            let shared = shared.as_deref().unwrap_or_default();
            let why = format!("refresh token{last}{shared}");
            seen.push((users.name_of(user), Cow::Owned(why)));
        }
    }
    // Stable: each user's evidence keeps the order above.
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    let mut active: Vec<AccessUser> = Vec::new();
    let mut inactive = Vec::new();
    let mut rest = seen.into_iter().peekable();
    while let Some((user, first)) = rest.next() {
        let mut evidence = vec![first];
        while let Some((_, e)) = rest.next_if(|(next, _)| *next == user) {
            if evidence.last() != Some(&e) {
                evidence.push(e);
            }
        }
        if users.row(&user).is_some_and(|r| r.is_active == Some(false)) {
            inactive.push(user);
        } else {
            active.push(AccessUser { user, evidence });
        }
    }
    (active, inactive)
}

mod index;
mod steps;

pub use index::TableIndex;
pub use steps::{into_runbook, README};

#[cfg(test)]
mod tests;
