//! Unit tests of the access plan and its runbook steps.
use super::*;

use crate::model::usage::{SetupEntityAccessRow, Tables, UserRow};
use crate::plan::runbook::{Step, StepKind};
use crate::rules::support::testing::{connected_app, inventory};

fn user(id: &str, name: &str, active: bool) -> UserRow {
    UserRow {
        id: id.into(),
        username: Some(name.into()),
        is_active: Some(active),
        profile: Some("Standard User".into()),
        ..Default::default()
    }
}

#[test]
fn a_self_authorized_app_assigns_its_active_users_and_keeps_drifted_grants() {
    let inv = inventory(&[connected_app(
        "A",
        "<oauthConfig><callbackUrl>https://x.example/cb</callbackUrl><isAdminApproved>false</isAdminApproved></oauthConfig><permissionSetName>Old</permissionSetName>",
    )]);
    let tables = Tables {
        app_menu_items: vec![crate::model::usage::AppMenuItemRow {
            application_id: "0H4000000000001AAA".into(),
            name: Some("A".into()),
            ..Default::default()
        }],
        setup_entity_access: vec![SetupEntityAccessRow {
            setup_entity_id: "0H4000000000001AAA".into(),
            parent_id: Some("0PS000000000001AAA".into()),
            parent_name: Some("Drifted".into()),
            ..Default::default()
        }],
        users: vec![
            user("005000000000001AAA", "on@x.example", true),
            user("005000000000002AAA", "gone@x.example", false),
        ],
        ..Default::default()
    };
    let mut usage = AppUsage::default();
    for u in ["005000000000001AAA", "gone@x.example", "005000000000009AAA"] {
        usage.logins.users.see(u.to_string(), crate::time::Ts(0));
    }
    let index = TableIndex::new(&tables);
    let standard = Standard {
        admin_approved_required: true,
        ..Default::default()
    };
    // The same app and exports under two integration standards.
    let with = |standard| {
        access(
            &inv.apps[0],
            &AccessInput {
                sets_permitted_users: true,
                usage: Some(&usage),
                look_alike: false,
                harden_in_place: false,
                index: &index,
                standard,
                eca_name: Some("A_ECA"),
                run_as: None,
                run_as_kept: false,
                shared: Vec::new(),
            },
        )
    };
    let p = with(&standard);
    assert!(p.changes);
    let sets: Vec<&str> = p.permission_sets.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(sets, ["Drifted", "Old"]);
    assert_eq!(p.assign, ["on@x.example"]);
    assert!(
        p.notes.iter().any(|n| n.contains("gone@x.example")),
        "{:?}",
        p.notes
    );
    assert!(
        p.notes.iter().any(|n| n.contains("005000000000009AAA")),
        "{:?}",
        p.notes
    );
    assert_eq!(
        p.assignment_file.as_deref(),
        Some("access/A_ECA-permset-assignments.csv")
    );
    assert_eq!(p.commands.len(), 1);
    // Already admin-approved: nothing to assign, grants still listed.
    let strict = Standard::default();
    let p = with(&strict);
    assert_eq!(p.changes, strict.admin_approved_required);
}

#[test]
fn in_place_sets_are_valid_developer_names() {
    assert_eq!(
        in_place_set("Kiosk Setup Tool"),
        "Kiosk_Setup_Tool_App_Access"
    );
    assert_eq!(
        in_place_set("acmesync__Connector"),
        "acmesync_Connector_App_Access"
    );
    assert_eq!(in_place_set("9 Lives!"), "App_9_Lives_App_Access");
    assert!(in_place_set(&"x".repeat(200)).chars().count() <= 80);
}

#[test]
fn hostile_usernames_are_quoted() {
    assert_eq!(sh_quote("a.b@x.example"), "a.b@x.example");
    assert_eq!(sh_quote("x;rm -rf /"), "'x;rm -rf /'");
    assert_eq!(sh_quote("o'brien$(id)"), "'o'\\''brien$(id)'");
}

