//! Golden outputs: what the `vpcsim` command prints and writes, kept in
//! `engine/tests/golden/` and compared byte for byte.
//!
//! - every shipped scenario run with every output (the summary, the JSON
//!   report, flow logs with every field, one pcap file per ENI and gateway);
//! - `explain`, as text and as JSON, of the first flow of each traffic;
//! - `graph` of every shipped scenario;
//! - `validate` of the loader's invalid and warning test files;
//! - `import aws` of the real snapshots in `../shared/aws-snapshots/`.
//!
//! A golden changes only on purpose: `UPDATE_GOLDEN=1 cargo test --release
//! --test golden` rewrites the files, and the commit that does so names the
//! behaviour that changed. Large and binary outputs are kept as their size,
//! line count and a 64-bit FNV-1a digest.

#[path = "cases/invalid.rs"]
mod cases;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Outputs larger than this are kept as a digest.
const INLINE_LIMIT: usize = 64 * 1024;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vpcsim"))
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// What is kept of an output: itself when it is small text, else a digest.
fn kept(bytes: &[u8], binary: bool) -> Vec<u8> {
    if !binary && bytes.len() <= INLINE_LIMIT && std::str::from_utf8(bytes).is_ok() {
        return bytes.to_vec();
    }
    let lines = bytes.iter().filter(|b| **b == b'\n').count();
    format!(
        "digest: {} bytes, {lines} lines, fnv1a64 {:016x}\n",
        bytes.len(),
        fnv1a64(bytes)
    )
    .into_bytes()
}

/// A command's exit status and both streams, as one text.
fn transcript(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().expect("vpcsim runs");
    let mut t = format!("exit: {}\n--- stdout\n", out.status.code().unwrap_or(-1)).into_bytes();
    t.extend_from_slice(&out.stdout);
    t.extend_from_slice(b"--- stderr\n");
    t.extend_from_slice(&out.stderr);
    t
}

fn scenarios() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .expect("scenarios/")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("vpcsim-golden-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("a temporary directory");
    d
}

fn read_tree(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.expect("an entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            read_tree(base, &p, out);
        } else {
            let name = p
                .strip_prefix(base)
                .expect("inside")
                .to_string_lossy()
                .into_owned();
            out.push((name, std::fs::read(&p).expect("readable")));
        }
    }
}

/// Compares `got` with the files under `golden/<group>/` (or rewrites them
/// with `UPDATE_GOLDEN=1`), failing once with every difference.
fn compare(group: &str, got: BTreeMap<String, Vec<u8>>) {
    let dir = golden_dir().join(group);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        for (name, bytes) in &got {
            let p = dir.join(name);
            std::fs::create_dir_all(p.parent().expect("a parent")).expect("writable");
            std::fs::write(&p, bytes).expect("writable");
        }
        return;
    }
    let mut want = Vec::new();
    if dir.is_dir() {
        read_tree(&dir, &dir, &mut want);
    }
    let want: BTreeMap<String, Vec<u8>> = want.into_iter().collect();
    let mut diffs = Vec::new();
    for (name, bytes) in &got {
        match want.get(name) {
            None => diffs.push(format!("{group}/{name}: new output, no golden file")),
            Some(w) if w != bytes => diffs.push(first_difference(group, name, w, bytes)),
            Some(_) => {}
        }
    }
    for name in want.keys() {
        if !got.contains_key(name) {
            diffs.push(format!("{group}/{name}: golden file, no such output now"));
        }
    }
    assert!(
        diffs.is_empty(),
        "{} golden outputs differ (UPDATE_GOLDEN=1 rewrites them, in a commit that names the change):\n\n{}",
        diffs.len(),
        diffs.join("\n\n")
    );
}

fn first_difference(group: &str, name: &str, want: &[u8], got: &[u8]) -> String {
    let (w, g) = (String::from_utf8_lossy(want), String::from_utf8_lossy(got));
    let (wl, gl): (Vec<&str>, Vec<&str>) = (w.lines().collect(), g.lines().collect());
    let n = wl
        .iter()
        .zip(&gl)
        .position(|(a, b)| a != b)
        .unwrap_or(wl.len().min(gl.len()));
    format!(
        "{group}/{name}: line {} differs\n  golden: {}\n  now:    {}",
        n + 1,
        wl.get(n).unwrap_or(&"<end>"),
        gl.get(n).unwrap_or(&"<end>")
    )
}

