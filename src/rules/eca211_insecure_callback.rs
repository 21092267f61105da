//! ECA211 insecure-callback: a plain-http callback that is not loopback.

use super::support::{app_evidence, apps_with_facts, EcaPart};
use super::{Context, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA211",
    name: "insecure-callback",
    severity: Severity::Medium,
    summary: "A callback URL uses plain http to a host other than localhost",
    explain: "What: a callback (redirect) URL starts with http:// and its host is not a \
loopback address (localhost, 127.0.0.1, [::1]).\n\
Why it matters: authorization codes and, for the user-agent flow, access tokens travel in the \
redirect; over plain http anyone on the path can read them.\n\
How to fix: serve the callback over https, or remove the URL if it is no longer used.\n\
Evidence: the callbackUrl element.",
    check,
};

/// Whether a callback URL is plain http to a non-loopback host.
pub fn insecure(url: &str) -> bool {
    let Some(rest) = url
        .trim()
        .strip_prefix("http://")
        .or_else(|| url.trim().strip_prefix("HTTP://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = if host.starts_with('[') {
        host.split(']').next().map_or(host, |h| &h[1..])
    } else {
        host.split(':').next().unwrap_or(host)
    };
    !matches!(
        host.to_ascii_lowercase().as_str(),
        "localhost" | "127.0.0.1" | "::1"
    ) && !host.starts_with("127.")
}

fn check(cx: &Context) -> Vec<Hit> {
    apps_with_facts(&cx.org.inventory)
        .filter_map(|(app, f)| {
            let bad: Vec<&String> = f.callback_urls.iter().filter(|u| insecure(u)).collect();
            let first = bad.first()?;
            let ev = app_evidence(
                app,
                "oauthConfig/callbackUrl",
                EcaPart::GlobalOauth,
                "callbackUrl",
            );
            Some(Hit::app(
                &app.api_name,
                format!("{} redirects over plain http: {first}", app.api_name),
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
    fn classification() {
        assert!(insecure("http://onboarding.example.com/cb"));
        assert!(!insecure("http://localhost:1717/OauthRedirect"));
        assert!(!insecure("http://127.0.0.1/cb"));
        assert!(!insecure("http://[::1]:8080/cb"));
        assert!(!insecure("https://x/cb"));
    }

    #[test]
    fn triggers_on_http_only() {
        let inv = inventory(&[
            connected_app("H", "<oauthConfig><callbackUrl>http://onboarding.example.com/cb</callbackUrl></oauthConfig>"),
            connected_app("L", "<oauthConfig><callbackUrl>http://localhost:1717/OauthRedirect</callbackUrl></oauthConfig>"),
        ]);
        let apps: Vec<_> = run(&RULE, &inv).into_iter().filter_map(|h| h.app).collect();
        assert_eq!(apps, ["H"]);
    }
}
