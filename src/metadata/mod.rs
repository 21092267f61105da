//! Typed Metadata API documents: which file suffix is which type, and reading a file's text
//! into its typed record. Used by ingest (reading) and, later, by the ECA generator (writing).

pub(crate) mod access;
pub(crate) mod cert;
pub(crate) mod connected_app;
pub(crate) mod eca;
pub(crate) mod enums;
pub(crate) mod record;
pub(crate) mod xml;

use serde::Serialize;

use crate::diag::{Level, Note};
use record::{read_root, Cx};
use xml::XmlError;

/// Every metadata type ecaplan reads, with its root element and source-format suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Kind {
    /// `ConnectedApp`
    ConnectedApp,
    /// `ExternalClientApplication` (header)
    EcaHeader,
    /// `ExtlClntAppOauthSettings`
    EcaOauthSettings,
    /// `ExtlClntAppGlobalOauthSettings`
    EcaGlobalOauth,
    /// `ExtlClntAppOauthConfigurablePolicies`
    EcaOauthPolicies,
    /// `ExtlClntAppConfigurablePolicies`
    EcaPolicies,
    /// `ExtlClntAppSamlConfigurablePolicies`
    EcaSamlPolicies,
    /// `ExtlClntAppCanvasSettings`
    EcaCanvas,
    /// `ExtlClntAppPushSettings`
    EcaPushSettings,
    /// `ExtlClntAppPushConfigurablePolicies`
    EcaPushPolicies,
    /// `ExtlClntAppMobileSettings`
    EcaMobileSettings,
    /// `ExtlClntAppMobileConfigurablePolicies`
    EcaMobilePolicies,
    /// `ExtlClntAppNotificationSettings`
    EcaNotificationSettings,
    /// `ExtlClntAppOauthSecuritySettings`
    EcaOauthSecurity,
    /// `ExtlClntAppAttestSettings`
    EcaAttestSettings,
    /// `ExtlClntAppAttestConfigurablePolicies`
    EcaAttestPolicies,
    /// `Profile`
    Profile,
    /// `PermissionSet`
    PermissionSet,
    /// `PermissionSetGroup`
    PermissionSetGroup,
    /// `Settings` member `OauthOidc`
    OauthOidcSettings,
    /// `Settings` member `ConnectedApp`
    ConnectedAppSettings,
    /// `Settings` member `ExternalClientApp`
    ExternalClientAppSettings,
    /// `Certificate` metadata (`.crt-meta.xml`)
    CertificateMeta,
    /// `Certificate` content (`.crt`, PEM)
    CertificateContent,
    /// `OauthCustomScope`
    OauthCustomScope,
    /// `OauthTokenExchangeHandler`
    OauthTokenExchangeHandler,
}

/// Suffix (without `-meta.xml`) → kind. Settings are matched by full name in [`Kind::detect`].
const SUFFIXES: &[(&str, Kind)] = &[
    ("connectedApp", Kind::ConnectedApp),
    ("eca", Kind::EcaHeader),
    ("ecaOauth", Kind::EcaOauthSettings),
    ("ecaGlblOauth", Kind::EcaGlobalOauth),
    ("ecaOauthPlcy", Kind::EcaOauthPolicies),
    ("ecaPlcy", Kind::EcaPolicies),
    ("ecaSamlPlcy", Kind::EcaSamlPolicies),
    ("ecaCanvas", Kind::EcaCanvas),
    ("ecaPush", Kind::EcaPushSettings),
    ("ecaPushPlcy", Kind::EcaPushPolicies),
    ("ecaMobile", Kind::EcaMobileSettings),
    ("ecaMobilePlcy", Kind::EcaMobilePolicies),
    ("ecaNotifications", Kind::EcaNotificationSettings),
    ("ecaOauthSecurity", Kind::EcaOauthSecurity),
    ("ecaAttest", Kind::EcaAttestSettings),
    ("ecaAttestPlcy", Kind::EcaAttestPolicies),
    ("profile", Kind::Profile),
    ("permissionset", Kind::PermissionSet),
    ("permissionsetgroup", Kind::PermissionSetGroup),
    ("oauthcustomscope", Kind::OauthCustomScope),
    ("oauthtokenexchangehandler", Kind::OauthTokenExchangeHandler),
];

