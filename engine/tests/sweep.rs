//! `vpcsim sweep`: the Cartesian product of settings and seeds, one row per
//! point and seed; the same bytes for any number of threads; shards merged
//! by `vpcsim sweep merge` are byte for byte the whole sweep; typos are
//! errors with a suggestion.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vpcsim"))
}

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(name)
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vpcsim-sweep-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("vpcsim runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Two settings of 2 and 3 values (one of them a table's key), 2 seeds: 12
/// items, short runs.
fn sweep_args(file: &Path) -> Vec<String> {
    vec![
        "sweep".into(),
        file.display().to_string(),
        "--set".into(),
        "traffic.app-to-s3.rate=20/s,80/s".into(),
        "--set".into(),
        "traffic.app-to-s3.response=1KiB,4KiB,16KiB".into(),
        "--set".into(),
        "scenario.duration=500ms".into(),
        "--seeds".into(),
        "1..2".into(),
        "--quiet".into(),
    ]
}

fn sweep(out: &Path, extra: &[&str]) -> Output {
    let f = scenario("s3-path-nat-gateway.toml");
    let mut args = sweep_args(&f);
    args.push("-o".into());
    args.push(out.display().to_string());
    args.extend(extra.iter().map(|s| s.to_string()));
    let o = bin().args(&args).output().expect("vpcsim runs");
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    o
}

#[test]
fn a_sweep_has_one_row_per_point_and_seed_with_its_columns() {
    let out = tmp("rows.csv");
    sweep(&out, &["--threads", "2"]);
    let text = std::fs::read_to_string(&out).expect("written");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + 2 * 3 * 2, "{text}");
    let cols: Vec<&str> = lines[0].split(',').collect();
    for c in [
        "item",
        "point",
        "seed",
        "traffic.app-to-s3.rate",
        "traffic.app-to-s3.response",
        "scenario.duration",
        "app-to-s3.delivered_share",
        "app-to-s3.latency_p50_us",
        "app-to-s3.latency_p99_us",
        "failed.sg_egress_denied",
        "failed.timeout",
        "igw-app.bytes",
        "nat-a.bytes",
        "cost_per_month_usd",
    ] {
        assert!(cols.contains(&c), "no column {c} in {cols:?}");
    }
    let col = |row: &str, name: &str| -> String {
        let i = cols.iter().position(|c| *c == name).expect("column");
        row.split(',').nth(i).expect("field").to_string()
    };
    // Item 7: point 3 (rate 80/s, response 1KiB), its second seed.
    let row = lines[1 + 7];
    assert_eq!(col(row, "item"), "7");
    assert_eq!(col(row, "point"), "3");
    assert_eq!(col(row, "seed"), "2");
    assert_eq!(col(row, "traffic.app-to-s3.rate"), "80/s");
    assert_eq!(col(row, "traffic.app-to-s3.response"), "1KiB");
    assert_eq!(col(row, "app-to-s3.delivered_share"), "1.000000");
    // More bytes through the NAT gateway for bigger responses, at one rate
    // and seed.
    let nat = |item: usize| -> u64 {
        col(lines[1 + item], "nat-a.bytes")
            .parse()
            .expect("a count")
    };
    assert!(nat(0) < nat(2) && nat(2) < nat(4), "{text}");
    // The NAT gateway costs per hour and per GB: more bytes, more dollars.
    let cost = |item: usize| -> f64 {
        col(lines[1 + item], "cost_per_month_usd")
            .parse()
            .expect("dollars")
    };
    assert!(cost(0) > 30.0 && cost(10) > cost(0), "{text}");
}

#[test]
fn rows_are_the_same_bytes_for_any_number_of_threads() {
    let (a, b) = (tmp("t1.csv"), tmp("t4.csv"));
    sweep(&a, &["--threads", "1"]);
    sweep(&b, &["--threads", "4"]);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let (a, b) = (tmp("t1.jsonl"), tmp("t3.jsonl"));
    sweep(&a, &["--threads", "1"]);
    sweep(&b, &["--threads", "3"]);
    let text = std::fs::read_to_string(&a).unwrap();
    assert_eq!(text, std::fs::read_to_string(&b).unwrap());
    assert_eq!(text.lines().count(), 12);
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        assert!(v["set"]["traffic.app-to-s3.rate"].is_string(), "{line}");
        assert!(v["cost_per_month_usd"].is_number(), "{line}");
        assert!(v["gateway_bytes"]["nat-a"].as_u64().unwrap() > 0, "{line}");
    }
}

