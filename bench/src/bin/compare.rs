//! Compares two saved criterion baselines: for every benchmark under the
//! criterion folder that has both, the median of `NEW` against the median of
//! `BASE`. Prints one line per benchmark and exits 1 when any is slower by
//! more than the threshold (percent), 2 when nothing could be compared.
//!
//! `compare CRITERION_DIR BASE NEW [THRESHOLD_PERCENT]` (see
//! `bench/compare.sh`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Folders under `dir` that hold a `base` and a `new` estimate.
fn pairs(dir: &Path, base: &str, new: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut subdirs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    subdirs.sort();
    if dir.join(base).join("estimates.json").is_file()
        && dir.join(new).join("estimates.json").is_file()
    {
        out.push(dir.to_path_buf());
    }
    for d in subdirs {
        let name = d.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name != base && name != new && name != "report" {
            pairs(&d, base, new, out);
        }
    }
}

fn read_json(p: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(p).ok()?;
    serde_json::from_str(&text).ok()
}

/// The median's point estimate, in ns.
fn median(dir: &Path) -> Option<f64> {
    read_json(&dir.join("estimates.json"))?["median"]["point_estimate"].as_f64()
}

fn name(dir: &Path, root: &Path, new: &str) -> String {
    read_json(&dir.join(new).join("benchmark.json"))
        .and_then(|v| v["full_id"].as_str().map(str::to_string))
        .unwrap_or_else(|| dir.strip_prefix(root).unwrap_or(dir).display().to_string())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: compare CRITERION_DIR BASE NEW [THRESHOLD_PERCENT]");
        return ExitCode::from(2);
    }
    let (root, base, new) = (Path::new(&args[0]), &args[1], &args[2]);
    let threshold: f64 = args.get(3).and_then(|t| t.parse().ok()).unwrap_or(10.0);
    let mut found = Vec::new();
    pairs(root, base, new, &mut found);
    let mut compared = 0;
    let mut regressions = 0;
    for dir in &found {
        let (Some(b), Some(n)) = (median(&dir.join(base)), median(&dir.join(new))) else {
            continue;
        };
        compared += 1;
        let change = (n / b - 1.0) * 100.0;
        let verdict = if change > threshold {
            regressions += 1;
            "REGRESSION"
        } else if change < -threshold {
            "faster"
        } else {
            "same"
        };
        println!(
            "{:<50} {base} {:>12.1} ns  {new} {:>12.1} ns  {:+6.1}%  {verdict}",
            name(dir, root, new),
            b,
            n,
            change
        );
    }
    if compared == 0 {
        eprintln!(
            "no benchmark under {} has both a `{base}` and a `{new}` baseline",
            root.display()
        );
        return ExitCode::from(2);
    }
    println!("{compared} compared, {regressions} slower by more than {threshold}%");
    if regressions > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
