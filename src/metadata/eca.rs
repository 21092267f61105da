//! External Client App metadata types (reference §6): the header and every sub-file type.
//!
//! Sub-files link to their app only through `externalClientApplication`, never by file name.

use crate::xml_record;

xml_record! {
    /// `ExternalClientApplication` (`.eca`): the header file.
    pub struct EcaHeader {
        contact_email: Option<String> = "contactEmail",
        contact_phone: Option<String> = "contactPhone",
        description: Option<String> = "description",
        distribution_state: Option<String> = "distributionState",
        icon_url: Option<String> = "iconUrl",
        info_url: Option<String> = "infoUrl",
        is_protected: Option<bool> = "isProtected",
        label: Option<String> = "label",
        logo_url: Option<String> = "logoUrl",
        managed_type: Option<String> = "managedType",
        org_scoped_external_app: Option<String> = "orgScopedExternalApp",
    }
}

xml_record! {
    /// `ExtlClntAppOauthSettings` (`.ecaOauth`): developer OAuth settings.
    pub struct EcaOauthSettings {
        are_attributes_included_in_asset_token: Option<bool> = "areAttributesIncludedInAssetToken",
        are_custom_perms_included_in_asset_token: Option<bool> = "areCustomPermsIncludedInAssetToken",
        asset_token_audiences: Option<String> = "assetTokenAudiences",
        asset_token_signing_certificate: Option<String> = "assetTokenSigningCertificate",
        asset_token_validity: Option<i64> = "assetTokenValidity",
        client_assertion_certificate: Option<String> = "clientAssertionCertificate",
        comma_separated_custom_scopes: Option<String> = "commaSeparatedCustomScopes",
        comma_separated_oauth_scopes: Option<String> = "commaSeparatedOauthScopes",
        custom_attributes: Vec<EcaAttribute> = "customAttributes",
        external_client_application: Option<String> = "externalClientApplication",
        is_first_party_app_enabled: Option<bool> = "isFirstPartyAppEnabled",
        label: Option<String> = "label",
        oauth_link: Option<String> = "oauthLink",
        single_logout_url: Option<String> = "singleLogoutUrl",
        trusted_ip_ranges: Vec<EcaIpRange> = "trustedIpRanges",
    }
}

xml_record! {
    /// A custom attribute of an ECA file.
    pub struct EcaAttribute {
        formula: Option<String> = "formula",
        key: Option<String> = "key",
    }
}

xml_record! {
    /// An ECA IP range (`trustedIpRanges`, `tokenIpRanges`).
    pub struct EcaIpRange {
        description: Option<String> = "description",
        end_ip_address: Option<String> = "endIpAddress",
        start_ip_address: Option<String> = "startIpAddress",
    }
}

xml_record! {
    /// `ExtlClntAppGlobalOauthSettings` (`.ecaGlblOauth`): credentials and flow switches.
    pub struct EcaGlobalOauth {
        callback_url: Option<String> = "callbackUrl",
        /// PEM body; never serialized.
        #[serde(skip)]
        certificate: Option<String> = "certificate",
        /// Never serialized: reports show it masked.
        #[serde(skip)]
        consumer_key: Option<String> = "consumerKey",
        /// Never serialized or shown.
        #[serde(skip)]
        consumer_secret: Option<String> = "consumerSecret",
        external_client_application: Option<String> = "externalClientApplication",
        id_token_config: Option<EcaIdTokenConfig> = "idTokenConfig",
        is_client_credentials_flow_enabled: Option<bool> = "isClientCredentialsFlowEnabled",
        is_code_cred_flow_enabled: Option<bool> = "isCodeCredFlowEnabled",
        is_code_cred_post_only: Option<bool> = "isCodeCredPostOnly",
        is_consumer_secret_optional: Option<bool> = "isConsumerSecretOptional",
        is_dpop_enabled: Option<bool> = "isDPopEnabled",
        is_device_flow_enabled: Option<bool> = "isDeviceFlowEnabled",
        is_enforce_refresh_token_ttl: Option<bool> = "isEnforceRefreshTokenTTL",
        is_introspect_all_tokens: Option<bool> = "isIntrospectAllTokens",
        is_mtls_enabled: Option<bool> = "isMtlsEnabled",
        is_named_user_jwt_enabled: Option<bool> = "isNamedUserJwtEnabled",
        is_pkce_required: Option<bool> = "isPkceRequired",
        is_refresh_token_rotation_enabled: Option<bool> = "isRefreshTokenRotationEnabled",
        is_secret_required_for_refresh_token: Option<bool> = "isSecretRequiredForRefreshToken",
        is_secret_required_for_token_exchange: Option<bool> = "isSecretRequiredForTokenExchange",
        is_token_exchange_enabled: Option<bool> = "isTokenExchangeEnabled",
        label: Option<String> = "label",
        should_rotate_consumer_key: Option<bool> = "shouldRotateConsumerKey",
        should_rotate_consumer_secret: Option<bool> = "shouldRotateConsumerSecret",
    }
}