#[test]
fn merged_shards_are_the_whole_sweep_byte_for_byte() {
    for ext in ["csv", "jsonl"] {
        let whole = tmp(&format!("whole.{ext}"));
        sweep(&whole, &[]);
        let mut parts = Vec::new();
        // 12 items in 5 shards: shards of 3 and 2 items.
        for i in 0..5 {
            let p = tmp(&format!("shard{i}.{ext}"));
            sweep(&p, &["--shard", &format!("{i}/5"), "--threads", "1"]);
            parts.push(p.display().to_string());
        }
        let merged = tmp(&format!("merged.{ext}"));
        // In any order.
        let mut args = vec!["sweep", "merge"];
        args.extend(parts.iter().rev().map(String::as_str));
        let m = merged.display().to_string();
        args.extend(["-o", &m]);
        let o = run(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(
            std::fs::read(&whole).unwrap(),
            std::fs::read(&merged).unwrap(),
            "{ext}"
        );

        // A shard missing, or given twice, is an error.
        let o = run(&["sweep", "merge", &parts[0], &parts[1], &parts[3], &parts[4]]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("missing shard 2/5"), "{}", stderr(&o));
        let o = run(&[
            "sweep", "merge", &parts[0], &parts[1], &parts[2], &parts[3], &parts[4], &parts[2],
        ]);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr(&o).contains("shard 2/5 is given twice"),
            "{}",
            stderr(&o)
        );
        // The output of a whole sweep is not a shard.
        let w = whole.display().to_string();
        let o = run(&["sweep", "merge", &w]);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr(&o).contains("not the first line of a shard"),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn shards_of_different_sweeps_do_not_merge() {
    let f = scenario("s3-path-nat-gateway.toml");
    let f = f.display().to_string();
    let a = tmp("other-a.csv");
    let b = tmp("other-b.csv");
    for (out, rate, shard) in [(&a, "20/s", "0/2"), (&b, "30/s", "1/2")] {
        let o = run(&[
            "sweep",
            &f,
            "--set",
            &format!("traffic.app-to-s3.rate={rate}"),
            "--set",
            "scenario.duration=200ms",
            "--seeds",
            "1,2",
            "--shard",
            shard,
            "--quiet",
            "-o",
            &out.display().to_string(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = run(&[
        "sweep",
        "merge",
        &a.display().to_string(),
        &b.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not parts of one sweep"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn typos_in_kind_id_and_key_are_errors_with_a_suggestion() {
    let f = scenario("s3-path-nat-gateway.toml").display().to_string();
    for (set, says) in [
        (
            "nat_gatway.nat-a.public_ip=3.35.0.11",
            "did you mean `nat_gateway`?",
        ),
        (
            "nat_gateway.nat-b.public_ip=3.35.0.11",
            "did you mean `nat-a`?",
        ),
        (
            "nat_gateway.nat-a.publc_ip=3.35.0.11",
            "did you mean `public_ip`?",
        ),
        ("traffic.app-to-s3.rat=10/s", "did you mean `rate`?"),
        ("latency.same_azz=1ms", "did you mean `same_az`?"),
    ] {
        let o = run(&["sweep", &f, "--set", set, "--quiet"]);
        assert_eq!(o.status.code(), Some(2), "{set}");
        assert!(stderr(&o).contains(says), "{set}: {}", stderr(&o));
    }
    // A value the loader refuses names the point and the setting.
    let o = run(&[
        "sweep",
        &f,
        "--set",
        "traffic.app-to-s3.rate=10/s,fast",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("point 1 (traffic.app-to-s3.rate=fast)"), "{e}");
    assert!(
        e.contains("\n--set traffic.app-to-s3.rate=fast: error: "),
        "{e}"
    );
}

#[test]
fn a_bad_value_of_a_setting_is_shown_at_the_setting_and_the_file_s_own_lines_stay() {
    let f = scenario("s3-path-nat-gateway.toml").display().to_string();
    // A key the file leaves out, a table the file leaves out, a value
    // replaced: each error names the --set that wrote it, none a line of
    // the file.
    for (set, says) in [
        (
            "instance.app.mtu=100",
            "\n--set instance.app.mtu=100: error: instance `app`: `mtu` is 100",
        ),
        (
            "latency.same_az=0s",
            "\n--set latency.same_az=0s: error: a latency must be more than 0s",
        ),
        (
            "pricing.nat_gateway_hour=-1",
            "\n--set pricing.nat_gateway_hour=-1: error: a price cannot be negative",
        ),
        (
            "vpc.vpc-app.cidrs=10.1.0.0/16",
            "\n--set vpc.vpc-app.cidrs=10.1.0.0/16: error: `cidrs` must be an array",
        ),
    ] {
        let o = run(&["sweep", &f, "--set", set, "--quiet"]);
        assert_eq!(o.status.code(), Some(2), "{set}");
        let e = stderr(&o);
        assert!(e.contains(says), "{set}: {e}");
        assert!(!e.contains("s3-path-nat-gateway.toml:"), "{set}: {e}");
    }
    // A line added above a problem of the file's own text: the problem is
    // at its line of the file as written.
    let o = run(&[
        "sweep",
        &f,
        "--set",
        "scenario.description=x",
        "--set",
        "vpc.vpc-app.cidrs=[\"10.1.0.0/16\"]",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains(
            "s3-path-nat-gateway.toml:22:8: error: subnet `public-a`: CIDR `10.0.0.0/24` is outside"
        ),
        "{e}"
    );
}

#[test]
fn the_shipped_s3_path_study_runs_reduced() {
    // The three designs of docs/sweeps.md at two rates of its range, one
    // seed, a shorter duration: each delivers everything, and the gateway
    // endpoint is the cheapest path.
    let mut cost = Vec::new();
    for name in [
        "s3-path-nat-gateway.toml",
        "s3-path-gateway-endpoint.toml",
        "s3-path-interface-endpoint.toml",
    ] {
        let f = scenario(name).display().to_string();
        let o = run(&[
            "sweep",
            &f,
            "--set",
            "traffic.app-to-s3.rate=10/s,2000/s",
            "--set",
            "scenario.duration=200ms",
            "--quiet",
        ]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let text = String::from_utf8(o.stdout).expect("text");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        let cols: Vec<&str> = lines[0].split(',').collect();
        let at = |row: &str, c: &str| -> String {
            let i = cols.iter().position(|x| *x == c).expect(c);
            row.split(',').nth(i).unwrap().to_string()
        };
        for row in &lines[1..] {
            assert_eq!(
                at(row, "app-to-s3.delivered_share"),
                "1.000000",
                "{name}: {text}"
            );
        }
        cost.push(
            at(lines[2], "cost_per_month_usd")
                .parse::<f64>()
                .expect("dollars"),
        );
    }
    assert!(cost[1] < cost[0] && cost[1] < cost[2], "{cost:?}");
}

/// The fields of a CSV line whose fields hold no comma.
fn plain_fields(line: &str) -> Vec<&str> {
    line.split(',').collect()
}

/// The mean and sample standard deviation of the non-empty cells of
/// `column` over the rows of `point`.
fn by_hand(rows: &str, point: &str, column: &str) -> (f64, f64) {
    let mut lines = rows.lines();
    let head = plain_fields(lines.next().expect("columns"));
    let c = head.iter().position(|h| *h == column).expect("the column");
    let v: Vec<f64> = lines
        .map(plain_fields)
        .filter(|f| f[1] == point && !f[c].is_empty())
        .map(|f| f[c].parse().expect("a number"))
        .collect();
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)).sqrt();
    (mean, sd)
}

/// The shipped multi-seed study (docs/sweeps.md), reduced: two loss rates,
/// four seeds, 3 s of virtual time.
fn loss_study(rows: &Path, summary: &Path, threads: &str) {
    let o = run(&[
        "sweep",
        scenario("lossy-download-study.toml")
            .to_str()
            .expect("utf-8"),
        "--set",
        "external_host.mirror.loss=0%,5%",
        "--set",
        "traffic.downloads.stop=2s",
        "--set",
        "scenario.duration=3s",
        "--seeds",
        "1..4",
        "--threads",
        threads,
        "--quiet",
        "-o",
        rows.to_str().expect("utf-8"),
        "--summary",
        summary.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn the_summary_over_seeds_gives_mean_sd_and_a_t_interval_per_point() {
    let (rows, summary) = (tmp("study-rows.csv"), tmp("study-summary.csv"));
    loss_study(&rows, &summary, "2");
    let rows_text = std::fs::read_to_string(&rows).expect("rows");
    let text = std::fs::read_to_string(&summary).expect("summary");
    // The same bytes as `sweep summary` on the rows, and for one thread.
    let o = run(&["sweep", "summary", rows.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), text);
    let (rows1, summary1) = (tmp("study-rows-1.csv"), tmp("study-summary-1.csv"));
    loss_study(&rows1, &summary1, "1");
    assert_eq!(std::fs::read_to_string(&summary1).expect("summary"), text);

    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "point,external_host.mirror.loss,traffic.downloads.stop,scenario.duration,column,n,mean,sd,min,max,ci95_low,ci95_high"
    );
    let row = |point: &str, column: &str| -> Vec<&str> {
        lines
            .iter()
            .map(|l| plain_fields(l))
            .find(|f| f[0] == point && f[4] == column)
            .unwrap_or_else(|| panic!("point {point} {column}:\n{text}"))
    };
    // Checked against the rows by hand: mean, sd, and mean ± t(0.975, 3) ·
    // sd / 2 with t(0.975, 3) = 3.18244630528 (tables give 3.182446).
    for point in ["0", "1"] {
        for column in ["downloads.latency_p50_us", "downloads.latency_p99_us"] {
            let f = row(point, column);
            assert_eq!(f[5], "4", "{f:?}");
            let (mean, sd) = by_hand(&rows_text, point, column);
            let num = |s: &str| s.parse::<f64>().expect("a number");
            assert!((num(f[6]) - mean).abs() < 1e-6, "{f:?}: mean {mean}");
            assert!((num(f[7]) - sd).abs() < 1e-6, "{f:?}: sd {sd}");
            let half = 3.182_446_305_28 * sd / 2.0;
            assert!((num(f[10]) - (mean - half)).abs() < 2e-6, "{f:?}");
            assert!((num(f[11]) - (mean + half)).abs() < 2e-6, "{f:?}");
            assert!(num(f[8]) <= mean && mean <= num(f[9]), "{f:?}");
        }
    }
    // What the study shows: retransmissions after losses lengthen the
    // slowest downloads.
    let p99 = |point| {
        row(point, "downloads.latency_p99_us")[6]
            .parse::<f64>()
            .unwrap()
    };
    assert!(p99("1") > p99("0"), "{text}");

    // The chart: one error bar per point, and the column in its legend.
    let svg = tmp("study.svg");
    let o = run(&[
        "sweep",
        "summary",
        rows.to_str().expect("utf-8"),
        "--plot",
        "downloads.latency_p99_us",
        "--svg",
        svg.to_str().expect("utf-8"),
        "-o",
        tmp("again.csv").to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let drawn = std::fs::read_to_string(&svg).expect("the chart");
    assert!(drawn.starts_with("<svg"), "{drawn:.200}");
    assert!(drawn.contains("downloads.latency_p99_us"));
    let o = run(&[
        "sweep",
        "summary",
        rows.to_str().expect("utf-8"),
        "--plot",
        "downloads.latency_p99",
        "--svg",
        svg.to_str().expect("utf-8"),
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("did you mean `downloads.latency_p99_us`?"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_shard_is_not_summed_up_alone() {
    let f = scenario("s3-path-nat-gateway.toml");
    let mut args = sweep_args(&f);
    args.extend(["--shard", "0/2", "--summary"].map(String::from));
    args.push(tmp("shard-summary.csv").display().to_string());
    let o = bin().args(&args).output().expect("vpcsim runs");
    assert!(!o.status.success());
    assert!(stderr(&o).contains("vpcsim sweep merge"), "{}", stderr(&o));
}
