//! Unit and property tests of the wave planner.
use super::*;

fn unit(app: &str, strategy: Strategy) -> Unit {
    Unit {
        app: app.into(),
        strategy,
        critical: false,
        risky: false,
        block_early: false,
        signs_in: true,
    }
}

#[test]
fn every_app_in_exactly_one_wave_and_groups_together() {
    let mut units: Vec<Unit> = (0..20)
        .map(|i| unit(&format!("A{i:02}"), Strategy::Automated))
        .collect();
    units.push(unit("S", Strategy::SideBySide));
    units.push(unit("R", Strategy::Retire));
    units.push(unit("V", Strategy::InstallAndHarden));
    let groups = vec![CoupledGroup {
        apps: vec!["A05".into(), "A06".into(), "S".into()],
        shared: vec!["user:x".into()],
    }];
    let cfg = PlanConfig::default();
    let waves = plan_waves(
        &units,
        &groups,
        &cfg,
        Day::from_ymd(2024, 10, 4),
        Vec::new(),
        &[],
    );
    let mut seen = BTreeMap::new();
    for w in &waves {
        for a in &w.apps {
            *seen.entry(a.clone()).or_insert(0) += 1;
        }
    }
    assert_eq!(seen.len(), units.len());
    assert!(seen.values().all(|&n| n == 1));
    let wave_of = |a: &str| waves.iter().position(|w| w.apps.iter().any(|x| x == a));
    assert_eq!(wave_of("A05"), wave_of("S"));
    assert_eq!(wave_of("A06"), wave_of("S"));
    assert_eq!(wave_of("V"), Some(0));
    assert_eq!(wave_of("R"), Some(waves.len() - 1));
    assert!(waves
        .iter()
        .all(|w| w.kind != WaveKind::Migrate || w.apps.len() <= cfg.max_apps_per_wave));
}

#[test]
fn dangerous_unused_apps_are_blocked_in_wave_0() {
    let mut early = unit("Full_Scope_Unused", Strategy::Retire);
    early.block_early = true;
    let units = vec![
        early,
        unit("Plain_Unused", Strategy::Retire),
        unit("A", Strategy::Automated),
    ];
    let waves = plan_waves(
        &units,
        &[],
        &PlanConfig::default(),
        Day::from_ymd(2024, 10, 4),
        Vec::new(),
        &[],
    );
    let wave_of = |a: &str| waves.iter().position(|w| w.apps.iter().any(|x| x == a));
    assert_eq!(wave_of("Full_Scope_Unused"), Some(0));
    assert_eq!(wave_of("Plain_Unused"), Some(waves.len() - 1));
    assert!(waves[0]
        .tasks
        .iter()
        .any(|t| t.contains("block") && t.contains("Full_Scope_Unused")));
}

#[test]
fn no_wave_overlaps_a_freeze_window() {
    let units: Vec<Unit> = (0..6)
        .map(|i| unit(&format!("A{i}"), Strategy::Automated))
        .chain([unit("S", Strategy::SideBySide)])
        .collect();
    let cfg = PlanConfig {
        max_apps_per_wave: 2,
        pilot_size: 1,
        ..PlanConfig::default()
    };
    let start = Day::from_ymd(2027, 1, 4);
    let plain = plan_waves(&units, &[], &cfg, start, Vec::new(), &[]);
    // A freeze window that the unconstrained plan's second wave overlaps.
    let blackout = Blackout {
        from: plain[1].end.clone(),
        to: Day::parse(&plain[1].end).expect("end").plus(5).to_string(),
        reason: "month-end close".into(),
        apps: Vec::new(),
        repeat: None,
    };
    // The same window for some apps only moves no wave (their runbooks say when).
    let scoped = Blackout {
        apps: vec![units[0].app.clone()],
        ..blackout.clone()
    };
    let kept = plan_waves(&units, &[], &cfg, start, Vec::new(), &[scoped]);
    assert_eq!(kept, plain);
    let waves = plan_waves(
        &units,
        &[],
        &cfg,
        start,
        Vec::new(),
        std::slice::from_ref(&blackout),
    );
    let (from, to) = blackout.days().expect("dates");
    for w in &waves {
        let (a, b) = (
            Day::parse(&w.start).expect("s"),
            Day::parse(&w.end).expect("e"),
        );
        assert!(
            b < from || a > to,
            "wave {} {}..{} overlaps",
            w.number,
            w.start,
            w.end
        );
    }
    assert_eq!(
        waves[0].start, plain[0].start,
        "waves before the window stay"
    );
    assert_eq!(
        Day::parse(&waves[1].start),
        Some(to.plus(1)),
        "moved right after it"
    );
    assert!(waves[1].tasks.iter().any(|t| t.contains("month-end close")));
    let starts: Vec<Day> = waves.iter().filter_map(|w| Day::parse(&w.start)).collect();
    assert!(
        starts.windows(2).all(|p| p[0] < p[1]),
        "waves stay in order"
    );
    assert_eq!(
        waves.iter().map(|w| &w.apps).collect::<Vec<_>>(),
        plain.iter().map(|w| &w.apps).collect::<Vec<_>>()
    );
}

