//! ECA API names, decided once by the plan: Salesforce developer-name rules, repair of
//! invalid candidates and uniqueness against every app, ECA and permission set name already
//! known. The generator only validates them ([`validate_api_name`]) and refuses a collision.

use std::collections::BTreeSet;

use crate::model::Inventory;

/// Longest name we generate. Developer names allow 40 characters in most types; staying within
/// it keeps every sub-file name (`X_oauthPlcy`, ...) derived from it safe too.
pub const MAX_LEN: usize = 40;

/// Check a developer name: starts with a letter, only ASCII letters, digits and underscores,
/// no trailing or double underscore, at most [`MAX_LEN`] characters.
pub fn validate_api_name(name: &str) -> Result<(), String> {
    crate::text::developer_name(name, MAX_LEN)
}

/// Turn any text into a valid developer name (which [`validate_api_name`] accepts).
pub fn sanitize(candidate: &str) -> String {
    let mut out = String::new();
    for c in candidate.trim().chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '_' };
        if !(c == '_' && (out.is_empty() || out.ends_with('_'))) {
            out.push(c);
        }
    }
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, if out.is_empty() { "App" } else { "App_" });
    }
    truncate(&out, MAX_LEN)
}

/// Cut to `max` characters without leaving a trailing underscore.
fn truncate(name: &str, max: usize) -> String {
    let cut: String = name.chars().take(max).collect();
    cut.trim_end_matches('_').to_string()
}

/// A valid name, distinct (case-insensitively) from every name in `taken`, which it joins.
/// Returns the name and, when it differs from `candidate`, why.
pub fn make_unique(candidate: &str, taken: &mut BTreeSet<String>) -> (String, Option<String>) {
    let mut reasons = Vec::new();
    let base = match validate_api_name(candidate) {
        Ok(()) => candidate.to_string(),
        Err(why) => {
            reasons.push(why);
            sanitize(candidate)
        }
    };
    let mut name = base.clone();
    let mut n = 1;
    while taken.contains(&name.to_ascii_lowercase()) {
        let suffix = if n == 1 {
            "_ECA".to_string()
        } else {
            format!("_ECA{n}")
        };
        name = format!("{}{suffix}", truncate(&base, MAX_LEN - suffix.len()));
        n += 1;
    }
    if name != base {
        reasons.push(format!("{base:?} is already the name of an app or ECA"));
    }
    taken.insert(name.to_ascii_lowercase());
    let why = (name != candidate).then(|| reasons.join("; "));
    (name, why)
}

/// The ECA names of a plan, decided once: the generator writes the files under exactly these
/// names (it only re-checks them).
#[derive(Debug, Clone, Default)]
pub struct EcaNames {
    /// Names an ECA must not take (lower-cased): [`taken_names`] and every name given.
    taken: BTreeSet<String>,
    /// Names of the ECAs that exist already (lower-cased): not even an app's own name is kept
    /// when an ECA has it.
    existing: BTreeSet<String>,
    /// App API names (lower-cased) that already have an ECA name.
    apps: BTreeSet<String>,
}

impl EcaNames {
    /// The names free in `inventory`.
    pub fn new(inventory: &Inventory) -> EcaNames {
        EcaNames {
            taken: taken_names(inventory),
            existing: existing_ecas(inventory),
            apps: BTreeSet::new(),
        }
    }

    /// The ECA name of the app `app_name`, or `None` when an app of that API name already has
    /// one (a second definition among the inputs gets no second ECA). `keep` (the automated
    /// migration keeps the connected app's API name, reference §10.2) keeps the app's name when
    /// it is a valid developer name; otherwise, and for a new ECA beside the connected app, the
    /// name is made valid and unique (also when an existing ECA has the app's name).
    pub fn give(&mut self, app_name: &str, keep: bool) -> Option<String> {
        let lower = app_name.to_ascii_lowercase();
        if !self.apps.insert(lower.clone()) {
            return None;
        }
        if keep && validate_api_name(app_name).is_ok() && !self.existing.contains(&lower) {
            // Already taken as an app name: no other ECA can be given it.
            self.taken.insert(lower);
            return Some(app_name.to_string());
        }
        Some(make_unique(app_name, &mut self.taken).0)
    }
}

