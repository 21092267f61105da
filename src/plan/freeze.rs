//! Freeze windows that protect some apps only (`[[blackout]] apps = [...]`, often repeated
//! monthly, like a month-end close). Such a window does not move waves: a monthly window
//! would push every wave holding a finance app for months. Instead each protected app's
//! runbook says, first, on which days of its wave it may be changed, and its wave lists the
//! frozen days.

use crate::config::Blackout;
use crate::time::Day;

use super::waves::Wave;
use super::AppPlan;

/// Add the frozen days of protected apps to their runbooks and waves.
pub fn protect_apps(apps: &mut [AppPlan], waves: &mut [Wave], blackouts: &[Blackout]) {
    for b in blackouts.iter().filter(|b| !b.apps.is_empty()) {
        for a in apps.iter_mut().filter(|a| b.protects(&a.api_name)) {
            let Some(w) = waves.get_mut(a.wave) else {
                continue;
            };
            let (Some(start), Some(end)) = (Day::parse(&w.start), Day::parse(&w.end)) else {
                continue;
            };
            let frozen = b.occurrences(start, end);
            if frozen.is_empty() {
                continue;
            }
            let days = spans(&frozen);
            let free = free_spans(start, end, &frozen);
            let name = &a.api_name;
            let reason = &b.reason;
            let when = if free.is_empty() {
                let last = frozen.iter().map(|f| f.1).max().unwrap_or(end);
                format!("no day of wave {} ({start} – {end}) is outside it: change nothing of {name} before {}, and agree the new date with its owner", w.number, last.plus(1))
            } else {
                format!("make every change of this runbook to the org (deploys, the button, assignments, the switch) on {} only, the days of wave {} outside it", spans(&free), w.number)
            };
            a.runbook.pre_checks.insert(
                0,
                format!("{name} is frozen on {days} ({reason}; ecaplan.toml [[blackout]]): {when}"),
            );
            w.tasks
                .push(format!("{name}: no change on {days} ({reason})"));
        }
    }
}

/// The days of `start..=end` outside every window of `frozen`, as spans.
fn free_spans(start: Day, end: Day, frozen: &[(Day, Day)]) -> Vec<(Day, Day)> {
    let mut free: Vec<(Day, Day)> = Vec::new();
    let mut day = start;
    while day <= end {
        if !frozen.iter().any(|(f, t)| *f <= day && day <= *t) {
            match free.last_mut() {
                Some(last) if last.1.plus(1) == day => last.1 = day,
                _ => free.push((day, day)),
            }
        }
        day = day.plus(1);
    }
    free
}

/// Spans in words: "2027-02-18 – 2027-02-26 and 2027-03-04 – 2027-03-10".
fn spans(spans: &[(Day, Day)]) -> String {
    let words: Vec<String> = spans
        .iter()
        .map(|(f, t)| {
            if f == t {
                f.to_string()
            } else {
                format!("{f} – {t}")
            }
        })
        .collect();
    words.join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        Day::parse(s).expect("day")
    }

    #[test]
    fn the_free_days_are_the_waves_days_outside_the_windows() {
        let frozen = [(day("2027-02-27"), day("2027-03-03"))];
        let free = free_spans(day("2027-02-18"), day("2027-03-10"), &frozen);
        assert_eq!(
            spans(&free),
            "2027-02-18 – 2027-02-26 and 2027-03-04 – 2027-03-10"
        );
        let all = [(day("2027-02-01"), day("2027-03-31"))];
        assert!(free_spans(day("2027-02-18"), day("2027-03-03"), &all).is_empty());
    }

    #[test]
    fn a_monthly_window_protects_its_apps_in_every_month() {
        let toml = r#"
[[blackout]]
from = "2027-01-27"
to = "2027-02-03"
repeat = "monthly"
apps = ["ERP_Sync"]
reason = "month-end close"
"#;
        let config = crate::config::Config::parse(toml, "t").expect("config");
        let b = &config.blackout[0];
        let winter = b.occurrences(day("2026-12-21"), day("2027-03-31"));
        assert_eq!(
            winter,
            vec![
                (day("2026-12-27"), day("2027-01-03")),
                (day("2027-01-27"), day("2027-02-03")),
                (day("2027-02-27"), day("2027-03-03")),
                (day("2027-03-27"), day("2027-04-03")),
            ]
        );
        let between = b.occurrences(day("2027-02-04"), day("2027-02-17"));
        assert!(between.is_empty(), "{between:?}");
        assert!(b.protects("ERP_Sync") && !b.protects("Partner_Portal"));
        for bad in [
            "[[blackout]]\nfrom = \"2027-01-27\"\nto = \"2027-02-03\"\nrepeat = \"monthly\"\nreason = \"x\"\n",
            "[[blackout]]\nfrom = \"2027-01-01\"\nto = \"2027-01-31\"\nrepeat = \"monthly\"\napps = [\"A\"]\nreason = \"x\"\n",
            "[[blackout]]\nfrom = \"2027-01-01\"\nto = \"2027-01-02\"\nrepeat = \"weekly\"\napps = [\"A\"]\nreason = \"x\"\n",
        ] {
            assert!(crate::config::Config::parse(bad, "t").is_err(), "{bad}");
        }
    }
}
