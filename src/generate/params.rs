//! Target-org values as deploy-time parameters (reference deploy-and-cli §1, "What this means"
//! items 1-4): run-as usernames, handler users, SAML issuers and My Domain hosts are written as
//! placeholders (`__ECA_X__`) and replaced by the Salesforce CLI from an environment variable
//! declared in `sfdx-project.json` `replacements`. A sandbox carries other usernames (a
//! suffix) and another My Domain than production, so a literal value would deploy the wrong
//! user; an unset variable stops the deploy before anything reaches the org.
//!
//! The plan chooses the parameters ([`for_app`], [`org_wide`]) so that `plan.json` lists them;
//! the generator replaces their values in the files it writes ([`apply`]).

use serde::Serialize;

use crate::metadata::connected_app::ConnectedApp;

/// One target-org value replaced at deploy time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parameter {
    /// Environment variable the CLI reads (`replaceWithEnv`).
    pub variable: String,
    /// Text written in the generated files instead of the value (`stringToReplace`).
    pub placeholder: String,
    /// The production value to set: the documented default.
    pub default: String,
    /// The ECA it belongs to; none for an org-wide value (My Domain).
    pub eca: Option<String>,
    /// What the value is.
    pub what: &'static str,
    /// Why the default differs from the inputs' value, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The literal values from the inputs that the placeholder stands for.
    #[serde(skip)]
    pub find: Vec<String>,
}

impl Parameter {
    fn new(variable: String, default: String, app: Option<&str>, what: &'static str) -> Self {
        Parameter {
            placeholder: format!("__{variable}__"),
            variable,
            find: vec![default.clone()],
            default,
            eca: app.map(String::from),
            what,
            note: None,
        }
    }
}

/// Environment-variable stem of an ECA name: `Erp_Sync` → `ECA_ERP_SYNC`.
/// The placeholder of a SAML policy's encryption certificate that the inputs do not name: the
/// deploy stops until the admin names the service provider's certificate.
pub fn saml_certificate_placeholder(eca_name: &str) -> String {
    format!("__{}_SAML_ENCRYPTION_CERTIFICATE__", stem(eca_name))
}

fn stem(eca_name: &str) -> String {
    let up: String = eca_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("ECA_{up}")
}

/// The dedicated user that replaces a shared or admin user: `<eca>.<role>@<domain of the old
/// user>` (lower case), created in wave 0.
pub fn dedicated_user(eca_name: &str, role: &str, old: &str) -> String {
    let local = eca_name.to_ascii_lowercase();
    match old.rsplit_once('@') {
        Some((_, domain)) => format!("{local}.{role}@{domain}"),
        None => format!("{local}.{role}"),
    }
}

/// The per-app parameters: the client-credentials run-as user (`run_as`: the refactor's or
/// the connected app's), the handler's execution user and a SAML issuer that is not a My
/// Domain URL. With `dedicated` (the plan replaces a shared or admin run-as user: ECA207,
/// ECA210) the default is the dedicated user to create, never the old one.
pub fn for_app(
    ca: &ConnectedApp,
    eca_name: &str,
    run_as: Option<&str>,
    dedicated: bool,
) -> Vec<Parameter> {
    let stem = stem(eca_name);
    let app = Some(eca_name);
    let mut out = Vec::new();
    let old_cc = ca
        .oauth_config
        .as_ref()
        .and_then(|o| o.oauth_client_credential_user.as_deref());
    let mut users: Vec<String> = run_as.into_iter().chain(old_cc).map(trimmed).collect();
    users.retain(|u| !u.is_empty());
    users.dedup();
    if let Some(first) = users.first().cloned() {
        let mut p = Parameter::new(
            format!("{stem}_RUN_AS"),
            first.clone(),
            app,
            "client credentials run-as user (clientCredentialsFlowUser)",
        );
        p.find = users;
        if dedicated {
            p.default = dedicated_user(eca_name, "integration", &first);
            p.note = Some(format!(
                "dedicated integration user to create in wave 0; replaces the shared or admin user {first}"
            ));
        }
        out.push(p);
    }
    if let Some(user) = ca.plugin_execution_user.as_deref().map(trimmed) {
        if !user.is_empty() {
            let mut p = Parameter::new(
                format!("{stem}_HANDLER_USER"),
                user.clone(),
                app,
                "OAuth handler execution user (executeHandlerAs)",
            );
            if dedicated {
                p.default = dedicated_user(eca_name, "handler", &user);
                p.note = Some(format!(
                    "dedicated user to create in wave 0; replaces the shared or admin user {user}"
                ));
            }
            out.push(p);
        }
    }
    if let Some(s) = ca.saml_config.as_ref() {
        let missing = s
            .encryption_certificate
            .as_deref()
            .is_none_or(|c| c.trim().is_empty());
        if missing && super::saml_encryption(s.encryption_type.as_deref()).is_some() {
            let placeholder = saml_certificate_placeholder(eca_name);
            let mut p = Parameter::new(
                format!("{stem}_SAML_ENCRYPTION_CERTIFICATE"),
                String::new(),
                app,
                "SAML encryption certificate (encryptionCertificate)",
            );
            p.find = vec![placeholder];
            p.note = Some("not in the inputs: upload the service provider's encryption certificate to Certificate and Key Management and set this to its name; the deploy stops while it is unset".into());
            out.push(p);
        }
    }
    let issuer = ca.saml_config.as_ref().and_then(|s| s.issuer.as_deref());
    if let Some(issuer) = issuer.map(trimmed).filter(|i| !i.is_empty()) {
        // A My Domain issuer is covered by the org-wide My Domain parameter.
        if my_domains(&issuer).is_empty() {
            out.push(Parameter::new(
                format!("{stem}_SAML_ISSUER"),
                issuer,
                app,
                "SAML issuer (issuer)",
            ));
        }
    }
    out
}

