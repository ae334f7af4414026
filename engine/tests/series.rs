//! The report's time series (`series`, docs/report-schema.md): each series
//! adds up to the report's totals on shipped scenarios, for two intervals,
//! through the real command line; a bad `--interval` is refused before the
//! run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

/// A fresh directory under the system's temp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let p = std::env::temp_dir().join(format!(
            "vpcsim-series-{tag}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&p).expect("temp dir");
        Scratch(p)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn vpcsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("vpcsim runs")
}

fn report(scenario: &str, interval: &str, dir: &Scratch) -> Value {
    let path = dir.path(&format!("{}-{interval}.json", scenario.replace('/', "_")));
    let out = vpcsim(&[
        "run",
        scenario,
        "--quiet",
        "--threads",
        "1",
        "--interval",
        interval,
        "--json",
        path.to_str().expect("utf-8 path"),
    ]);
    assert!(
        out.status.success(),
        "{scenario}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&std::fs::read(&path).expect("the report")).expect("JSON")
}

fn sum(v: &Value) -> u64 {
    v.as_array()
        .expect("an array of buckets")
        .iter()
        .map(|x| x.as_u64().expect("a count"))
        .sum()
}

/// Checks every series of a report against its totals; returns what it
/// saw non-zero, so that the caller knows the check had something to check.
fn sums_to_totals(name: &str, r: &Value) -> Vec<&'static str> {
    let mut seen = Vec::new();
    let s = &r["series"];
    let n = s["buckets"].as_u64().expect("buckets") as usize;
    let interval = s["interval_us"].as_u64().expect("interval");
    let duration = r["duration_us"].as_u64().expect("duration");
    assert_eq!(n as u64, duration.div_ceil(interval).max(1), "{name}");
    let len = |v: &Value| v.as_array().map_or(usize::MAX, Vec::len);
    // Per traffic: flows, bytes, latency.
    let traffic = r["traffic"].as_array().expect("traffic");
    let st = s["traffic"].as_array().expect("series traffic");
    assert_eq!(traffic.len(), st.len(), "{name}");
    for (t, x) in traffic.iter().zip(st) {
        assert_eq!(t["id"], x["id"], "{name}");
        for k in ["started", "delivered", "failed", "bytes_delivered"] {
            assert_eq!(len(&x[k]), n, "{name} {k}");
            assert_eq!(sum(&x[k]), t[k].as_u64().unwrap(), "{name} {} {k}", t["id"]);
        }
        if t["delivered"].as_u64() > Some(0) {
            seen.push("delivered");
        }
        if t["failed"].as_u64() > Some(0) {
            seen.push("failed");
        }
        let (p50, p99) = (&x["latency_p50_us"], &x["latency_p99_us"]);
        assert_eq!(len(p50), n);
        for b in 0..n {
            let delivered = x["delivered"][b].as_u64().unwrap();
            assert_eq!(p50[b].is_null(), delivered == 0, "{name} bucket {b}");
            if let (Some(a), Some(z)) = (p50[b].as_u64(), p99[b].as_u64()) {
                assert!(a <= z, "{name}: p50 {a} > p99 {z}");
                // Within a sixteenth below the run's largest value.
                let max = t["latency_us"]["completion"]["max"].as_u64().unwrap();
                assert!(z <= max, "{name}: p99 {z} over the max {max}");
                seen.push("latency");
            }
        }
    }
    // Drops by reason and place, in the same order as the totals.
    let drops = r["drops"].as_array().expect("drops");
    let sd = s["drops"].as_array().expect("series drops");
    assert_eq!(drops.len(), sd.len(), "{name}: drop keys");
    for (d, x) in drops.iter().zip(sd) {
        for k in ["reason", "place", "place_kind"] {
            assert_eq!(d[k], x[k], "{name}");
        }
        assert_eq!(len(&x["count"]), n);
        assert_eq!(sum(&x["count"]), d["count"].as_u64().unwrap(), "{name} {d}");
        seen.push("drops");
    }
    // Gateways: packets and bytes.
    let comps = r["components"].as_array().expect("components");
    let sg = s["gateways"].as_array().expect("series gateways");
    assert_eq!(comps.len(), sg.len(), "{name}");
    for (c, x) in comps.iter().zip(sg) {
        assert_eq!(c["id"], x["id"]);
        assert_eq!(c["kind"], x["kind"]);
        for k in ["packets", "bytes"] {
            assert_eq!(len(&x[k]), n);
            assert_eq!(sum(&x[k]), c[k].as_u64().unwrap(), "{name} {} {k}", c["id"]);
        }
        if c["bytes"].as_u64() > Some(0) {
            seen.push("gateway");
        }
        if !c["nat"].is_null() {
            let nat = s["nat"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["id"] == c["id"])
                .expect("a NAT series");
            assert_eq!(
                sum(&nat["connections_created"]),
                c["nat"]["connections_created"].as_u64().unwrap(),
                "{name}"
            );
            let ports = nat["ports_in_use"].as_array().unwrap();
            assert_eq!(ports.len(), n);
            assert_eq!(ports[n - 1], c["nat"]["ports_in_use"], "{name}: at the end");
            let peak = c["nat"]["peak_connections"].as_u64().unwrap();
            assert!(ports.iter().all(|p| p.as_u64().unwrap() <= peak));
            if sum(&nat["connections_created"]) > 0 {
                seen.push("nat");
            }
        }
    }
    for q in s["queues"].as_array().expect("queues") {
        assert_eq!(len(&q["peak_depth"]), n);
        if sum(&q["peak_depth"]) > 0 {
            seen.push("queue");
        }
    }
    let events = s["events"].as_array().expect("events");
    let mut last = 0;
    for e in events {
        let at = e["at_us"].as_u64().unwrap();
        assert!(at >= last && at <= duration, "{name}: events in time order");
        last = at;
        seen.push("events");
    }
    seen
}

