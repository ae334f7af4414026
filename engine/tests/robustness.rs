//! The command line under hostile conditions: closed pipes, full devices,
//! special files, bad output paths, interruptions and huge inputs. No
//! command may panic; outputs are whole or absent, and only where asked.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let p = std::env::temp_dir().join(format!(
            "vpcsim-robust-{tag}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&p).expect("temp dir");
        Scratch(p)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
    /// Names in the directory, sorted.
    fn names(&self, dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn vpcsim() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vpcsim"));
    c.current_dir(repo());
    c
}

fn run(args: &[&str]) -> Output {
    vpcsim()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("vpcsim runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Asserts the status and that nothing panicked.
fn status(out: &Output, code: i32) {
    let err = text(&out.stderr);
    assert!(!err.contains("panicked"), "a panic: {err}");
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {err}",
        text(&out.stdout)
    );
}

/// A scenario of `vpcs` small VPCs with a ping each.
fn many_vpcs(vpcs: usize, duration: &str) -> String {
    let mut s = format!(
        "[scenario]\nname = \"many\"\nseed = 1\nduration = \"{duration}\"\nregion = \"us-east-1\"\n\n"
    );
    for i in 0..vpcs {
        let net = format!("10.{}.{}", i / 256, i % 256);
        s += &format!(
            "[[vpc]]\nid = \"v{i}\"\ncidrs = [\"{net}.0/24\"]\n\n\
             [[subnet]]\nid = \"s{i}\"\nvpc = \"v{i}\"\ncidr = \"{net}.0/25\"\naz = \"us-east-1a\"\n\n\
             [[instance]]\nid = \"a{i}\"\nsubnet = \"s{i}\"\n\n\
             [[instance]]\nid = \"b{i}\"\nsubnet = \"s{i}\"\n\n\
             [[traffic]]\nid = \"p{i}\"\nfrom = \"a{i}\"\nto = \"b{i}\"\npattern = \"ping\"\nrate = \"1/s\"\n\n"
        );
    }
    s
}

const SMALL: &str = "scenarios/lambda-private-nat.toml";

// -- closed pipes and full devices ----------------------------------------------

/// Runs with standard output (or error) a pipe whose reader is gone before
/// the command writes.
fn closed(args: &[&str], stderr: bool) -> Output {
    let mut c = vpcsim();
    c.args(args).stdin(Stdio::null());
    if stderr {
        c.stdout(Stdio::null()).stderr(Stdio::piped());
    } else {
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    let mut child = c.spawn().expect("vpcsim runs");
    if stderr {
        drop(child.stderr.take());
        let st = child.wait().expect("waits");
        Output {
            status: st,
            stdout: Vec::new(),
            stderr: Vec::new(),
        }
    } else {
        drop(child.stdout.take());
        child.wait_with_output().expect("waits")
    }
}

#[test]
fn a_closed_stdout_ends_the_command_quietly_with_141() {
    let s = Scratch::new("pipe");
    // Larger than a pipe's buffer, so the write must meet the closed pipe.
    let f = s.path("big.toml");
    std::fs::write(&f, many_vpcs(300, "1s")).unwrap();
    let out = closed(&["graph", f.to_str().unwrap()], false);
    status(&out, 141);
    assert!(text(&out.stderr).is_empty(), "{}", text(&out.stderr));
}

#[test]
fn a_closed_stderr_ends_validate_quietly_with_141() {
    let s = Scratch::new("pipe-err");
    let f = s.path("bad.toml");
    // Many problems, more than a pipe holds (64 KiB): the first 200 are
    // reported, each naming a VPC of over 500 characters, about 120 KB.
    let long = "with-a-long-name-".repeat(30);
    let mut t = String::from("[scenario]\nname = \"x\"\nduration = \"1s\"\n");
    for i in 0..400 {
        t += &format!(
            "[[subnet]]\nid = \"s{i}\"\nvpc = \"missing-vpc-{i}-{long}\"\ncidr = \"10.0.0.0/24\"\naz = \"us-east-1a\"\n"
        );
    }
    std::fs::write(&f, t).unwrap();
    let out = closed(&["validate", f.to_str().unwrap()], true);
    status(&out, 141);
}

#[test]
fn a_full_stdout_is_an_error_and_exit_2() {
    for args in [
        vec!["graph", SMALL],
        vec!["run", SMALL, "--threads", "1"],
        vec!["validate", SMALL],
    ] {
        let out = vpcsim()
            .args(&args)
            .stdout(std::fs::File::create("/dev/full").expect("/dev/full"))
            .stderr(Stdio::piped())
            .output()
            .expect("runs");
        status(&out, 2);
        assert!(
            text(&out.stderr).contains("standard output"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

// -- inputs ----------------------------------------------------------------------

#[test]
fn special_and_huge_inputs_are_refused_before_they_are_read() {
    let s = Scratch::new("inputs");
    let huge = s.path("huge.toml");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(1 << 30).unwrap(); // sparse: no disk, and no memory if not read
    drop(f);
    let out = run(&["validate", huge.to_str().unwrap()]);
    status(&out, 2);
    assert!(
        text(&out.stderr).contains("too large (1073741824 bytes, limit 16777216)"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["validate", "/dev/zero"]);
    status(&out, 2);
    assert!(
        text(&out.stderr).contains("a device"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["validate", s.0.to_str().unwrap()]);
    status(&out, 2);
    assert!(
        text(&out.stderr).contains("a directory"),
        "{}",
        text(&out.stderr)
    );
    let fifo = s.path("fifo.toml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let out = run(&["validate", fifo.to_str().unwrap()]);
    status(&out, 2);
    assert!(
        text(&out.stderr).contains("a FIFO"),
        "{}",
        text(&out.stderr)
    );
    // import reads its files with the same limit.
    let dir = s.path("import");
    std::fs::create_dir_all(&dir).unwrap();
    let f = std::fs::File::create(dir.join("describe-vpcs.json")).unwrap();
    f.set_len(1 << 30).unwrap();
    drop(f);
    let out = run(&["import", "aws", dir.to_str().unwrap()]);
    status(&out, 2);
    assert!(
        text(&out.stderr).contains("too large"),
        "{}",
        text(&out.stderr)
    );
}

// -- output paths ----------------------------------------------------------------

/// A run that must be refused before it starts: exit 2, a message with
/// every `needles`, no summary.
fn refused(args: &[&str], needles: &[&str]) {
    let out = run(args);
    status(&out, 2);
    let err = text(&out.stderr);
    for n in needles {
        assert!(err.contains(n), "{args:?}: `{n}` not in {err}");
    }
    assert!(text(&out.stdout).is_empty(), "{}", text(&out.stdout));
}

#[test]
fn two_outputs_naming_one_path_are_refused() {
    let s = Scratch::new("same");
    let x = s.path("x");
    let x = x.to_str().unwrap();
    refused(
        &["run", SMALL, "--json", x, "--flow-logs", x],
        &["--json", "--flow-logs"],
    );
    let dot = format!("{}/./x", s.0.display());
    refused(
        &["run", SMALL, "--json", x, "--flow-logs", &dot],
        &["--json", "--flow-logs"],
    );
    refused(
        &["run", SMALL, "--json", "-", "--flow-logs", "-"],
        &["standard output"],
    );
    refused(
        &["run", SMALL, "--json", x, "--pcap", x],
        &["--json", "--pcap"],
    );
    let pcap = s.path("pcap");
    std::fs::create_dir_all(&pcap).unwrap();
    let inside = pcap.join("nat-a.pcap");
    refused(
        &[
            "run",
            SMALL,
            "--pcap",
            pcap.to_str().unwrap(),
            "--flow-logs",
            inside.to_str().unwrap(),
        ],
        &["--flow-logs", "--pcap"],
    );
    assert!(s.names(&pcap).is_empty(), "{:?}", s.names(&pcap));
}

#[test]
fn every_output_path_is_checked_before_the_run() {
    let s = Scratch::new("paths");
    let dir = s.0.to_str().unwrap();
    refused(
        &["run", SMALL, "--json", dir],
        &["--json", dir, "directory"],
    );
    let missing = s.path("no/such/dir/r.json");
    refused(
        &["run", SMALL, "--flow-logs", missing.to_str().unwrap()],
        &["--flow-logs", "does not exist"],
    );
    let long = s.path(&"n".repeat(300));
    refused(
        &["run", SMALL, "--json", long.to_str().unwrap()],
        &["--json", "file name"],
    );
    let file = s.path("file");
    std::fs::write(&file, "x").unwrap();
    refused(
        &["run", SMALL, "--pcap", file.to_str().unwrap()],
        &["--pcap", "not a directory"],
    );
    refused(&["run", SMALL, "--pcap", "-"], &["--pcap"]);
    assert_eq!(s.names(&s.0), vec!["file".to_string()]);
}

/// A scenario that includes a file, copied into `s`: (the scenario, the
/// included file), each with its text.
fn scenario_with_include(s: &Scratch) -> [(PathBuf, String); 2] {
    std::fs::create_dir_all(s.path("terraform")).unwrap();
    let mut out = Vec::new();
    for f in ["terraform-egress.toml", "terraform/design.toml"] {
        let text = std::fs::read_to_string(repo().join("scenarios").join(f)).unwrap();
        std::fs::write(s.path(f), &text).unwrap();
        out.push((s.path(f), text));
    }
    [out[0].clone(), out[1].clone()]
}

#[test]
fn an_output_naming_a_file_of_the_scenario_is_refused_before_the_run() {
    let s = Scratch::new("input");
    let [(main, main_text), (design, design_text)] = scenario_with_include(&s);
    let m = main.to_str().unwrap();
    let d = design.to_str().unwrap();
    // The same file by another spelling, a symbolic link and a hard link.
    let dotted = format!("{}/terraform/../terraform-egress.toml", s.0.display());
    let link = s.path("link.toml");
    std::os::unix::fs::symlink(&main, &link).unwrap();
    let hard = s.path("hard.toml");
    std::fs::hard_link(&main, &hard).unwrap();
    for opt in ["--json", "--html", "--flow-logs"] {
        for to in [
            m,
            dotted.as_str(),
            link.to_str().unwrap(),
            hard.to_str().unwrap(),
        ] {
            refused(
                &["run", m, opt, to],
                &[opt, "names the scenario file", "give another path"],
            );
        }
        refused(&["run", m, opt, d], &[opt, "a file the scenario includes"]);
        refused(&["check", m, opt, m], &[opt, "names the scenario file"]);
    }
    // A capture or series file inside a directory.
    let series = s.path("series");
    std::fs::create_dir_all(&series).unwrap();
    std::fs::hard_link(&main, series.join("traffic.csv")).unwrap();
    refused(
        &["run", m, "--csv", series.to_str().unwrap()],
        &["--csv", "traffic.csv", "names the scenario file"],
    );
    refused(
        &["check", m, "--junit", m],
        &["--junit", "names the scenario file"],
    );
    // Several files: the JSON array and the JUnit file are written last,
    // and checked first.
    let small = repo().join(SMALL);
    let small = small.to_str().unwrap();
    refused(
        &["check", small, m, "--json", d],
        &["--json", "a file the scenario includes"],
    );
    refused(
        &["check", small, m, "--junit", m],
        &["--junit", "names the scenario file"],
    );
    refused(
        &["sweep", m, "--seeds", "1,2", "-o", m],
        &["-o", "names the scenario file"],
    );
    refused(
        &["sweep", m, "--seeds", "1,2", "--summary", d],
        &["--summary", "a file the scenario includes"],
    );
    let plan = repo().join("engine/tests/terraform/vpc-module.plan.json");
    let plan_copy = s.path("plan.json");
    std::fs::copy(&plan, &plan_copy).unwrap();
    let p = plan_copy.to_str().unwrap();
    refused(
        &["import", "terraform", p, "-o", p],
        &["-o", "a file imported from"],
    );
    assert_eq!(std::fs::read_to_string(&main).unwrap(), main_text);
    assert_eq!(std::fs::read_to_string(&design).unwrap(), design_text);
    assert_eq!(
        std::fs::read(&plan_copy).unwrap(),
        std::fs::read(&plan).unwrap()
    );
    let mut names = s.names(&s.0);
    names.retain(|n| n.starts_with('.'));
    assert!(names.is_empty(), "temporary files left: {names:?}");
}

#[test]
fn the_csv_directory_is_checked_before_the_run_and_nothing_is_written() {
    let s = Scratch::new("csv");
    let json = s.path("ok.json");
    let flows = s.path("ok.fl");
    let file = s.path("file");
    std::fs::write(&file, "x").unwrap();
    let under_a_file = s.path("file/csv");
    let with = |csv: &Path| {
        vec![
            "run".to_string(),
            SMALL.to_string(),
            "--json".into(),
            json.display().to_string(),
            "--flow-logs".into(),
            flows.display().to_string(),
            "--csv".into(),
            csv.display().to_string(),
        ]
    };
    let args = with(&under_a_file);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    refused(&args, &["vpcsim run: --csv", "file is not a directory"]);
    // A series file that is a directory.
    let series = s.path("series");
    std::fs::create_dir_all(series.join("nat.csv")).unwrap();
    let args = with(&series);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    refused(&args, &["vpcsim run: --csv", "nat.csv", "is a directory"]);
    assert_eq!(
        s.names(&s.0),
        vec!["file".to_string(), "series".to_string()],
        "no output is written"
    );
    assert_eq!(s.names(&series), vec!["nat.csv".to_string()]);
    // A directory that does not exist yet is made, after the run.
    let new = s.path("new/csv");
    let out = run(&["run", SMALL, "--quiet", "--csv", new.to_str().unwrap()]);
    status(&out, 0);
    assert_eq!(s.names(&new).len(), 6, "{:?}", s.names(&new));
}

#[test]
fn a_symlink_is_followed_and_stays_a_link() {
    let s = Scratch::new("link");
    let target = s.path("target.json");
    std::fs::write(&target, "old").unwrap();
    let link = s.path("link.json");
    std::os::unix::fs::symlink("target.json", &link).unwrap();
    let out = run(&["run", SMALL, "--quiet", "--json", link.to_str().unwrap()]);
    status(&out, 0);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let json = std::fs::read_to_string(&target).unwrap();
    assert!(json.starts_with('{'), "{json}");
    assert_eq!(s.names(&s.0), vec!["link.json", "target.json"]);
}

#[test]
fn a_fifo_is_written_in_place() {
    let s = Scratch::new("fifo");
    let fifo = s.path("report.fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let out = run(&["run", SMALL, "--quiet", "--json", fifo.to_str().unwrap()]);
    status(&out, 0);
    let json = reader.join().unwrap();
    assert!(
        json.starts_with('{') && json.contains("\"traffic\""),
        "{json}"
    );
    use std::os::unix::fs::FileTypeExt as _;
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert_eq!(s.names(&s.0), vec!["report.fifo"]);
}

#[test]
fn dash_streams_flow_logs_and_json_to_stdout() {
    let out = run(&["run", SMALL, "--flow-logs", "-", "--quiet"]);
    status(&out, 0);
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("2 123456789012 "), "{stdout}");
    assert!(!stdout.contains("traffic "), "the summary is not on stdout");
    let out = run(&["run", SMALL, "--json", "-", "--quiet"]);
    status(&out, 0);
    assert!(text(&out.stdout).starts_with('{'));
}

// -- interruptions ---------------------------------------------------------------

#[test]
fn sigterm_removes_the_temporary_files_and_exits_143() {
    let s = Scratch::new("signal");
    let f = s.path("long.toml");
    std::fs::write(&f, many_vpcs(4, "100000s")).unwrap();
    let pcap = s.path("pcap");
    let child = vpcsim()
        .args(["run", f.to_str().unwrap(), "--quiet", "--pcap"])
        .arg(&pcap)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Waits for the temporary files to exist.
    let t0 = Instant::now();
    while !s.names(&pcap).iter().any(|n| n.ends_with(".tmp")) {
        assert!(t0.elapsed() < Duration::from_secs(30), "no temporary file");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let out = child.wait_with_output().unwrap();
    status(&out, 143);
    assert!(s.names(&pcap).is_empty(), "{:?}", s.names(&pcap));
}

#[test]
fn import_writes_its_output_whole() {
    let s = Scratch::new("import");
    let out_file = s.path("imported.toml");
    let dir = repo().join("engine/tests/import");
    let snapshot = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.is_dir())
        .expect("an import snapshot");
    let out = run(&[
        "import",
        "aws",
        snapshot.to_str().unwrap(),
        "-o",
        out_file.to_str().unwrap(),
    ]);
    assert!(out.status.code().is_some_and(|c| c == 0 || c == 2));
    assert!(!text(&out.stderr).contains("panicked"));
    assert!(
        s.names(&s.0).iter().all(|n| !n.ends_with(".tmp")),
        "{:?}",
        s.names(&s.0)
    );
    // A full device: an error, exit 2.
    let out = run(&[
        "import",
        "aws",
        snapshot.to_str().unwrap(),
        "-o",
        "/dev/full",
    ]);
    status(&out, 2);
}

// -- messages --------------------------------------------------------------------

fn validate_text(name: &str, body: &str) -> String {
    let s = Scratch::new("msg");
    let f = s.path(name);
    std::fs::write(&f, body).unwrap();
    let out = run(&["validate", f.to_str().unwrap()]);
    assert!(!text(&out.stderr).contains("panicked"));
    text(&out.stderr) + &text(&out.stdout)
}

#[test]
fn negative_and_out_of_range_values_say_so() {
    let t = validate_text("neg.toml", "[scenario]\nname = \"x\"\nduration = \"-1s\"\n");
    assert!(t.contains("cannot be negative"), "{t}");
    let t = validate_text(
        "big.toml",
        "[scenario]\nname = \"x\"\nduration = \"99999999999999h\"\n",
    );
    assert!(t.contains("out of range"), "{t}");
}

#[test]
fn duplicate_key_names_the_key() {
    let t = validate_text(
        "dup.toml",
        "[scenario]\nname = \"x\"\nduration = \"1s\"\nduration = \"2s\"\n",
    );
    assert!(t.contains("duplicate key `duration`"), "{t}");
}

#[test]
fn the_count_of_problems_is_right_past_the_limit() {
    let mut body = String::from("[scenario]\nname = \"x\"\nduration = \"1s\"\n");
    for i in 0..250 {
        body += &format!("[[vpc]]\nid = \"v{i}\"\ncidrs = [\"not-a-cidr\"]\n");
    }
    let t = validate_text("many.toml", &body);
    assert!(t.contains("invalid (250 errors)"), "{t}");
}

#[test]
fn explain_says_kinds_in_words() {
    let out = run(&[
        "explain",
        "scenarios/lambda-private-nat.toml",
        "--from",
        "igw-main",
        "--to",
        "8.8.8.8",
    ]);
    status(&out, 2);
    assert!(
        text(&out.stderr).contains("is an internet gateway"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn explain_says_why_a_negative_time_or_an_ipv6_address_is_refused() {
    let base = [
        "explain",
        "scenarios/lambda-private-nat.toml",
        "--from",
        "fetcher",
        "--port",
        "443",
    ];
    for (extra, want) in [
        (
            ["--to", "api-example", "--at", "-5s"],
            "vpcsim explain: --at `-5s`: a time cannot be negative: it counts from the start of the run, 0s (like `--at 30s`)",
        ),
        (
            ["--to", "api-example", "--at", "1000h"],
            "vpcsim explain: --at `1000h`: 3600000s is after the end of the run (60s); give a time from 0s to 60s",
        ),
        (
            ["--to", "2001:db8::1", "--at", "0s"],
            "vpcsim explain: --to `2001:db8::1`: IPv6 is not supported yet; give an IPv4 address or an id",
        ),
    ] {
        let args: Vec<&str> = base.iter().chain(extra.iter()).copied().collect();
        let out = run(&args);
        status(&out, 2);
        assert_eq!(text(&out.stderr).trim_end(), want);
    }
}

// -- runaway workloads -----------------------------------------------------------

#[test]
fn runaway_workloads_are_flagged_before_they_start() {
    let body = many_vpcs(1, "24h").replace("rate = \"1/s\"", "rate = \"1000000000000/s\"");
    let t = validate_text("runaway.toml", &body);
    assert!(t.contains("warning: the run may handle up to about"), "{t}");
    assert!(t.contains("valid"), "{t}");
}

#[test]
fn max_events_cuts_a_run_short_with_whole_outputs() {
    let s = Scratch::new("cut");
    let json = s.path("r.json");
    let flows = s.path("f.log");
    let out = run(&[
        "run",
        "scenarios/two-vpc-load.toml",
        "--max-events",
        "20000",
        "--json",
        json.to_str().unwrap(),
        "--flow-logs",
        flows.to_str().unwrap(),
    ]);
    status(&out, 0);
    assert!(
        text(&out.stdout).contains("cut short at"),
        "{}",
        text(&out.stdout)
    );
    let report = std::fs::read_to_string(&json).unwrap();
    assert!(report.contains("\"cut_short\""), "{report}");
    assert!(report.ends_with("}\n"));
    let log = std::fs::read_to_string(&flows).unwrap();
    assert!(log.ends_with('\n') && !log.is_empty());
    let out = run(&[
        "run",
        "scenarios/two-vpc-load.toml",
        "--quiet",
        "--max-output-bytes",
        "100000",
        "--pcap",
        s.path("pcap").to_str().unwrap(),
        "--json",
        "-",
    ]);
    status(&out, 0);
    assert!(text(&out.stdout).contains("--max-output-bytes"));
}

#[test]
fn zero_threads_and_zero_limits_are_refused() {
    refused(
        &["run", SMALL, "--threads", "0"],
        &["--threads", "1 thread or more"],
    );
    refused(
        &["check", SMALL, "--threads", "0"],
        &["--threads", "1 thread or more"],
    );
    refused(
        &["sweep", SMALL, "--threads", "0"],
        &["--threads", "1 thread or more"],
    );
    for opt in ["--max-events", "--max-output-bytes"] {
        refused(&["run", SMALL, opt, "0"], &[opt, "1 or more"]);
    }
    // A run stopped between windows says it went past the limit.
    let out = run(&["run", SMALL, "--quiet", "--max-events", "1", "--json", "-"]);
    status(&out, 0);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reason = report["engine"]["cut_short"]["reason"].as_str().unwrap();
    assert!(
        reason.ends_with("events, past the limit of --max-events 1"),
        "{reason}"
    );
}
