//! ECA108 device-flow-on-uninstalled-app: the device flow on an app that is not installed.

use super::support::{apps_with_usage, usage_evidence};
use super::{Context, Evidence, Hit, Rule, Severity};
use crate::model::usage::{Flow, Installation};
use crate::model::Distribution;

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA108",
    name: "device-flow-on-uninstalled-app",
    severity: Severity::Blocker,
    summary: "An app that is not installed uses (or enables) the OAuth device flow, blocked since September 2025",
    explain: "What: an app that is neither defined nor installed in the org shows device-flow \
logins in usage data, or enables isDeviceFlowEnabled.\n\
Why it matters: since the 2025 restrictions the device flow is blocked for everyone on \
uninstalled connected apps — even users who authorized before (the default 'Salesforce CLI' \
app's `sf org login device` has been blocked since 2025-08-28). The integration is already \
failing or will fail.\n\
How to fix: install the app and set its policies, or move the client to another flow \
(web server + PKCE on a local ECA).\n\
Evidence: device-flow logins (only visible when an export names the subtype — it has no \
documented value) or the device-flow switch, with the installation evidence.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    apps_with_usage(cx)
        .filter(|(app, view)| {
            app.distribution == Distribution::GlobalUninstalled || view.installation == Installation::NotInstalled
        })
        .filter_map(|(app, view)| {
            let n = view.logins(Flow::Device);
            let switch = app.facts().is_some_and(|f| f.flows.contains(&"device"));
            if n == 0 && !switch {
                return None;
            }
            let mut evidence = Vec::new();
            if let Some(u) = view.usage.filter(|_| n > 0) {
                evidence.push(usage_evidence(cx, u, format!("{n} device-flow login(s)")));
            }
            if switch {
                evidence.push(Evidence::Note { text: "device flow enabled in the app's metadata".into() });
            }
            let msg = format!("{} is not installed and uses the device flow, which is blocked for uninstalled apps", app.api_name);
            Some(Hit::app(&app.api_name, msg, evidence))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::*;

    const HEADER: &str = "Id,UserId,LoginTime,LoginType,LoginSubType,Application,Status,SourceIp\n";

    #[test]
    fn device_logins_on_unknown_app_trigger() {
        let csv = format!("{HEADER}0Ya000000000001AAA,005000000000001AAA,2026-11-01T10:00:00.000+0000,Remote Access 2.0,OAuth Device Flow,Kiosk Tool,Success,198.51.100.7\n0Ya000000000002AAA,005000000000001AAA,2026-11-01T11:00:00.000+0000,Remote Access 2.0,OAuth Web Server,Web Tool,Success,198.51.100.7\n");
        let hits = run_with_usage(&RULE, &[], &[("lh.csv", &csv)]);
        let apps: Vec<_> = hits.into_iter().filter_map(|h| h.app).collect();
        assert_eq!(apps, ["Kiosk Tool"]);
    }
}