const SCENARIOS: [&str; 6] = [
    "scenarios/nat-port-exhaustion.toml",
    "scenarios/nat-deleted-midrun.toml",
    "scenarios/drop-queue_overflow.toml",
    "scenarios/tgw-centralised-egress.toml",
    "scenarios/s3-gateway-vs-interface-endpoint.toml",
    "scenarios/sg-rule-removed.toml",
];

#[test]
fn every_series_sums_to_the_report_totals() {
    let dir = Scratch::new("sums");
    let mut seen = Vec::new();
    for s in SCENARIOS {
        for interval in ["1s", "250ms"] {
            let r = report(s, interval, &dir);
            seen.extend(sums_to_totals(&format!("{s} --interval {interval}"), &r));
        }
    }
    for what in [
        "delivered",
        "failed",
        "latency",
        "drops",
        "gateway",
        "nat",
        "queue",
        "events",
    ] {
        assert!(
            seen.contains(&what),
            "no scenario had a non-zero {what} series: the check checked nothing"
        );
    }
}

#[test]
fn a_shorter_interval_splits_the_same_counts_finer() {
    let dir = Scratch::new("split");
    let s = "scenarios/nat-deleted-midrun.toml";
    let (a, b) = (report(s, "1s", &dir), report(s, "500ms", &dir));
    let na = a["series"]["buckets"].as_u64().unwrap() as usize;
    let nb = b["series"]["buckets"].as_u64().unwrap() as usize;
    assert_eq!(nb, 2 * na);
    let da = &a["series"]["traffic"][0]["delivered"];
    let db = &b["series"]["traffic"][0]["delivered"];
    for k in 0..na {
        assert_eq!(
            da[k].as_u64().unwrap(),
            db[2 * k].as_u64().unwrap() + db[2 * k + 1].as_u64().unwrap(),
            "second {k}"
        );
    }
    // Everything but the series is the same.
    let strip = |mut v: Value| {
        v.as_object_mut().unwrap().remove("series");
        v
    };
    assert_eq!(strip(a), strip(b));
}