/// What a file name says about a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detected {
    /// A metadata type we read; `full_name` comes from the file name.
    Metadata {
        /// The type.
        kind: Kind,
        /// API name (file name without suffix).
        full_name: String,
    },
    /// Known, deliberately not read; the reason is shown in the accounting.
    Ignored(String),
}

impl Kind {
    /// The Metadata API type name (package.xml `<name>`), or the settings member.
    pub fn type_name(self) -> &'static str {
        match self {
            Kind::ConnectedApp => "ConnectedApp",
            Kind::EcaHeader => "ExternalClientApplication",
            Kind::EcaOauthSettings => "ExtlClntAppOauthSettings",
            Kind::EcaGlobalOauth => "ExtlClntAppGlobalOauthSettings",
            Kind::EcaOauthPolicies => "ExtlClntAppOauthConfigurablePolicies",
            Kind::EcaPolicies => "ExtlClntAppConfigurablePolicies",
            Kind::EcaSamlPolicies => "ExtlClntAppSamlConfigurablePolicies",
            Kind::EcaCanvas => "ExtlClntAppCanvasSettings",
            Kind::EcaPushSettings => "ExtlClntAppPushSettings",
            Kind::EcaPushPolicies => "ExtlClntAppPushConfigurablePolicies",
            Kind::EcaMobileSettings => "ExtlClntAppMobileSettings",
            Kind::EcaMobilePolicies => "ExtlClntAppMobileConfigurablePolicies",
            Kind::EcaNotificationSettings => "ExtlClntAppNotificationSettings",
            Kind::EcaOauthSecurity => "ExtlClntAppOauthSecuritySettings",
            Kind::EcaAttestSettings => "ExtlClntAppAttestSettings",
            Kind::EcaAttestPolicies => "ExtlClntAppAttestConfigurablePolicies",
            Kind::Profile => "Profile",
            Kind::PermissionSet => "PermissionSet",
            Kind::PermissionSetGroup => "PermissionSetGroup",
            Kind::OauthOidcSettings => "OauthOidcSettings",
            Kind::ConnectedAppSettings => "ConnectedAppSettings",
            Kind::ExternalClientAppSettings => "ExternalClientAppSettings",
            Kind::CertificateMeta | Kind::CertificateContent => "Certificate",
            Kind::OauthCustomScope => "OauthCustomScope",
            Kind::OauthTokenExchangeHandler => "OauthTokenExchangeHandler",
        }
    }

    /// Whether this is one of the ECA sub-file types (not the header).
    pub fn is_eca_subfile(self) -> bool {
        matches!(
            self,
            Kind::EcaOauthSettings
                | Kind::EcaGlobalOauth
                | Kind::EcaOauthPolicies
                | Kind::EcaPolicies
                | Kind::EcaSamlPolicies
                | Kind::EcaCanvas
                | Kind::EcaPushSettings
                | Kind::EcaPushPolicies
                | Kind::EcaMobileSettings
                | Kind::EcaMobilePolicies
                | Kind::EcaNotificationSettings
                | Kind::EcaOauthSecurity
                | Kind::EcaAttestSettings
                | Kind::EcaAttestPolicies
        )
    }

    /// Recognise a file by its name (source `X.suffix-meta.xml` or mdapi `X.suffix`).
    /// `None` means the name says nothing we know.
    pub fn detect(file_name: &str) -> Option<Detected> {
        let (base, source_format) = match file_name.strip_suffix("-meta.xml") {
            Some(b) => (b, true),
            None => (file_name, false),
        };
        let (full_name, suffix) = base.rsplit_once('.')?;
        if full_name.is_empty() {
            return None;
        }
        let named = |kind| {
            Some(Detected::Metadata {
                kind,
                full_name: full_name.to_string(),
            })
        };
        if suffix == "crt" {
            return named(if source_format {
                Kind::CertificateMeta
            } else {
                Kind::CertificateContent
            });
        }
        if suffix == "settings" {
            return match full_name {
                "OauthOidc" => named(Kind::OauthOidcSettings),
                "ConnectedApp" => named(Kind::ConnectedAppSettings),
                "ExternalClientApp" => named(Kind::ExternalClientAppSettings),
                other => Some(Detected::Ignored(format!(
                    "{other} settings: not needed for the migration plan"
                ))),
            };
        }
        if matches!(suffix, "ecaSmpl" | "ecaSmplPlcy") {
            return Some(Detected::Ignored("internal ECA sample type".into()));
        }
        SUFFIXES
            .iter()
            .find(|(s, _)| s.eq_ignore_ascii_case(suffix))
            .and_then(|&(_, kind)| named(kind))
    }
}