#[test]
fn commands_batch_users_and_name_the_set() {
    let users: Vec<String> = (0..45).map(|i| format!("u{i}@x.example")).collect();
    let c = commands("App_ECA_Access", &users);
    assert_eq!(c.len(), 3);
    assert!(c[0].starts_with("sf org assign permset --name App_ECA_Access"));
    assert_eq!(c[0].matches("--on-behalf-of").count(), USERS_PER_COMMAND);
    assert!(c[2].contains("u44@x.example"));
}

#[test]
fn access_steps_go_before_the_production_deploy() {
    let mut r = super::super::Runbook {
        steps: vec![
            Step::new(
                StepKind::SandboxDeploy,
                "deploy the generated ECA A_ECA to a sandbox",
            ),
            Step::new(StepKind::Other, "test"),
            Step::new(StepKind::ProductionDeploy, "deploy A_ECA to production"),
        ],
        ..Default::default()
    };
    let p = AccessPlan {
        access_permission_set: Some("A_ECA_ECA_Access".into()),
        changes: true,
        assign: vec!["u@x.example".into()],
        assignment_file: Some("access/A_ECA-permset-assignments.csv".into()),
        commands: commands("A_ECA_ECA_Access", &["u@x.example".to_string()]),
        ..Default::default()
    };
    into_runbook(&mut r, &p);
    let run = r
        .steps
        .iter()
        .position(|s| s.text.contains("sf org assign permset"))
        .expect("cmd");
    let deploy = r
        .steps
        .iter()
        .position(|s| s.text == "deploy A_ECA to production")
        .expect("deploy");
    assert!(
        run < deploy && r.steps[0].kind == StepKind::SandboxDeploy,
        "{:#?}",
        r.steps
    );
}

/// The access of `app` planned as the ECA `A_ECA` whose policies set Permitted Users.
fn access_as_eca(
    app: &crate::model::App,
    usage: &AppUsage,
    index: &TableIndex<'_>,
    standard: &Standard,
) -> AccessPlan {
    access(
        app,
        &AccessInput {
            sets_permitted_users: true,
            usage: Some(usage),
            look_alike: false,
            harden_in_place: false,
            index,
            standard,
            eca_name: Some("A_ECA"),
            run_as: None,
            run_as_kept: false,
            shared: Vec::new(),
        },
    )
}

#[test]
fn many_users_known_only_by_id_make_one_note_and_no_command() {
    let inv = inventory(&[connected_app(
        "A",
        "<oauthConfig><callbackUrl>https://x.example/cb</callbackUrl><isAdminApproved>false</isAdminApproved></oauthConfig>",
    )]);
    let tables = Tables::default();
    let mut usage = AppUsage::default();
    for n in 0..30 {
        let id = format!("0050000000000{n:02}AAA");
        usage.logins.users.see(id, crate::time::Ts(0));
    }
    let index = TableIndex::new(&tables);
    let standard = Standard {
        admin_approved_required: true,
        ..Default::default()
    };
    let p = access_as_eca(&inv.apps[0], &usage, &index, &standard);
    assert!(p.changes);
    assert_eq!(p.unnamed.len(), 30);
    assert!(p.assign.is_empty() && p.commands.is_empty());
    let notes: Vec<&String> = p
        .notes
        .iter()
        .filter(|n| n.contains("known only by id"))
        .collect();
    assert_eq!(notes.len(), 1, "{:?}", p.notes);
    assert!(notes[0].starts_with("30 user(s)"), "{}", notes[0]);
    assert!(
        notes[0].contains("005000000000009AAA and 20 more in plan.json access.unnamed"),
        "{}",
        notes[0]
    );
    assert!(!notes[0].contains("005000000000010AAA"), "{}", notes[0]);
}

#[test]
fn a_note_lists_ten_names_then_how_many_more() {
    let names: Vec<String> = (0..12).map(|i| format!("u{i}")).collect();
    assert_eq!(
        first_of(&names, " in X"),
        "u0, u1, u2, u3, u4, u5, u6, u7, u8, u9 and 2 more in X"
    );
    assert_eq!(first_of(&names[..3], " in X"), "u0, u1, u2");
}