#[test]
fn a_bad_interval_is_refused_before_the_run() {
    for (arg, says) in [
        ("0s", "at least 1us"),
        ("10ns", "at least 1us"),
        ("1us", "at most 100000"),
        ("soon", "--interval soon"),
    ] {
        let out = vpcsim(&[
            "run",
            "scenarios/nat-deleted-midrun.toml",
            "--quiet",
            "--interval",
            arg,
        ]);
        assert_eq!(out.status.code(), Some(2), "--interval {arg}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "--interval {arg}: {err}");
    }
}

/// Splits a CSV line (fields quoted when they hold a comma or a quote).
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn as_field(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn csv_files_hold_the_json_series_row_by_row() {
    let dir = Scratch::new("csv");
    let json = dir.path("r.json");
    let csv = dir.path("csv");
    let out = vpcsim(&[
        "run",
        "scenarios/nat-deleted-midrun.toml",
        "--quiet",
        "--interval",
        "500ms",
        "--json",
        json.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let s = &r["series"];
    let n = s["buckets"].as_u64().unwrap() as usize;
    assert_eq!(n, 120);
    let mut names: Vec<String> = std::fs::read_dir(&csv)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "drops.csv",
            "events.csv",
            "gateways.csv",
            "nat.csv",
            "queues.csv",
            "traffic.csv"
        ]
    );
    let families: [(&str, &str, &[&str], &[&str]); 5] = [
        (
            "traffic.csv",
            "traffic",
            &["id"],
            &[
                "started",
                "delivered",
                "failed",
                "bytes_delivered",
                "latency_p50_us",
                "latency_p99_us",
            ],
        ),
        (
            "drops.csv",
            "drops",
            &["reason", "place", "place_kind"],
            &["count"],
        ),
        (
            "gateways.csv",
            "gateways",
            &["id", "kind"],
            &["packets", "bytes"],
        ),
        (
            "nat.csv",
            "nat",
            &["id"],
            &["ports_in_use", "connections_created"],
        ),
        ("queues.csv", "queues", &["eni", "owner"], &["peak_depth"]),
    ];
    let mut nonzero = 0;
    for (file, key, subject, values) in families {
        let text = std::fs::read_to_string(csv.join(file)).unwrap();
        let mut lines = text.lines();
        let header: Vec<String> = fields(lines.next().expect("a header"));
        let want: Vec<&str> = std::iter::once("time_s")
            .chain(subject.iter().copied())
            .chain(values.iter().copied())
            .collect();
        assert_eq!(header, want, "{file}");
        let rows: Vec<Vec<String>> = lines.map(fields).collect();
        let subjects = s[key].as_array().unwrap();
        assert_eq!(rows.len(), n * subjects.len(), "{file}: rows");
        for (i, row) in rows.iter().enumerate() {
            let (b, x) = (i / subjects.len(), &subjects[i % subjects.len()]);
            assert_eq!(row.len(), want.len(), "{file} row {i}");
            let t: f64 = row[0].parse().unwrap();
            assert!((t - b as f64 * 0.5).abs() < 1e-9, "{file} row {i}: {t}");
            for (k, c) in subject.iter().enumerate() {
                assert_eq!(row[1 + k], as_field(&x[*c]), "{file} row {i}");
            }
            for (k, c) in values.iter().enumerate() {
                let cell = &row[1 + subject.len() + k];
                assert_eq!(*cell, as_field(&x[*c][b]), "{file} row {i} {c}");
                if !cell.is_empty() && cell != "0" {
                    nonzero += 1;
                }
            }
        }
    }
    assert!(nonzero > 100, "the series hold data: {nonzero} values");
    let events = std::fs::read_to_string(csv.join("events.csv")).unwrap();
    let ev = s["events"].as_array().unwrap();
    assert!(!ev.is_empty());
    let rows: Vec<Vec<String>> = events.lines().skip(1).map(fields).collect();
    assert_eq!(events.lines().next(), Some("time_s,action,subject"));
    assert_eq!(rows.len(), ev.len());
    for (row, e) in rows.iter().zip(ev) {
        let t: f64 = row[0].parse().unwrap();
        assert!((t * 1e6 - e["at_us"].as_f64().unwrap()).abs() < 0.5);
        assert_eq!(row[1], as_field(&e["action"]));
        assert_eq!(row[2], as_field(&e["subject"]));
    }
}

/// Writes the HTML report of `check` on the NAT scenario.
fn html_report(dir: &Scratch) -> (PathBuf, String) {
    let page = dir.path("report.html");
    let out = vpcsim(&[
        "check",
        "scenarios/nat-deleted-midrun.toml",
        "--quiet",
        "--html",
        page.to_str().unwrap(),
    ]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&page).expect("the page is written");
    (page, text)
}

/// The charts of a page (or of a browser's DOM of it): (name, SVG).
fn charts(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for part in html.split("data-chart=\"").skip(1) {
        let name = part.split('"').next().unwrap_or("").to_string();
        let svg = part
            .split("</svg>")
            .next()
            .and_then(|s| s.find("<svg").map(|at| s[at..].to_string()))
            .unwrap_or_default();
        out.push((name, svg));
    }
    out
}

/// A `<polyline>` with at least two points: a drawn line of data.
fn drawn_lines(svg: &str) -> usize {
    svg.split("<polyline")
        .skip(1)
        .filter(|p| {
            let tag = p.split('>').next().unwrap_or("");
            tag.split("points=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .is_some_and(|pts| pts.split_whitespace().count() >= 2)
        })
        .count()
}

fn every_chart_has_data(html: &str, what: &str) {
    let charts = charts(html);
    let names: Vec<&str> = charts.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(names, ["flows", "latency", "nat", "gateways"], "{what}");
    for (name, svg) in &charts {
        assert!(drawn_lines(svg) > 0, "{what}: chart {name} draws no data");
        assert!(
            svg.contains("class=\"event\""),
            "{what}: chart {name} does not mark the timeline's event"
        );
    }
}

#[test]
fn the_html_report_stands_alone_and_draws_every_chart() {
    let dir = Scratch::new("html");
    let (_, html) = html_report(&dir);
    assert!(html.starts_with("<!DOCTYPE html>"));
    for (absent, why) in [
        ("<script", "a script"),
        ("<link", "a linked file"),
        (" src=", "a file from elsewhere"),
        ("@import", "a style from elsewhere"),
        ("url(", "a file from elsewhere"),
    ] {
        assert!(!html.contains(absent), "the page holds {why}");
    }
    // The only addresses are XML namespaces.
    for (i, _) in html.match_indices("http") {
        let rest = &html[i..];
        assert!(
            rest.starts_with("http://www.w3.org/"),
            "an address in the page: {}",
            &rest[..rest.len().min(60)]
        );
    }
    for section in [
        "Topology",
        "Traffic",
        "Expectations",
        "Cost",
        "Drops",
        "Over time",
    ] {
        assert!(html.contains(&format!("<h2>{section}</h2>")), "{section}");
    }
    assert!(html.contains("class=\"ok\">pass<") || html.contains("class=\"fail\">FAIL<"));
    assert!(
        html.contains("nat-a") || html.contains("<svg"),
        "the topology"
    );
    every_chart_has_data(&html, "the page");
}

const CHROMIUM: &str = "/usr/bin/chromium";

/// Runs headless Chromium with `args` on `page`, killed after a minute.
fn chromium(args: &[&str], page: &Path, profile: &Path) -> Output {
    let mut cmd = Command::new(CHROMIUM);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(args)
    .arg(format!("file://{}", page.display()))
    .stdin(std::process::Stdio::null())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().expect("chromium starts");
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(std::time::Duration::from_secs(60)) {
        Ok(out) => out.expect("chromium ran"),
        Err(_) => {
            let _ = Command::new("kill").arg(id.to_string()).status();
            panic!("chromium did not finish within a minute");
        }
    }
}

/// What the page's own script would have reported: errors are written
/// into the DOM, so that `--dump-dom` shows them.
const PROBE: &str = "<script>(function(){var d=document.documentElement;d.setAttribute('data-probe','ran');\
function note(m){d.setAttribute('data-errors',(d.getAttribute('data-errors')||'')+'|'+m);}\
window.addEventListener('error',function(e){note(e.message||'a resource failed to load');},true);\
var ce=console.error;console.error=function(){note(Array.prototype.join.call(arguments,' '));ce.apply(console,arguments);};})();</script>";

#[test]
fn the_html_report_opens_in_headless_chromium_without_errors() {
    if !Path::new(CHROMIUM).exists() {
        println!("skipped: {CHROMIUM} is not installed (apt-get install chromium)");
        return;
    }
    let dir = Scratch::new("chromium");
    let (page, html) = html_report(&dir);
    // A copy with the probe first thing in <head>.
    let probed = dir.path("probed.html");
    let at = html.find("<head>").expect("a head") + "<head>".len();
    std::fs::write(&probed, format!("{}{PROBE}{}", &html[..at], &html[at..])).unwrap();
    let profile = dir.path("profile");
    std::fs::create_dir_all(&profile).unwrap();
    let out = chromium(&["--dump-dom"], &probed, &profile);
    let dom = String::from_utf8_lossy(&out.stdout);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        dom.contains("data-probe=\"ran\""),
        "the page did not load:\n{log}"
    );
    assert!(
        !dom.contains("data-errors="),
        "errors in the page: {dom:.2000}"
    );
    for line in log.lines() {
        assert!(
            !line.contains("Uncaught") && !line.contains(":CONSOLE("),
            "a console message: {line}"
        );
    }
    every_chart_has_data(&dom, "the DOM in Chromium");
    // What a person sees: a screenshot of the page as written.
    let shot = dir.path("report.png");
    let out = chromium(
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000",
        ],
        &page,
        &profile,
    );
    let log = String::from_utf8_lossy(&out.stderr);
    for line in log.lines() {
        assert!(
            !line.contains("Uncaught") && !line.contains(":CONSOLE("),
            "a console message: {line}"
        );
    }
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot ({e}):\n{log}"));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(
        png.len() > 20_000,
        "a screenshot of {} bytes is blank",
        png.len()
    );
    if let Some(keep) = std::env::var_os("VPCSIM_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).expect("the screenshot is kept");
    }
}

