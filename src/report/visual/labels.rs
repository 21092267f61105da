//! The texts drawn in the report's pictures: labels that tell their nodes apart (two
//! certificates never read the same) and that wrap over lines instead of being cut.

use rustc_hash::FxHashMap;

use crate::graph::{Edge, EdgeKind, Node, NodeKind};

/// A certificate's label in the graph is `subject (serial N)`: the subject.
fn subject(label: &str) -> &str {
    label
        .rsplit_once(" (serial ")
        .map_or(label, |(subject, _)| subject)
}

/// The part of a node key after its kind's prefix (`cert:0A1B` → `0A1B`).
fn key_name(key: &str) -> &str {
    key.split_once(':').map_or(key, |(_, name)| name)
}

/// Each certificate node's expiry (`YYYY-MM-DD`), from the apps it signs for: `expiries`
/// holds each app's certificate expiry by API name.
pub fn certificate_expiries<'a>(
    edges: &'a [Edge],
    expiries: &'a FxHashMap<String, String>,
) -> FxHashMap<&'a str, &'a str> {
    edges
        .iter()
        .filter(|e| e.kind == EdgeKind::SignedBy)
        .filter_map(|e| {
            let app = e.from.strip_prefix("app:")?;
            Some((e.to.as_str(), expiries.get(app)?.get(..10)?))
        })
        .collect()
}

/// The label each node is drawn with, by key: a certificate reads `subject · expires DATE`;
/// nodes of one kind whose labels would still be equal get their key's name added
/// (`· serial …` for a certificate), so no two drawn nodes of a kind read the same.
pub fn distinct_labels<'a>(
    nodes: &'a [Node],
    cert_expiry: &FxHashMap<&str, &str>,
) -> FxHashMap<&'a str, String> {
    let base = |n: &Node| match n.kind {
        NodeKind::Certificate => match cert_expiry.get(n.key.as_str()) {
            Some(day) => format!("{} · expires {day}", subject(&n.label)),
            None => subject(&n.label).to_string(),
        },
        _ => n.label.clone(),
    };
    let mut labels: FxHashMap<&str, String> =
        nodes.iter().map(|n| (n.key.as_str(), base(n))).collect();
    let mut seen: FxHashMap<(NodeKind, &str), usize> = FxHashMap::default();
    for n in nodes {
        *seen
            .entry((n.kind, labels[n.key.as_str()].as_str()))
            .or_default() += 1;
    }
    let twins: Vec<&Node> = nodes
        .iter()
        .filter(|n| seen[&(n.kind, labels[n.key.as_str()].as_str())] > 1)
        .collect();
    for n in twins {
        let what = if n.kind == NodeKind::Certificate {
            "serial "
        } else {
            ""
        };
        if let Some(l) = labels.get_mut(n.key.as_str()) {
            l.push_str(&format!(" · {what}{}", key_name(&n.key)));
        }
    }
    labels
}

/// Where a line may break after this character (besides spaces, which are dropped).
fn breaks_after(c: char) -> bool {
    matches!(c, '@' | '.' | ',' | '_' | '-' | '/' | ':' | ')' | '·')
}

/// `text` over lines of at most `width` characters: broken at a space (dropped) or after
/// punctuation where it can, anywhere in a longer word; never cut. Joining the lines (with a
/// space where one was dropped) gives the text back.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line: Vec<char> = Vec::new();
    for c in text.chars() {
        if line.is_empty() && c == ' ' {
            continue;
        }
        line.push(c);
        if line.len() <= width {
            continue;
        }
        // Too long: break at the last opportunity within the width, else at the width.
        let at = (1..line.len())
            .rev()
            .find(|&i| i <= width && (line[i] == ' ' || breaks_after(line[i - 1])))
            .unwrap_or(width);
        let rest = line.split_off(at);
        lines.push(line.iter().collect::<String>().trim_end().to_string());
        line = rest.into_iter().skip_while(|c| *c == ' ').collect();
    }
    let last: String = line.iter().collect::<String>().trim_end().to_string();
    if !last.is_empty() || lines.is_empty() {
        lines.push(last);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(key: &str, kind: NodeKind, label: &str) -> Node {
        Node {
            key: key.into(),
            kind,
            label: label.into(),
        }
    }

    #[test]
    fn certificates_read_subject_and_expiry_and_twins_get_their_serial() {
        let nodes = vec![
            node("cert:01", NodeKind::Certificate, "CN=erp (serial 01)"),
            node("cert:02", NodeKind::Certificate, "CN=erp (serial 02)"),
            node("cert:03", NodeKind::Certificate, "CN=erp (serial 03)"),
            node("cert:04", NodeKind::Certificate, "CN=other (serial 04)"),
            node("user:a", NodeKind::User, "CN=erp · expires 2027-01-01"),
            node("permset:X", NodeKind::PermissionSet, "Same"),
            node("profile:X", NodeKind::Profile, "Same"),
        ];
        let expiry: FxHashMap<&str, &str> = [
            ("cert:01", "2027-01-01"),
            ("cert:02", "2027-01-01"),
            ("cert:03", "2028-06-30"),
        ]
        .into_iter()
        .collect();
        let l = distinct_labels(&nodes, &expiry);
        assert_eq!(l["cert:01"], "CN=erp · expires 2027-01-01 · serial 01");
        assert_eq!(l["cert:02"], "CN=erp · expires 2027-01-01 · serial 02");
        assert_eq!(l["cert:03"], "CN=erp · expires 2028-06-30");
        assert_eq!(l["cert:04"], "CN=other");
        // Only nodes of one kind are compared: other kinds keep their labels.
        assert_eq!(l["user:a"], "CN=erp · expires 2027-01-01");
        assert_eq!(
            (l["permset:X"].as_str(), l["profile:X"].as_str()),
            ("Same", "Same")
        );
    }

    #[test]
    fn certificate_expiries_come_from_the_apps_they_sign_for() {
        let edges = vec![Edge {
            from: "app:A".into(),
            to: "cert:01".into(),
            kind: EdgeKind::SignedBy,
        }];
        let by_app: FxHashMap<String, String> =
            [("A".to_string(), "2027-03-04T00:00:00Z".to_string())]
                .into_iter()
                .collect();
        let e = certificate_expiries(&edges, &by_app);
        assert_eq!(e.get("cert:01"), Some(&"2027-03-04"));
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_punctuation_and_never_cuts() {
        assert_eq!(wrap("short", 10), vec!["short"]);
        assert_eq!(wrap("", 10), vec![""]);
        assert_eq!(
            wrap("integration.user@northwind.example.com", 16),
            vec!["integration.", "user@northwind.", "example.com"]
        );
        assert_eq!(
            wrap("Pilot wave for the first apps", 12),
            vec!["Pilot wave", "for the", "first apps"]
        );
        assert_eq!(
            wrap("abcdefghijklmnop", 5),
            vec!["abcde", "fghij", "klmno", "p"]
        );
        for text in [
            "a b  c",
            "CN=erp-sync.northwind.example, O=Northwind · expires 2027-01-01",
        ] {
            for width in 1..30 {
                let lines = wrap(text, width);
                assert!(
                    lines.iter().all(|l| l.chars().count() <= width),
                    "{text} {width}"
                );
                let joined: String = lines.concat();
                let letters = |s: &str| s.chars().filter(|c| *c != ' ').collect::<String>();
                assert_eq!(letters(&joined), letters(text), "{text} {width}");
            }
        }
    }
}
