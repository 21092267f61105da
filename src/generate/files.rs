//! Which files an app gets (reference §10.1), their names (§4) and paths (§3.1), and the
//! API-version filter (§14.2) applied to every file before it is written.

use std::collections::{BTreeMap, BTreeSet};

use super::xml::{self, Record};
use super::{map, policies, project, version, AppCx, GeneratedFile};
use crate::metadata::Kind;

/// Files generated so far and the project's package.xml members by type.
#[derive(Debug, Default)]
pub(super) struct Bundle {
    /// Generated files (any order; sorted when finished).
    pub files: Vec<GeneratedFile>,
    /// Metadata type → members, for `package.xml` (project files only).
    pub members: BTreeMap<&'static str, BTreeSet<String>>,
    /// Metadata type → members of the `eca-global/` project (global OAuth settings).
    pub global: BTreeMap<&'static str, BTreeSet<String>>,
}

/// How one ECA file type is named and placed.
pub(super) struct Spec {
    /// The metadata type.
    pub kind: Kind,
    /// Source-format folder.
    pub folder: &'static str,
    /// Source-format suffix (without `-meta.xml`).
    pub suffix: &'static str,
    /// Appended to the ECA name to form the member name (Salesforce's convention, §4).
    pub member_suffix: &'static str,
    /// The connected-app element it comes from, for not-carried entries.
    pub source: &'static str,
}

const HEADER: Spec = Spec {
    kind: Kind::EcaHeader,
    folder: "externalClientApps",
    suffix: "eca",
    member_suffix: "",
    source: "ConnectedApp",
};
const OAUTH: Spec = Spec {
    kind: Kind::EcaOauthSettings,
    folder: "extlClntAppOauthSettings",
    suffix: "ecaOauth",
    member_suffix: "_oauth",
    source: "oauthConfig",
};
const GLOBAL: Spec = Spec {
    kind: Kind::EcaGlobalOauth,
    folder: "extlClntAppGlobalOauthSets",
    suffix: "ecaGlblOauth",
    member_suffix: "_glbloauth",
    source: "oauthConfig",
};
const OAUTH_POLICIES: Spec = Spec {
    kind: Kind::EcaOauthPolicies,
    folder: "extlClntAppOauthPolicies",
    suffix: "ecaOauthPlcy",
    member_suffix: "_oauthPlcy",
    source: "oauthPolicy",
};
const POLICIES: Spec = Spec {
    kind: Kind::EcaPolicies,
    folder: "extlClntAppPolicies",
    suffix: "ecaPlcy",
    member_suffix: "_plcy",
    source: "startUrl",
};
const SAML: Spec = Spec {
    kind: Kind::EcaSamlPolicies,
    folder: "extlClntAppSamlConfigurablePolicies",
    suffix: "ecaSamlPlcy",
    member_suffix: "_samlPlcy",
    source: "samlConfig",
};
const CANVAS: Spec = Spec {
    kind: Kind::EcaCanvas,
    folder: "extlClntAppCanvasSettings",
    suffix: "ecaCanvas",
    member_suffix: "_canvasSettings",
    source: "canvasConfig",
};

/// Where the sfdx project's components live.
pub(super) const SOURCE_ROOT: &str = "eca/force-app/main/default";

/// Generate every file of one app into `bundle`.
pub(super) fn app_files(cx: &mut AppCx<'_>, bundle: &mut Bundle) {
    let ca = cx.ca;
    if cx.full() {
        emit(cx, bundle, &HEADER, map::header);
        if ca.oauth_config.is_some() {
            emit(cx, bundle, &OAUTH, map::oauth_settings);
            emit(cx, bundle, &GLOBAL, map::global_oauth);
        }
        if ca.saml_config.is_some() {
            emit(cx, bundle, &SAML, policies::saml);
        }
        if ca.canvas_config.is_some() {
            emit(cx, bundle, &CANVAS, policies::canvas);
        }
        map::unmapped_elements(cx);
    }
    if ca.oauth_config.is_some() {
        emit(cx, bundle, &OAUTH_POLICIES, policies::oauth_policies);
    }
    emit(cx, bundle, &POLICIES, policies::policies);
    if !crate::plan::eca::has_access_set(ca, cx.scope) {
        return;
    }
    let set = cx.access_set();
    let contents = project::permission_set(cx);
    bundle
        .members
        .entry("PermissionSet")
        .or_default()
        .insert(set.clone());
    bundle.files.push(GeneratedFile {
        path: format!("{SOURCE_ROOT}/permissionsets/{set}.permissionset-meta.xml"),
        contents,
    });
}

/// Builds one file's record.
type Builder = fn(&mut AppCx<'_>) -> Record;

/// Filter by API version, add the link to the ECA, render and place one file.
fn emit(cx: &mut AppCx<'_>, bundle: &mut Bundle, spec: &Spec, build: Builder) {
    let type_name = spec.kind.type_name();
    let needed = version::minimum(type_name, "");
    if needed > cx.api {
        let reason = format!(
            "{type_name} needs API {}; generating for {}: choose a newer API version to carry it",
            needed.display(),
            cx.api.display()
        );
        cx.skip(spec.source, reason);
        return;
    }
    let mut record = build(cx);
    drop_newer_elements(cx, type_name, &mut record);
    let given = match spec.kind {
        Kind::EcaOauthPolicies => cx.policy_names.oauth.as_ref(),
        Kind::EcaPolicies => cx.policy_names.app.as_ref(),
        _ => None,
    };
    let member = given.map_or_else(
        || format!("{}{}", cx.name, spec.member_suffix),
        Clone::clone,
    );
    if spec.kind != Kind::EcaHeader {
        // Sub-files link to their app only through this element (§4); UI-created apps label
        // each sub-file with its own name.
        record.text("externalClientApplication", Some(&cx.name));
        record.text("label", Some(&member));
    }
    let contents = xml::document(type_name, &record);
    let path = if spec.kind == Kind::EcaGlobalOauth {
        bundle
            .global
            .entry(type_name)
            .or_default()
            .insert(member.clone());
        format!(
            "eca-global/{}/{member}.{}-meta.xml",
            spec.folder, spec.suffix
        )
    } else {
        bundle
            .members
            .entry(type_name)
            .or_default()
            .insert(member.clone());
        format!(
            "{SOURCE_ROOT}/{}/{member}.{}-meta.xml",
            spec.folder, spec.suffix
        )
    };
    bundle.files.push(GeneratedFile { path, contents });
}

fn drop_newer_elements(cx: &mut AppCx<'_>, type_name: &str, record: &mut Record) {
    let mut names = record.names();
    names.dedup();
    for name in names {
        let needed = version::minimum(type_name, name);
        if needed > cx.api && record.remove(name) {
            let reason = format!(
                "{type_name}.{name} needs API {}; generating for {}",
                needed.display(),
                cx.api.display()
            );
            cx.skip(&format!("{type_name}/{name}"), reason);
        }
    }
}