#[test]
fn users_known_only_by_id_stop_the_runbook_before_the_policies() {
    let mut r = super::super::Runbook {
        steps: vec![Step::new(
            StepKind::ProductionDeploy,
            "deploy A_ECA to production",
        )],
        ..Default::default()
    };
    let p = AccessPlan {
        access_permission_set: Some("A_ECA_ECA_Access".into()),
        changes: true,
        assign: vec!["u@x.example".into()],
        unnamed: vec!["005000000000001AAA".into()],
        assignment_file: Some("access/A_ECA-permset-assignments.csv".into()),
        commands: commands("A_ECA_ECA_Access", &["u@x.example".to_string()]),
        ..Default::default()
    };
    into_runbook(&mut r, &p);
    let texts: Vec<&str> = r.steps.iter().map(|s| s.text.as_str()).collect();
    let stop = texts
        .iter()
        .position(|t| {
            t.starts_with("STOP") && t.contains("1 user(s) of the app are known only by their ids")
        })
        .unwrap_or_else(|| panic!("{texts:#?}"));
    let deploy = texts
        .iter()
        .position(|t| *t == "deploy A_ECA to production")
        .expect("deploy");
    assert!(stop < deploy, "{texts:#?}");
    // No command: assigning the named user alone would still lock the other one out.
    assert!(
        !texts.iter().any(|t| t.contains("--on-behalf-of")),
        "{texts:#?}"
    );
}

#[test]
fn an_admin_approved_app_used_by_people_no_grant_admits_stops_before_its_policies() {
    let inv = inventory(&[connected_app(
        "A",
        "<oauthConfig><callbackUrl>https://x.example/cb</callbackUrl><isAdminApproved>true</isAdminApproved></oauthConfig>",
    )]);
    let tables = Tables {
        users: vec![user("005000000000001AAA", "on@x.example", true)],
        ..Default::default()
    };
    let mut usage = AppUsage::default();
    usage
        .logins
        .users
        .see("005000000000001AAA".into(), crate::time::Ts(0));
    let index = TableIndex::new(&tables);
    let standard = Standard {
        admin_approved_required: true,
        ..Default::default()
    };
    let p = access_as_eca(&inv.apps[0], &usage, &index, &standard);
    assert!(!p.changes && p.grants_unknown, "{p:#?}");
    let mut r = super::super::Runbook {
        steps: vec![Step::new(
            StepKind::ProductionDeploy,
            "deploy A_ECA to production",
        )],
        ..Default::default()
    };
    into_runbook(&mut r, &p);
    assert!(
        r.steps[0].text.starts_with("STOP")
            && r.steps[0]
                .text
                .contains("1 user(s) use this admin-approved app"),
        "{:#?}",
        r.steps
    );
    // Nobody seen: nothing to stop for (and nothing to assign).
    let nobody = AppUsage::default();
    let p = access_as_eca(&inv.apps[0], &nobody, &index, &standard);
    assert!(!p.grants_unknown);
}

#[test]
fn a_stop_for_nobody_known_asks_only_for_the_missing_exports() {
    let both = nobody_known_action(&["LoginHistory", "OauthToken"]);
    assert!(
        both.starts_with("export LoginHistory and OauthToken"),
        "{both}"
    );
    let tokens = nobody_known_action(&["OauthToken"]);
    assert!(
        tokens.contains("export OauthToken") && !tokens.contains("export LoginHistory"),
        "{tokens}"
    );
    let none = nobody_known_action(&[]);
    assert!(
        !none.contains("export") && none.contains("written confirmation"),
        "{none}"
    );
    let saml = nobody_known_action(&[SAML_ONLY]);
    assert!(saml.contains("service provider"), "{saml}");
    let index = Tables::default();
    let ix = TableIndex::new(&index).covered_by(true, false);
    assert_eq!(ix.missing_exports, ["OauthToken"]);
}
