//! The real public corpus (`../shared/corpus/real`): every file reads, every connected app is
//! listed with its label, every ECA sub-file is grouped under the app its
//! `<externalClientApplication>` names, and key facts of several files are right.

mod common;

use std::path::Path;

use common::{ecaplan, json_of, shared_dir};
use serde_json::Value;

fn files_with(dir: &Path, suffix: &str, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = entry.path();
        if p.is_dir() {
            files_with(&p, suffix, out);
        } else if p.to_string_lossy().ends_with(suffix) {
            out.push(p);
        }
    }
}

fn element(text: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find(&format!("</{name}>"))? + start;
    Some(text[start..end].trim().to_string())
}

fn row<'a>(inv: &'a Value, api_name: &str) -> &'a Value {
    inv["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .find(|a| a["api_name"] == api_name)
        .unwrap_or_else(|| panic!("app {api_name} missing"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("str").to_string())
        .collect()
}

#[test]
fn corpus_inventory_is_complete() {
    let Some(shared) = shared_dir() else { return };
    let corpus = shared.join("corpus/real");
    let inv = json_of(&ecaplan([
        "inventory".as_ref(),
        corpus.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]));
    assert_eq!(
        inv["accounting"]["unreadable"], 0,
        "{:#}",
        inv["accounting"]
    );

    let mut apps = Vec::new();
    files_with(&corpus, ".connectedApp-meta.xml", &mut apps);
    assert!(apps.len() >= 25, "{}", apps.len());
    let rows = inv["apps"].as_array().expect("apps");
    for path in &apps {
        let text = std::fs::read_to_string(path).expect("read");
        let label = element(&text, "label").expect("label");
        let file = path.to_string_lossy();
        let found = rows.iter().any(|r| {
            r["label"] == label.as_str()
                && r["connected_app_file"]
                    .as_str()
                    .is_some_and(|f| file.ends_with(f.trim_start_matches("../")))
        });
        assert!(found, "{file} ({label}) not listed with its label");
    }

    let mut eca_files = Vec::new();
    for suffix in [
        "ecaOauth-meta.xml",
        "ecaGlblOauth-meta.xml",
        "ecaOauthPlcy-meta.xml",
        "ecaPlcy-meta.xml",
        "ecaOauthSecurity-meta.xml",
    ] {
        files_with(&corpus, suffix, &mut eca_files);
    }
    assert!(eca_files.len() >= 15, "{}", eca_files.len());
    for path in &eca_files {
        let text = std::fs::read_to_string(path).expect("read");
        let owner = element(&text, "externalClientApplication").expect("owner");
        let app = row(&inv, &owner);
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let grouped = app["eca_files"]
            .as_array()
            .expect("eca_files")
            .iter()
            .any(|f| f["file"].as_str().is_some_and(|p| p.ends_with(&name)));
        assert!(grouped, "{name} not grouped under {owner}");
    }
}

#[test]
fn corpus_key_facts() {
    let Some(shared) = shared_dir() else { return };
    let corpus = shared.join("corpus/real");
    let inv = json_of(&ecaplan([
        "inventory".as_ref(),
        corpus.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]));

    let bsi = row(&inv, "BSI_Integration");
    assert_eq!(strings(&bsi["scopes"]), ["Full"]);
    assert_eq!(bsi["access"], "admin-approved");
    assert_eq!(bsi["ip_relaxation"], "Bypass");
    assert_eq!(bsi["refresh_token_policy"], "zero");
    assert_eq!(
        strings(&bsi["profiles"]),
        ["System Administrator", "Marketing User", "BLC Profile"]
    );
    assert_eq!(bsi["consumer_key"], "…K0y5");

    let hamilton = row(&inv, "Hamilton_Workato_Integrations");
    assert_eq!(hamilton["distribution"], "Already-ECA");
    assert!(strings(&hamilton["flows"]).contains(&"jwt-bearer".to_string()));
    assert_eq!(hamilton["refresh_token_policy"], "lifetime 90 Days");
    assert_eq!(hamilton["certificate_expires"], "2025-02-05");
    assert_eq!(
        strings(&hamilton["scopes"]),
        ["Basic", "Api", "Full", "RefreshToken", "OpenID", "SFAP"]
    );

    let canvas = row(&inv, "getinvoiceapp");
    assert_eq!(canvas["canvas"], true);
    assert_eq!(strings(&canvas["scopes"]), ["Basic", "Chatter"]);

    let slack = row(&inv, "Slack");
    assert_eq!(slack["saml"], true);
    assert_eq!(slack["saml_encryption"], "AES_128");

    let mobile = row(&inv, "Mobile");
    assert_eq!(mobile["mobile"], true);

    let road = row(&inv, "RoadLink_Bus_Integration");
    assert_eq!(road["settings_from"], "eca");
    assert_eq!(strings(&road["flows"]), ["client-credentials"]);
    assert_eq!(road["access"], "admin-approved");
    assert_eq!(
        strings(&road["permission_sets"]),
        ["RoadLink_Bus_Integration_Access"]
    );
    assert_eq!(strings(&road["scopes"]), ["Api", "Full", "Chatbot"]);

    let platform = row(&inv, "PlatformEvent_Subscription");
    assert!(platform["callback_urls"].as_array().expect("urls").len() > 1);

    let packaged = row(&inv, "Field_Create_MDAPI");
    assert_eq!(packaged["eca_files"].as_array().expect("files").len(), 1);

    // Nothing secret is printed: no full consumer key, no certificate body.
    let text = serde_json::to_string(&inv).expect("json");
    assert!(!text.contains("3MVG99qusVZJwhslEt1oE3n8qyBtpSwSZHpKoQGclRkHJtP8EorB8oMZKG"));
    assert!(!text.contains("MIIDNDCCAhwCCQDyOJh"));
}
