//! The same scenario and seed give byte-identical reports whatever the
//! number of worker threads (docs/scenario-format.md, `--threads N`): the
//! summary text and the outcomes of `check`, for 1, 2 and 4 threads, on
//! every shipped scenario and on generated ones (two peered VPCs and an
//! internet host, so that several logical processes exchange packets).
//!
//! Case counts are modest; `PROPTEST_CASES` overrides them.

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use proptest::prelude::*;
use vpcsim::model::{self, Design};
use vpcsim::report::{check, outputs, summary};
use vpcsim::sim::RunOptions;
use vpcsim::sim::parallel;
use vpcsim::sim::partition::Partition;

const THREADS: [usize; 3] = [1, 2, 4];

/// The summary (with its cost estimate, as `vpcsim run` prints it) and the
/// check outcomes of a run.
fn reports(design: &Arc<Design>, threads: usize) -> (String, String) {
    let (attached, recorders) =
        outputs::attach(design, &outputs::Options::default()).expect("no files to write");
    let count = Partition::new(design).count;
    let out = parallel::run(
        Arc::clone(design),
        &RunOptions {
            seed: None,
            threads,
        },
        &|lp| recorders.for_lp(lp, count),
        &mut |_, _| {},
    );
    let cost = attached.estimate(&out);
    let text = summary::render(&out.net, &out.metrics, out.seed, Some(&cost), false);
    let checks = format!("{:#?}", check::evaluate(&out.net, &out.metrics));
    (text, checks)
}

/// Runs with every thread count and returns the first difference, if any.
fn difference(name: &str, design: &Arc<Design>) -> Option<String> {
    let (base_text, base_checks) = reports(design, THREADS[0]);
    for &n in &THREADS[1..] {
        let (text, checks) = reports(design, n);
        if text != base_text {
            return Some(format!(
                "{name}: the summary with {n} threads differs from 1 thread\n--- 1 ---\n{base_text}\n--- {n} ---\n{text}"
            ));
        }
        if checks != base_checks {
            return Some(format!(
                "{name}: the check outcomes with {n} threads differ from 1 thread\n--- 1 ---\n{base_checks}\n--- {n} ---\n{checks}"
            ));
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
    for f in &files {
        let design = match model::load_file(f) {
            Ok(l) => Arc::new(l.design),
            Err(r) => panic!("{} does not load:\n{r}", f.display()),
        };
        if let Some(d) = difference(&f.display().to_string(), &design) {
            failures.push(d);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn threads_give_byte_identical_reports_for_generated_scenarios(seed in any::<u64>()) {
        let text = common::traffic_design(seed);
        let design = common::load_arc(&text);
        let lps = Partition::new(&design).count;
        prop_assert!(lps >= 3, "two VPCs and the outside are separate LPs ({lps})");
        if let Some(d) = difference("generated", &design) {
            return Err(TestCaseError::fail(format!("{d}\n--- scenario ---\n{text}")));
        }
    }
}
