//! The licence files match `Cargo.toml`'s licence expression: one file per licence named there.

#[test]
fn every_licence_in_cargo_toml_has_its_file() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let expression = env!("CARGO_PKG_LICENSE");
    let licences: Vec<&str> = expression.split(" OR ").collect();
    assert_eq!(licences, ["MIT", "Apache-2.0"], "{expression}");
    let mit = std::fs::read_to_string(root.join("LICENSE-MIT")).expect("LICENSE-MIT");
    assert!(mit.contains("Permission is hereby granted, free of charge"));
    let apache = std::fs::read_to_string(root.join("LICENSE-APACHE")).expect("LICENSE-APACHE");
    assert!(apache.contains("Apache License") && apache.contains("Version 2.0, January 2004"));
}