xml_record! {
    /// `idTokenConfig` of the global OAuth settings.
    pub struct EcaIdTokenConfig {
        id_token_audience: Option<String> = "idTokenAudience",
        id_token_include_attributes: Option<bool> = "idTokenIncludeAttributes",
        id_token_include_custom_permissions: Option<bool> = "idTokenIncludeCustomPermissions",
        id_token_include_standard_claims: Option<bool> = "idTokenIncludeStandardClaims",
        id_token_validity_in_minutes: Option<i64> = "idTokenValidityInMinutes",
    }
}

xml_record! {
    /// `ExtlClntAppOauthConfigurablePolicies` (`.ecaOauthPlcy`): admin OAuth policies.
    pub struct EcaOauthPolicies {
        apex_handler: Option<String> = "apexHandler",
        client_credentials_flow_user: Option<String> = "clientCredentialsFlowUser",
        comma_separated_custom_scopes: Option<String> = "commaSeparatedCustomScopes",
        comma_separated_permission_set: Option<String> = "commaSeparatedPermissionSet",
        comma_separated_profile: Option<String> = "commaSeparatedProfile",
        custom_attributes: Vec<EcaAttribute> = "customAttributes",
        execute_handler_as: Option<String> = "executeHandlerAs",
        external_client_application: Option<String> = "externalClientApplication",
        guest_jwt_session_timeout_type: Option<String> = "guestJwtSessionTimeoutType",
        guest_jwt_timeout: Option<i64> = "guestJwtTimeout",
        ip_relaxation_policy_type: Option<String> = "ipRelaxationPolicyType",
        is_client_credentials_flow_enabled: Option<bool> = "isClientCredentialsFlowEnabled",
        is_guest_code_cred_flow_enabled: Option<bool> = "isGuestCodeCredFlowEnabled",
        is_named_user_jwt_enabled: Option<bool> = "isNamedUserJwtEnabled",
        is_token_exchange_flow_enabled: Option<bool> = "isTokenExchangeFlowEnabled",
        label: Option<String> = "label",
        named_user_jwt_session_timeout_type: Option<String> = "namedUserJwtSessionTimeoutType",
        named_user_jwt_timeout: Option<i64> = "namedUserJwtTimeout",
        permitted_users_policy_type: Option<String> = "permittedUsersPolicyType",
        policy_action: Option<String> = "policyAction",
        refresh_token_policy_type: Option<String> = "refreshTokenPolicyType",
        refresh_token_validity_period: Option<i64> = "refreshTokenValidityPeriod",
        refresh_token_validity_unit: Option<String> = "refreshTokenValidityUnit",
        required_session_level: Option<String> = "requiredSessionLevel",
        session_timeout_in_minutes: Option<i64> = "sessionTimeoutInMinutes",
        single_logout_url: Option<String> = "singleLogoutUrl",
        start_url: Option<String> = "startUrl",
    }
}

xml_record! {
    /// `ExtlClntAppConfigurablePolicies` (`.ecaPlcy`): plugin switches and start page.
    pub struct EcaPolicies {
        external_client_application: Option<String> = "externalClientApplication",
        is_attest_plugin_enabled: Option<bool> = "isAttestPluginEnabled",
        is_canvas_plugin_enabled: Option<bool> = "isCanvasPluginEnabled",
        is_enabled: Option<bool> = "isEnabled",
        is_mobile_plugin_enabled: Option<bool> = "isMobilePluginEnabled",
        is_notification_plugin_enabled: Option<bool> = "isNotificationPluginEnabled",
        is_oauth_plugin_enabled: Option<bool> = "isOauthPluginEnabled",
        is_push_plugin_enabled: Option<bool> = "isPushPluginEnabled",
        is_saml_plugin_enabled: Option<bool> = "isSamlPluginEnabled",
        label: Option<String> = "label",
        start_page: Option<String> = "startPage",
        start_url: Option<String> = "startUrl",
    }
}

