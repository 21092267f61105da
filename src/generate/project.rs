//! The project files around the generated components: `package.xml` manifests and the
//! per-app access permission set with its label.

use super::version::ApiVersion;
use super::xml::{self, Record};
use super::AppCx;

/// Permission set elements we write, in schema order.
const PERMISSION_SET: &[&str] = &["description", "hasActivationRequired", "label"];

/// Longest permission set label Salesforce accepts.
const MAX_LABEL: usize = 80;

/// The labels of the access permission sets of `apps` (ECA name, ECA label), in order:
/// `<label> ECA Access`, or, when two apps share a label, `<label> ECA Access (<ECA name>)`,
/// so that no two permission sets generated together read the same.
pub(super) fn access_labels(apps: &[(&str, String)]) -> Vec<String> {
    let base = |label: &str| format!("{label} ECA Access");
    let mut count: std::collections::HashMap<String, usize> = Default::default();
    for (_, label) in apps {
        *count.entry(base(label).to_lowercase()).or_default() += 1;
    }
    apps.iter()
        .map(|(name, label)| {
            let plain = base(label);
            if count.get(&plain.to_lowercase()).copied().unwrap_or(0) <= 1
                && plain.chars().count() <= MAX_LABEL
            {
                return plain;
            }
            // ECA names are unique and at most 40 characters: the label is cut to make room.
            let tail = format!(" ECA Access ({name})");
            let room = MAX_LABEL.saturating_sub(tail.chars().count());
            let cut: String = label.chars().take(room).collect();
            format!("{}{tail}", cut.trim_end())
        })
        .collect()
}

/// The app's 1:1 access permission set: assigning it is what grants use of the ECA.
pub(super) fn permission_set(cx: &AppCx<'_>) -> String {
    let label = &cx.access_label;
    let description = format!(
        "Grants use of the External Client App {} (migrated from the connected app {}). Assign it only to the users of this integration.",
        cx.name, cx.app.api_name
    );
    let mut r = Record::new(PERMISSION_SET);
    r.text("description", Some(&description));
    r.bool("hasActivationRequired", false);
    r.text("label", Some(label));
    xml::document("PermissionSet", &r)
}

/// `package.xml` with every generated member by type; types and members sorted.
pub(super) fn package_xml(
    members: &std::collections::BTreeMap<&'static str, std::collections::BTreeSet<String>>,
    api: ApiVersion,
) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!("<Package xmlns=\"{}\">\n", xml::NAMESPACE));
    for (type_name, names) in members {
        out.push_str("    <types>\n");
        for m in names {
            out.push_str(&format!("        <members>{m}</members>\n"));
        }
        out.push_str(&format!("        <name>{type_name}</name>\n    </types>\n"));
    }
    out.push_str(&format!(
        "    <version>{}</version>\n</Package>\n",
        api.display()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_labels_are_distinct() {
        let long = "L".repeat(90);
        let apps = [
            ("A_ECA", "Twin".to_string()),
            ("B_ECA", "twin".to_string()),
            ("C", "Solo".to_string()),
            ("D", long.clone()),
            ("E", format!("{long}x")),
        ];
        let labels = access_labels(&apps);
        assert_eq!(labels[0], "Twin ECA Access (A_ECA)");
        assert_eq!(labels[1], "twin ECA Access (B_ECA)");
        assert_eq!(labels[2], "Solo ECA Access");
        assert!(labels[3].ends_with(" ECA Access (D)") && labels[3].chars().count() <= MAX_LABEL);
        let unique: std::collections::BTreeSet<_> =
            labels.iter().map(|l| l.to_lowercase()).collect();
        assert_eq!(unique.len(), labels.len());
    }

    #[test]
    fn package_is_sorted_by_type_then_member() {
        let mut m = std::collections::BTreeMap::new();
        m.entry("PermissionSet")
            .or_insert_with(std::collections::BTreeSet::new)
            .insert("B_ECA_Access".to_string());
        m.entry("ExternalClientApplication")
            .or_insert_with(std::collections::BTreeSet::new)
            .extend(["B".to_string(), "A".to_string()]);
        let p = package_xml(&m, ApiVersion(66));
        let a = p.find("<members>A</members>").expect("A");
        let b = p.find("<members>B</members>").expect("B");
        let ps = p.find("<name>PermissionSet</name>").expect("ps");
        assert!(a < b && b < ps, "{p}");
        assert!(p.ends_with("    <version>66.0</version>\n</Package>\n"));
    }
}
