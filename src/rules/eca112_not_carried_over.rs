//! ECA112 not-carried-over: connected-app settings that have no ECA equivalent.

use super::support::at;
use super::{Context, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA112",
    name: "not-carried-over",
    severity: Severity::Low,
    summary: "The app uses settings an ECA cannot express (mobile start URL, mobile app binary, legacy canvas)",
    explain: "What: the connected app has mobileStartUrl, mobileAppConfig or the legacy canvas \
element. None of them has a field in any ECA type (reference §10.9).\n\
Why it matters: after the cutover these settings are gone; a mobile app distributed through \
the connected app (private app binary, start URL) must be distributed another way.\n\
How to fix: decide per setting in the workshop: drop it, or replace it (MDM distribution, a \
start URL on the ECA policies, a canvas ECA).\n\
Evidence: the elements themselves.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    for app in &cx.org.inventory.apps {
        let Some(ca) = &app.connected_app else {
            continue;
        };
        let v = &ca.value;
        let mut found = Vec::new();
        if v.mobile_start_url.is_some() {
            found.push("mobileStartUrl");
        }
        if v.mobile_app_config.is_some() {
            found.push("mobileAppConfig");
        }
        if v.canvas.is_some() {
            found.push("canvas");
        }
        if found.is_empty() {
            continue;
        }
        let msg = format!(
            "{}: {} ha{} no ECA equivalent",
            app.api_name,
            found.join(", "),
            if found.len() == 1 { "s" } else { "ve" }
        );
        hits.push(Hit::app(
            &app.api_name,
            msg,
            found.iter().map(|e| at(ca, e)).collect(),
        ));
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::*;

    #[test]
    fn mobile_start_url_triggers() {
        let inv = inventory(&[
            connected_app("M", "<mobileStartUrl>https://m</mobileStartUrl>"),
            connected_app("W", "<startUrl>https://w</startUrl>"),
        ]);
        let hits = run(&RULE, &inv);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].app.as_deref(), Some("M"));
    }
}