#[test]
fn oversized_group_is_untangled_first() {
    let units: Vec<Unit> = (0..5)
        .map(|i| unit(&format!("G{i}"), Strategy::Automated))
        .collect();
    let groups = vec![CoupledGroup {
        apps: units.iter().map(|u| u.app.clone()).collect(),
        shared: vec!["user:x".into()],
    }];
    let cfg = PlanConfig {
        max_apps_per_wave: 2,
        pilot_size: 0,
        ..PlanConfig::default()
    };
    let waves = plan_waves(
        &units,
        &groups,
        &cfg,
        Day::from_ymd(2024, 10, 4),
        Vec::new(),
        &[],
    );
    assert!(waves[0].tasks.iter().any(|t| t.contains("untangle")));
}

proptest::proptest! {
    #[test]
    fn waves_hold_every_app_once_and_never_split_groups(
        kinds in proptest::collection::vec(0u8..8, 1..60),
        pairs in proptest::collection::vec((0usize..60, 0usize..60), 0..20),
        max in 1usize..10,
        pilot in 0usize..4,
    ) {
        let all = Strategy::ALL;
        let units: Vec<Unit> = kinds.iter().enumerate().map(|(i, k)| unit(&format!("A{i:02}"), all[*k as usize])).collect();
        let n = units.len();
        // Random couplings, merged into disjoint groups the way the graph analysis does.
        let mut parent: Vec<usize> = (0..n).collect();
        fn find(p: &mut Vec<usize>, x: usize) -> usize { if p[x] == x { x } else { let r = find(p, p[x]); p[x] = r; r } }
        for (a, b) in pairs.iter().map(|(a, b)| (a % n, b % n)) {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            parent[ra] = rb;
        }
        let mut by_root: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for (i, u) in units.iter().enumerate() {
            let r = find(&mut parent, i);
            by_root.entry(r).or_default().push(u.app.clone());
        }
        let groups: Vec<CoupledGroup> = by_root.into_values().filter(|g| g.len() > 1).map(|apps| CoupledGroup { apps, shared: vec!["user:x".into()] }).collect();
        let cfg = PlanConfig { max_apps_per_wave: max, pilot_size: pilot, ..PlanConfig::default() };
        let waves = plan_waves(&units, &groups, &cfg, Day::from_ymd(2024, 10, 4), Vec::new(), &[]);
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for w in &waves { for a in &w.apps { *count.entry(a.as_str()).or_default() += 1; } }
        proptest::prop_assert_eq!(count.len(), n);
        proptest::prop_assert!(count.values().all(|&c| c == 1));
        let wave_of = |a: &str| waves.iter().position(|w| w.apps.iter().any(|x| x == a));
        for g in &groups {
            let migrating: Vec<&String> = g.apps.iter().filter(|a| units.iter().any(|u| &u.app == *a && u.strategy.generates())).collect();
            let split = migrating.iter().map(|a| wave_of(a)).collect::<BTreeSet<_>>().len() > 1;
            let untangled = waves[0].tasks.iter().any(|t| t.contains("untangle") && migrating.iter().all(|a| t.contains(a.as_str())));
            proptest::prop_assert!(!split || untangled, "group {:?} split without untangling", g.apps);
        }
    }
}
