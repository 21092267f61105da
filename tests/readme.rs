//! The README's excerpt of the sample report is the report: every line of it stands in the
//! golden `report.md` of `plan samples/northwind` (so a change of the report updates it).

#[test]
fn the_readme_excerpt_is_taken_from_the_sample_report() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let report = std::fs::read_to_string(root.join("tests/golden/plan-samples/report.md"))
        .expect("golden report.md");
    let start = readme
        .find("<!-- report-excerpt")
        .expect("the excerpt marker");
    let block = &readme[start..];
    let body = block
        .split("```markdown\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .expect("a markdown block after the marker");
    let mut lines = 0;
    for line in body.lines().filter(|l| !l.is_empty()) {
        assert!(
            report.lines().any(|r| r == line),
            "not in report.md: {line}"
        );
        lines += 1;
    }
    assert!(lines >= 10, "{lines} lines");
}
