//! ECA212 certificate-expiring: a JWT certificate that has expired or expires soon.

use super::support::{app_evidence, EcaPart};
use super::{Context, Evidence, Hit, Rule, Severity};
use crate::time::Day;

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA212",
    name: "certificate-expiring",
    severity: Severity::Medium,
    summary: "A JWT certificate has expired (high) or expires within the warning window (medium)",
    explain: "What: the X.509 certificate of an app (connected app <certificate>, ECA global \
OAuth certificate) or of certs/ is past its notAfter date, or within \
certificate_warning_days of it, at the as-of date of the analysis (the newest usage timestamp, \
or --as-of; never the wall clock).\n\
Why it matters: the JWT bearer flow verifies the client's signature with this certificate; \
once it expires, every integration that signs with the matching private key stops \
authenticating. Migrating is the moment to rotate it — the ECA takes the new certificate.\n\
How to fix: create a new key pair and certificate, upload it to the ECA (global OAuth settings), \
switch the client to the new private key, then remove the old certificate.\n\
Evidence: the certificate element; its subject and notAfter parsed from the PEM. Without an \
as-of date the rule cannot judge expiry and reports nothing.",
    check,
};

fn grade(not_after: &str, as_of: Day, window: i64) -> Option<(Severity, String)> {
    let day = Day::parse(not_after)?;
    let left = day.days_since(as_of);
    if left < 0 {
        Some((Severity::High, format!("expired on {not_after}")))
    } else if left <= window {
        Some((
            Severity::Medium,
            format!("expires on {not_after}, within {left} days"),
        ))
    } else {
        None
    }
}

fn check(cx: &Context) -> Vec<Hit> {
    let Some(as_of) = cx.org.as_of_day else {
        return Vec::new();
    };
    let window = i64::from(cx.config.thresholds.certificate_warning_days);
    let mut hits = Vec::new();
    for app in &cx.org.inventory.apps {
        let Some(cert) = &app.certificate else {
            continue;
        };
        let Some((severity, when)) = grade(&cert.not_after, as_of, window) else {
            continue;
        };
        let ev = app_evidence(
            app,
            "oauthConfig/certificate",
            EcaPart::GlobalOauth,
            "certificate",
        );
        let msg = format!("{}: JWT certificate {} {when}", app.api_name, cert.subject);
        hits.push(Hit {
            severity: Some(severity),
            ..Hit::app(&app.api_name, msg, vec![ev])
        });
    }
    for rec in &cx.org.inventory.certificates {
        let Some(info) = &rec.info else { continue };
        let Some((severity, when)) = grade(&info.not_after, as_of, window) else {
            continue;
        };
        let file = rec
            .files
            .iter()
            .find(|f| f.ends_with(".crt"))
            .or(rec.files.first())
            .cloned()
            .unwrap_or_default();
        let ev = Evidence::Metadata {
            file,
            line: None,
            element: String::new(),
            snippet: None,
        };
        let msg = format!("certificate {} ({}) {when}", rec.name, info.subject);
        hits.push(Hit {
            app: None,
            message: msg,
            evidence: vec![ev],
            severity: Some(severity),
        });
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades() {
        let as_of = Day::from_ymd(2026, 11, 1);
        assert_eq!(
            grade("2024-03-01", as_of, 60).map(|g| g.0),
            Some(Severity::High)
        );
        assert_eq!(
            grade("2026-12-01", as_of, 60).map(|g| g.0),
            Some(Severity::Medium)
        );
        assert_eq!(grade("2029-01-15", as_of, 60), None);
    }

    #[test]
    fn needs_an_as_of_date() {
        let inv = crate::model::Inventory::default();
        let hits =
            crate::rules::support::testing::run_with(&RULE, &inv, &Default::default(), &[], None);
        assert!(hits.is_empty());
    }
}
