//! Classification (DESIGN §4): exactly one distribution state per app, from metadata and
//! usage together, and the apps that only usage data knows about.

use crate::model::usage::{Installation, UsageJoin};
use crate::model::{App, Distribution, Inventory, Origin};

/// Set every app's distribution state and add the apps seen only in usage.
pub fn classify(inv: &mut Inventory, join: &UsageJoin) {
    for app in &mut inv.apps {
        let Some(j) = join.apps.get(&app.api_name) else {
            continue;
        };
        if let Some(fp) = j.first_party.as_ref().filter(|f| f.trusted) {
            app.distribution = Distribution::Salesforce;
            app.distribution_reason = format!(
                "Salesforce first-party app ({})",
                fp.corroborated_by.join(", ")
            );
        }
    }
    for u in &join.unknown_apps {
        let trusted = u.first_party.as_ref().filter(|f| f.trusted);
        let (distribution, reason) = match (trusted, u.installation) {
            (Some(fp), _) => (
                Distribution::Salesforce,
                format!(
                    "Salesforce first-party app ({})",
                    fp.corroborated_by.join(", ")
                ),
            ),
            (None, Installation::Installed) => (
                Distribution::Packaged,
                format!(
                    "installed but not in the retrieved metadata ({}): a vendor app",
                    u.installation_evidence.join("; ")
                ),
            ),
            (None, _) => (
                Distribution::GlobalUninstalled,
                format!(
                    "used, but neither defined nor installed here ({})",
                    u.installation_evidence.join("; ")
                ),
            ),
        };
        inv.apps.push(App {
            api_name: u.label.clone(),
            label: Some(u.label.clone()),
            namespace: None,
            distribution,
            connected_app: None,
            eca: None,
            certificate: None,
            certificate_error: None,
            origin: Origin::Usage,
            usage_key: Some(u.key.clone()),
            distribution_reason: reason,
            facts_cache: Default::default(),
        });
    }
    inv.apps.sort_by(|a, b| {
        (a.api_name.to_ascii_lowercase(), a.origin == Origin::Usage)
            .cmp(&(b.api_name.to_ascii_lowercase(), b.origin == Origin::Usage))
    });
}
