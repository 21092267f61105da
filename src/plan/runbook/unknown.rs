//! Logins whose flow the exports do not say: a client the cutover's validation would not
//! exercise (a kiosk pairing through the device flow every few weeks, a script), found failing
//! only at its next authorization.

use super::Runbook;
use crate::model::usage::{Flow, LoginStats};
use crate::model::App;
use crate::plan::strategy::Strategy;

/// Add a pre-check and a validation for the logins of an app whose flow is unknown (an empty
/// or unrecognised LoginSubType), when the strategy moves the app's clients to an ECA. An app
/// whose metadata switches on JWT bearer or the device flow is left alone: those logins carry
/// no subtype of their own (reference: usage-exports, flows), so they explain the rows.
pub fn unknown_flows(r: &mut Runbook, app: &App, strategy: Strategy, logins: Option<&LoginStats>) {
    let moves = matches!(
        strategy,
        Strategy::Automated | Strategy::SideBySide | Strategy::BigBang
    );
    let explained = app
        .facts()
        .is_some_and(|f| f.flows.iter().any(|&x| x == "jwt-bearer" || x == "device"));
    let Some(l) = logins.filter(|_| moves && !explained) else {
        return;
    };
    let name = &app.api_name;
    let unknown = l.by_flow.get(&Flow::Unknown).map_or(0, |c| c.logins);
    if unknown == 0 {
        return;
    }
    let subtypes = if l.unknown_sub_types.is_empty() {
        "an empty LoginSubType".to_string()
    } else {
        let named: Vec<String> = l
            .unknown_sub_types
            .iter()
            .take(5)
            .map(|(s, n)| format!("'{s}' ({n})"))
            .collect();
        format!("LoginSubType {}", named.join(", "))
    };
    r.pre_checks.push(format!(
        "{unknown} of the {} logins through {name} say no flow ({subtypes}): identify the client behind them (a device-flow pairing, a kiosk, a script) and add its flow to the sandbox test before the cutover; a client the validation does not exercise fails only at its next authorization, possibly weeks later",
        l.logins
    ));
    r.validation.push(format!(
        "the client behind {name}'s logins without a flow has authorized through the ECA (a new LoginHistory row for it), or its next authorization is scheduled and owned"
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::usage::FlowCount;
    use crate::rules::support::testing::{connected_app, inventory};

    fn logins(unknown: u64) -> LoginStats {
        let mut l = LoginStats {
            logins: 51,
            ..LoginStats::default()
        };
        l.by_flow.insert(
            Flow::Unknown,
            FlowCount {
                logins: unknown,
                successes: unknown,
                failures: 0,
            },
        );
        l
    }

    fn app(oauth: &str) -> App {
        let xml = format!(
            "<oauthConfig><callbackUrl>https://x.example/cb</callbackUrl>{oauth}</oauthConfig>"
        );
        let inv = inventory(&[connected_app("Kiosk", &xml)]);
        inv.apps.into_iter().next().expect("app")
    }

    #[test]
    fn unknown_logins_get_a_check_and_a_validation() {
        let kiosk = app("");
        let mut r = Runbook::default();
        unknown_flows(&mut r, &kiosk, Strategy::Automated, Some(&logins(9)));
        assert!(r.pre_checks[0]
            .starts_with("9 of the 51 logins through Kiosk say no flow (an empty LoginSubType)"));
        assert_eq!(r.validation.len(), 1);
        let mut none = Runbook::default();
        unknown_flows(&mut none, &kiosk, Strategy::Automated, Some(&logins(0)));
        unknown_flows(&mut none, &kiosk, Strategy::Retire, Some(&logins(9)));
        // The device flow (or JWT bearer) in the metadata explains logins without a subtype.
        let device = app("<isDeviceFlowEnabled>true</isDeviceFlowEnabled>");
        unknown_flows(&mut none, &device, Strategy::Automated, Some(&logins(9)));
        assert!(none.pre_checks.is_empty() && none.validation.is_empty());
    }
}
