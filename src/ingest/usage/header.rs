//! Header normalisation and column aliases (reference §16.4, §16.5): ALL-CAPS (Data Loader),
//! dotted relationship names (sf CLI, Workbench), UPPER_SNAKE (ELF) and UI labels (Setup) all
//! map onto one key, and every canonical column is found by its aliases, never by position.

/// Normalise a header: lower case, without `_`, spaces, `.`, `-`, quotes and a stray BOM.
pub fn normalize(raw: &str) -> String {
    raw.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, '_' | ' ' | '.' | '-' | '"' | '\t'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The normalised header of one file, with lookups by alias.
#[derive(Debug, Clone, Default)]
pub struct Header {
    /// Normalised names, in file order.
    pub names: Vec<String>,
    /// Names as written (for messages).
    pub raw: Vec<String>,
}

impl Header {
    /// Build from the header fields as written.
    pub fn new(raw: Vec<String>) -> Header {
        let names = raw.iter().map(|r| normalize(r)).collect();
        Header { names, raw }
    }

    /// Is this normalised name a column?
    pub fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// Are all these normalised names columns?
    pub fn has_all(&self, names: &[&str]) -> bool {
        names.iter().all(|n| self.has(n))
    }

    /// Index of the first alias present (aliases in order of preference).
    pub fn find(&self, aliases: &[&str]) -> Option<usize> {
        aliases
            .iter()
            .find_map(|a| self.names.iter().position(|n| n == a))
    }
}

/// Aliases of the canonical columns, normalised, best first.
pub(crate) mod alias {
    /// Record id of the row itself.
    pub const ID: &[&str] = &["id"];
    /// User id (18-char `*_DERIVED` preferred over 15-char).
    pub const USER_ID: &[&str] = &["userid", "useridderived", "useridentifier", "usersid"];
    /// Username.
    pub const USERNAME: &[&str] = &["userusername", "username"];
    /// Login / event time (ISO derived preferred over ELF compact form).
    pub const TIME: &[&str] = &["logintime", "timestampderived", "timestamp", "eventdate"];
    /// LoginType.
    pub const LOGIN_TYPE: &[&str] = &["logintype"];
    /// LoginSubType.
    pub const LOGIN_SUB_TYPE: &[&str] = &["loginsubtype"];
    /// Login status.
    pub const STATUS: &[&str] = &["status", "loginstatus"];
    /// App label.
    pub const APP_NAME: &[&str] = &["application", "connectedappname", "appname", "connectedapp"];
    /// App id.
    pub const APP_ID: &[&str] = &["connectedappid", "connectedappidentifier"];
    /// Client name.
    pub const CLIENT_NAME: &[&str] = &["clientname", "client"];
    /// Source IP.
    pub const SOURCE_IP: &[&str] = &["sourceip", "clientip"];
    /// ELF event type.
    pub const EVENT_TYPE: &[&str] = &["eventtype"];
    /// API family (ApiTotalUsage) or a stand-in for RestApi.
    pub const API_FAMILY: &[&str] = &["apifamily"];
    /// ApiTotalUsage client category.
    pub const CLIENT_CATEGORY: &[&str] = &["apiclientcategory"];
    /// OauthToken menu item.
    pub const MENU_ITEM_ID: &[&str] = &["appmenuitemid"];
    /// OauthToken use count.
    pub const USE_COUNT: &[&str] = &["usecount"];
    /// OauthToken last use.
    pub const LAST_USED: &[&str] = &["lastuseddate"];
    /// Creation time.
    pub const CREATED: &[&str] = &["createddate"];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_styles_normalise_alike() {
        for raw in [
            "User.Username",
            "USER.USERNAME",
            "user.username",
            "User_Username",
        ] {
            assert_eq!(normalize(raw), "userusername");
        }
        assert_eq!(normalize("\u{feff}\"LoginTime\""), "logintime");
        assert_eq!(normalize("Login Time"), "logintime");
        assert_eq!(normalize("LOGIN_SUB_TYPE"), "loginsubtype");
        assert_eq!(normalize("LoginGeo.Country"), "logingeocountry");
        assert_eq!(normalize("TIMESTAMP_DERIVED"), "timestampderived");
    }

    #[test]
    fn finds_by_alias_preference() {
        let h = Header::new(
            [
                "TIMESTAMP",
                "USER_ID",
                "TIMESTAMP_DERIVED",
                "USER_ID_DERIVED",
            ]
            .map(String::from)
            .to_vec(),
        );
        assert_eq!(h.find(alias::TIME), Some(2));
        assert_eq!(h.find(alias::USER_ID), Some(1));
        assert_eq!(h.find(alias::APP_NAME), None);
    }
}
