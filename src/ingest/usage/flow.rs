//! LoginType and LoginSubType in every spelling (reference §3.2, §3.3, §11.3): values, internal
//! names, UI labels and ELF codes, mapped onto one login class and one OAuth flow.

use serde::Serialize;

/// The OAuth flow of a login, as far as the row tells (DESIGN §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flow {
    /// `grant_type=password`.
    UsernamePassword,
    /// User-agent / implicit (incl. hybrid and ID-token variants).
    UserAgent,
    /// Web server / authorization code (incl. PKCE and hybrid).
    WebServer,
    /// Refresh token.
    Refresh,
    /// Client credentials.
    ClientCredentials,
    /// JWT bearer (no documented subtype: only seen when an export names it).
    JwtBearer,
    /// Device flow (no documented subtype).
    Device,
    /// Token exchange (RFC 8693).
    TokenExchange,
    /// SAML bearer assertion (no documented subtype).
    SamlBearer,
    /// A login through the app that is not one of the OAuth flows above (OTP, UI, SOAP).
    Other,
    /// An OAuth login whose subtype is empty or unrecognised.
    Unknown,
}

impl Flow {
    /// Every flow, in display order.
    pub const ALL: [Flow; 11] = [
        Flow::UsernamePassword,
        Flow::UserAgent,
        Flow::WebServer,
        Flow::Refresh,
        Flow::ClientCredentials,
        Flow::JwtBearer,
        Flow::Device,
        Flow::TokenExchange,
        Flow::SamlBearer,
        Flow::Other,
        Flow::Unknown,
    ];

    /// Index into [`Flow::ALL`] (for fixed-size counters on the hot path).
    pub fn index(self) -> usize {
        self as usize
    }

    /// Kebab-case name, as serialized.
    pub fn name(self) -> &'static str {
        match self {
            Flow::UsernamePassword => "username-password",
            Flow::UserAgent => "user-agent",
            Flow::WebServer => "web-server",
            Flow::Refresh => "refresh",
            Flow::ClientCredentials => "client-credentials",
            Flow::JwtBearer => "jwt-bearer",
            Flow::Device => "device",
            Flow::TokenExchange => "token-exchange",
            Flow::SamlBearer => "saml-bearer",
            Flow::Other => "other",
            Flow::Unknown => "unknown",
        }
    }
}

/// What kind of login a LoginType value denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginClass {
    /// `Remote Access 2.0` (`i`, `Oauth2`): a connected app or ECA login.
    OAuth2,
    /// `Remote Access Client` (`6`, `Oauth`): OAuth 1.0.
    OAuth1,
    /// Anything else that is known (UI, SOAP, SSO, portals).
    NotOAuth,
    /// Empty or unrecognised.
    Unknown,
}

/// Lower-case ASCII alphanumerics only, into a stack buffer: `OAuth Web-Server` → `oauthwebserver`.
fn squash<'a>(raw: &str, buf: &'a mut [u8; 64]) -> &'a [u8] {
    let mut n = 0;
    for c in raw.bytes().filter(u8::is_ascii_alphanumeric) {
        if n == buf.len() {
            break;
        }
        buf[n] = c.to_ascii_lowercase();
        n += 1;
    }
    &buf[..n]
}

/// Classify a LoginType value, internal name or ELF code.
pub fn login_class(raw: &str) -> LoginClass {
    let raw = raw.trim();
    // ELF codes are single case-sensitive characters (`i` ≠ `I`).
    if raw.len() == 1 {
        return match raw {
            "i" => LoginClass::OAuth2,
            "6" => LoginClass::OAuth1,
            _ => LoginClass::NotOAuth,
        };
    }
    let mut buf = [0u8; 64];
    match squash(raw, &mut buf) {
        b"" | b"na" | b"unknown" => LoginClass::Unknown,
        b"remoteaccess20" | b"oauth2" => LoginClass::OAuth2,
        b"remoteaccessclient" | b"oauth" => LoginClass::OAuth1,
        _ => LoginClass::NotOAuth,
    }
}

