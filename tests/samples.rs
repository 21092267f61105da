//! Smoke and golden tests over the bundled sample org.

mod common;

use common::{ecaplan, golden, json_of};

#[test]
fn inventory_of_samples_smoke() {
    for format in ["table", "json", "csv"] {
        let out = ecaplan([
            "inventory",
            "samples/northwind",
            "--format",
            format,
            "--strict",
        ]);
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stdout.is_empty());
    }
    let inv = json_of(&ecaplan([
        "inventory",
        "samples/northwind",
        "--format",
        "json",
    ]));
    let apps = inv["apps"].as_array().expect("apps");
    let app = |name: &str| {
        apps.iter()
            .find(|a| a["api_name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(
        apps.iter()
            .filter(|a| a["usage"]["origin"] == "metadata")
            .count(),
        30
    );
    assert_eq!(app("ShadowSync")["distribution"], "Global-uninstalled");
    assert_eq!(app("Salesforce CLI")["distribution"], "Salesforce");
    assert_eq!(
        app("Data_Warehouse_Loader")["usage"]["flows"]["username-password"],
        174
    );
    assert_eq!(app("Marketing_SPA")["usage"]["flows"]["user-agent"], 86);
    assert_eq!(
        app("Old_Survey_Tool")["usage"]["last_use"],
        "2025-10-28T17:35:24.000Z"
    );
    assert_eq!(inv["accounting"]["unreadable"], 0);
    let app = |name: &str| {
        apps.iter()
            .find(|a| a["api_name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(
        app("Legacy_Reporting_JWT")["certificate_expires"],
        "2024-03-01"
    );
    assert_eq!(app("CI_Deploy_JWT")["certificate_expires"], "2029-01-15");
    assert_eq!(
        app("acmesync__AcmeSync_Connector")["distribution"],
        "Packaged"
    );
    assert_eq!(app("Customer_Support_Chat")["distribution"], "Already-ECA");
    assert_eq!(
        app("Customer_Support_Chat")["eca_files"]
            .as_array()
            .expect("files")
            .len(),
        5
    );
    assert_eq!(app("Legacy_Expenses_SSO")["saml_encryption"], "Triple_Des");
    assert_eq!(app("Field_Mobile")["mobile"], true);
    assert_eq!(app("Sales_Canvas")["canvas"], true);
    assert_eq!(
        app("Loyalty_Handler")["oauth_handler"],
        "LoyaltyConnectedAppPlugin"
    );
    assert_eq!(app("Partner_Portal")["pkce_required"], true);
    assert_eq!(app("EU_Payroll_Bridge")["connected_app_file"], "samples/northwind/mdapi/subsidiary-retrieve.zip!unpackaged/connectedApps/EU_Payroll_Bridge.connectedApp");
    assert_eq!(
        app("Reporting_Dashboard")["label"],
        app("Reporting_Dashboard_v2")["label"]
    );
    assert_eq!(inv["org"]["username_password_flow"], "allowed");
    let licenses: Vec<_> = inv["profiles"]
        .as_array()
        .expect("profiles")
        .iter()
        .map(|p| p["user_license"].clone())
        .collect();
    assert!(licenses.contains(&serde_json::json!("Salesforce Integration")));
}

#[test]
fn inventory_json_golden() {
    let out = ecaplan(["inventory", "samples/northwind", "--format", "json"]);
    assert!(out.status.success());
    golden(
        "inventory-samples.json",
        &String::from_utf8_lossy(&out.stdout),
    );
}

#[test]
fn outputs_are_deterministic() {
    let a = ecaplan(["assess", "samples/northwind", "--format", "json"]);
    let b = ecaplan(["assess", "samples/northwind", "--format", "json"]);
    assert_eq!(a.stdout, b.stdout);
}
