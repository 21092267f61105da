//! Unit tests of the mapping pieces, on small connected apps read with the crate's own readers.

use super::*;
use crate::metadata::{read_document, Kind};
use crate::model::Inventory;

const CA: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
    <attributes><formula>$User.Email</formula><key>email</key></attributes>
    <canvas><canvasUrl>https://old</canvasUrl></canvas>
    <contactEmail>a@b.example</contactEmail>
    <label>Demo &amp; Co</label>
    <mobileStartUrl>https://m</mobileStartUrl>
    <oauthConfig>
        <callbackUrl>https://a/cb
https://b/cb</callbackUrl>
        <certificate>MIIBcertificatebody</certificate>
        <consumerKey>3MVG9SecretKeyValue123456</consumerKey>
        <consumerSecret>ABCDEF0123456789SECRET</consumerSecret>
        <idTokenConfig><idTokenIncludeCustomPerms>true</idTokenIncludeCustomPerms><idTokenValidity>5</idTokenValidity></idTokenConfig>
        <isAdminApproved>false</isAdminApproved>
        <isClientCredentialEnabled>true</isClientCredentialEnabled>
        <oauthClientCredentialUser>int@x.example</oauthClientCredentialUser>
        <scopes>Full</scopes><scopes>SFAP</scopes><scopes>Api</scopes><scopes>RefreshToken</scopes>
    </oauthConfig>
    <oauthPolicy><ipRelaxation>BYPASS</ipRelaxation><refreshTokenPolicy>specific_lifetime:7:DAYS</refreshTokenPolicy></oauthPolicy>
    <permissionSetName>Old_Set</permissionSetName>
    <plugin>MyPlugin</plugin>
    <profileName>System Administrator</profileName>
    <samlConfig><acsUrl>https://sp/acs</acsUrl><encryptionType>Triple_Des</encryptionType><entityUrl>sp</entityUrl></samlConfig>
    <sessionPolicy><sessionLevel>HIGH_ASSURANCE</sessionLevel><sessionTimeout>15</sessionTimeout></sessionPolicy>
</ConnectedApp>
"#;

fn inventory(name: &str, xml: &str) -> Inventory {
    let file = format!("connectedApps/{name}.connectedApp-meta.xml");
    let doc = read_document(&file, name, Kind::ConnectedApp, xml).expect("reads");
    crate::model::assemble(vec![doc]).0
}

fn run(inv: &Inventory, target: Option<TargetFlow>, standard: &Standard) -> Generated {
    let targets = [EcaTarget {
        app: &inv.apps[0],
        eca_name: format!("{}_ECA", inv.apps[0].api_name),
        scope: EcaScope::Full,
        target_flow: target,
        policy_names: Default::default(),
        kept: Default::default(),
    }];
    generate(&targets, standard, "66.0").expect("generates")
}

fn file<'a>(g: &'a Generated, suffix: &str) -> &'a str {
    &g.files
        .iter()
        .find(|f| f.path.ends_with(suffix))
        .unwrap_or_else(|| panic!("no {suffix}"))
        .contents
}

fn skipped(g: &Generated) -> Vec<&str> {
    g.not_carried.iter().map(|n| n.element.as_str()).collect()
}

