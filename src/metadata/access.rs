//! Profiles, permission sets, permission set groups, org settings, certificates and the types
//! that point at apps. Only the elements the plan needs are read; the rest of these (large)
//! files is skipped on purpose, so unknown elements are not reported here.

use crate::xml_record;

xml_record! {
    lenient
    /// `Profile`: licence, login IP ranges and user permissions.
    pub struct Profile {
        custom: Option<bool> = "custom",
        description: Option<String> = "description",
        login_ip_ranges: Vec<LoginIpRange> = "loginIpRanges",
        user_license: Option<String> = "userLicense",
        user_permissions: Vec<UserPermission> = "userPermissions",
    }
}

xml_record! {
    /// A profile login IP range.
    pub struct LoginIpRange {
        description: Option<String> = "description",
        end_address: Option<String> = "endAddress",
        start_address: Option<String> = "startAddress",
    }
}

xml_record! {
    /// One user permission (`ApiUserOnly`, `ModifyAllData`, ...).
    pub struct UserPermission {
        enabled: Option<bool> = "enabled",
        name: Option<String> = "name",
    }
}

xml_record! {
    lenient
    /// `PermissionSet`: label, licence and user permissions.
    pub struct PermissionSet {
        description: Option<String> = "description",
        has_activation_required: Option<bool> = "hasActivationRequired",
        label: Option<String> = "label",
        license: Option<String> = "license",
        user_permissions: Vec<UserPermission> = "userPermissions",
    }
}

xml_record! {
    lenient
    /// `PermissionSetGroup`: its member permission sets.
    pub struct PermissionSetGroup {
        description: Option<String> = "description",
        label: Option<String> = "label",
        muting_permission_sets: Vec<String> = "mutingPermissionSets",
        permission_sets: Vec<String> = "permissionSets",
        status: Option<String> = "status",
    }
}

xml_record! {
    /// `OauthOidcSettings` (`OauthOidc.settings`): org-wide blocks of insecure flows.
    pub struct OauthOidcSettings {
        agent_auth_linking: Option<bool> = "agentAuthLinking",
        block_oauth_un_pw_flow: Option<bool> = "blockOAuthUnPwFlow",
        block_oauth_usr_agt_flow: Option<bool> = "blockOAuthUsrAgtFlow",
        enable_hdless_fgt_psw_flow: Option<bool> = "enableHdlessFgtPswFlow",
        is_pkce_required: Option<bool> = "isPkceRequired",
        oauth_cd_crdt_flow_enable: Option<bool> = "oAuthCdCrdtFlowEnable",
    }
}

xml_record! {
    /// `ConnectedAppSettings` (`ConnectedApp.settings`): API Access Control.
    pub struct ConnectedAppSettings {
        enable_admin_approved_apps_only: Option<bool> = "enableAdminApprovedAppsOnly",
        enable_admin_approved_apps_only_for_external_user: Option<bool> = "enableAdminApprovedAppsOnlyForExternalUser",
        enable_skip_user_provisioning_wizard_welcome_page: Option<bool> = "enableSkipUserProvisioningWizardWelcomePage",
    }
}

xml_record! {
    /// `ExternalClientAppSettings` (`ExternalClientApp.settings`).
    pub struct ExternalClientAppSettings {
        enable_client_secret_in_rest_api_access: Option<bool> = "enableClientSecretInRestApiAccess",
        enable_consumer_secret_api_access: Option<bool> = "enableConsumerSecretApiAccess",
        enable_external_client_apps: Option<bool> = "enableExternalClientApps",
        enable_package_eca_oauth_from_dev_org: Option<bool> = "enablePackageEcaOauthFromDevOrg",
    }
}

xml_record! {
    lenient
    /// `Certificate` metadata (`certs/X.crt-meta.xml`); the PEM is in the `.crt` content file.
    pub struct CertificateMeta {
        ca_signed: Option<bool> = "caSigned",
        encrypted_with_platform_encryption: Option<bool> = "encryptedWithPlatformEncryption",
        expiration_date: Option<String> = "expirationDate",
        key_size: Option<i64> = "keySize",
        master_label: Option<String> = "masterLabel",
        private_key_exportable: Option<bool> = "privateKeyExportable",
    }
}

xml_record! {
    lenient
    /// `OauthCustomScope`: which connected apps a custom scope is assigned to.
    pub struct OauthCustomScope {
        assigned_to: Vec<OauthCustomScopeApp> = "assignedTo",
        description: Option<String> = "description",
        developer_name: Option<String> = "developerName",
        master_label: Option<String> = "masterLabel",
    }
}

xml_record! {
    /// One app a custom scope is assigned to.
    pub struct OauthCustomScopeApp {
        connected_app: Option<String> = "connectedApp",
    }
}

xml_record! {
    lenient
    /// `OauthTokenExchangeHandler`: the apps a token-exchange handler is enabled for.
    pub struct OauthTokenExchangeHandler {
        developer_name: Option<String> = "developerName",
        enablements: Vec<TokenExchangeEnablement> = "enablements",
        master_label: Option<String> = "masterLabel",
        token_handler_apex: Option<String> = "tokenHandlerApex",
    }
}

xml_record! {
    /// One app a token-exchange handler is enabled for.
    pub struct TokenExchangeEnablement {
        apex_execution_user: Option<String> = "apexExecutionUser",
        connected_app: Option<String> = "connectedApp",
        external_client_app: Option<String> = "externalClientApp",
        is_default: Option<bool> = "isDefault",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::record::{read_root, Cx};
    use crate::metadata::xml::parse;

    #[test]
    fn profile_reads_what_the_plan_needs_and_skips_the_rest_quietly() {
        let root = parse(
            "<Profile><custom>true</custom><fieldPermissions><field>A.b</field></fieldPermissions>\
             <loginIpRanges><endAddress>10.0.0.255</endAddress><startAddress>10.0.0.0</startAddress></loginIpRanges>\
             <userLicense>Salesforce Integration</userLicense>\
             <userPermissions><enabled>true</enabled><name>ApiUserOnly</name></userPermissions></Profile>",
        )
        .expect("xml");
        let mut cx = Cx::new("p");
        let p: Profile = read_root(&root, "Profile", &mut cx).expect("rec");
        assert!(cx.notes.is_empty());
        assert_eq!(p.user_license.as_deref(), Some("Salesforce Integration"));
        assert_eq!(p.login_ip_ranges.len(), 1);
        assert_eq!(p.user_permissions[0].name.as_deref(), Some("ApiUserOnly"));
    }

    #[test]
    fn oidc_settings() {
        let root = parse(
            "<OauthOidcSettings><blockOAuthUnPwFlow>false</blockOAuthUnPwFlow></OauthOidcSettings>",
        )
        .expect("xml");
        let mut cx = Cx::new("s");
        let s: OauthOidcSettings = read_root(&root, "OauthOidcSettings", &mut cx).expect("rec");
        assert_eq!(s.block_oauth_un_pw_flow, Some(false));
        assert_eq!(s.block_oauth_usr_agt_flow, None);
    }
}
