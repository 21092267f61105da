//! The `ConnectedApp` metadata type (reference §5), every element of WSDL 66 plus the
//! post-66 booleans seen in newer retrieves.

use crate::xml_record;

xml_record! {
    /// A connected app as retrieved (`*.connectedApp-meta.xml` or `connectedApps/*.connectedApp`).
    pub struct ConnectedApp {
        attributes: Vec<ConnectedAppAttribute> = "attributes",
        canvas: Option<CanvasMetadata> = "canvas",
        canvas_config: Option<CanvasConfig> = "canvasConfig",
        contact_email: Option<String> = "contactEmail",
        contact_phone: Option<String> = "contactPhone",
        description: Option<String> = "description",
        icon_url: Option<String> = "iconUrl",
        info_url: Option<String> = "infoUrl",
        ip_ranges: Vec<IpRange> = "ipRanges",
        label: Option<String> = "label",
        logo_url: Option<String> = "logoUrl",
        mobile_app_config: Option<MobileAppConfig> = "mobileAppConfig",
        mobile_start_url: Option<String> = "mobileStartUrl",
        oauth_config: Option<OauthConfig> = "oauthConfig",
        oauth_policy: Option<OauthPolicy> = "oauthPolicy",
        permission_set_name: Vec<String> = "permissionSetName",
        plugin: Option<String> = "plugin",
        plugin_execution_user: Option<String> = "pluginExecutionUser",
        profile_name: Vec<String> = "profileName",
        saml_config: Option<SamlConfig> = "samlConfig",
        session_policy: Option<SessionPolicy> = "sessionPolicy",
        start_url: Option<String> = "startUrl",
    }
}

xml_record! {
    /// A custom attribute (`key` = name, `formula` = value expression).
    pub struct ConnectedAppAttribute {
        formula: Option<String> = "formula",
        key: Option<String> = "key",
    }
}

xml_record! {
    /// The legacy `canvas` element (never seen in practice).
    pub struct CanvasMetadata {
        access_method: Option<String> = "accessMethod",
        canvas_options: Option<String> = "canvasOptions",
        canvas_url: Option<String> = "canvasUrl",
        lifecycle_class: Option<String> = "lifecycleClass",
        location_options: Option<String> = "locationOptions",
        saml_initiation_method: Option<String> = "samlInitiationMethod",
    }
}

xml_record! {
    /// `canvasConfig` (§5.6).
    pub struct CanvasConfig {
        access_method: Option<String> = "accessMethod",
        canvas_url: Option<String> = "canvasUrl",
        lifecycle_class: Option<String> = "lifecycleClass",
        locations: Vec<String> = "locations",
        options: Vec<String> = "options",
        saml_initiation_method: Option<String> = "samlInitiationMethod",
    }
}

xml_record! {
    /// An IP range that may use the app without the user authenticating again.
    pub struct IpRange {
        description: Option<String> = "description",
        end: Option<String> = "end",
        start: Option<String> = "start",
    }
}

xml_record! {
    /// `mobileAppConfig` (§5.7).
    pub struct MobileAppConfig {
        application_binary_file: Option<String> = "applicationBinaryFile",
        application_binary_file_name: Option<String> = "applicationBinaryFileName",
        application_bundle_identifier: Option<String> = "applicationBundleIdentifier",
        application_file_length: Option<i64> = "applicationFileLength",
        application_icon_file: Option<String> = "applicationIconFile",
        application_icon_file_name: Option<String> = "applicationIconFileName",
        application_install_url: Option<String> = "applicationInstallUrl",
        device_platform: Option<String> = "devicePlatform",
        device_type: Option<String> = "deviceType",
        minimum_os_version: Option<String> = "minimumOsVersion",
        private_app: Option<bool> = "privateApp",
        version: Option<String> = "version",
    }
}

