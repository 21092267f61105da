//! The Salesforce first-party app catalogue (reference §17) as data, and the corroboration
//! rules: a name alone is never trusted, because look-alike names were the 2025 attack vector.

use serde::Serialize;

/// Namespaces of the packages Salesforce installs its own connected apps from.
pub const FIRST_PARTY_NAMESPACES: &[&str] = &["sf_com_apps", "sf_chttr_apps"];

/// ELF `CONNECTED_APP_ID` prefix of Salesforce-internal apps (also used by ECA consumers: §11.4).
pub const INTERNAL_ID_PREFIX: &str = "888";

/// ELF `API_CLIENT_CATEGORY` value of Salesforce's own clients.
pub const SALESFORCE_CATEGORY: &str = "SALESFORCE";

/// Names of first-party apps as they appear in `Application` / `AppName` (§17).
pub const FIRST_PARTY_NAMES: &[&str] = &[
    "Account Engagement",
    "AI Platform Auth",
    "Ant Migration Tool",
    "b2bma_canvas",
    "Chatbots",
    "Chatter Desktop",
    "Chatter Mobile for BlackBerry",
    "Code Builder",
    "Dataloader Bulk",
    "Dataloader Partner",
    "Force.com IDE",
    "MuleSoft Composer",
    "OIQ_Integration",
    "Pardot + Salesforce Connector",
    "Salesforce Authenticator",
    "Salesforce Chatter",
    "Salesforce CLI",
    "Salesforce Developers API Explorer",
    "Salesforce Field Service",
    "Salesforce Files",
    "Salesforce for Android",
    "Salesforce for iOS",
    "Salesforce for Outlook",
    "Salesforce Help & Training",
    "Salesforce Inbox",
    "Salesforce Mobile Dashboards",
    "Salesforce Mobile Web",
    "Salesforce Social Customer Service (SCS)",
    "Salesforce Touch",
    "Salesforce1 for Android",
    "Salesforce1 for iOS",
    "SalesforceA",
    "SalesforceA for Android",
    "SalesforceA for iOS",
    "SalesforceDX Namespace Registry",
    "SalesforceIQ",
    "Slack for Salesforce",
    "Tableau",
    "Tableau Desktop",
    "Tableau Online",
    "Wave Web",
    "Workbench",
];

/// OAuth client ids of first-party tools (ELF `CLIENT_NAME`, SOAP `Application`).
pub const FIRST_PARTY_CLIENT_IDS: &[(&str, &str)] = &[
    ("PlatformCLI", "Salesforce CLI"),
    ("CodeBuilder", "Code Builder"),
    ("DataLoaderPartnerUI/", "Dataloader Partner"),
    ("DataLoaderBulkUI/", "Dataloader Bulk"),
];

/// Why an app is (or may be) a Salesforce first-party app.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FirstParty {
    /// The catalogue name it matched, if its label or client id is in the catalogue.
    pub catalogue_name: Option<String>,
    /// Corroborating evidence beyond the name: `namespace:sf_com_apps`, `id-prefix:888`,
    /// `api-client-category:SALESFORCE`.
    pub corroborated_by: Vec<String>,
    /// Name in the catalogue AND at least one corroboration. A name alone is not trusted.
    pub trusted: bool,
}

/// The catalogue entry for a label (case-insensitive, trimmed).
pub fn catalogue_name(label: &str) -> Option<&'static str> {
    let label = label.trim();
    FIRST_PARTY_NAMES
        .iter()
        .find(|n| n.eq_ignore_ascii_case(label))
        .copied()
        .or_else(|| {
            FIRST_PARTY_CLIENT_IDS
                .iter()
                .find(|(id, _)| id.eq_ignore_ascii_case(label))
                .map(|(_, n)| *n)
        })
}

/// Classify from the labels, namespaces, ids and client categories known for one app.
/// `None` when nothing points at Salesforce.
pub fn classify<'a>(
    labels: impl IntoIterator<Item = &'a str>,
    namespaces: impl IntoIterator<Item = &'a str>,
    ids: impl IntoIterator<Item = &'a str>,
    categories: impl IntoIterator<Item = &'a str>,
) -> Option<FirstParty> {
    let catalogue = labels.into_iter().find_map(catalogue_name);
    let mut corroborated_by = Vec::new();
    for ns in namespaces {
        if FIRST_PARTY_NAMESPACES
            .iter()
            .any(|f| f.eq_ignore_ascii_case(ns.trim()))
        {
            corroborated_by.push(format!("namespace:{}", ns.trim()));
        }
    }
    if ids.into_iter().any(|id| id.starts_with(INTERNAL_ID_PREFIX)) {
        corroborated_by.push(format!("id-prefix:{INTERNAL_ID_PREFIX}"));
    }
    if categories
        .into_iter()
        .any(|c| c.trim().eq_ignore_ascii_case(SALESFORCE_CATEGORY))
    {
        corroborated_by.push(format!("api-client-category:{SALESFORCE_CATEGORY}"));
    }
    corroborated_by.sort();
    corroborated_by.dedup();
    if catalogue.is_none() && corroborated_by.is_empty() {
        return None;
    }
    Some(FirstParty {
        trusted: catalogue.is_some() && !corroborated_by.is_empty(),
        catalogue_name: catalogue.map(str::to_string),
        corroborated_by,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_alone_is_not_trusted() {
        let fp = classify(["salesforce cli "], [], [], []).expect("catalogued");
        assert_eq!(fp.catalogue_name.as_deref(), Some("Salesforce CLI"));
        assert!(!fp.trusted);
    }

    #[test]
    fn corroborated_by_namespace_or_category() {
        let fp = classify(["Dataloader Partner"], ["sf_com_apps"], [], []).expect("fp");
        assert!(fp.trusted);
        let fp = classify(["PlatformCLI"], [], ["888000000000001AAA"], ["SALESFORCE"]);
        let fp = fp.expect("fp");
        assert!(fp.trusted);
        assert_eq!(fp.corroborated_by.len(), 2);
    }

    #[test]
    fn third_party_is_none() {
        assert_eq!(
            classify(["ShadowSync"], [], ["0H4000000000009AAA"], []),
            None
        );
    }
}
