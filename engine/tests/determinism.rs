//! The same scenario and seed give byte-identical outputs whatever the
//! number of worker threads (docs/scenario-format.md, `--threads N`): the
//! summary text, the outcomes of `check`, the JSON report, the flow logs
//! (every field), the CSV time series and every pcap file, for 1, 2 and 4 threads, on
//! every shipped scenario and on generated ones (two peered VPCs and an
//! internet host, so that several logical processes exchange packets).
//!
//! Case counts are modest; `PROPTEST_CASES` overrides them.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use vpcsim::model::{self, Design};
use vpcsim::report::{check, outputs, summary};
use vpcsim::sim::RunOptions;
use vpcsim::sim::parallel;
use vpcsim::sim::partition::Partition;

const THREADS: [usize; 3] = [1, 2, 4];

/// Everything a run shows: the summary (with its cost estimate, as
/// `vpcsim run` prints it), the check outcomes, and every file it writes
/// (the JSON report, the flow logs, the pcap captures), by name.
fn reports(design: &Arc<Design>, threads: usize) -> (BTreeMap<String, Vec<u8>>, u64) {
    let dir = std::env::temp_dir().join(format!(
        "vpcsim-determinism-{}-{}-{threads}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let opts = outputs::Options {
        json: Some(dir.join("report.json")),
        flow_logs: Some(dir.join("flow.log")),
        flow_log_interval: "60s".to_string(),
        flow_log_format: Some(ALL_FIELDS.to_string()),
        pcap: Some(dir.join("pcap")),
        csv: Some(dir.join("csv")),
        html: None,
        capture: Default::default(),
        cost: true,
        inputs: Vec::new(),
    };
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let (attached, recorders) = outputs::attach(design, &opts).expect("files can be written");
    let out = parallel::run(
        Arc::clone(design),
        &RunOptions {
            seed: None,
            threads,
            interval: None,
        },
        &|lp| recorders.for_lp(lp),
        &mut |_, _| true,
    );
    let cost = attached.estimate(&out);
    let outcomes = check::evaluate(&out.net, &out.metrics, None);
    attached
        .finish(&out, Some(&outcomes))
        .expect("the files are written");
    let mut all = BTreeMap::new();
    let text = summary::render(&out.net, &out.metrics, out.seed, cost.as_ref(), false);
    all.insert("summary".to_string(), text.into_bytes());
    all.insert("check".to_string(), format!("{outcomes:#?}").into_bytes());
    read_tree(&dir, &dir, &mut all);
    let _ = std::fs::remove_dir_all(&dir);
    spans_are_not_empty(&all["flow.log"]);
    (all, out.moves)
}

/// Every flow log record spans at least a second (FL-2): `start` (field 11)
/// before `end` (field 12), NODATA records included; a run that ends on an
/// interval's end writes no empty interval after it.
fn spans_are_not_empty(log: &[u8]) {
    for line in String::from_utf8_lossy(log).lines() {
        let f: Vec<&str> = line.split(' ').collect();
        let (start, end): (u64, u64) = (f[10].parse().unwrap(), f[11].parse().unwrap());
        assert!(start < end, "a record of no time: {line}");
    }
}

/// Every field of every flow log version, so that all of them are compared.
const ALL_FIELDS: &str = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${subnet-id} ${instance-id} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${region} ${az-id} ${sublocation-type} ${sublocation-id} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${flow-direction} ${traffic-path}";

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn read_tree(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            read_tree(root, &p, out);
        } else {
            let name = p.strip_prefix(root).unwrap_or(&p).display().to_string();
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            out.insert(name, bytes);
        }
    }
}

/// Runs with every thread count and returns the first difference, if any;
/// counts in `moves` the times LPs moved between threads.
fn difference(name: &str, design: &Arc<Design>, moves: &mut u64) -> Option<String> {
    let (base, _) = reports(design, THREADS[0]);
    for &n in &THREADS[1..] {
        let (other, moved) = reports(design, n);
        *moves += moved;
        let names: Vec<&String> = base.keys().collect();
        if names != other.keys().collect::<Vec<_>>() {
            return Some(format!(
                "{name}: {n} threads write other files than 1 thread: {names:?} and {:?}",
                other.keys().collect::<Vec<_>>()
            ));
        }
        for (file, bytes) in &base {
            let theirs = &other[file];
            if bytes != theirs {
                let at = bytes
                    .iter()
                    .zip(theirs.iter())
                    .position(|(a, b)| a != b)
                    .unwrap_or(bytes.len().min(theirs.len()));
                let show = |b: &[u8]| {
                    String::from_utf8_lossy(&b[at.saturating_sub(200)..b.len().min(at + 200)])
                        .into_owned()
                };
                return Some(format!(
                    "{name}: {file} with {n} threads differs from 1 thread at byte {at} ({} and {} bytes)\n--- 1 ---\n{}\n--- {n} ---\n{}",
                    bytes.len(),
                    theirs.len(),
                    show(bytes),
                    show(theirs)
                ));
            }
        }
    }
    None
}

#[test]
fn threads_give_byte_identical_reports_for_every_shipped_scenario() {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "scenarios/ has its scenarios");
    let mut failures = Vec::new();
    let mut moves = 0;
    for f in &files {
        let design = match model::load_file(f) {
            Ok(l) => Arc::new(l.design),
            Err(r) => panic!("{} does not load:\n{r}", f.display()),
        };
        if let Some(d) = difference(&f.display().to_string(), &design, &mut moves) {
            failures.push(d);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // LPs are assigned to threads by measured load: some runs moved them,
    // and their outputs are compared above like the others.
    assert!(moves > 0, "no run moved an LP between threads");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn threads_give_byte_identical_reports_for_generated_scenarios(seed in any::<u64>()) {
        let text = common::traffic_design(seed);
        let design = common::load_arc(&text);
        let lps = Partition::new(&design).count;
        prop_assert!(lps >= 3, "two VPCs and the outside are separate LPs ({lps})");
        if let Some(d) = difference("generated", &design, &mut 0) {
            return Err(TestCaseError::fail(format!("{d}\n--- scenario ---\n{text}")));
        }
    }
}
