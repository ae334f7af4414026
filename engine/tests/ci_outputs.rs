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

/// A small design with numeric bounds: requests and a bulk transfer from a
/// private instance through a NAT gateway to an internet host; `bounds` is
/// appended as the expectations.
fn bounded(tag: &str, bounds: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("vpcsim-bounds-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let text = format!(
        r#"[scenario]
name = "bounds"
seed = 5
duration = "4s"
region = "us-east-1"

[[vpc]]
id = "vpc-a"
cidrs = ["10.40.0.0/16"]

[[subnet]]
id = "public-a"
vpc = "vpc-a"
cidr = "10.40.0.0/24"
az = "us-east-1a"
route_table = "rt-public"

[[subnet]]
id = "private-a"
vpc = "vpc-a"
cidr = "10.40.1.0/24"
az = "us-east-1a"
route_table = "rt-private"

[[route_table]]
id = "rt-public"
vpc = "vpc-a"
routes = [ {{ destination = "0.0.0.0/0", target = "igw-a" }} ]

[[route_table]]
id = "rt-private"
vpc = "vpc-a"
routes = [ {{ destination = "0.0.0.0/0", target = "nat-a" }} ]

[[internet_gateway]]
id = "igw-a"
vpc = "vpc-a"

[[nat_gateway]]
id = "nat-a"
subnet = "public-a"
public_ip = "3.35.0.10"

[[security_group]]
id = "sg-app"
vpc = "vpc-a"
egress = [ {{ protocol = "all", ports = "all", cidr = "0.0.0.0/0" }} ]

[[instance]]
id = "app"
subnet = "private-a"
security_groups = ["sg-app"]

[[external_host]]
id = "api"
ip = "198.51.100.80"
listen = [ {{ protocol = "tcp", port = 443 }} ]

[[traffic]]
id = "web"
from = "app"
to = "api"
port = 443
rate = "40/s"
arrivals = "fixed"
request = "300B"
response = "2KiB"
stop = "3s"

[[traffic]]
id = "copy"
from = "app"
to = "api"
pattern = "bulk"
port = 443
size = "2MB"

{bounds}"#
    );
    let path = dir.join("bounds.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// The `result.bounds` of every expectation of a `check --json -` run, and
/// the exit status and standard error.
fn check_bounds(path: &Path) -> (Option<i32>, Vec<serde_json::Value>, String) {
    let out = bin()
        .args(["check", "--threads", "1", "--quiet", "--json", "-"])
        .arg(path)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON on stdout ({e}): {stderr}"));
    let bounds = v["expectations"]
        .as_array()
        .expect("expectations")
        .iter()
        .flat_map(|e| {
            e["result"]["bounds"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    (out.status.code(), bounds, stderr)
}

const HOLDING: &str = r#"[[expect]]
traffic = "web"
window = ["0s", "3s"]
delivered = "100%"
p50 = "< 1s"
p90 = "<= 1s"
p95 = "< 1s"
p99 = "< 1s"
max = "< 2s"
failures = "== 0"
retransmissions = "<= 1000"

[[expect]]
traffic = "web"
failures = "< 1%"

[[expect]]
traffic = "copy"
throughput = "> 1Mbps"

[[expect]]
component = "nat-a"
nat_ports = ">= 1"
nat_connections = ">= 2"
bytes = "> 2MB"

[[expect]]
cost_per_month = "> $0"
"#;

/// The same measures, each bound set where the run cannot meet it.
const FAILING: &str = r#"[[expect]]
traffic = "web"
window = ["0s", "3s"]
p50 = "< 1us"
p90 = "< 1us"
p95 = "< 1us"
p99 = "< 1us"
max = "> 1h"
failures = "> 0"
retransmissions = "> 1000000"

[[expect]]
traffic = "web"
failures = ">= 50%"

[[expect]]
traffic = "copy"
throughput = "> 1Tbps"

[[expect]]
component = "nat-a"
nat_ports = "> 55000"
nat_connections = "< 1"
bytes = "< 1KB"

[[expect]]
cost_per_month = "< $0.000001"
"#;

#[test]
fn numeric_bounds_hold_where_the_run_meets_them() {
    let (dir, path) = bounded("hold", HOLDING);
    let (code, bounds, stderr) = check_bounds(&path);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(bounds.len(), 13, "{bounds:?}");
    for b in &bounds {
        assert_eq!(b["ok"], true, "{b}");
    }
    let actual = |m: &str| -> f64 {
        bounds
            .iter()
            .find(|b| b["measure"] == m)
            .and_then(|b| b["actual"].as_f64())
            .unwrap_or_else(|| panic!("{m} measured"))
    };
    // 40 requests a second for 3 s, each a few milliseconds on the way to
    // the internet and back.
    assert!(actual("p50") > 0.0 && actual("p50") <= actual("p99"));
    assert!(actual("p99") <= actual("max"));
    // 2 MB over 4 s at least: 4 Mbps, less than the line rate.
    assert!(actual("throughput") >= 4e6, "{}", actual("throughput"));
    // The transfer and 120 requests crossed the gateway, each both ways.
    assert!(actual("bytes") > 2e6 * 2.0 * 0.5, "{}", actual("bytes"));
    assert!(actual("nat_connections") >= 2.0);
    assert!(actual("nat_ports") >= 1.0);
    assert!(actual("cost_per_month") > 0.0);
    // Expected against actual, also for the expectations that hold.
    assert!(stderr.contains("p99: expected < 1s, actual "), "{stderr}");
    assert!(stderr.contains("ok   "), "{stderr}");
    assert!(stderr.contains("component `nat-a`"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn numeric_bounds_fail_where_the_run_does_not_meet_them() {
    let (dir, path) = bounded("fail", FAILING);
    let (code, bounds, stderr) = check_bounds(&path);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(bounds.len(), 13, "{bounds:?}");
    for b in &bounds {
        assert_eq!(b["ok"], false, "{b}");
        assert!(b["actual"].is_number(), "{b}");
    }
    assert!(
        stderr.contains("throughput: expected > 1Tbps, actual "),
        "{stderr}"
    );
    assert!(
        stderr.contains("cost_per_month: expected < $0.000001, actual $"),
        "{stderr}"
    );
    // The JUnit failure and the GitHub annotation carry the bound.
    let xml = dir.join("r.xml");
    let out = bin()
        .args([
            "check",
            "--threads",
            "1",
            "--quiet",
            "--format",
            "github",
            "--junit",
        ])
        .arg(&xml)
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("::error file=") && text.contains("nat_ports: expected > 55000, actual "),
        "{text}"
    );
    let x = std::fs::read_to_string(&xml).expect("JUnit written");
    assert!(
        x.contains("message=\"p50: expected &lt; 1us, actual "),
        "{x}"
    );
    assert_eq!(x.matches("<failure ").count(), 5, "{x}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Bounds on a NAT gateway's peaks, the bytes through it and the cost,
/// over a window and over the whole run, in pairs: each bound holds over
/// one and fails over the other. `web` runs 40 requests a second until 3s
/// and `copy` sends 2 MB from the start; by 3.5s both are done.
const WINDOWED: &str = r#"[[expect]]
component = "nat-a"
window = ["3.5s", "4s"]
bytes = "< 100KB"

[[expect]]
component = "nat-a"
bytes = "< 100KB"

[[expect]]
component = "nat-a"
window = ["3.5s", "4s"]
bytes = "> 2MB"

[[expect]]
component = "nat-a"
bytes = "> 2MB"

[[expect]]
component = "nat-a"
window = ["0s", "1ms"]
nat_connections = "<= 2"
nat_ports = "<= 2"

[[expect]]
component = "nat-a"
nat_connections = "<= 2"
nat_ports = "<= 2"

[[expect]]
window = ["3.5s", "4s"]
cost_per_month = "< $40"

[[expect]]
cost_per_month = "< $40"

[[expect]]
window = ["3.5s", "4s"]
cost_per_month = "> $40"

[[expect]]
cost_per_month = "> $40"
"#;

#[test]
fn component_and_cost_bounds_take_the_expectations_window() {
    let (dir, path) = bounded("windowed", WINDOWED);
    let (code, bounds, stderr) = check_bounds(&path);
    assert_eq!(code, Some(1), "{stderr}");
    let got: Vec<(String, bool, f64)> = bounds
        .iter()
        .map(|b| {
            (
                b["measure"].as_str().unwrap_or("").to_string(),
                b["ok"].as_bool().unwrap_or(false),
                b["actual"].as_f64().unwrap_or(f64::NAN),
            )
        })
        .collect();
    let want = [
        ("bytes", true),
        ("bytes", false),
        ("bytes", false),
        ("bytes", true),
        ("nat_ports", true),
        ("nat_connections", true),
        ("nat_ports", false),
        ("nat_connections", false),
        ("cost_per_month", true),
        ("cost_per_month", false),
        ("cost_per_month", false),
        ("cost_per_month", true),
    ];
    let shape: Vec<(&str, bool)> = got.iter().map(|g| (g.0.as_str(), g.1)).collect();
    assert_eq!(shape, want, "{got:?}\n{stderr}");
    // The window's bytes are those of its half second only; the window's
    // peaks those of its first millisecond.
    assert!(got[0].2 < got[1].2 / 10.0, "{got:?}");
    assert!(got[4].2 <= 2.0 && got[6].2 > 2.0, "{got:?}");
    // An idle window is priced at the NAT gateway's hours alone: $0.045 an
    // hour for 730 hours, plus the little data of the window.
    assert!((32.85..33.5).contains(&got[8].2), "{got:?}");
    assert!(got[9].2 > got[8].2, "{got:?}");
    assert!(
        stderr.contains("bytes: expected < 100KB, actual 0B"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn malformed_or_misplaced_bounds_are_located_errors() {
    let cases = [
        (
            "[[expect]]\ntraffic = \"web\"\np99 = \"40ms\"\n",
            "`p99`: `40ms`: a bound starts with <, <=, >, >= or ==, like \"< 40ms\"; did you mean \"<= 40ms\"?",
        ),
        (
            "[[expect]]\ntraffic = \"copy\"\nthroughput = \"> 800MBps\"\n",
            "did you mean `Mbps` (bits per second)?",
        ),
        (
            "[[expect]]\nnat_ports = \"< 100\"\n",
            "`nat_ports` speaks of a component: add `component = \"<id>\"`",
        ),
        (
            "[[expect]]\ncomponent = \"igw-a\"\nnat_ports = \"< 100\"\n",
            "`nat_ports` speaks of a NAT gateway",
        ),
        (
            "[[expect]]\nwindow = [\"0s\", \"1s\"]\n",
            "is missing the required key `traffic`: `window` speak of a traffic",
        ),
        (
            "[[expect]]\np99 = \"< 40ms\"\n",
            "is missing the required key `traffic`: `p99` speak of a traffic",
        ),
    ];
    for (i, (bounds, want)) in cases.iter().enumerate() {
        let (dir, path) = bounded(&format!("bad{i}"), bounds);
        let out = bin().arg("validate").arg(&path).output().expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bounds}: {stderr}");
        // Located: FILE:LINE:COL, on a line of the expectations.
        let line = stderr
            .lines()
            .find(|l| l.contains(want))
            .unwrap_or_else(|| panic!("{bounds}: `{want}` in {stderr}"));
        let loc: Vec<&str> = line.splitn(4, ':').collect();
        let n: usize = loc[1].parse().expect("a line number");
        assert!(n >= 78 && loc[2].parse::<usize>().is_ok(), "{line}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// The ways `xml` breaks the structure of the JUnit schema that Jenkins'
/// xUnit plugin publishes (`junit-10.xsd`): which elements nest in which,
/// in what order and how often, and which attributes each takes and needs.
/// It reads the subset of XML that `check --junit` writes (a declaration,
/// elements, attributes in double quotes, escaped text).
fn junit_10_violations(xml: &str) -> Vec<String> {
    // (element, allowed children in order with at most one of each `?`,
    // allowed attributes, required attributes)
    type Rule = (
        &'static str,
        &'static [(&'static str, bool)],
        &'static [&'static str],
        &'static [&'static str],
    );
    const RULES: &[Rule] = &[
        (
            "testsuites",
            &[("testsuite", true)],
            &["name", "time", "tests", "failures", "disabled", "errors"],
            &[],
        ),
        (
            "testsuite",
            &[
                ("properties", false),
                ("testcase", true),
                ("system-out", false),
                ("system-err", false),
            ],
            &[
                "name",
                "tests",
                "failures",
                "errors",
                "time",
                "disabled",
                "skipped",
                "timestamp",
                "hostname",
                "id",
                "package",
            ],
            &["name", "tests"],
        ),
        (
            "testcase",
            &[
                ("skipped", false),
                ("error", true),
                ("failure", true),
                ("system-out", true),
                ("system-err", true),
            ],
            &["name", "assertions", "time", "classname", "status"],
            &["name"],
        ),
        ("failure", &[], &["type", "message"], &[]),
        ("error", &[], &["type", "message"], &[]),
        ("properties", &[("property", true)], &[], &[]),
        ("property", &[], &["name", "value"], &["name", "value"]),
        ("skipped", &[], &[], &[]),
        ("system-out", &[], &[], &[]),
        ("system-err", &[], &[], &[]),
    ];
    let mut bad = Vec::new();
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        .unwrap_or_else(|| {
            bad.push("no XML declaration".into());
            xml
        });
    // Stack of (element, index of the next allowed child, count of it).
    let mut stack: Vec<(&str, usize, usize)> = Vec::new();
    let mut root_seen = false;
    let mut rest = body;
    while let Some(open) = rest.find('<') {
        let close = rest[open..]
            .find('>')
            .map(|c| open + c)
            .expect("a closed tag");
        let tag = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            match stack.pop() {
                Some((n, _, _)) if n == name => {}
                other => bad.push(format!("</{name}> closes {other:?}")),
            }
            continue;
        }
        let empty = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let name = tag.split_whitespace().next().unwrap_or("");
        let Some(rule) = RULES.iter().find(|r| r.0 == name) else {
            bad.push(format!("<{name}> is not an element of the schema"));
            continue;
        };
        match stack.last_mut() {
            None if !root_seen && name == "testsuites" => root_seen = true,
            None => bad.push(format!("<{name}> at the top")),
            Some((parent, at, count)) => {
                let prule = RULES.iter().find(|r| r.0 == *parent).expect("known parent");
                match prule.1.iter().skip(*at).position(|(c, _)| *c == name) {
                    Some(0) => {
                        *count += 1;
                        if *count > 1 && !prule.1[*at].1 {
                            bad.push(format!("<{name}> more than once in <{parent}>"));
                        }
                    }
                    Some(k) => {
                        *at += k;
                        *count = 1;
                    }
                    None => bad.push(format!("<{name}> not allowed there in <{parent}>")),
                }
            }
        }
        // Attributes: name="value" pairs.
        let mut attrs = Vec::new();
        let mut a = tag[name.len()..].trim();
        while !a.is_empty() {
            let Some((k, v)) = a.split_once("=\"") else {
                bad.push(format!("<{name}>: unreadable attributes `{a}`"));
                break;
            };
            let end = v.find('"').expect("a closing quote");
            attrs.push(k.trim());
            if v[..end].contains('<') || v[..end].contains('&') && !v[..end].contains(';') {
                bad.push(format!("<{name} {k}>: unescaped value"));
            }
            a = v[end + 1..].trim();
        }
        for k in &attrs {
            if !rule.2.contains(k) {
                bad.push(format!(
                    "<{name}> has attribute `{k}`, which the schema does not allow"
                ));
            }
        }
        for k in rule.3 {
            if !attrs.contains(k) {
                bad.push(format!("<{name}> lacks the required attribute `{k}`"));
            }
        }
        if !empty {
            stack.push((name, 0, 0));
        }
    }
    if !stack.is_empty() {
        bad.push(format!("unclosed: {stack:?}"));
    }
    if !root_seen {
        bad.push("no <testsuites>".into());
    }
    bad
}

#[test]
fn junit_output_follows_the_jenkins_junit_10_structure() {
    let (dir, f) = files("xsd");
    let xml = dir.join("results.xml");
    let (bdir, bpath) = bounded("xsd", FAILING);
    let _ = bin()
        .args(["check", "--threads", "1", "--quiet", "--junit"])
        .arg(&xml)
        .args([&f[0], &f[1], &f[2], &f[3]])
        .arg(&bpath)
        .output()
        .expect("runs");
    let x = std::fs::read_to_string(&xml).expect("the JUnit file is written");
    let v = junit_10_violations(&x);
    assert!(v.is_empty(), "{v:#?}\n{x}");
    // The checker itself catches what the schema refuses.
    let broken = x.replacen("<testsuite name=", "<testsuite file=\"a\" name=", 1);
    assert!(!junit_10_violations(&broken).is_empty());
    let broken = x.replacen("<testcase name=", "<testcase line=\"3\" name=", 1);
    assert!(!junit_10_violations(&broken).is_empty());
    let broken = x.replacen("<testsuite name=\"", "<testsuite tests=\"1\" nam=\"", 1);
    assert!(!junit_10_violations(&broken).is_empty());
    // And the schema itself, with xmllint where it is installed.
    match xsd_violations(&xml) {
        None => eprintln!(
            "xmllint is not installed: the JUnit XML is not validated against junit-10.xsd"
        ),
        Some(v) => {
            assert!(v.is_empty(), "{v}\n{x}");
            let bad = dir.join("broken.xml");
            std::fs::write(
                &bad,
                x.replacen("<testcase name=", "<testcase line=\"3\" name=", 1),
            )
            .unwrap();
            assert!(xsd_violations(&bad).is_some_and(|v| !v.is_empty()));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&bdir);
}

/// What `xmllint --schema` finds wrong in `xml` against Jenkins' JUnit
/// schema (`tests/junit/junit-10.xsd`): empty when it validates; none when
/// xmllint is not installed.
fn xsd_violations(xml: &Path) -> Option<String> {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/junit/junit-10.xsd");
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(xml)
        .output()
        .ok()?;
    Some(if out.status.success() {
        String::new()
    } else {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn junit_output_of_passing_failing_and_invalid_files_validates_against_junit_10_xsd() {
    if Command::new("xmllint").arg("--version").output().is_err() {
        eprintln!("xmllint is not installed: the JUnit XML is not validated against junit-10.xsd");
        return;
    }
    let (dir, f) = files("xsd-lint");
    let (bdir, bpath) = bounded("xsd-lint", FAILING);
    // Each file alone, then all together.
    let mut runs: Vec<Vec<&Path>> = f.iter().map(|p| vec![p.as_path()]).collect();
    runs.push(vec![bpath.as_path()]);
    runs.push(
        f.iter()
            .map(PathBuf::as_path)
            .chain([bpath.as_path()])
            .collect(),
    );
    let mut suites = 0;
    for (i, files) in runs.iter().enumerate() {
        let xml = dir.join(format!("results-{i}.xml"));
        let out = bin()
            .args(["check", "--threads", "1", "--quiet", "--junit"])
            .arg(&xml)
            .args(files)
            .output()
            .expect("runs");
        assert!(out.status.code().is_some_and(|c| c <= 2), "{out:?}");
        let v = xsd_violations(&xml).expect("xmllint runs");
        assert!(
            v.is_empty(),
            "{v}\n{}",
            std::fs::read_to_string(&xml).unwrap_or_default()
        );
        suites += std::fs::read_to_string(&xml)
            .unwrap()
            .matches("<testsuite ")
            .count();
    }
    assert_eq!(suites, 10, "one suite per file of each run");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&bdir);
}

/// Every command's `--help` describes each of its arguments and shows an
/// example and its exit status.
#[test]
fn every_command_documents_its_arguments_an_example_and_its_exit_status() {
    use clap::CommandFactory;
    fn walk(c: &clap::Command, path: &str, problems: &mut Vec<String>) {
        for a in c.get_arguments() {
            let id = a.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            if a.get_help().is_none() && a.get_long_help().is_none() {
                problems.push(format!("{path}: argument `{id}` has no description"));
            }
        }
        let mut help = String::new();
        for t in [
            c.get_about(),
            c.get_long_about(),
            c.get_after_help(),
            c.get_after_long_help(),
        ]
        .into_iter()
        .flatten()
        {
            help.push_str(&t.to_string());
        }
        let leaf = c.get_subcommands().next().is_none();
        if !path.is_empty() && (leaf || c.get_name() == "sweep" || c.get_name() == "import") {
            for want in ["Example", "Exit status"] {
                if !help.contains(want) {
                    problems.push(format!("{path}: no `{want}` in its help"));
                }
            }
        }
        for s in c.get_subcommands() {
            if s.get_name() == "help" {
                continue;
            }
            walk(s, format!("{path} {}", s.get_name()).trim(), problems);
        }
    }
    let mut problems = Vec::new();
    walk(&vpcsim::cli::Cli::command(), "", &mut problems);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // And the words reach the terminal.
    let out = bin().args(["run", "--help"]).output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("<FILE>  The scenario file (TOML)"), "{text}");
    assert!(text.contains("Exit status: 0 the run completed"), "{text}");
}

/// Every shipped scenario's expectations hold (what `.ci/run` checks, here
/// too so that `cargo test` alone catches a change that breaks one).
#[test]
fn every_shipped_scenario_holds_its_expectations() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .expect("scenarios/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() > 10, "{files:?}");
    let out = bin()
        .arg("check")
        .args(&files)
        .arg("--quiet")
        .current_dir(root())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{}",
        text.lines()
            .filter(|l| !l.starts_with("ok "))
            .collect::<Vec<_>>()
            .join("\n"),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(" 0 fail"), "{text}");
}