xml_record! {
    /// `ExtlClntAppSamlConfigurablePolicies` (`.ecaSamlPlcy`).
    pub struct EcaSamlPolicies {
        acs_url: Option<String> = "acsUrl",
        certificate: Option<String> = "certificate",
        comma_separated_permission_set: Option<String> = "commaSeparatedPermissionSet",
        comma_separated_profile: Option<String> = "commaSeparatedProfile",
        custom_attributes: Vec<EcaAttribute> = "customAttributes",
        encryption_certificate: Option<String> = "encryptionCertificate",
        encryption_type: Option<String> = "encryptionType",
        entity_url: Option<String> = "entityUrl",
        external_client_application: Option<String> = "externalClientApplication",
        issuer: Option<String> = "issuer",
        label: Option<String> = "label",
        name_id_format: Option<String> = "nameIdFormat",
        signing_algorithm_type: Option<String> = "signingAlgorithmType",
        single_logout_binding_type: Option<String> = "singleLogoutBindingType",
        single_logout_url: Option<String> = "singleLogoutUrl",
        start_url: Option<String> = "startUrl",
        subject_custom_attribute: Option<String> = "subjectCustomAttribute",
        subject_type: Option<String> = "subjectType",
    }
}

xml_record! {
    /// `ExtlClntAppCanvasSettings` (`.ecaCanvas`, API 66.0).
    pub struct EcaCanvas {
        access_method: Option<String> = "accessMethod",
        canvas_location_options: Vec<String> = "canvasLocationOptions",
        canvas_options: Vec<String> = "canvasOptions",
        canvas_url: Option<String> = "canvasUrl",
        external_client_application: Option<String> = "externalClientApplication",
        label: Option<String> = "label",
        life_cycle_handler: Option<String> = "lifeCycleHandler",
        saml_initiation_method: Option<String> = "samlInitiationMethod",
    }
}

xml_record! {
    /// `ExtlClntAppPushSettings` (`.ecaPush`). Push secrets are never kept beyond this record.
    pub struct EcaPushSettings {
        android_push_config: Option<EcaAndroidPush> = "androidPushConfig",
        apple_push_config: Option<EcaApplePush> = "applePushConfig",
        external_client_application: Option<String> = "externalClientApplication",
        label: Option<String> = "label",
        push_config_link: Option<String> = "pushConfigLink",
        push_service_type: Option<String> = "pushServiceType",
    }
}

xml_record! {
    /// Firebase push configuration.
    pub struct EcaAndroidPush {
        fcm_project: Option<String> = "fcmProject",
        /// Secret key material; never serialized.
        #[serde(skip)]
        service_account: Option<String> = "serviceAccount",
    }
}

xml_record! {
    /// Apple push configuration.
    pub struct EcaApplePush {
        application_bundle: Option<String> = "applicationBundle",
        /// Secret key material; never serialized.
        #[serde(skip)]
        certificate: Option<String> = "certificate",
        environment: Option<String> = "environment",
        key_identifier: Option<String> = "keyIdentifier",
        /// Secret; never serialized.
        #[serde(skip)]
        password: Option<String> = "password",
        /// Secret key material; never serialized.
        #[serde(skip)]
        signing_key: Option<String> = "signingKey",
        team_identifier: Option<String> = "teamIdentifier",
    }
}

xml_record! {
    /// `ExtlClntAppPushConfigurablePolicies` (`.ecaPushPlcy`).
    pub struct EcaPushPolicies {
        external_client_application: Option<String> = "externalClientApplication",
        is_full_content: Option<bool> = "isFullContent",
        label: Option<String> = "label",
    }
}

xml_record! {
    /// `ExtlClntAppMobileSettings` (`.ecaMobile`).
    pub struct EcaMobileSettings {
        external_client_application: Option<String> = "externalClientApplication",
        is_screen_lock_enabled: Option<bool> = "isScreenLockEnabled",
        label: Option<String> = "label",
    }
}