#[test]
fn maps_every_section_and_hardens() {
    let inv = inventory("Demo", CA);
    let g = run(&inv, None, &Standard::default());
    assert_eq!(
        g.eca_names,
        vec![("Demo".to_string(), "Demo_ECA".to_string())]
    );
    let header = file(&g, "externalClientApps/Demo_ECA.eca-meta.xml");
    // A new ECA beside its connected app gets a label of its own (usage names apps by label).
    assert!(header.contains("<label>Demo &amp; Co (ECA)</label>"));
    assert!(header.contains("<distributionState>Local</distributionState>"));
    assert!(!header.contains("managedType") && !header.contains("orgScopedExternalApp"));
    let settings = file(&g, "Demo_ECA_oauth.ecaOauth-meta.xml");
    assert!(settings.contains(
        "<commaSeparatedOauthScopes>Api, SFApiPlatform, RefreshToken</commaSeparatedOauthScopes>"
    ));
    let global = file(
        &g,
        "eca-global/extlClntAppGlobalOauthSets/Demo_ECA_glbloauth.ecaGlblOauth-meta.xml",
    );
    assert!(global.contains("<callbackUrl>https://a/cb\nhttps://b/cb</callbackUrl>"));
    assert!(global.contains("<certificate>MIIBcertificatebody</certificate>"));
    assert!(
        global.contains("<idTokenIncludeCustomPermissions>true</idTokenIncludeCustomPermissions>")
    );
    assert!(global.contains("<idTokenValidityInMinutes>5</idTokenValidityInMinutes>"));
    assert!(global.contains("<isPkceRequired>true</isPkceRequired>"));
    assert!(!global.contains("consumerKey") && !global.contains("3MVG9"));
    let plcy = file(&g, "Demo_ECA_oauthPlcy.ecaOauthPlcy-meta.xml");
    for expected in [
        "<clientCredentialsFlowUser>int@x.example</clientCredentialsFlowUser>",
        // Today's grants are kept beside the 1:1 access set (issue 12: hardening never drops
        // access).
        "<commaSeparatedPermissionSet>Demo_ECA_ECA_Access,Old_Set</commaSeparatedPermissionSet>",
        "<commaSeparatedProfile>System Administrator</commaSeparatedProfile>",
        "<ipRelaxationPolicyType>Enforce</ipRelaxationPolicyType>",
        "<permittedUsersPolicyType>AdminApprovedPreAuthorized</permittedUsersPolicyType>",
        "<refreshTokenPolicyType>SpecificLifetime</refreshTokenPolicyType>",
        "<refreshTokenValidityPeriod>7</refreshTokenValidityPeriod>",
        "<refreshTokenValidityUnit>Days</refreshTokenValidityUnit>",
        "<requiredSessionLevel>HIGH_ASSURANCE</requiredSessionLevel>",
        "<sessionTimeoutInMinutes>15</sessionTimeoutInMinutes>",
    ] {
        assert!(plcy.contains(expected), "{expected} missing in\n{plcy}");
    }
    // The plugin is ported: the policies name the new handler class (issue 12).
    assert!(plcy.contains("<apexHandler>MyPlugin_EcaHandler</apexHandler>"));
    // Today's grants are kept beside the new access permission set (issue 12).
    let saml = file(&g, "Demo_ECA_samlPlcy.ecaSamlPlcy-meta.xml");
    assert!(saml.contains("<commaSeparatedProfile>System Administrator</commaSeparatedProfile>"));
    assert!(saml.contains("Demo_ECA_ECA_Access,Old_Set"));
    // Triple_Des is raised to AES_256 (ECA107's fix), never dropped to no encryption.
    assert!(saml.contains("<encryptionType>AES_256</encryptionType>"));
    assert!(g.notes.iter().any(|n| n.code == "eca-saml-encryption"));
    let policies = file(&g, "Demo_ECA_plcy.ecaPlcy-meta.xml");
    assert!(policies.contains("<isSamlPluginEnabled>true</isSamlPluginEnabled>"));
    let s = skipped(&g);
    for element in [
        "attributes",
        "canvas",
        "mobileStartUrl",
        "oauthConfig/consumerKey",
        "oauthConfig/consumerSecret",
        "oauthConfig/scopes/Full",
        "plugin",
    ] {
        assert!(s.contains(&element), "{element} not reported: {s:?}");
    }
    assert!(
        !s.contains(&"profileName") && !s.contains(&"permissionSetName"),
        "{s:?}"
    );
    assert!(g.files.iter().any(|f| f.path == "eca-global/.gitignore"));
}

#[test]
fn full_scope_is_kept_when_the_standard_allows_it() {
    let inv = inventory("Demo", CA);
    let mut standard = Standard::default();
    standard.allowed_scopes.push("Full".into());
    standard.ip_enforcement = false;
    let g = run(&inv, None, &standard);
    let settings = file(&g, "Demo_ECA_oauth.ecaOauth-meta.xml");
    assert!(
        settings.contains(">Full, SFApiPlatform, Api, RefreshToken<"),
        "{settings}"
    );
    let plcy = file(&g, "Demo_ECA_oauthPlcy.ecaOauthPlcy-meta.xml");
    assert!(plcy.contains("<ipRelaxationPolicyType>Bypass</ipRelaxationPolicyType>"));
}