/// A parsed document with its typed payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub enum Payload {
    ConnectedApp(Box<connected_app::ConnectedApp>),
    EcaHeader(eca::EcaHeader),
    EcaOauthSettings(eca::EcaOauthSettings),
    EcaGlobalOauth(Box<eca::EcaGlobalOauth>),
    EcaOauthPolicies(Box<eca::EcaOauthPolicies>),
    EcaPolicies(eca::EcaPolicies),
    EcaSamlPolicies(Box<eca::EcaSamlPolicies>),
    EcaCanvas(eca::EcaCanvas),
    EcaPushSettings(eca::EcaPushSettings),
    EcaPushPolicies(eca::EcaPushPolicies),
    EcaMobileSettings(eca::EcaMobileSettings),
    EcaMobilePolicies(eca::EcaMobilePolicies),
    EcaNotificationSettings(eca::EcaNotificationSettings),
    EcaOauthSecurity(eca::EcaOauthSecurity),
    EcaAttestSettings(eca::EcaAttestSettings),
    EcaAttestPolicies(eca::EcaAttestPolicies),
    Profile(access::Profile),
    PermissionSet(access::PermissionSet),
    PermissionSetGroup(access::PermissionSetGroup),
    OauthOidcSettings(access::OauthOidcSettings),
    ConnectedAppSettings(access::ConnectedAppSettings),
    ExternalClientAppSettings(access::ExternalClientAppSettings),
    CertificateMeta(access::CertificateMeta),
    CertificateContent(cert::CertInfo),
    OauthCustomScope(access::OauthCustomScope),
    OauthTokenExchangeHandler(access::OauthTokenExchangeHandler),
}

/// One file read into a typed record, with the lines of its elements and its notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// File as shown to users.
    pub file: String,
    /// API name from the file name.
    pub full_name: String,
    /// The metadata type.
    pub kind: Kind,
    /// The record.
    pub payload: Payload,
    /// First line of each element path.
    pub lines: std::collections::BTreeMap<String, u32>,
    /// Notes found while reading (unknown elements, bad values).
    pub notes: Vec<Note>,
}

/// Read one file's text as `kind`. A hard failure (malformed XML, wrong root) is an `XmlError`.
pub fn read_document(
    file: &str,
    full_name: &str,
    kind: Kind,
    text: &str,
) -> Result<Document, XmlError> {
    let mut cx = Cx::new(file);
    let payload = if kind == Kind::CertificateContent {
        Payload::CertificateContent(cert::parse_certificate(text).map_err(|message| XmlError {
            pos: xml::Pos { line: 1, col: 1 },
            message,
        })?)
    } else {
        let root = xml::parse(text)?;
        let payload = read_payload(kind, &root, &mut cx).ok_or_else(|| {
            let note = cx.notes.iter().find(|n| n.level == Level::Error);
            XmlError {
                pos: xml::Pos {
                    line: note.and_then(|n| n.line).unwrap_or(1),
                    col: note.and_then(|n| n.column).unwrap_or(1),
                },
                message: note.map_or_else(|| "unreadable record".into(), |n| n.message.clone()),
            }
        })?;
        enums::check(kind, &root, &mut cx);
        payload
    };
    Ok(Document {
        file: file.to_string(),
        full_name: full_name.to_string(),
        kind,
        payload,
        lines: cx.lines,
        notes: cx.notes,
    })
}