/// Every shipped scenario, run with every output on two threads.
#[test]
fn golden_runs() {
    let mut got = BTreeMap::new();
    for file in scenarios() {
        let name = stem(&file);
        let dir = temp_dir(&format!("run-{name}"));
        let run = transcript(
            bin()
                .current_dir(root())
                .arg("run")
                .arg(file.strip_prefix(root()).expect("inside"))
                .args(["--threads", "2", "--quiet", "--flow-log-interval", "60s"])
                .arg("--json")
                .arg(dir.join("report.json"))
                .arg("--flow-logs")
                .arg(dir.join("flow.log"))
                .args(["--flow-log-format", ALL_FIELDS])
                .arg("--pcap")
                .arg(dir.join("pcap")),
        );
        got.insert(format!("{name}/run.txt"), run);
        let mut files = Vec::new();
        read_tree(&dir, &dir, &mut files);
        for (f, bytes) in files {
            let binary = f.ends_with(".pcap");
            got.insert(format!("{name}/{f}"), kept(&bytes, binary));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    compare("run", got);
}

/// Every field of every flow log version.
const ALL_FIELDS: &str = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${subnet-id} ${instance-id} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${region} ${az-id} ${sublocation-type} ${sublocation-id} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${flow-direction} ${traffic-path}";

/// The explain query of a traffic's first flow: from, to, protocol, port.
fn first_flow(t: &toml::Table) -> Option<(String, String, String, Option<u16>)> {
    let s = |k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let from = s("from")?;
    let to = s("to")?;
    let pattern = s("pattern").unwrap_or_else(|| "requests".to_string());
    let port = t
        .get("port")
        .and_then(|v| v.as_integer())
        .and_then(|p| u16::try_from(p).ok());
    let protocol = match pattern.as_str() {
        "ping" => "icmp".to_string(),
        "udp" => "udp".to_string(),
        _ => s("protocol").unwrap_or_else(|| "tcp".to_string()),
    };
    let port = if protocol == "icmp" { None } else { port };
    Some((from, to, protocol, port))
}

/// `explain` of each traffic's first flow, as text and as JSON.
#[test]
fn golden_explain() {
    let mut got = BTreeMap::new();
    for file in scenarios() {
        let name = stem(&file);
        let text = std::fs::read_to_string(&file).expect("readable");
        let doc: toml::Table = text.parse().expect("a shipped scenario is TOML");
        let traffic = doc
            .get("traffic")
            .and_then(|t| t.as_array())
            .cloned()
            .unwrap_or_default();
        for t in traffic.iter().filter_map(|t| t.as_table()) {
            let Some(id) = t.get("id").and_then(|v| v.as_str()) else {
                continue;
            };
            let Some((from, to, protocol, port)) = first_flow(t) else {
                continue;
            };
            for json in [false, true] {
                let mut cmd = bin();
                cmd.current_dir(root())
                    .arg("explain")
                    .arg(file.strip_prefix(root()).expect("inside"))
                    .args(["--from", &from, "--to", &to, "--protocol", &protocol]);
                if let Some(p) = port {
                    cmd.args(["--port", &p.to_string()]);
                }
                if json {
                    cmd.arg("--json");
                }
                let ext = if json { "json.txt" } else { "txt" };
                got.insert(format!("{name}/{id}.{ext}"), transcript(&mut cmd));
            }
        }
    }
    compare("explain", got);
}

/// `graph` of every shipped scenario.
#[test]
fn golden_graph() {
    let mut got = BTreeMap::new();
    for file in scenarios() {
        let out = transcript(
            bin()
                .current_dir(root())
                .arg("graph")
                .arg(file.strip_prefix(root()).expect("inside")),
        );
        got.insert(format!("{}.txt", stem(&file)), kept(&out, false));
    }
    compare("graph", got);
}

/// `validate` of the loader's test files, invalid ones and ones that load
/// with warnings, one at a time as a user would run it.
#[test]
fn golden_validate() {
    let dir = temp_dir("validate");
    let mut got = BTreeMap::new();
    for c in cases::INVALID.iter().chain(cases::LOADS) {
        let file = format!("{}.toml", c.name);
        std::fs::write(dir.join(&file), c.text.strip_prefix('\n').unwrap_or(c.text))
            .expect("writable");
        let out = transcript(bin().current_dir(&dir).arg("validate").arg(&file));
        got.insert(format!("{}.txt", c.name), out);
    }
    let _ = std::fs::remove_dir_all(&dir);
    compare("validate", got);
}

/// `import aws` of every shared snapshot; skipped, saying so, where
/// `../shared/` is not beside the repository.
#[test]
fn golden_import() {
    let snaps = root().join("../shared/aws-snapshots");
    if !snaps.is_dir() {
        eprintln!("skipped: {} is not here", snaps.display());
        return;
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&snaps)
        .expect("readable")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut got = BTreeMap::new();
    for d in dirs {
        let rel = format!("../shared/aws-snapshots/{}", stem(&d));
        let out = transcript(bin().current_dir(root()).args(["import", "aws", &rel]));
        got.insert(format!("{}.txt", stem(&d)), out);
    }
    compare("import", got);
}