xml_record! {
    /// `oauthConfig` (§5.2). Post-66 booleans (`isDPopEnabled`, ...) are read too.
    pub struct OauthConfig {
        asset_token_config: Option<AssetTokenConfig> = "assetTokenConfig",
        callback_url: Option<String> = "callbackUrl",
        /// PEM/base64 body; never serialized (reports show the parsed subject and expiry).
        #[serde(skip)]
        certificate: Option<String> = "certificate",
        /// Never serialized: reports show it masked.
        #[serde(skip)]
        consumer_key: Option<String> = "consumerKey",
        /// Never serialized or shown.
        #[serde(skip)]
        consumer_secret: Option<String> = "consumerSecret",
        id_token_config: Option<IdTokenConfig> = "idTokenConfig",
        is_admin_approved: Option<bool> = "isAdminApproved",
        is_client_credential_enabled: Option<bool> = "isClientCredentialEnabled",
        is_code_credential_enabled: Option<bool> = "isCodeCredentialEnabled",
        is_code_credential_post_only: Option<bool> = "isCodeCredentialPostOnly",
        is_consumer_secret_optional: Option<bool> = "isConsumerSecretOptional",
        is_dpop_enabled: Option<bool> = "isDPopEnabled",
        is_device_flow_enabled: Option<bool> = "isDeviceFlowEnabled",
        is_enforce_refresh_token_ttl: Option<bool> = "isEnforceRefreshTokenTTL",
        is_introspect_all_tokens: Option<bool> = "isIntrospectAllTokens",
        is_ip_binding_enabled: Option<bool> = "isIpBindingEnabled",
        is_named_user_jwt_enabled: Option<bool> = "isNamedUserJwtEnabled",
        is_pki_mtls_enabled: Option<bool> = "isPKImTLSEnabled",
        is_pkce_required: Option<bool> = "isPkceRequired",
        is_refresh_token_rotation_enabled: Option<bool> = "isRefreshTokenRotationEnabled",
        is_secret_required_for_refresh_token: Option<bool> = "isSecretRequiredForRefreshToken",
        is_secret_required_for_token_exchange: Option<bool> = "isSecretRequiredForTokenExchange",
        is_token_exchange_enabled: Option<bool> = "isTokenExchangeEnabled",
        oauth_client_credential_user: Option<String> = "oauthClientCredentialUser",
        scopes: Vec<String> = "scopes",
        single_logout_url: Option<String> = "singleLogoutUrl",
    }
}

xml_record! {
    /// `assetTokenConfig`.
    pub struct AssetTokenConfig {
        asset_audiences: Option<String> = "assetAudiences",
        asset_include_attributes: Option<bool> = "assetIncludeAttributes",
        asset_include_custom_perms: Option<bool> = "assetIncludeCustomPerms",
        asset_signing_cert_id: Option<String> = "assetSigningCertId",
        asset_validity_period: Option<i64> = "assetValidityPeriod",
    }
}

xml_record! {
    /// `idTokenConfig`.
    pub struct IdTokenConfig {
        id_token_audience: Option<String> = "idTokenAudience",
        id_token_include_attributes: Option<bool> = "idTokenIncludeAttributes",
        id_token_include_custom_perms: Option<bool> = "idTokenIncludeCustomPerms",
        id_token_include_standard_claims: Option<bool> = "idTokenIncludeStandardClaims",
        id_token_validity: Option<i64> = "idTokenValidity",
    }
}

xml_record! {
    /// `oauthPolicy` (§5.3): IP relaxation and refresh-token policy (kept raw, parsed in the model).
    pub struct OauthPolicy {
        ip_relaxation: Option<String> = "ipRelaxation",
        is_token_exchange_flow_enabled: Option<bool> = "isTokenExchangeFlowEnabled",
        refresh_token_policy: Option<String> = "refreshTokenPolicy",
        single_logout_url: Option<String> = "singleLogoutUrl",
    }
}

xml_record! {
    /// `sessionPolicy` (§5.4).
    pub struct SessionPolicy {
        policy_action: Option<String> = "policyAction",
        session_level: Option<String> = "sessionLevel",
        session_timeout: Option<i64> = "sessionTimeout",
    }
}

xml_record! {
    /// `samlConfig` (§5.5).
    pub struct SamlConfig {
        acs_url: Option<String> = "acsUrl",
        certificate: Option<String> = "certificate",
        encryption_certificate: Option<String> = "encryptionCertificate",
        encryption_type: Option<String> = "encryptionType",
        entity_url: Option<String> = "entityUrl",
        issuer: Option<String> = "issuer",
        saml_idp_slo_binding_enum: Option<String> = "samlIdpSLOBindingEnum",
        saml_name_id_format: Option<String> = "samlNameIdFormat",
        saml_signing_algo_type: Option<String> = "samlSigningAlgoType",
        saml_slo_url: Option<String> = "samlSloUrl",
        saml_subject_custom_attr: Option<String> = "samlSubjectCustomAttr",
        saml_subject_type: Option<String> = "samlSubjectType",
    }
}

