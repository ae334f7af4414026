//! `vpcsim check --save-baseline NAME` and `--baseline NAME [--tolerance
//! P%]`: a saved run's numbers against a later run's, direction by
//! direction, in the text, the JSON report, JUnit and GitHub annotations.
//!
//! A regression is made by editing the saved baseline: runs are
//! deterministic, so the run is the same and the baseline says it used to
//! be better (or worse).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

/// A temporary working directory holding copies of shipped scenarios.
fn workdir(tag: &str, scenarios: &[&str]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vpcsim-baseline-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    for s in scenarios {
        std::fs::copy(root().join("scenarios").join(s), dir.join(s)).expect("a shipped scenario");
    }
    dir
}

fn check(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .current_dir(dir)
        .args(["check", "--threads", "1"])
        .args(args)
        .output()
        .expect("vpcsim runs")
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const BASTION: &str = "bastion-ssh.toml";
const NO_ROUTE: &str = "drop-no_route.toml";

fn saved(dir: &Path, scenario: &str) -> PathBuf {
    dir.join(".vpcsim/baselines/main")
        .join(format!("{scenario}.json"))
}

/// Multiplies the saved value of `measure` of `subject` by `factor`;
/// returns the value saved.
fn scale(file: &Path, subject: &str, measure: &str, factor: f64) -> f64 {
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(file).expect("a saved baseline")).unwrap();
    let n = v["numbers"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|n| n["subject"] == subject && n["measure"] == measure)
        .unwrap_or_else(|| panic!("{subject} {measure} is saved"));
    let old = n["value"].as_f64().unwrap();
    n["value"] = serde_json::json!(old * factor);
    std::fs::write(file, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    old
}

#[test]
fn a_saved_baseline_holds_every_headline_number_and_the_same_run_matches_it() {
    let dir = workdir("same", &[BASTION]);
    let o = check(&dir, &["--save-baseline", "main", BASTION]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("wrote baseline `main` of bastion-ssh.toml"),
        "{}",
        text(&o)
    );
    let file = saved(&dir, BASTION);
    let first = std::fs::read(&file).expect("the baseline is written");
    let v: Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(v["baseline_version"], 1);
    assert_eq!(v["scenario"], BASTION);
    let has = |subject: &str, measure: &str| {
        v["numbers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["subject"] == subject && n["measure"] == measure)
    };
    for m in [
        "delivered",
        "failed",
        "p50_us",
        "p99_us",
        "max_us",
        "throughput_bps",
    ] {
        assert!(has("traffic `admin-to-bastion`", m), "{m}: {v}");
    }
    assert!(has("gateway `igw-prod`", "bytes"), "{v}");
    assert!(has("gateway `igw-prod`", "packets"), "{v}");
    assert!(has("the design", "cost_per_month_usd"), "{v}");
    assert!(
        has(
            "expectation traffic `admin-to-app` over the whole run",
            "drops"
        ),
        "{v}"
    );
    // Saved again, the same bytes; compared, nothing moved.
    let o = check(&dir, &["--save-baseline", "main", "--quiet", BASTION]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(std::fs::read(&file).unwrap(), first);
    let o = check(&dir, &["--baseline", "main", BASTION]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("0 regressed, 0 changed, 0 improved, 0 gone"),
        "{out}"
    );
}

#[test]
fn a_latency_regression_fails_and_is_named_in_every_output() {
    let dir = workdir("regress", &[BASTION]);
    let o = check(&dir, &["--save-baseline", "main", "--quiet", BASTION]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let file = saved(&dir, BASTION);
    // The baseline says p99 used to be half of what it is.
    let p99 = scale(&file, "traffic `admin-to-bastion`", "p99_us", 0.5);
    let o = check(
        &dir,
        &[
            "--baseline",
            "main",
            "--junit",
            "junit.xml",
            "--json",
            "report.json",
            "--format",
            "github",
            "--quiet",
            BASTION,
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let line = format!(
        "REGRESSED bastion-ssh.toml: traffic `admin-to-bastion` p99_us: {} -> {} (+100.0%)",
        p99 / 2.0,
        p99
    );
    assert!(out.contains(&line), "{line}\n{out}");
    assert!(out.contains("1 regressed, 0 changed"), "{out}");
    assert!(
        out.contains(
            "::error file=bastion-ssh.toml,title=regressed against baseline main::traffic `admin-to-bastion` p99_us"
        ),
        "{out}"
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    let b = &report["baseline"];
    assert_eq!(b["ok"], false, "{b}");
    assert_eq!(b["moved"][0]["verdict"], "regressed", "{b}");
    assert_eq!(b["moved"][0]["measure"], "p99_us", "{b}");
    assert_eq!(b["moved"][0]["change_percent"], 100.0, "{b}");
    let x = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    assert!(x.contains("tests=\"4\" failures=\"1\" errors=\"0\""), "{x}");
    assert!(
        x.contains("<testcase name=\"numbers within 0% of baseline `main`\""),
        "{x}"
    );
    assert!(x.contains("<failure type=\"baseline\""), "{x}");
    // Valid against Jenkins' JUnit schema, where xmllint is installed.
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/junit/junit-10.xsd");
    match Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(dir.join("junit.xml"))
        .output()
    {
        Ok(lint) => assert!(lint.status.success(), "{lint:?}\n{x}"),
        Err(_) => eprintln!("xmllint is not installed: junit.xml is not validated"),
    }
}

#[test]
fn a_change_within_the_tolerance_passes_and_beyond_it_fails() {
    let dir = workdir("tolerance", &[BASTION]);
    let o = check(&dir, &["--save-baseline", "main", "--quiet", BASTION]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // The run delivers 2% fewer bytes a second than the baseline says.
    scale(
        &saved(&dir, BASTION),
        "traffic `bastion-to-app`",
        "throughput_bps",
        1.0 / 0.98,
    );
    let o = check(&dir, &["--baseline", "main", "--tolerance", "5%", BASTION]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("(tolerance 5%): "),
        "{}",
        text(&o)
    );
    let o = check(&dir, &["--baseline", "main", "--tolerance", "1%", BASTION]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("REGRESSED bastion-ssh.toml: traffic `bastion-to-app` throughput_bps:")
            && out.contains("(-2.0%)"),
        "{out}"
    );
    // Without a tolerance (0%), too.
    let o = check(&dir, &["--baseline", "main", BASTION]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    // A tolerance that is not a percentage is refused before anything runs.
    let o = check(
        &dir,
        &["--baseline", "main", "--tolerance", "lots", BASTION],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn an_improvement_passes_and_a_changed_count_fails() {
    let dir = workdir("improve", &[BASTION]);
    let o = check(&dir, &["--save-baseline", "main", "--quiet", BASTION]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let file = saved(&dir, BASTION);
    // The baseline says latency and cost used to be higher: better now.
    scale(&file, "traffic `admin-to-bastion`", "max_us", 2.0);
    scale(&file, "the design", "cost_per_month_usd", 1.5);
    let o = check(&dir, &["--baseline", "main", BASTION]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("improved  bastion-ssh.toml: traffic `admin-to-bastion` max_us:"),
        "{out}"
    );
    assert!(out.contains("0 regressed, 0 changed, 2 improved"), "{out}");
    // Bytes through a gateway have no better direction: a change fails.
    scale(&file, "gateway `igw-prod`", "bytes", 0.5);
    let o = check(&dir, &["--baseline", "main", BASTION]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("CHANGED   bastion-ssh.toml: gateway `igw-prod` bytes:"),
        "{out}"
    );
}

#[test]
fn a_missing_baseline_is_invalid_input_naming_the_path_and_the_remedy() {
    let dir = workdir("missing", &[BASTION]);
    let o = check(&dir, &["--baseline", "main", BASTION]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "no baseline `main` for bastion-ssh.toml: .vpcsim/baselines/main/bastion-ssh.toml.json does not exist; save one with `vpcsim check --save-baseline main bastion-ssh.toml`"
        ),
        "{err}"
    );
    assert!(o.stdout.is_empty(), "nothing ran: {}", text(&o));
    // A baseline directory of one's own is named in the remedy.
    let o = check(
        &dir,
        &["--baseline", "main", "--baseline-dir", "ci/base", BASTION],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(
            "`vpcsim check --save-baseline main --baseline-dir ci/base bastion-ssh.toml`"
        ),
        "{}",
        text(&o)
    );
    // A name that is not a file name is refused.
    let o = check(&dir, &["--save-baseline", "../up", BASTION]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn several_files_are_kept_apart_and_the_closing_line_counts_those_off_baseline() {
    let dir = workdir("several", &[BASTION, NO_ROUTE]);
    let o = check(
        &dir,
        &[
            "--save-baseline",
            "v1",
            "--baseline-dir",
            "base",
            "--quiet",
            BASTION,
            NO_ROUTE,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let a = dir.join("base/v1/bastion-ssh.toml.json");
    let b = dir.join("base/v1/drop-no_route.toml.json");
    assert!(a.is_file() && b.is_file(), "{}", text(&o));
    // The second file's failures used to be fewer.
    let subject = "expectation traffic `lookups` over the whole run";
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&b).unwrap()).unwrap();
    assert!(
        v["numbers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["subject"] == subject),
        "{v}"
    );
    scale(&b, subject, "failed", 0.5);
    let o = check(
        &dir,
        &[
            "--baseline",
            "v1",
            "--baseline-dir",
            "base",
            "--json",
            "-",
            BASTION,
            NO_ROUTE,
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "REGRESSED drop-no_route.toml: expectation traffic `lookups` over the whole run failed:"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "2 files (0 invalid): 4 expectations hold, 0 fail; 1 of 2 files off baseline `v1`"
        ),
        "{err}"
    );
    let reports: Value = serde_json::from_slice(&o.stdout).expect("one JSON array");
    assert_eq!(reports[0]["baseline"]["ok"], true);
    assert_eq!(reports[1]["baseline"]["ok"], false);
}
