//! Hardening an `ecaplan.toml` exception waives for one app. The generated ECA hardens what
//! the integration standard asks for (IP enforcement, refresh-token expiry and rotation,
//! PKCE); a workshop that accepts the finding behind one of them keeps today's setting instead.
//! The exception lives in `ecaplan.toml`, so it survives the next `ecaplan plan`, where a hand
//! edit of the generated files would not.

use std::ops::Not;

use serde::Serialize;

use crate::rules::{ids, Finding};

/// What the generated ECA keeps as the connected app has it today, each by an accepted
/// exception (`[[exceptions]]`) for the rule named.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Waived {
    /// ECA203 accepted: the IP relaxation is kept (not hardened to Enforce).
    #[serde(skip_serializing_if = "Not::not")]
    pub ip_relaxation: bool,
    /// ECA204 accepted: the refresh-token policy is kept (not moved to inactivity expiry).
    #[serde(skip_serializing_if = "Not::not")]
    pub refresh_policy: bool,
    /// ECA205 accepted: refresh-token rotation stays off.
    #[serde(skip_serializing_if = "Not::not")]
    pub rotation: bool,
    /// ECA206 accepted: PKCE stays optional.
    #[serde(skip_serializing_if = "Not::not")]
    pub pkce: bool,
}

impl Waived {
    /// What the app's accepted findings waive.
    pub fn of(findings: &[&Finding]) -> Waived {
        let accepted = |rule: &str| {
            findings
                .iter()
                .any(|f| f.rule == rule && f.accepted.is_some())
        };
        Waived {
            ip_relaxation: accepted(ids::IP_RESTRICTIONS_RELAXED),
            refresh_policy: accepted(ids::REFRESH_TOKEN_NEVER_EXPIRES),
            rotation: accepted(ids::REFRESH_TOKEN_ROTATION_OFF),
            pkce: accepted(ids::PKCE_NOT_REQUIRED),
        }
    }

    /// Nothing is waived (plan.json leaves the field out).
    pub fn none(&self) -> bool {
        *self == Waived::default()
    }
}

/// The runbook's words for a kept setting: which exception keeps it, with its reason.
pub fn kept_text(findings: &[&Finding], rule: &str, what: &str) -> Option<String> {
    let f = findings
        .iter()
        .find(|f| f.rule == rule && f.accepted.is_some())?;
    let app = f.app.as_deref().unwrap_or_default();
    Some(format!(
        "{app} keeps {what} as today: ecaplan.toml accepts {rule} for it (\"{}\"), so the generated ECA does not harden it; hardening it later is a change of its own",
        f.accepted.as_deref().unwrap_or_default()
    ))
}

/// How a runbook asks for an exception instead of a hand edit of the generated files (which
/// the next `ecaplan plan` would overwrite).
pub fn how_to_waive(app: &str, rules: &str) -> String {
    format!("accept {rules} for {app} in ecaplan.toml (an [[exceptions]] entry per rule, with the agreement as its reason) and run ecaplan plan again: the generated ECA then keeps today's setting")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &'static str, accepted: Option<&str>) -> Finding {
        Finding::for_test(rule, "A", "", accepted)
    }

    #[test]
    fn only_accepted_findings_waive_their_hardening() {
        let open = finding(ids::PKCE_NOT_REQUIRED, None);
        let ip = finding(ids::IP_RESTRICTIONS_RELAXED, Some("ranges agreed in Q3"));
        let rotation = finding(
            ids::REFRESH_TOKEN_ROTATION_OFF,
            Some("client stores one token"),
        );
        let w = Waived::of(&[&open, &ip, &rotation]);
        assert_eq!(
            w,
            Waived {
                ip_relaxation: true,
                rotation: true,
                ..Waived::default()
            }
        );
        assert!(Waived::of(&[&open]).none());
        let text = kept_text(
            &[&open, &ip],
            ids::IP_RESTRICTIONS_RELAXED,
            "its IP relaxation",
        )
        .expect("kept");
        assert!(
            text.starts_with("A keeps its IP relaxation as today")
                && text.contains("ranges agreed in Q3")
        );
        assert_eq!(kept_text(&[&open], ids::PKCE_NOT_REQUIRED, "x"), None);
    }
}
