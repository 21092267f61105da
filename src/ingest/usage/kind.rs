//! File-kind detection from the header set (reference §16 "File-kind signatures"), never from
//! the file name.

use serde::Serialize;

use super::header::Header;

/// The kind of a usage export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum UsageKind {
    /// LoginHistory from SOQL (sf CLI, Data Loader, Workbench, bulk export).
    LoginHistory,
    /// LoginHistory from Setup → Login History → Download (UI labels, locale dates).
    LoginHistorySetup,
    /// Real-time LoginEvent export (same columns as LoginHistory, `EventDate`).
    LoginEvent,
    /// ELF `Login` log file.
    ElfLogin,
    /// Queryable `LoginEventLog`.
    LoginEventLog,
    /// ELF `ApiTotalUsage` log file.
    ElfApiTotalUsage,
    /// Queryable `ApiTotalUsageEventLog`.
    ApiTotalUsageEventLog,
    /// ELF `RestApi` log file.
    ElfRestApi,
    /// Queryable `RestApiEventLog`.
    RestApiEventLog,
    /// OauthToken.
    OauthToken,
    /// ConnectedApplication.
    ConnectedApplication,
    /// AppMenuItem.
    AppMenuItem,
    /// SetupEntityAccess.
    SetupEntityAccess,
    /// PermissionSetAssignment.
    PermissionSetAssignment,
    /// InstalledSubscriberPackage (Tooling API).
    InstalledSubscriberPackage,
    /// User.
    User,
}

impl UsageKind {
    /// Display name (the Salesforce object or event type).
    pub fn name(self) -> &'static str {
        match self {
            UsageKind::LoginHistory => "LoginHistory",
            UsageKind::LoginHistorySetup => "LoginHistory (Setup download)",
            UsageKind::LoginEvent => "LoginEvent",
            UsageKind::ElfLogin => "EventLogFile Login",
            UsageKind::LoginEventLog => "LoginEventLog",
            UsageKind::ElfApiTotalUsage => "EventLogFile ApiTotalUsage",
            UsageKind::ApiTotalUsageEventLog => "ApiTotalUsageEventLog",
            UsageKind::ElfRestApi => "EventLogFile RestApi",
            UsageKind::RestApiEventLog => "RestApiEventLog",
            UsageKind::OauthToken => "OauthToken",
            UsageKind::ConnectedApplication => "ConnectedApplication",
            UsageKind::AppMenuItem => "AppMenuItem",
            UsageKind::SetupEntityAccess => "SetupEntityAccess",
            UsageKind::PermissionSetAssignment => "PermissionSetAssignment",
            UsageKind::InstalledSubscriberPackage => "InstalledSubscriberPackage",
            UsageKind::User => "User",
        }
    }

    /// The value ELF rows of this kind carry in `EVENT_TYPE`, if it is an ELF kind.
    pub fn elf_event_type(self) -> Option<&'static str> {
        match self {
            UsageKind::ElfLogin => Some("Login"),
            UsageKind::ElfApiTotalUsage => Some("ApiTotalUsage"),
            UsageKind::ElfRestApi => Some("RestApi"),
            _ => None,
        }
    }

    /// Kinds that carry logins.
    pub fn is_login(self) -> bool {
        matches!(
            self,
            UsageKind::LoginHistory
                | UsageKind::LoginHistorySetup
                | UsageKind::LoginEvent
                | UsageKind::ElfLogin
                | UsageKind::LoginEventLog
        )
    }

    /// Kinds that carry API calls.
    pub fn is_api(self) -> bool {
        matches!(
            self,
            UsageKind::ElfApiTotalUsage
                | UsageKind::ApiTotalUsageEventLog
                | UsageKind::ElfRestApi
                | UsageKind::RestApiEventLog
        )
    }
}

/// Why a header was recognised but is not read.
pub type IgnoredReason = &'static str;

/// Detection result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detection {
    /// A kind we read.
    Kind(UsageKind),
    /// A known export we deliberately don't read.
    Ignored(IgnoredReason),
    /// No known kind.
    Unknown,
}