fn trimmed(s: &str) -> String {
    s.trim().to_string()
}

/// One parameter per My Domain host seen in the connected apps: `ECA_MY_DOMAIN`, then
/// `ECA_MY_DOMAIN_2`… in sorted order.
pub fn org_wide<'a>(apps: impl Iterator<Item = &'a ConnectedApp>) -> Vec<Parameter> {
    let mut hosts = std::collections::BTreeSet::new();
    for ca in apps {
        // Every text of the record, whatever element it sits in (callback, start URL,
        // issuer, canvas URL…): the Debug rendering holds them all.
        hosts.extend(my_domains(&format!("{ca:?}")));
    }
    hosts
        .into_iter()
        .enumerate()
        .map(|(i, host)| {
            let variable = match i {
                0 => "ECA_MY_DOMAIN".to_string(),
                n => format!("ECA_MY_DOMAIN_{}", n + 1),
            };
            Parameter::new(variable, host, None, "My Domain host")
        })
        .collect()
}

/// Host suffixes that identify an org (My Domain, Experience Cloud, Lightning, Visualforce).
const ORG_HOSTS: &[&str] = &[
    ".my.salesforce.com",
    ".my.salesforce-sites.com",
    ".my.site.com",
    ".lightning.force.com",
    ".my.salesforce-setup.com",
    ".vf.force.com",
];

/// The org hosts (lower case) in `text`.
pub fn my_domains(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lower = text.to_ascii_lowercase();
    for (at, _) in lower.match_indices("://") {
        let rest = &lower[at + 3..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
            .unwrap_or(rest.len());
        let host = &rest[..end];
        if ORG_HOSTS.iter().any(|s| host.ends_with(s)) && !out.iter().any(|h| h == host) {
            out.push(host.to_string());
        }
    }
    out
}

/// A placeholder written into a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Used {
    /// The file, relative to the output folder.
    pub path: String,
    /// The placeholder.
    pub placeholder: String,
    /// Its environment variable.
    pub variable: String,
}

/// Replace every value of `params` in `files` by its placeholder (in order: per-app values
/// before the org-wide hosts they may contain); returns where each placeholder went.
pub(super) fn apply(params: &[&Parameter], files: &mut [super::GeneratedFile]) -> Vec<Used> {
    let mut used = Vec::new();
    for f in files.iter_mut() {
        for p in params {
            let mut hit = false;
            for value in p.find.iter().filter(|v| !v.is_empty()) {
                for form in [
                    value.clone(),
                    quick_xml::escape::escape(value.as_str()).into_owned(),
                ] {
                    if f.contents.contains(&form) {
                        f.contents = f.contents.replace(&form, &p.placeholder);
                        hit = true;
                    }
                }
                // Hosts are case-insensitive; the inputs may spell them either way.
                if p.eca.is_none() {
                    hit |= replace_ignore_case(&mut f.contents, value, &p.placeholder);
                }
            }
            if hit {
                used.push(Used {
                    path: f.path.clone(),
                    placeholder: p.placeholder.clone(),
                    variable: p.variable.clone(),
                });
            }
        }
    }
    used
}

fn replace_ignore_case(text: &mut String, value: &str, with: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let needle = value.to_ascii_lowercase();
    if needle.is_empty() || !lower.contains(&needle) {
        return false;
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, _) in lower.match_indices(&needle) {
        out.push_str(&text[last..at]);
        out.push_str(with);
        last = at + needle.len();
    }
    out.push_str(&text[last..]);
    *text = out;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::GeneratedFile;

    #[test]
    fn finds_org_hosts_only() {
        let t = "https://Acme.my.salesforce.com/x https://login.salesforce.com https://acme--uat.sandbox.my.salesforce.com";
        assert_eq!(
            my_domains(t),
            [
                "acme.my.salesforce.com",
                "acme--uat.sandbox.my.salesforce.com"
            ]
        );
    }

    #[test]
    fn dedicated_user_keeps_the_domain() {
        assert_eq!(
            dedicated_user("ERP_Sync", "integration", "erp@acme.example"),
            "erp_sync.integration@acme.example"
        );
    }

    #[test]
    fn apply_replaces_every_value_and_reports_the_file() {
        let mut p = Parameter::new(
            "ECA_A_RUN_AS".into(),
            "new@x.example".into(),
            Some("A"),
            "u",
        );
        p.find = vec!["int@x.example".into()];
        let host = Parameter::new(
            "ECA_MY_DOMAIN".into(),
            "acme.my.salesforce.com".into(),
            None,
            "h",
        );
        let mut files = vec![GeneratedFile {
            path: "eca/a.xml".into(),
            contents: "<u>int@x.example</u><i>https://ACME.my.salesforce.com</i>".into(),
        }];
        let used = apply(&[&p, &host], &mut files);
        assert_eq!(
            files[0].contents,
            "<u>__ECA_A_RUN_AS__</u><i>https://__ECA_MY_DOMAIN__</i>"
        );
        assert_eq!(used.len(), 2);
        assert_eq!(used[0].variable, "ECA_A_RUN_AS");
    }
}