fn read_payload(kind: Kind, root: &xml::Element, cx: &mut Cx) -> Option<Payload> {
    let t = kind.type_name();
    Some(match kind {
        Kind::ConnectedApp => Payload::ConnectedApp(Box::new(read_root(root, t, cx)?)),
        Kind::EcaHeader => Payload::EcaHeader(read_root(root, t, cx)?),
        Kind::EcaOauthSettings => Payload::EcaOauthSettings(read_root(root, t, cx)?),
        Kind::EcaGlobalOauth => Payload::EcaGlobalOauth(Box::new(read_root(root, t, cx)?)),
        Kind::EcaOauthPolicies => Payload::EcaOauthPolicies(Box::new(read_root(root, t, cx)?)),
        Kind::EcaPolicies => Payload::EcaPolicies(read_root(root, t, cx)?),
        Kind::EcaSamlPolicies => Payload::EcaSamlPolicies(Box::new(read_root(root, t, cx)?)),
        Kind::EcaCanvas => Payload::EcaCanvas(read_root(root, t, cx)?),
        Kind::EcaPushSettings => Payload::EcaPushSettings(read_root(root, t, cx)?),
        Kind::EcaPushPolicies => Payload::EcaPushPolicies(read_root(root, t, cx)?),
        Kind::EcaMobileSettings => Payload::EcaMobileSettings(read_root(root, t, cx)?),
        Kind::EcaMobilePolicies => Payload::EcaMobilePolicies(read_root(root, t, cx)?),
        Kind::EcaNotificationSettings => Payload::EcaNotificationSettings(read_root(root, t, cx)?),
        Kind::EcaOauthSecurity => Payload::EcaOauthSecurity(read_root(root, t, cx)?),
        Kind::EcaAttestSettings => Payload::EcaAttestSettings(read_root(root, t, cx)?),
        Kind::EcaAttestPolicies => Payload::EcaAttestPolicies(read_root(root, t, cx)?),
        Kind::Profile => Payload::Profile(read_root(root, t, cx)?),
        Kind::PermissionSet => Payload::PermissionSet(read_root(root, t, cx)?),
        Kind::PermissionSetGroup => Payload::PermissionSetGroup(read_root(root, t, cx)?),
        Kind::OauthOidcSettings => Payload::OauthOidcSettings(read_root(root, t, cx)?),
        Kind::ConnectedAppSettings => Payload::ConnectedAppSettings(read_root(root, t, cx)?),
        Kind::ExternalClientAppSettings => {
            Payload::ExternalClientAppSettings(read_root(root, t, cx)?)
        }
        Kind::CertificateMeta => Payload::CertificateMeta(read_root(root, t, cx)?),
        Kind::OauthCustomScope => Payload::OauthCustomScope(read_root(root, t, cx)?),
        Kind::OauthTokenExchangeHandler => {
            Payload::OauthTokenExchangeHandler(read_root(root, t, cx)?)
        }
        Kind::CertificateContent => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(name: &str) -> Option<Kind> {
        match Kind::detect(name)? {
            Detected::Metadata { kind, .. } => Some(kind),
            Detected::Ignored(_) => None,
        }
    }

    #[test]
    fn detects_source_and_mdapi_names() {
        assert_eq!(kind_of("A.connectedApp-meta.xml"), Some(Kind::ConnectedApp));
        assert_eq!(kind_of("A.connectedApp"), Some(Kind::ConnectedApp));
        assert_eq!(
            kind_of("A_glbloauth.ecaGlblOauth-meta.xml"),
            Some(Kind::EcaGlobalOauth)
        );
        assert_eq!(kind_of("A.ecaOauthPlcy"), Some(Kind::EcaOauthPolicies));
        assert_eq!(
            kind_of("OauthOidc.settings-meta.xml"),
            Some(Kind::OauthOidcSettings)
        );
        assert_eq!(kind_of("Admin.profile-meta.xml"), Some(Kind::Profile));
        assert_eq!(kind_of("Jwt.crt"), Some(Kind::CertificateContent));
        assert_eq!(kind_of("Jwt.crt-meta.xml"), Some(Kind::CertificateMeta));
        assert_eq!(kind_of("Foo.cls"), None);
        assert!(matches!(
            Kind::detect("Security.settings-meta.xml"),
            Some(Detected::Ignored(_))
        ));
        assert_eq!(Kind::detect("README"), None);
    }

    #[test]
    fn wrong_root_is_an_error_with_position() {
        let e = read_document(
            "f",
            "A",
            Kind::ConnectedApp,
            "<?xml version=\"1.0\"?>\n<Profile/>",
        )
        .expect_err("wrong root");
        assert_eq!(e.pos.line, 2);
        assert!(e.message.contains("expected root"));
    }
}
