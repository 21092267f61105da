//! Generate a large fictional org's connected apps for the end-to-end plan benchmark.
//!
//! `cargo run --release --example gen_org -- APPS DIR` writes APPS connected apps in source
//! format under DIR/force-app/main/default/connectedApps, labelled `Integration App NNNN` like
//! the apps of `gen_loginhistory`, with a realistic mix of flows, scopes and policies.
//! Deterministic: the app number decides everything.
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let apps: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let dir = PathBuf::from(args.get(2).map_or("/tmp/ecaplan-org", |s| s.as_str()));
    let folder = dir.join("force-app/main/default/connectedApps");
    std::fs::create_dir_all(&folder)?;
    for i in 0..apps {
        let name = format!("Integration_App_{i:04}");
        std::fs::write(
            folder.join(format!("{name}.connectedApp-meta.xml")),
            app_xml(i),
        )?;
    }
    println!("{apps} connected apps in {}", folder.display());
    Ok(())
}

fn app_xml(i: usize) -> String {
    let scopes: &[&str] = match i % 5 {
        0 => &["Api", "RefreshToken"],
        1 => &["Full"],
        2 => &["Api"],
        3 => &["Api", "Web", "RefreshToken", "OpenID"],
        _ => &["Basic", "Api"],
    };
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ConnectedApp xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n");
    let _ = writeln!(
        x,
        "    <contactEmail>owner{i}@bigorg.example</contactEmail>"
    );
    let _ = writeln!(x, "    <label>Integration App {i:04}</label>");
    x.push_str("    <oauthConfig>\n");
    let _ = writeln!(
        x,
        "        <callbackUrl>https://app{i}.bigorg.example/oauth/callback</callbackUrl>"
    );
    let _ = writeln!(x, "        <consumerKey>3MVG9BIGORG{i:010}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</consumerKey>");
    let _ = writeln!(
        x,
        "        <isAdminApproved>{}</isAdminApproved>",
        i % 3 == 0
    );
    if i % 7 == 0 {
        x.push_str("        <isClientCredentialEnabled>true</isClientCredentialEnabled>\n");
        let _ = writeln!(
            x,
            "        <oauthClientCredentialUser>int{}@bigorg.example</oauthClientCredentialUser>",
            i % 50
        );
    }
    let _ = writeln!(x, "        <isPkceRequired>{}</isPkceRequired>", i % 4 == 0);
    for s in scopes {
        let _ = writeln!(x, "        <scopes>{s}</scopes>");
    }
    x.push_str("    </oauthConfig>\n    <oauthPolicy>\n");
    let _ = writeln!(
        x,
        "        <ipRelaxation>{}</ipRelaxation>",
        if i % 6 == 0 { "BYPASS" } else { "ENFORCE" }
    );
    let _ = writeln!(
        x,
        "        <refreshTokenPolicy>{}</refreshTokenPolicy>",
        if i % 2 == 0 {
            "infinite"
        } else {
            "specific_inactivity:30:DAYS"
        }
    );
    x.push_str("    </oauthPolicy>\n</ConnectedApp>\n");
    x
}
