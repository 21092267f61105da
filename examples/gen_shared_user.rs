//! Generate an org whose connected apps all run as one integration user, for the ECA207
//! benchmark (`bench/shared-user.sh`): the shape that made findings quadratic in the apps.
//!
//! `cargo run --release --example gen_shared_user -- APPS DIR` writes APPS connected apps in
//! source format under DIR/force-app/main/default/connectedApps, every one with client
//! credentials enabled and `int@bigorg.example` as its run-as user. Deterministic.
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let apps: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let dir = PathBuf::from(args.get(2).map_or("/tmp/ecaplan-shared", |s| s.as_str()));
    let folder = dir.join("force-app/main/default/connectedApps");
    std::fs::create_dir_all(&folder)?;
    for i in 0..apps {
        let name = format!("Shared_User_App_{i:05}");
        std::fs::write(
            folder.join(format!("{name}.connectedApp-meta.xml")),
            app_xml(i),
        )?;
    }
    println!(
        "{apps} connected apps sharing one run-as user in {}",
        folder.display()
    );
    Ok(())
}

fn app_xml(i: usize) -> String {
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ConnectedApp xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n");
    let _ = writeln!(
        x,
        "    <contactEmail>owner{i}@bigorg.example</contactEmail>"
    );
    let _ = writeln!(x, "    <label>Shared User App {i:05}</label>");
    x.push_str("    <oauthConfig>\n");
    let _ = writeln!(
        x,
        "        <callbackUrl>https://app{i}.bigorg.example/oauth/callback</callbackUrl>"
    );
    let _ = writeln!(x, "        <consumerKey>3MVG9SHARED{i:010}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</consumerKey>");
    x.push_str("        <isAdminApproved>true</isAdminApproved>\n");
    x.push_str("        <isClientCredentialEnabled>true</isClientCredentialEnabled>\n");
    x.push_str("        <isPkceRequired>false</isPkceRequired>\n");
    x.push_str(
        "        <oauthClientCredentialUser>int@bigorg.example</oauthClientCredentialUser>\n",
    );
    x.push_str("        <scopes>Api</scopes>\n");
    x.push_str("    </oauthConfig>\n    <oauthPolicy>\n");
    x.push_str("        <ipRelaxation>ENFORCE</ipRelaxation>\n");
    x.push_str("        <refreshTokenPolicy>zero</refreshTokenPolicy>\n");
    x.push_str("    </oauthPolicy>\n</ConnectedApp>\n");
    x
}
