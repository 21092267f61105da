//! ECA217 certificate-unreadable: an app's certificate body is not a readable X.509 certificate.

use super::support::{app_evidence, EcaPart};
use super::{Context, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA217",
    name: "certificate-unreadable",
    severity: Severity::Medium,
    summary: "The app's JWT certificate cannot be parsed",
    explain: "What: the certificate element holds text that is not a base64 or PEM X.509 \
certificate.\n\
Why it matters: its expiry cannot be checked, and copying it into an ECA will fail or produce \
an app whose JWT bearer flow never works.\n\
How to fix: retrieve the app again, or upload the correct certificate before migrating.\n\
Evidence: the certificate element and the parser's message.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    cx.org
        .inventory
        .apps
        .iter()
        .filter_map(|app| {
            let err = app.certificate_error.as_ref()?;
            let ev = app_evidence(
                app,
                "oauthConfig/certificate",
                EcaPart::GlobalOauth,
                "certificate",
            );
            Some(Hit::app(
                &app.api_name,
                format!("{}: certificate cannot be read ({err})", app.api_name),
                vec![ev],
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::*;

    #[test]
    fn garbage_certificate_triggers() {
        let inv = inventory(&[
            connected_app("J", "<oauthConfig><callbackUrl>https://x</callbackUrl><certificate>bm90IGEgY2VydA==</certificate></oauthConfig>"),
            connected_app("K", "<oauthConfig><callbackUrl>https://x</callbackUrl></oauthConfig>"),
        ]);
        let apps: Vec<_> = run(&RULE, &inv).into_iter().filter_map(|h| h.app).collect();
        assert_eq!(apps, ["J"]);
    }
}