/// A week-long run: two instances, one short request.
const WEEK: &str = r#"
[scenario]
name = "a week"
duration = "168h"

[[vpc]]
id = "v"
cidrs = ["10.1.0.0/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.1.1.0/24"
az = "us-east-1a"

[[security_group]]
id = "sg"
vpc = "v"
ingress = [ { protocol = "tcp", ports = "80", cidr = "10.1.0.0/16" } ]
egress = [ { protocol = "all", ports = "all", cidr = "0.0.0.0/0" } ]

[[instance]]
id = "cli"
subnet = "a"
security_groups = ["sg"]

[[instance]]
id = "srv"
subnet = "a"
security_groups = ["sg"]
listen = [ { protocol = "tcp", port = 80 } ]

[[traffic]]
id = "once"
from = "cli"
to = "srv"
port = 80
rate = "1/s"
stop = "1s"
"#;

#[test]
fn a_long_run_takes_a_coarser_default_interval_and_a_given_one_is_still_checked() {
    let dir = Scratch::new("week");
    let file = dir.path("week.toml");
    std::fs::write(&file, WEEK).expect("write");
    let file = file.to_str().expect("utf-8 path");
    let json = dir.path("week.json");
    let out = vpcsim(&[
        "run",
        file,
        "--quiet",
        "--json",
        json.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&std::fs::read(&json).expect("report")).expect("json");
    assert_eq!(r["series"]["interval_us"], 10_000_000);
    assert_eq!(r["series"]["buckets"], 60_480);
    let out = vpcsim(&["check", file, "--quiet"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = vpcsim(&["run", file, "--quiet", "--interval", "1s"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at most 100000"));
}