/// The API names of the ECAs in this inventory, lower-cased.
pub fn existing_ecas(inventory: &Inventory) -> BTreeSet<String> {
    inventory
        .apps
        .iter()
        .filter_map(|a| a.eca.as_ref().and_then(|e| e.header.as_ref()))
        .map(|h| h.full_name.to_ascii_lowercase())
        .collect()
}

/// Every name an ECA must not take in this inventory: app and ECA API names, and the names
/// of existing permission sets with our `_ECA_Access` suffix removed (so the access
/// permission set we generate does not collide either). Lower-cased.
pub fn taken_names(inventory: &Inventory) -> BTreeSet<String> {
    let mut taken = BTreeSet::new();
    for app in &inventory.apps {
        taken.insert(app.api_name.to_ascii_lowercase());
        if let Some(h) = app.eca.as_ref().and_then(|e| e.header.as_ref()) {
            taken.insert(h.full_name.to_ascii_lowercase());
        }
    }
    for ps in &inventory.permission_sets {
        if let Some(base) = ps.name.strip_suffix(super::ACCESS_SET_SUFFIX) {
            taken.insert(base.to_ascii_lowercase());
        }
    }
    taken
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_rules() {
        assert!(validate_api_name("ERP_Sync").is_ok());
        assert!(validate_api_name("A1").is_ok());
        assert!(validate_api_name("").is_err());
        assert!(validate_api_name("1App").is_err());
        assert!(validate_api_name("_App").is_err());
        assert!(validate_api_name("App_").is_err());
        assert!(validate_api_name("ns__App").is_err());
        assert!(validate_api_name("My App").is_err());
        assert!(validate_api_name("Café").is_err());
        assert!(validate_api_name(&"A".repeat(40)).is_ok());
        assert!(validate_api_name(&"A".repeat(41)).is_err());
    }

    #[test]
    fn sanitizes() {
        assert_eq!(
            sanitize("acmesync__AcmeSync Connector!"),
            "acmesync_AcmeSync_Connector"
        );
        assert_eq!(sanitize("9 lives"), "App_9_lives");
        assert_eq!(sanitize("---"), "App");
        assert_eq!(sanitize(&format!("{}_B", "A".repeat(39))), "A".repeat(39));
    }

    #[test]
    fn unique_suffixes() {
        let mut taken: BTreeSet<String> = ["erp_sync".to_string(), "erp_sync_eca".to_string()]
            .into_iter()
            .collect();
        let (n, why) = make_unique("ERP_Sync", &mut taken);
        assert_eq!(n, "ERP_Sync_ECA2");
        assert!(why.is_some());
        let (n, why) = make_unique("New_App", &mut taken);
        assert_eq!((n.as_str(), why), ("New_App", None));
        let (n, _) = make_unique("new_app", &mut taken);
        assert_eq!(n, "new_app_ECA");
        let long = "B".repeat(40);
        taken.insert(long.to_ascii_lowercase());
        let (n, _) = make_unique(&long, &mut taken);
        assert_eq!(n, format!("{}_ECA", "B".repeat(36)));
        assert!(validate_api_name(&n).is_ok());
    }

    #[test]
    fn eca_names_are_given_once_per_app() {
        let mut names = EcaNames::default();
        names
            .taken
            .extend(["keep_me".to_string(), "side".to_string()]);
        assert_eq!(names.give("Keep_Me", true).as_deref(), Some("Keep_Me"));
        // A second definition of the same API name gets no second ECA.
        assert_eq!(names.give("keep_me", true), None);
        assert_eq!(names.give("Side", false).as_deref(), Some("Side_ECA"));
        let long = "Automated_App_With_A_Name_Longer_Than_Forty_Chars";
        let n = names.give(long, true).expect("named");
        assert!(validate_api_name(&n).is_ok() && n.len() <= MAX_LEN, "{n}");
        let n = names.give("Café_Ünïcode", true).expect("named");
        assert_eq!(n, "Caf_n_code");
    }

    proptest::proptest! {
        #[test]
        fn any_candidate_becomes_valid_and_unique(cands in proptest::collection::vec("\\PC{0,50}", 1..6)) {
            let mut taken = BTreeSet::new();
            let mut seen = BTreeSet::new();
            for c in &cands {
                let (n, _) = make_unique(c, &mut taken);
                proptest::prop_assert!(validate_api_name(&n).is_ok(), "{n:?}");
                proptest::prop_assert!(seen.insert(n.to_ascii_lowercase()));
            }
        }
    }
}
