//! `vpcsim check` as a CI job sees it: JUnit XML, GitHub Actions
//! annotations, one JSON array for several files, a closing count, files
//! without expectations, and the exit codes.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vpcsim"))
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

/// A temporary directory with three files: one whose expectation holds, one
/// whose expectation fails, one that does not load; and one with no
/// expectations.
fn files(tag: &str) -> (PathBuf, [PathBuf; 4]) {
    let dir = std::env::temp_dir().join(format!("vpcsim-ci-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let good = std::fs::read_to_string(root().join("scenarios/drop-no_route.toml"))
        .expect("a shipped scenario");
    let bad = good.replace("delivered = \"0%\"", "delivered = \"100%\"");
    assert_ne!(good, bad, "the scenario states delivered = \"0%\"");
    let none = good
        .split("[[expect]]")
        .next()
        .expect("text before the expectations")
        .to_string();
    let paths = [
        dir.join("holds.toml"),
        dir.join("fails.toml"),
        dir.join("invalid.toml"),
        dir.join("nothing.toml"),
    ];
    std::fs::write(&paths[0], &good).unwrap();
    std::fs::write(&paths[1], &bad).unwrap();
    std::fs::write(
        &paths[2],
        "[scenario]\nname = \"x\"\nduration = \"1s\"\n[[vpcs]]\n",
    )
    .unwrap();
    std::fs::write(&paths[3], none).unwrap();
    (dir, paths)
}

#[test]
fn junit_has_a_suite_per_file_and_a_case_per_expectation() {
    let (dir, f) = files("junit");
    let xml = dir.join("results.xml");
    let out = bin()
        .args(["check", "--threads", "1", "--quiet", "--junit"])
        .arg(&xml)
        .args([&f[0], &f[1], &f[2]])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "an invalid file makes the exit 2"
    );
    let x = std::fs::read_to_string(&xml).expect("the JUnit file is written");
    assert!(x.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    assert!(x.contains("tests=\"3\" failures=\"1\" errors=\"1\""), "{x}");
    assert_eq!(x.matches("<testsuite ").count(), 3, "{x}");
    assert_eq!(x.matches("<testcase ").count(), 3, "{x}");
    assert_eq!(x.matches("<failure ").count(), 1, "{x}");
    assert_eq!(x.matches("<error ").count(), 1, "{x}");
    assert!(x.contains("delivered: expected 100%, actual 0.0%"), "{x}");
    assert!(x.contains("top drops: no_route at rt-private"), "{x}");
    // Well formed, where xmllint is installed.
    if let Ok(lint) = Command::new("xmllint").arg("--noout").arg(&xml).output() {
        assert!(
            lint.status.success(),
            "{}",
            String::from_utf8_lossy(&lint.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn github_format_annotates_failures_and_invalid_files() {
    let (dir, f) = files("github");
    let out = bin()
        .args(["check", "--threads", "1", "--quiet", "--format", "github"])
        .args([&f[0], &f[1], &f[2]])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let fails = f[1].display().to_string();
    let invalid = f[2].display().to_string();
    assert!(
        text.lines()
            .any(|l| l.starts_with(&format!("::error file={fails},line=51,"))),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with(&format!("::error file={invalid},line=4,"))),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l == "3 files (1 invalid): 1 expectations hold, 1 fail"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn json_for_several_files_is_one_array() {
    let (dir, f) = files("json");
    let out = bin()
        .args(["check", "--threads", "1", "--quiet", "--json", "-"])
        .args([&f[0], &f[1]])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "one expectation fails");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let a = v.as_array().expect("an array");
    assert_eq!(a.len(), 2);
    // The verdicts went to stderr.
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 expectations hold, 1 fail"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_without_expectations_warns_or_fails_when_required() {
    let (dir, f) = files("none");
    let out = bin()
        .args(["check", "--threads", "1", "--quiet"])
        .arg(&f[3])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("warning: no [[expect]] block"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bin()
        .args([
            "check",
            "--threads",
            "1",
            "--quiet",
            "--require-expectations",
        ])
        .arg(&f[3])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error: no [[expect]] block"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_states_the_exit_codes() {
    let out = bin().arg("--help").output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Exit status: 0"), "{text}");
    assert!(text.contains("2 invalid input"), "{text}");
}

#[test]
fn completions_and_the_manual_page_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        let out = bin().args(["completions", shell]).output().expect("runs");
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        for sub in ["run", "check", "explain", "import"] {
            assert!(text.contains(sub), "{shell} completions lack `{sub}`");
        }
        assert!(
            text.contains("junit"),
            "{shell} completions lack check's --junit"
        );
    }
    let out = bin().arg("man").output().expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(".TH vpcsim 1"), "{text}");
    assert!(text.contains("explain"), "{text}");
}