/// Detect the kind from the header. `raw_has_spaces` tells UI labels (`Login Time`) apart.
pub fn detect(h: &Header) -> Detection {
    use UsageKind as K;
    let elf = h.has("eventtype");
    let kind = if elf && h.has_all(&["logintype", "loginkey"]) {
        K::ElfLogin
    } else if elf && h.has_all(&["apifamily", "connectedappid"]) {
        K::ElfApiTotalUsage
    } else if elf && h.has_all(&["connectedappid", "method", "uri"]) {
        K::ElfRestApi
    } else if elf && h.has_all(&["logdate", "logfilelength"]) {
        return Detection::Ignored("EventLogFile listing: download the log files it lists");
    } else if h.has_all(&["logintype", "loginsubtype", "useridentifier"]) {
        K::LoginEventLog
    } else if h.has_all(&["apifamily", "connectedappidentifier"]) {
        K::ApiTotalUsageEventLog
    } else if h.has("connectedappidentifier")
        && h.has("uri")
        && (h.has("method") || h.has("httpmethod"))
    {
        K::RestApiEventLog
    } else if h.has_all(&["eventdate", "logintype", "application", "loginhistoryid"]) {
        K::LoginEvent
    } else if h.has_all(&["logintime", "logintype", "application"]) {
        if h.raw
            .iter()
            .any(|r| r.trim().eq_ignore_ascii_case("login time"))
        {
            K::LoginHistorySetup
        } else {
            K::LoginHistory
        }
    } else if h.has_all(&["connectedappid", "operation", "queriedentities"]) {
        return Detection::Ignored("ApiEvent export: not read (use ApiTotalUsage)");
    } else if h.has_all(&["appname", "usecount", "lastuseddate"]) {
        K::OauthToken
    } else if h.has("name")
        && (h.has("optionsallowadminapprovedusersonly") || h.has("refreshtokenvalidityperiod"))
    {
        K::ConnectedApplication
    } else if h.has("applicationid") && (h.has("isusingadminauthorization") || h.has("type")) {
        K::AppMenuItem
    } else if h.has_all(&["setupentityid", "setupentitytype", "parentid"]) {
        K::SetupEntityAccess
    } else if h.has_all(&["assigneeid", "permissionsetid"]) {
        K::PermissionSetAssignment
    } else if h.has("subscriberpackageid") || h.has("subscriberpackagenamespaceprefix") {
        K::InstalledSubscriberPackage
    } else if h.has_all(&["username", "id"]) && !h.has("logintype") && !h.has("logintime") {
        K::User
    } else {
        return Detection::Unknown;
    };
    Detection::Kind(kind)
}

#[cfg(test)]
mod tests {
    use super::super::header::Header;
    use super::*;

    fn kind(cols: &str) -> Detection {
        detect(&Header::new(cols.split(',').map(String::from).collect()))
    }

    #[test]
    fn detects_every_kind() {
        use UsageKind as K;
        for (cols, want) in [
            (
                "Id,UserId,LoginTime,LoginType,LoginSubType,Application,Status",
                K::LoginHistory,
            ),
            ("ID,USERID,LOGINTIME,LOGINTYPE,APPLICATION", K::LoginHistory),
            (
                "Username,Login Time,Source IP,Login Type,Status,Application",
                K::LoginHistorySetup,
            ),
            (
                "EVENT_TYPE,TIMESTAMP,USER_ID,LOGIN_TYPE,LOGIN_SUB_TYPE,LOGIN_KEY",
                K::ElfLogin,
            ),
            (
                "EVENT_TYPE,TIMESTAMP,API_FAMILY,CONNECTED_APP_ID,CONNECTED_APP_NAME",
                K::ElfApiTotalUsage,
            ),
            (
                "EVENT_TYPE,TIMESTAMP,CONNECTED_APP_ID,METHOD,URI",
                K::ElfRestApi,
            ),
            (
                "Timestamp,UserIdentifier,LoginType,LoginSubType,LoginStatus",
                K::LoginEventLog,
            ),
            (
                "Timestamp,UserIdentifier,ConnectedAppIdentifier,ApiFamily",
                K::ApiTotalUsageEventLog,
            ),
            (
                "Timestamp,ConnectedAppIdentifier,Method,Uri",
                K::RestApiEventLog,
            ),
            (
                "AppName,AppMenuItemId,UserId,User.Username,UseCount,LastUsedDate",
                K::OauthToken,
            ),
            (
                "Id,Name,OptionsAllowAdminApprovedUsersOnly",
                K::ConnectedApplication,
            ),
            (
                "Id,ApplicationId,Name,Label,NamespacePrefix,Type",
                K::AppMenuItem,
            ),
            (
                "SetupEntityId,SetupEntityType,ParentId",
                K::SetupEntityAccess,
            ),
            ("AssigneeId,PermissionSetId", K::PermissionSetAssignment),
            (
                "SubscriberPackageId,SubscriberPackage.NamespacePrefix",
                K::InstalledSubscriberPackage,
            ),
            ("Id,Username,Name,Profile.Name", K::User),
        ] {
            assert_eq!(kind(cols), Detection::Kind(want), "{cols}");
        }
    }

    #[test]
    fn unknown_is_not_guessed() {
        assert_eq!(kind("Id,Name,Amount"), Detection::Unknown);
        assert_eq!(kind("a;b;c"), Detection::Unknown);
        assert!(matches!(
            kind("EVENT_TYPE,LOG_DATE,LOG_FILE_LENGTH"),
            Detection::Ignored(_)
        ));
    }
}
