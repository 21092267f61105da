//! API versions: parsing the chosen version and the minimum version of every ECA type and
//! element the generator writes (reference §14.2). Elements newer than the chosen version are
//! left out and reported, because deploy rejects elements its schema version does not know.

/// A Metadata API version such as `66.0`, compared by its major number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ApiVersion(pub u32);

/// The oldest version that has External Client Apps at all.
pub const FIRST_ECA_VERSION: ApiVersion = ApiVersion(59);

/// The newest version the bundled schema (WSDL 66) describes; newer elements are never written.
pub const NEWEST_KNOWN_VERSION: ApiVersion = ApiVersion(66);

impl ApiVersion {
    /// Parse `NN.0` (or `NN`).
    pub fn parse(text: &str) -> Option<ApiVersion> {
        let t = text.trim();
        let major = match t.split_once('.') {
            Some((major, "0")) => major,
            Some(_) => return None,
            None => t,
        };
        if major.is_empty() || !major.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        major.parse().ok().map(ApiVersion)
    }

    /// `66.0`.
    pub fn display(self) -> String {
        format!("{}.0", self.0)
    }
}

/// (metadata type, element or `""` for the whole type, minimum major version).
const MINIMUM: &[(&str, &str, u32)] = &[
    ("ExtlClntAppConfigurablePolicies", "", 60),
    (
        "ExtlClntAppConfigurablePolicies",
        "isOauthPluginEnabled",
        60,
    ),
    (
        "ExtlClntAppConfigurablePolicies",
        "isMobilePluginEnabled",
        63,
    ),
    (
        "ExtlClntAppConfigurablePolicies",
        "isNotificationPluginEnabled",
        63,
    ),
    ("ExtlClntAppConfigurablePolicies", "isPushPluginEnabled", 63),
    ("ExtlClntAppConfigurablePolicies", "isSamlPluginEnabled", 63),
    ("ExtlClntAppConfigurablePolicies", "startPage", 63),
    ("ExtlClntAppConfigurablePolicies", "startUrl", 63),
    (
        "ExtlClntAppConfigurablePolicies",
        "isCanvasPluginEnabled",
        66,
    ),
    ("ExtlClntAppGlobalOauthSettings", "certificate", 60),
    (
        "ExtlClntAppGlobalOauthSettings",
        "isClientCredentialsFlowEnabled",
        60,
    ),
    ("ExtlClntAppGlobalOauthSettings", "isDeviceFlowEnabled", 60),
    (
        "ExtlClntAppGlobalOauthSettings",
        "isRefreshTokenRotationEnabled",
        60,
    ),
    (
        "ExtlClntAppGlobalOauthSettings",
        "isSecretRequiredForTokenExchange",
        60,
    ),
    (
        "ExtlClntAppGlobalOauthSettings",
        "isTokenExchangeEnabled",
        60,
    ),
    (
        "ExtlClntAppGlobalOauthSettings",
        "isCodeCredFlowEnabled",
        61,
    ),
    ("ExtlClntAppGlobalOauthSettings", "isCodeCredPostOnly", 61),
    (
        "ExtlClntAppGlobalOauthSettings",
        "isNamedUserJwtEnabled",
        61,
    ),
    (
        "ExtlClntAppOauthConfigurablePolicies",
        "clientCredentialsFlowUser",
        60,
    ),
    (
        "ExtlClntAppOauthConfigurablePolicies",
        "isClientCredentialsFlowEnabled",
        60,
    ),
    (
        "ExtlClntAppOauthConfigurablePolicies",
        "isTokenExchangeFlowEnabled",
        60,
    ),
    ("ExtlClntAppOauthConfigurablePolicies", "apexHandler", 61),
    (
        "ExtlClntAppOauthConfigurablePolicies",
        "commaSeparatedCustomScopes",
        61,
    ),
    (
        "ExtlClntAppOauthConfigurablePolicies",
        "executeHandlerAs",
        61,
    ),
    (
        "ExtlClntAppOauthSettings",
        "areAttributesIncludedInAssetToken",
        61,
    ),
    (
        "ExtlClntAppOauthSettings",
        "areCustomPermsIncludedInAssetToken",
        61,
    ),
    ("ExtlClntAppOauthSettings", "assetTokenAudiences", 61),
    (
        "ExtlClntAppOauthSettings",
        "assetTokenSigningCertificate",
        61,
    ),
    ("ExtlClntAppOauthSettings", "assetTokenValidity", 61),
    ("ExtlClntAppSamlConfigurablePolicies", "", 63),
    ("ExtlClntAppCanvasSettings", "", 66),
];

/// The minimum version of a type (`element == ""`) or of one of its elements.
pub fn minimum(type_name: &str, element: &str) -> ApiVersion {
    let found = MINIMUM
        .iter()
        .find(|(t, e, _)| *t == type_name && *e == element)
        .map(|(_, _, v)| *v);
    ApiVersion(found.unwrap_or(FIRST_ECA_VERSION.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions() {
        assert_eq!(ApiVersion::parse("66.0"), Some(ApiVersion(66)));
        assert_eq!(ApiVersion::parse("61"), Some(ApiVersion(61)));
        assert_eq!(ApiVersion::parse("66.5"), None);
        assert_eq!(ApiVersion::parse("v66"), None);
        assert_eq!(ApiVersion::parse(""), None);
        assert_eq!(ApiVersion(64).display(), "64.0");
    }

    #[test]
    fn minimums() {
        assert_eq!(minimum("ExtlClntAppCanvasSettings", ""), ApiVersion(66));
        assert_eq!(
            minimum("ExtlClntAppSamlConfigurablePolicies", ""),
            ApiVersion(63)
        );
        assert_eq!(
            minimum("ExtlClntAppOauthSettings", "assetTokenValidity"),
            ApiVersion(61)
        );
        assert_eq!(
            minimum("ExternalClientApplication", "label"),
            FIRST_ECA_VERSION
        );
    }
}
