//! ECA107 saml-triple-des: SAML assertions encrypted with Triple DES.

use super::support::{app_evidence, apps_with_facts, EcaPart};
use super::{Context, Hit, Rule, Severity};

/// The rule.
pub static RULE: Rule = Rule {
    id: "ECA107",
    name: "saml-triple-des",
    severity: Severity::High,
    summary: "SAML encryption Triple_Des has no ECA equivalent",
    explain: "What: the app's samlConfig encrypts assertions with Triple_Des.\n\
Why it matters: ExtlClntAppSamlConfigurablePolicies only supports AES_128 and AES_256; a \
Triple_Des app cannot be expressed as an ECA, and 3DES is deprecated anyway.\n\
How to fix: agree AES_256 (or AES_128) with the service provider, switch the connected app \
first and verify single sign-on, then migrate.\n\
Evidence: the samlConfig/encryptionType element.",
    check,
};

fn check(cx: &Context) -> Vec<Hit> {
    apps_with_facts(&cx.org.inventory)
        .filter(|(_, f)| f.saml_encryption.as_deref().is_some_and(|e| e.eq_ignore_ascii_case("Triple_Des")))
        .map(|(app, _)| {
            let ev = app_evidence(app, "samlConfig/encryptionType", EcaPart::Saml, "encryptionType");
            let msg = format!("{} encrypts SAML assertions with Triple_Des, which ECAs do not support: switch to AES_256 first", app.api_name);
            Hit::app(&app.api_name, msg, vec![ev])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::*;

    fn saml(enc: &str) -> String {
        format!("<samlConfig><acsUrl>https://sp/acs</acsUrl><encryptionType>{enc}</encryptionType><entityUrl>sp</entityUrl><samlSubjectType>Username</samlSubjectType></samlConfig>")
    }

    #[test]
    fn triple_des_triggers() {
        let hits = run(
            &RULE,
            &inventory(&[connected_app("S", &saml("Triple_Des"))]),
        );
        assert_eq!(hits.len(), 1);
        assert!(matches!(
            &hits[0].evidence[0],
            crate::rules::Evidence::Metadata { line: Some(_), .. }
        ));
    }

    #[test]
    fn aes_is_quiet() {
        assert!(run(&RULE, &inventory(&[connected_app("S", &saml("AES_256"))])).is_empty());
    }
}