xml_record! {
    /// `ExtlClntAppMobileConfigurablePolicies` (`.ecaMobilePlcy`).
    pub struct EcaMobilePolicies {
        external_client_application: Option<String> = "externalClientApplication",
        label: Option<String> = "label",
        screen_lock_timeout: Option<String> = "screenLockTimeout",
    }
}

xml_record! {
    /// `ExtlClntAppNotificationSettings` (`.ecaNotifications`).
    pub struct EcaNotificationSettings {
        external_client_application: Option<String> = "externalClientApplication",
        label: Option<String> = "label",
        notification_types: Vec<EcaNotificationType> = "notificationTypes",
    }
}

xml_record! {
    /// One notification type of an ECA.
    pub struct EcaNotificationType {
        notification_type: Option<String> = "notificationType",
        push_by_default: Option<bool> = "pushByDefault",
    }
}

xml_record! {
    /// `ExtlClntAppOauthSecuritySettings` (`.ecaOauthSecurity`, newer than API 66).
    pub struct EcaOauthSecurity {
        external_client_application: Option<String> = "externalClientApplication",
        label: Option<String> = "label",
        tls_client_auth_cert_param_type: Option<String> = "tlsClientAuthCertParamType",
        tls_client_auth_cert_param_value: Option<String> = "tlsClientAuthCertParamValue",
        token_ip_ranges: Vec<EcaIpRange> = "tokenIpRanges",
    }
}

xml_record! {
    /// `ExtlClntAppAttestSettings` (`.ecaAttest`).
    pub struct EcaAttestSettings {
        attest_config_link: Option<String> = "attestConfigLink",
        attest_service_type: Option<String> = "attestServiceType",
        external_client_application: Option<String> = "externalClientApplication",
        label: Option<String> = "label",
    }
}

xml_record! {
    /// `ExtlClntAppAttestConfigurablePolicies` (`.ecaAttestPlcy`).
    pub struct EcaAttestPolicies {
        attest_enforce_level: Option<String> = "attestEnforceLevel",
        external_client_application: Option<String> = "externalClientApplication",
        label: Option<String> = "label",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::record::{read_root, split_commas, Cx};
    use crate::metadata::xml::parse;

    #[test]
    fn reads_oauth_policies_and_settings() {
        let root = parse(
            "<ExtlClntAppOauthConfigurablePolicies xmlns=\"http://soap.sforce.com/2006/04/metadata\">\
             <clientCredentialsFlowUser>int@x.com</clientCredentialsFlowUser>\
             <externalClientApplication>Road</externalClientApplication>\
             <ipRelaxationPolicyType>Enforce</ipRelaxationPolicyType>\
             <permittedUsersPolicyType>AdminApprovedPreAuthorized</permittedUsersPolicyType>\
             <refreshTokenValidityPeriod>365</refreshTokenValidityPeriod>\
             </ExtlClntAppOauthConfigurablePolicies>",
        )
        .expect("xml");
        let mut cx = Cx::new("p");
        let p: EcaOauthPolicies =
            read_root(&root, "ExtlClntAppOauthConfigurablePolicies", &mut cx).expect("rec");
        assert_eq!(p.external_client_application.as_deref(), Some("Road"));
        assert_eq!(p.refresh_token_validity_period, Some(365));
        assert!(cx.notes.is_empty());

        let root = parse("<ExtlClntAppOauthSettings><commaSeparatedOauthScopes>Api, Web, RefreshToken</commaSeparatedOauthScopes><externalClientApplication>X</externalClientApplication></ExtlClntAppOauthSettings>").expect("xml");
        let s: EcaOauthSettings = read_root(&root, "ExtlClntAppOauthSettings", &mut cx).expect("r");
        let scopes = split_commas(
            s.comma_separated_oauth_scopes
                .as_deref()
                .unwrap_or_default(),
        );
        assert_eq!(scopes, vec!["Api", "Web", "RefreshToken"]);
    }

    #[test]
    fn schema_order_is_sorted() {
        for names in [
            EcaHeader::XML_NAMES,
            EcaOauthSettings::XML_NAMES,
            EcaGlobalOauth::XML_NAMES,
            EcaOauthPolicies::XML_NAMES,
            EcaPolicies::XML_NAMES,
            EcaSamlPolicies::XML_NAMES,
            EcaCanvas::XML_NAMES,
        ] {
            let mut sorted = names.to_vec();
            sorted.sort();
            assert_eq!(names, sorted.as_slice());
        }
    }
}
