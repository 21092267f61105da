//! Every command's `--help` ends with an example and the exit codes, and each example runs
//! against `samples/` as written.

mod common;

use common::ecaplan;

const COMMANDS: &[&str] = &[
    "inventory",
    "usage",
    "assess",
    "plan",
    "generate",
    "graph",
    "explain",
    "verify",
];

#[test]
fn every_help_example_runs_as_written() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for command in COMMANDS {
        let help = ecaplan([*command, "--help"]);
        let help = String::from_utf8_lossy(&help.stdout).into_owned();
        assert!(help.contains("Exit codes: 0 done"), "{command}: {help}");
        let example = help
            .lines()
            .find_map(|l| l.strip_prefix("Example: ecaplan "))
            .unwrap_or_else(|| panic!("{command} --help has no example"));
        let mut args: Vec<String> = example
            .split_whitespace()
            .take_while(|a| *a != ">")
            .map(String::from)
            .collect();
        // Output folders go to a fresh place, not into the checkout.
        if let Some(i) = args.iter().position(|a| a == "-o") {
            args[i + 1] = tmp.path().join(command).display().to_string();
        }
        // verify reads the plan an earlier `plan -o out` wrote: write it there first.
        if let Some(i) = args.iter().position(|a| a == "out/plan.json") {
            let out = tmp.path().join("plan-for-verify");
            assert!(common::plan_samples(&out, &[]).status.success());
            args[i] = out.join("plan.json").display().to_string();
        }
        let run = ecaplan(&args);
        let expected = if *command == "assess" { 1 } else { 0 };
        assert_eq!(
            run.status.code(),
            Some(expected),
            "ecaplan {example}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
}

#[test]
fn completions_and_the_man_page_come_from_the_command_line() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = ecaplan(["completions", shell]);
        assert!(run.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&run.stdout);
        for command in COMMANDS {
            assert!(script.contains(command), "{shell} completes {command}");
        }
    }
    // The bash script is valid bash.
    let bash = ecaplan(["completions", "bash"]).stdout;
    let file = tempfile::NamedTempFile::new().expect("tempfile");
    std::fs::write(file.path(), &bash).expect("write");
    if let Ok(check) = std::process::Command::new("bash")
        .arg("-n")
        .arg(file.path())
        .output()
    {
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
    let man = ecaplan(["man"]);
    assert!(man.status.success());
    let man = String::from_utf8_lossy(&man.stdout);
    assert!(man.contains(".TH ecaplan 1"), "{man}");
    for command in COMMANDS {
        assert!(man.contains(command), "the man page names {command}");
    }
    assert_eq!(
        man,
        String::from_utf8_lossy(&ecaplan(["man"]).stdout),
        "deterministic"
    );
}
