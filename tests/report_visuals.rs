//! The pictures of `report.html` for the samples (issue 15): a drawing per coupled group and
//! per app with a legend, whole and distinct labels, a bounded overview, and a timeline with a
//! date axis, the plan's as-of marker and the freeze windows. How the page looks in a browser
//! at 1400 and 420 px is checked by `.ci/browser-check.sh` in CI.

mod common;

use std::collections::BTreeSet;

use common::plan_samples;

/// report.html and report.json of the samples.
fn samples() -> (String, serde_json::Value) {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("out");
    let run = plan_samples(&dir, &[]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    let json = std::fs::read_to_string(dir.join("report.json")).expect("report.json");
    (html, serde_json::from_str(&json).expect("json"))
}

/// The `<figure>` with this id.
fn figure<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let at = html.find(&format!("<figure class=\"drawing\" id=\"{id}\">"))?;
    let len = html[at..].find("</figure>")?;
    Some(&html[at..at + len])
}

/// The labels of the boxes of one kind in a drawing: each box's lines joined.
fn labels(drawing: &str, kind: &str) -> Vec<String> {
    drawing
        .split(&format!("<g class=\"node {kind}"))
        .skip(1)
        .map(|g| {
            let text = &g[..g.find("</text>").unwrap_or(g.len())];
            text.split("<tspan")
                .skip(1)
                .filter_map(|t| Some(t.split_once('>')?.1.split_once("</tspan")?.0))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[test]
fn the_samples_coupled_group_and_its_apps_are_drawn_with_a_legend() {
    let (html, report) = samples();
    let groups = report["coupled_groups"].as_array().expect("groups");
    assert!(!groups.is_empty(), "the samples have a coupled group");
    for (i, g) in groups.iter().enumerate() {
        let id = format!("group-drawing-{}", i + 1);
        let d = figure(&html, &id).unwrap_or_else(|| panic!("no drawing {id}"));
        let apps: Vec<&str> = g["apps"]
            .as_array()
            .expect("apps")
            .iter()
            .filter_map(|a| a.as_str())
            .collect();
        assert!(
            d.contains(&format!(
                "<figcaption>Coupled group {}: {}</figcaption>",
                i + 1,
                apps.join(", ")
            )),
            "{d}"
        );
        assert_eq!(labels(d, "app").len(), apps.len(), "{d}");
        // What ties the group is drawn and marked shared, and listed as text.
        assert!(d.contains(" shared\">"), "{d}");
        assert!(d.contains("<ul class=\"details\"><li><b>Users:</b>"), "{d}");
        assert!(d.contains("viewBox=\"0 0 "), "{d}");
    }
    // Each app linked to anything has its own drawing in its section.
    let drawn = html
        .matches("<figure class=\"drawing\" id=\"app-drawing-")
        .count();
    assert!(drawn > 20, "{drawn} app drawings");
    for (n, app) in report["apps"].as_array().expect("apps").iter().enumerate() {
        if let Some(d) = figure(&html, &format!("app-drawing-{}", n + 1)) {
            let name = app["api_name"].as_str().expect("name");
            assert!(
                d.contains(&format!("<figcaption>{name} and what it depends on")),
                "{d}"
            );
        }
    }
    let legend = &html[html
        .find("<div class=\"legend\" id=\"legend\"")
        .expect("legend")..];
    let legend = &legend[..legend.find("</div>").expect("end")];
    for entry in [
        "app",
        "user",
        "certificate (subject · expiry)",
        "shared by two or more apps",
        "runs as",
        "signed by",
    ] {
        assert!(legend.contains(&format!("</svg>{entry}</span>")), "{entry}");
    }
    // Nothing depends on hovering: no tooltips.
    assert!(!html.contains("<title>") || html.matches("<title>").count() == 1);
}

#[test]
fn certificate_labels_are_whole_and_distinct() {
    let (html, _) = samples();
    let overview = figure(&html, "graph-overview").expect("overview");
    let certs = labels(overview, "certificate");
    assert!(certs.len() >= 2, "{certs:?}");
    let distinct: BTreeSet<&String> = certs.iter().collect();
    assert_eq!(distinct.len(), certs.len(), "{certs:?}");
    assert!(certs.iter().all(|c| c.contains("expires 20")), "{certs:?}");
    // No label is cut.
    let svg = &html[html.find("<h2 id=\"graph\">").expect("graph")..];
    assert!(!svg.contains("…</text>") && !svg.contains("…</tspan>"));
    // The overview is bounded: it scales to the page.
    assert!(html.contains("svg { max-width: 100%; height: auto; }"));
}

#[test]
fn the_timeline_has_a_date_axis_the_as_of_marker_and_the_freeze_window() {
    let (html, report) = samples();
    let at = html.find("<figure class=\"timeline\">").expect("timeline");
    let t = &html[at..at + html[at..].find("</figure>").expect("end")];
    let months: Vec<&str> = t
        .split("<text class=\"axis\"")
        .skip(1)
        .filter_map(|s| Some(s.split_once('>')?.1.split_once('<')?.0))
        .collect();
    assert!(months.len() >= 3, "{months:?}");
    assert!(months.contains(&"Jan 2027"), "{months:?}");
    let as_of = report["as_of"].as_str().expect("as_of");
    assert!(t.contains(&format!(">as of {as_of}</text>")), "{t}");
    assert!(t.contains("<rect class=\"freeze\""));
    assert!(t.contains("<li>2027-01-27 → 2027-02-03: January month-end close"));
    // Every wave's name is there whole.
    for w in report["waves"].as_array().expect("waves") {
        let first_word = w["name"]
            .as_str()
            .expect("name")
            .split(' ')
            .next()
            .expect("word");
        assert!(t.contains(first_word));
        assert!(t.contains(&format!(
            "{} → {}",
            w["start"].as_str().expect("start"),
            w["end"].as_str().expect("end")
        )));
    }
}
