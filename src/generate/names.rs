//! The ECA names the plan gave, checked before anything is written: each must be a valid
//! developer name, distinct from every other target's and, for an ECA created from files,
//! from the connected apps' and existing ECAs' names. A name that fails is an error, never
//! renamed: the plan (`crate::plan::eca::EcaNames`) is the one place names are decided.

use std::collections::{BTreeMap, BTreeSet};

use super::{EcaTarget, GenerateError};
use crate::diag::{Level, Note};
use crate::metadata::connected_app::ConnectedApp;
use crate::model::Sourced;
use crate::plan::eca::{validate_api_name, EcaScope};

/// A target with its connected app and ECA name (none when nothing is generated for it), and
/// the notes about it.
pub(super) type Checked<'a> = (
    &'a EcaTarget<'a>,
    Option<(&'a Sourced<ConnectedApp>, String)>,
    Vec<Note>,
);

/// Check every target's name, in target order; notes for the targets skipped (listed twice,
/// no connected app) and for the names an App Manager migration must match.
pub(super) fn check<'a>(targets: &'a [EcaTarget<'a>]) -> Result<Vec<Checked<'a>>, GenerateError> {
    let reserved = reserved_names(targets);
    let mut given: BTreeMap<String, &str> = BTreeMap::new();
    let mut apps = BTreeSet::new();
    let mut checked = Vec::with_capacity(targets.len());
    for target in targets {
        let mut notes = Vec::new();
        let app = &target.app.api_name;
        // One app, one ECA: the same app twice among the targets would get a second ECA, a
        // permission set with the same label and policies naming an ECA that the migration
        // does not create.
        if !apps.insert(std::ptr::from_ref(target.app) as usize) {
            let msg = format!("{app}: listed more than once; ECA metadata is generated once");
            notes.push(Note::file(Level::Warning, "generate-once", "", msg));
            checked.push((target, None, notes));
            continue;
        }
        let Some(ca) = target.app.connected_app.as_deref() else {
            let msg =
                format!("{app}: no connected app file among the inputs; no ECA metadata generated");
            notes.push(Note::file(Level::Warning, "generate-skipped", "", msg));
            checked.push((target, None, notes));
            continue;
        };
        check_name(target, &reserved, &mut given)?;
        if target.scope == EcaScope::HardeningOnly {
            let msg = format!(
                "{app}: the hardening files name the ECA {:?}; check that the migration created it under this name",
                target.eca_name
            );
            notes.push(Note::file(Level::Info, "eca-name-check", &ca.file, msg));
        }
        checked.push((target, Some((ca, target.eca_name.clone())), notes));
    }
    Ok(checked)
}

/// One target's name: valid, not reserved (for a new ECA), not given to another target.
fn check_name<'a>(
    target: &'a EcaTarget<'a>,
    reserved: &BTreeMap<String, String>,
    given: &mut BTreeMap<String, &'a str>,
) -> Result<(), GenerateError> {
    let name = &target.eca_name;
    let app = &target.app.api_name;
    validate_api_name(name).map_err(|why| GenerateError::InvalidEcaName {
        app: app.clone(),
        name: name.clone(),
        why,
    })?;
    let lower = name.to_ascii_lowercase();
    let clash = match (given.get(&lower), reserved.get(&lower)) {
        (Some(other), _) => Some(format!("the ECA of {other}")),
        (None, Some(what)) if target.scope == EcaScope::Full => Some(what.clone()),
        _ => None,
    };
    if let Some(other) = clash {
        return Err(GenerateError::EcaNameCollision {
            app: app.clone(),
            name: name.clone(),
            other,
        });
    }
    given.insert(lower, app);
    Ok(())
}

/// Names a new ECA must not take (lower-cased), with what has them: the connected apps that
/// get a new ECA beside them, and the ECAs that exist already.
fn reserved_names(targets: &[EcaTarget<'_>]) -> BTreeMap<String, String> {
    let mut reserved = BTreeMap::new();
    for t in targets {
        if t.scope == EcaScope::Full {
            let app = &t.app.api_name;
            reserved.insert(app.to_ascii_lowercase(), format!("the connected app {app}"));
        }
        if let Some(h) = t.app.eca.as_ref().and_then(|e| e.header.as_ref()) {
            let eca = &h.full_name;
            reserved.insert(eca.to_ascii_lowercase(), format!("the existing ECA {eca}"));
        }
    }
    reserved
}