#[test]
fn target_flows_switch_flows() {
    let inv = inventory("Demo", CA);
    let g = run(
        &inv,
        Some(TargetFlow::AuthorizationCodePkce),
        &Standard::default(),
    );
    let global = file(&g, "Demo_ECA_glbloauth.ecaGlblOauth-meta.xml");
    assert!(
        global.contains("<isClientCredentialsFlowEnabled>false</isClientCredentialsFlowEnabled>")
    );
    assert!(!global.contains("<certificate>"));
    let s = skipped(&g);
    assert!(
        s.contains(&"oauthConfig/certificate")
            && s.contains(&"oauthConfig/isClientCredentialEnabled")
    );
    let plcy = file(&g, "Demo_ECA_oauthPlcy.ecaOauthPlcy-meta.xml");
    assert!(!plcy.contains("clientCredentialsFlowUser"));

    let g = run(&inv, Some(TargetFlow::JwtBearer), &Standard::default());
    assert!(file(&g, "Demo_ECA_glbloauth.ecaGlblOauth-meta.xml").contains("<certificate>"));

    let cc = TargetFlow::ClientCredentials {
        run_as: "svc@x.example".into(),
    };
    let g = run(&inv, Some(cc), &Standard::default());
    let plcy = file(&g, "Demo_ECA_oauthPlcy.ecaOauthPlcy-meta.xml");
    assert!(plcy.contains("<clientCredentialsFlowUser>svc@x.example</clientCredentialsFlowUser>"));
}

#[test]
fn errors_skips_and_the_secret_guard() {
    let inv = inventory("Demo", CA);
    let targets = [EcaTarget {
        app: &inv.apps[0],
        eca_name: "Demo_ECA".into(),
        scope: EcaScope::Full,
        target_flow: None,
        policy_names: Default::default(),
        kept: Default::default(),
    }];
    let standard = Standard::default();
    assert!(matches!(
        generate(&targets, &standard, "sixty"),
        Err(GenerateError::InvalidApiVersion(_))
    ));
    assert!(matches!(
        generate(&targets, &standard, "58.0"),
        Err(GenerateError::UnsupportedApiVersion(_))
    ));
    assert!(matches!(
        generate(&targets, &standard, "67.0"),
        Err(GenerateError::UnsupportedApiVersion(_))
    ));
    let mut app = inv.apps[0].clone();
    app.connected_app = None;
    let none = [EcaTarget {
        app: &app,
        ..targets[0].clone()
    }];
    let g = generate(&none, &standard, "66.0").expect("ok");
    assert!(g.files.is_empty());
    assert_eq!(g.notes[0].code, "generate-skipped");
    // A consumer key that happens to equal a label would leak: refused, not written.
    let leaky = CA.replace("Demo &amp; Co", "3MVG9SecretKeyValue123456");
    let inv = inventory("Demo", &leaky);
    let targets = [EcaTarget {
        app: &inv.apps[0],
        ..targets[0].clone()
    }];
    assert!(matches!(
        generate(&targets, &standard, "66.0"),
        Err(GenerateError::SecretInOutput {
            what: "consumer key",
            ..
        })
    ));
}

#[test]
fn old_api_versions_leave_out_newer_elements() {
    let inv = inventory("Demo", CA);
    let targets = [EcaTarget {
        app: &inv.apps[0],
        eca_name: "Demo_ECA".into(),
        scope: EcaScope::Full,
        target_flow: None,
        policy_names: Default::default(),
        kept: Default::default(),
    }];
    let g = generate(&targets, &Standard::default(), "59.0").expect("ok");
    assert!(!g.files.iter().any(|f| f.path.contains("ecaPlcy")));
    let global = file(&g, "Demo_ECA_glbloauth.ecaGlblOauth-meta.xml");
    assert!(
        !global.contains("isClientCredentialsFlowEnabled") && !global.contains("<certificate>")
    );
    let s = skipped(&g);
    assert!(
        s.contains(&"ExtlClntAppGlobalOauthSettings/certificate"),
        "{s:?}"
    );
    let create = g
        .files
        .iter()
        .find(|f| f.path.starts_with("eca/manifest/wave-1/2-create-"))
        .expect("the create manifest");
    assert!(create.contents.contains("<version>59.0</version>"));
}
