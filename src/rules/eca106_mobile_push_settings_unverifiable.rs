//! ECA106 mobile-push-settings-unverifiable: mobile apps whose push settings metadata can't show.

use super::support::{apps_with_facts, at, is_connected_app};
use super::{Context, Evidence, Hit, Rule, Severity};
use crate::model::facts::is_custom_scheme;

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA106",
    name: "mobile-push-settings-unverifiable",
    severity: Severity::Medium,
    summary:
        "A mobile app: its push settings are not in metadata and invalid ones make migration fail",
    explain: "What: the connected app has a mobileAppConfig or a custom-scheme callback URL \
(myapp://...), the signature of a mobile app.\n\
Why it matters: push notification settings (APNs certificate, FCM keys) are not part of \
ConnectedApp metadata, so they cannot be checked offline. The automated migration fails when \
push is configured with invalid settings: an expired Apple P12 certificate or the deprecated \
Android server key.\n\
How to fix: before migrating, open the app in Setup and check its push settings: renew the APNs \
certificate, move Android to service-account (FCM v1) settings, or remove unused push settings.\n\
Evidence: the mobileAppConfig element or the custom-scheme callback URL.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    apps_with_facts(&cx.org.inventory)
        .filter(|(app, f)| is_connected_app(app) && f.mobile)
        .filter_map(|(app, f)| {
            let ca = app.connected_app.as_ref()?;
            let mut evidence: Vec<Evidence> = Vec::new();
            if ca.value.mobile_app_config.is_some() {
                evidence.push(at(ca, "mobileAppConfig"));
            }
            let schemes: Vec<&String> = f
                .callback_urls
                .iter()
                .filter(|u| is_custom_scheme(u))
                .collect();
            if !schemes.is_empty() {
                evidence.push(at(ca, "oauthConfig/callbackUrl"));
            }
            let what = schemes
                .first()
                .map_or("a mobile app configuration".to_string(), |u| {
                    format!("the custom-scheme callback {u}")
                });
            let msg = format!(
                "{} is a mobile app ({what}): verify its push settings in Setup before migrating",
                app.api_name
            );
            Some(Hit::app(&app.api_name, msg, evidence))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::*;

    #[test]
    fn custom_scheme_or_mobile_config_triggers() {
        let inv = inventory(&[
            connected_app("M", "<oauthConfig><callbackUrl>myapp://cb</callbackUrl></oauthConfig>"),
            connected_app("N", "<mobileAppConfig><devicePlatform>ios</devicePlatform><version>1</version></mobileAppConfig>"),
        ]);
        assert_eq!(run(&RULE, &inv).len(), 2);
    }

    #[test]
    fn web_app_is_quiet() {
        let inv = inventory(&[connected_app(
            "W",
            "<oauthConfig><callbackUrl>https://x/cb</callbackUrl></oauthConfig>",
        )]);
        assert!(run(&RULE, &inv).is_empty());
    }
}