impl OauthConfig {
    /// Callback URLs: one element may hold several, separated by new lines.
    pub fn callback_urls(&self) -> Vec<String> {
        self.callback_url
            .as_deref()
            .unwrap_or_default()
            .split(['\n', '\r'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::record::{read_root, Cx};
    use crate::metadata::xml::parse;

    fn read(xml: &str) -> (ConnectedApp, Cx) {
        let root = parse(xml).expect("xml");
        let mut cx = Cx::new("t.connectedApp-meta.xml");
        let app = read_root(&root, "ConnectedApp", &mut cx).expect("app");
        (app, cx)
    }

    #[test]
    fn reads_every_section() {
        let (app, cx) = read(
            r#"<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
  <attributes><formula>$User.Email</formula><key>email</key></attributes>
  <canvasConfig><accessMethod>Post</accessMethod><canvasUrl>https://c</canvasUrl>
    <locations>PageLayout</locations><locations>Aura</locations><options>HideShare</options></canvasConfig>
  <contactEmail>a@b.c</contactEmail>
  <ipRanges><description>office</description><end>10.0.0.255</end><start>10.0.0.1</start></ipRanges>
  <label>Demo</label>
  <mobileAppConfig><devicePlatform>ios</devicePlatform><version>1.0</version></mobileAppConfig>
  <oauthConfig>
    <callbackUrl>https://a/cb
https://b/cb</callbackUrl>
    <consumerKey>3MVGabcdef1234</consumerKey>
    <idTokenConfig><idTokenValidity>5</idTokenValidity></idTokenConfig>
    <isAdminApproved>true</isAdminApproved>
    <isClientCredentialEnabled>true</isClientCredentialEnabled>
    <oauthClientCredentialUser>int@x.com</oauthClientCredentialUser>
    <scopes>Api</scopes><scopes>RefreshToken</scopes>
  </oauthConfig>
  <oauthPolicy><ipRelaxation>ENFORCE</ipRelaxation><refreshTokenPolicy>specific_lifetime:90:DAYS</refreshTokenPolicy></oauthPolicy>
  <permissionSetName>Int_Access</permissionSetName>
  <plugin>MyPlugin</plugin><pluginExecutionUser>run@x.com</pluginExecutionUser>
  <profileName>System Administrator</profileName>
  <samlConfig><acsUrl>https://sp/acs</acsUrl><encryptionType>Triple_Des</encryptionType><entityUrl>sp</entityUrl><samlSubjectType>Username</samlSubjectType></samlConfig>
  <sessionPolicy><sessionTimeout>15</sessionTimeout></sessionPolicy>
  <startUrl>https://start</startUrl>
</ConnectedApp>"#,
        );
        assert!(cx.notes.is_empty(), "{:?}", cx.notes);
        let oauth = app.oauth_config.as_ref().expect("oauth");
        assert_eq!(oauth.callback_urls(), vec!["https://a/cb", "https://b/cb"]);
        assert_eq!(oauth.scopes, vec!["Api", "RefreshToken"]);
        assert_eq!(oauth.is_client_credential_enabled, Some(true));
        assert_eq!(
            oauth
                .id_token_config
                .as_ref()
                .and_then(|c| c.id_token_validity),
            Some(5)
        );
        assert_eq!(app.attributes[0].key.as_deref(), Some("email"));
        assert_eq!(
            app.canvas_config.as_ref().map(|c| c.locations.len()),
            Some(2)
        );
        assert_eq!(app.ip_ranges[0].start.as_deref(), Some("10.0.0.1"));
        assert_eq!(
            app.saml_config.and_then(|s| s.encryption_type).as_deref(),
            Some("Triple_Des")
        );
        assert_eq!(app.plugin.as_deref(), Some("MyPlugin"));
        assert_eq!(app.session_policy.and_then(|s| s.session_timeout), Some(15));
        assert_eq!(
            app.mobile_app_config
                .and_then(|m| m.device_platform)
                .as_deref(),
            Some("ios")
        );
        assert_eq!(cx.lines.get("oauthConfig/scopes"), Some(&17));
    }

    #[test]
    fn schema_order_is_alphabetical() {
        for names in [
            ConnectedApp::XML_NAMES,
            OauthConfig::XML_NAMES,
            SamlConfig::XML_NAMES,
        ] {
            let mut sorted = names.to_vec();
            sorted.sort();
            assert_eq!(names, sorted.as_slice());
        }
    }
}