/// The flow of a LoginSubType label, internal name or ELF code, given the login class.
///
/// `None` means a non-empty value we don't know: the caller keeps it verbatim.
pub fn flow_of(sub_type: &str, class: LoginClass) -> Option<Flow> {
    let mut buf = [0u8; 64];
    let key = squash(sub_type, &mut buf);
    let oauth = matches!(class, LoginClass::OAuth2 | LoginClass::OAuth1);
    let flow = match key {
        b"" | b"na" | b"unknown" if oauth => Flow::Unknown,
        b"" | b"na" | b"unknown" => Flow::Other,
        b"oauthusernamepassword" | b"oauthpassword" => Flow::UsernamePassword,
        b"oauthuseragent"
        | b"oauthuseragentwithidtoken"
        | b"oauthuseragentidtoken"
        | b"oauthuseragentforhybridapps"
        | b"oauthhybriduseragent"
        | b"oauthtoken"
        | b"oauthtokenidtoken"
        | b"oauthhybridtoken" => Flow::UserAgent,
        b"oauthwebserver"
        | b"oauthwebserverforhybridapps"
        | b"oauthhybridwebserver"
        | b"oauthcode"
        | b"oauthhybridauthcode" => Flow::WebServer,
        b"oauthrefreshtoken" | b"oauthrefreshtokenforhybridapps" | b"oauthhybridrefreshtoken" => {
            Flow::Refresh
        }
        b"oauthclientcredentials" | b"oauthclientcredential" => Flow::ClientCredentials,
        b"oauthtokenexchange"
        | b"oauthtokenexchangeforhybridapps"
        | b"oauthhybridtokenexchange" => Flow::TokenExchange,
        // Undocumented values (reference §3.3, §22): accepted defensively if an export names them.
        k if k.windows(3).any(|w| w == b"jwt") => Flow::JwtBearer,
        k if k.windows(6).any(|w| w == b"device") => Flow::Device,
        k if k.windows(10).any(|w| w == b"samlbearer") => Flow::SamlBearer,
        b"oauthotplogin"
        | b"uiusernamepassword"
        | b"uiup"
        | b"uipasswordreset"
        | b"changepassword"
        | b"internalsalesforceauthentication" => Flow::Other,
        k if k.starts_with(b"soapapi") => Flow::Other,
        _ => return None,
    };
    Some(flow)
}

/// Is this login status a success (`Success`, ELF `LOGIN_NO_ERROR`)? `None` when empty.
pub fn is_success(status: &str) -> Option<bool> {
    let mut buf = [0u8; 64];
    match squash(status, &mut buf) {
        b"" => None,
        b"success" | b"loginnoerror" => Some(true),
        _ => Some(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_type_codes_and_labels() {
        assert_eq!(login_class("Remote Access 2.0"), LoginClass::OAuth2);
        assert_eq!(login_class("i"), LoginClass::OAuth2);
        assert_eq!(login_class("I"), LoginClass::NotOAuth);
        assert_eq!(login_class("Oauth2"), LoginClass::OAuth2);
        assert_eq!(login_class("REMOTE ACCESS 2.0"), LoginClass::OAuth2);
        assert_eq!(login_class("Remote Access Client"), LoginClass::OAuth1);
        assert_eq!(login_class("Application"), LoginClass::NotOAuth);
        assert_eq!(
            login_class("Salesforce Outlook Integration"),
            LoginClass::NotOAuth
        );
        assert_eq!(login_class(""), LoginClass::Unknown);
    }

    #[test]
    fn sub_type_labels_names_and_codes_agree() {
        let o = LoginClass::OAuth2;
        for (raw, flow) in [
            ("OAuth Username-Password", Flow::UsernamePassword),
            ("OauthUsernamePassword", Flow::UsernamePassword),
            ("oauthpassword", Flow::UsernamePassword),
            ("OAuth User-Agent", Flow::UserAgent),
            ("OAuth User-Agent with ID Token", Flow::UserAgent),
            ("oauthhybridtoken", Flow::UserAgent),
            ("OAuth Web Server", Flow::WebServer),
            ("oauthcode", Flow::WebServer),
            ("OauthHybridWebServer", Flow::WebServer),
            ("OAuth Refresh Token", Flow::Refresh),
            ("oauthrefreshtoken", Flow::Refresh),
            ("OAuth Client Credentials", Flow::ClientCredentials),
            ("oauthclientcredential", Flow::ClientCredentials),
            ("OAuth Token Exchange", Flow::TokenExchange),
            ("OAuth JWT Bearer", Flow::JwtBearer),
            ("UI Username-Password", Flow::Other),
            ("uiup", Flow::Other),
            ("SOAP API (Mobile) (internal)", Flow::Other),
            ("", Flow::Unknown),
        ] {
            assert_eq!(flow_of(raw, o), Some(flow), "{raw}");
        }
        assert_eq!(flow_of("", LoginClass::NotOAuth), Some(Flow::Other));
        assert_eq!(flow_of("Something New", o), None);
    }

    #[test]
    fn statuses() {
        assert_eq!(is_success("Success"), Some(true));
        assert_eq!(is_success("LOGIN_NO_ERROR"), Some(true));
        assert_eq!(is_success("Invalid Password"), Some(false));
        assert_eq!(is_success(" "), None);
    }
}
