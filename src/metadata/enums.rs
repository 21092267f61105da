//! Enumerated values: the fields the model, the rules or the generator read as one of a fixed
//! set of literals, checked against the set the schema documents (WSDL 66 and reference §5–§7).
//!
//! The records keep these fields as text, so an unknown literal (`<ipRelaxation>WHATEVER`)
//! used to pass silently and be read as whatever the reader's fallback was. Now each one is a
//! warning at its element (file:line:column) naming the field, the value and the values
//! allowed; the value itself stays as written, so the model sees it as unrecognised rather
//! than as a default that hides it.

use crate::diag::Level;
use crate::metadata::xml::Element;

use super::record::Cx;
use super::Kind;

/// How a field's value is compared with its allowed values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    /// Exactly, as the XSD checks an enumeration type.
    Exact,
    /// Ignoring ASCII case: string-typed fields whose readers are tolerant of case (the
    /// reference documents the spelling, the XSD does not check it).
    AnyCase,
    /// The connected-app refresh-token grammar (reference §10.5).
    RefreshGrammar,
}

/// One enumerated field: its path below the root element, the allowed values, how to compare.
struct EnumField {
    path: &'static str,
    allowed: &'static [&'static str],
    matching: Match,
}

const fn exact(path: &'static str, allowed: &'static [&'static str]) -> EnumField {
    EnumField {
        path,
        allowed,
        matching: Match::Exact,
    }
}

const fn any_case(path: &'static str, allowed: &'static [&'static str]) -> EnumField {
    EnumField {
        path,
        allowed,
        matching: Match::AnyCase,
    }
}

const SAML_SUBJECT: &[&str] = &[
    "Username",
    "FederationId",
    "UserId",
    "SpokeId",
    "CustomAttribute",
    "PersistentId",
];
const NAME_ID_FORMAT: &[&str] = &["Unspecified", "EmailAddress", "Persistent", "Transient"];
const SIGNING_ALGO: &[&str] = &["SHA1", "SHA256"];
const SLO_BINDING: &[&str] = &["RedirectBinding", "PostBinding"];
const POLICY_ACTION: &[&str] = &["Block", "RaiseSessionLevel"];
const SESSION_LEVEL: &[&str] = &["LOW", "STANDARD", "HIGH_ASSURANCE"];
const ACCESS_METHOD: &[&str] = &["Get", "Post"];
/// Every CanvasLocationOptions value of the XSD: the docs list fewer, and whether the others
/// are accepted is UNVERIFIED (reference §6), so all are accepted.
const CANVAS_LOCATIONS: &[&str] = &[
    "None",
    "Chatter",
    "UserProfile",
    "Visualforce",
    "Aura",
    "Publisher",
    "ChatterFeed",
    "ServiceDesk",
    "OpenCTI",
    "AppLauncher",
    "MobileNav",
    "PageLayout",
];
/// `PersonalEnabled` is in the XSD but not the docs (acceptance UNVERIFIED): accepted.
const CANVAS_OPTIONS: &[&str] = &["HideShare", "HideHeader", "PersonalEnabled"];
const SAML_INITIATION: &[&str] = &["None", "IdpInitiated", "SpInitiated"];

const CONNECTED_APP: &[EnumField] = &[
    any_case(
        "oauthPolicy/ipRelaxation",
        &[
            "ENFORCE",
            "BYPASS_2FACTOR",
            "BYPASS",
            "ENFORCE_RELAXREFRESH",
        ],
    ),
    EnumField {
        path: "oauthPolicy/refreshTokenPolicy",
        allowed: &[
            "zero",
            "infinite",
            "specific_lifetime:<n>:<HOURS|DAYS|MONTHS>",
            "specific_inactivity:<n>:<HOURS|DAYS|MONTHS>",
        ],
        matching: Match::RefreshGrammar,
    },
    exact(
        "samlConfig/encryptionType",
        &["AES_128", "AES_256", "Triple_Des"],
    ),
    exact("samlConfig/samlIdpSLOBindingEnum", SLO_BINDING),
    exact("samlConfig/samlNameIdFormat", NAME_ID_FORMAT),
    exact("samlConfig/samlSigningAlgoType", SIGNING_ALGO),
    exact("samlConfig/samlSubjectType", SAML_SUBJECT),
    // String-typed in the XSD; the generator reads them ignoring case.
    any_case("sessionPolicy/policyAction", POLICY_ACTION),
    // The exact literal is UNVERIFIED (reference §5.4): any SessionSecurityLevel spelling.
    any_case("sessionPolicy/sessionLevel", SESSION_LEVEL),
    exact("canvasConfig/accessMethod", ACCESS_METHOD),
    exact("canvasConfig/locations", CANVAS_LOCATIONS),
    exact("canvasConfig/options", CANVAS_OPTIONS),
    exact("canvasConfig/samlInitiationMethod", SAML_INITIATION),
];

const ECA_HEADER: &[EnumField] = &[
    exact(
        "distributionState",
        &["Local", "Packaged", "Managed", "AutoInstalled"],
    ),
    exact("managedType", &["Local", "Global"]),
];

const ECA_OAUTH_POLICIES: &[EnumField] = &[
    // String-typed in the XSD (reference §6.3); ECA203 compares it ignoring case.
    any_case(
        "ipRelaxationPolicyType",
        &[
            "Enforce",
            "Bypass",
            "Bypass_2factor",
            "Enforce_RelaxRefresh",
        ],
    ),
    exact(
        "permittedUsersPolicyType",
        &["AllSelfAuthorized", "AdminApprovedPreAuthorized"],
    ),
    exact("policyAction", POLICY_ACTION),
    exact(
        "refreshTokenPolicyType",
        &["Infinite", "Zero", "SpecificLifetime", "SpecificInactivity"],
    ),
    // String-typed in the XSD; the model reads it ignoring case.
    any_case("refreshTokenValidityUnit", &["Days", "Hours", "Months"]),
    exact("requiredSessionLevel", SESSION_LEVEL),
    exact("guestJwtSessionTimeoutType", &["UserSession", "Custom"]),
    exact("namedUserJwtSessionTimeoutType", &["UserSession", "Custom"]),
];

const ECA_POLICIES: &[EnumField] = &[exact("startPage", &["None", "Custom", "OAuth", "SAML"])];

const ECA_SAML_POLICIES: &[EnumField] = &[
    exact("encryptionType", &["AES_128", "AES_256"]),
    exact("nameIdFormat", NAME_ID_FORMAT),
    exact("signingAlgorithmType", SIGNING_ALGO),
    exact("singleLogoutBindingType", SLO_BINDING),
    exact("subjectType", SAML_SUBJECT),
];

const ECA_CANVAS: &[EnumField] = &[
    exact("accessMethod", ACCESS_METHOD),
    exact("canvasLocationOptions", CANVAS_LOCATIONS),
    exact("canvasOptions", CANVAS_OPTIONS),
    exact("samlInitiationMethod", SAML_INITIATION),
];

fn fields(kind: Kind) -> &'static [EnumField] {
    match kind {
        Kind::ConnectedApp => CONNECTED_APP,
        Kind::EcaHeader => ECA_HEADER,
        Kind::EcaOauthPolicies => ECA_OAUTH_POLICIES,
        Kind::EcaPolicies => ECA_POLICIES,
        Kind::EcaSamlPolicies => ECA_SAML_POLICIES,
        Kind::EcaCanvas => ECA_CANVAS,
        _ => &[],
    }
}

/// Whether `value` is a connected-app refresh-token policy: `zero`, `infinite`, or
/// `specific_lifetime|specific_inactivity:<n>:<HOURS|DAYS|MONTHS>` with n > 0, ignoring case
/// and spaces around the parts (the model's reading, `RefreshPolicy::parse_connected_app`).
pub(crate) fn is_refresh_policy(value: &str) -> bool {
    let lower = value.trim().to_ascii_lowercase();
    if matches!(lower.as_str(), "zero" | "infinite") {
        return true;
    }
    let parts: Vec<&str> = lower.split(':').map(str::trim).collect();
    matches!(
        parts.as_slice(),
        [kind, count, unit]
            if matches!(*kind, "specific_lifetime" | "specific_inactivity")
                && count.parse::<u32>().is_ok_and(|n| n > 0)
                && matches!(*unit, "hours" | "days" | "months")
    )
}

fn allowed(field: &EnumField, value: &str) -> bool {
    match field.matching {
        Match::Exact => field.allowed.contains(&value),
        Match::AnyCase => field.allowed.iter().any(|a| a.eq_ignore_ascii_case(value)),
        Match::RefreshGrammar => is_refresh_policy(value),
    }
}

/// Longest value quoted in a note: the note names the value, it does not reproduce a
/// megabyte of it.
const MAX_QUOTED: usize = 80;

/// Add a warning for every enumerated field of `root` (a document of `kind`) whose value is
/// not one the schema allows. Empty values are left to the readers (they mean "absent").
pub fn check(kind: Kind, root: &Element, cx: &mut Cx) {
    for field in fields(kind) {
        let mut level: Vec<&Element> = vec![root];
        for step in field.path.split('/') {
            level = level
                .into_iter()
                .flat_map(|el| el.children_named(step))
                .collect();
        }
        for el in level {
            let value = el.text.trim();
            if value.is_empty() || allowed(field, value) {
                continue;
            }
            let shown: String = value.chars().take(MAX_QUOTED).collect();
            let cut = if shown.len() < value.len() { "…" } else { "" };
            let msg = format!(
                "<{}> has the unknown value {shown:?}{cut}; allowed: {}; read as unrecognised",
                field.path,
                field.allowed.join(", ")
            );
            cx.note(Level::Warning, "unknown-enum-value", el, msg);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::xml::parse;

    fn notes(kind: Kind, xml: &str) -> Vec<crate::diag::Note> {
        let root = parse(xml).expect("xml");
        let mut cx = Cx::new("f.xml");
        check(kind, &root, &mut cx);
        cx.notes
    }

    #[test]
    fn unknown_ip_relaxation_is_a_warning_at_its_element() {
        let n = notes(
            Kind::ConnectedApp,
            "<ConnectedApp>\n  <oauthPolicy>\n    <ipRelaxation>WHATEVER</ipRelaxation>\n  </oauthPolicy>\n</ConnectedApp>",
        );
        assert_eq!(n.len(), 1, "{n:?}");
        assert_eq!((n[0].line, n[0].column), (Some(3), Some(5)));
        assert_eq!(n[0].level, Level::Warning);
        assert_eq!(n[0].code, "unknown-enum-value");
        assert!(
            n[0].message.contains("oauthPolicy/ipRelaxation")
                && n[0].message.contains("\"WHATEVER\"")
                && n[0]
                    .message
                    .contains("ENFORCE, BYPASS_2FACTOR, BYPASS, ENFORCE_RELAXREFRESH"),
            "{}",
            n[0].message
        );
    }

    #[test]
    fn known_values_are_quiet_in_every_documented_spelling() {
        let xml = "<ConnectedApp><oauthPolicy><ipRelaxation>enforce</ipRelaxation>\
            <refreshTokenPolicy>specific_inactivity:7:DAYS</refreshTokenPolicy></oauthPolicy>\
            <samlConfig><encryptionType>Triple_Des</encryptionType><samlSubjectType>Username</samlSubjectType></samlConfig>\
            <sessionPolicy><policyAction>block</policyAction><sessionLevel>HIGH_ASSURANCE</sessionLevel></sessionPolicy>\
            <canvasConfig><locations>AppLauncher</locations><options>PersonalEnabled</options></canvasConfig>\
            </ConnectedApp>";
        assert!(notes(Kind::ConnectedApp, xml).is_empty());
        let eca = "<ExtlClntAppOauthConfigurablePolicies><ipRelaxationPolicyType>Bypass_2factor</ipRelaxationPolicyType>\
            <permittedUsersPolicyType>AllSelfAuthorized</permittedUsersPolicyType>\
            <refreshTokenPolicyType>SpecificLifetime</refreshTokenPolicyType><refreshTokenValidityUnit>Days</refreshTokenValidityUnit>\
            </ExtlClntAppOauthConfigurablePolicies>";
        assert!(notes(Kind::EcaOauthPolicies, eca).is_empty());
    }

    #[test]
    fn eca_enums_are_checked_exactly() {
        let eca = "<ExtlClntAppOauthConfigurablePolicies>\
            <permittedUsersPolicyType>adminapproved</permittedUsersPolicyType>\
            <refreshTokenPolicyType>Forever</refreshTokenPolicyType>\
            <refreshTokenValidityUnit>Weeks</refreshTokenValidityUnit>\
            </ExtlClntAppOauthConfigurablePolicies>";
        let n = notes(Kind::EcaOauthPolicies, eca);
        assert_eq!(n.len(), 3, "{n:?}");
        assert!(n[0]
            .message
            .contains("AllSelfAuthorized, AdminApprovedPreAuthorized"));
        let saml = "<ExtlClntAppSamlConfigurablePolicies><encryptionType>Triple_Des</encryptionType></ExtlClntAppSamlConfigurablePolicies>";
        assert_eq!(notes(Kind::EcaSamlPolicies, saml).len(), 1);
    }

    #[test]
    fn long_values_are_cut() {
        let long = "X".repeat(10_000);
        let xml = format!("<ConnectedApp><oauthPolicy><ipRelaxation>{long}</ipRelaxation></oauthPolicy></ConnectedApp>");
        let n = notes(Kind::ConnectedApp, &xml);
        assert!(n[0].message.len() < 400, "{}", n[0].message.len());
    }
}
